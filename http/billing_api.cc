#include "http/billing_api.h"

#include "http/http_server.h"

namespace recur {
namespace {

// A payer found, none for a resource not found, or the error of a look-up that failed.
Result<std::optional<std::string>> OwnerOrNone(Result<std::string> payer) {
  if (payer) return std::optional<std::string>(std::move(*payer));
  if (payer.error().kind == ErrorKind::kNotFound) return std::optional<std::string>();
  return std::unexpected(payer.error());
}

}  // namespace

void AddApiRoutes(HttpServer& server, const ApiServices& services) {
  server.SetPayerSessions(
      {[&services](std::string_view token) { return services.sessions.PayerOf(token); },
       {[&services](const std::string& item_id) {
          return OwnerOrNone(services.billing.PayerOfItem(item_id));
        },
        [&services](const std::string& statement_id) {
          return OwnerOrNone(services.billing.PayerOfStatement(statement_id));
        },
        [&services](const std::string& attempt_id) {
          return OwnerOrNone(services.billing.PayerOfAttempt(attempt_id));
        }}});
  if (services.console_sessions != nullptr) {
    server.SetConsoleSessions(
        {[&services](std::string_view token) { return services.console_sessions->Find(token); }});
  }
  for (const ApiRoute& route : kApiRoutes) {
    server.Route(
        std::string(route.method), route.pattern, route.access,
        [&services, handler = route.handler](const ApiRequest& request) {
          return handler(services, request);
        },
        route.errors);
  }
}

}  // namespace recur
