#include "http/billing_api.h"

#include "http/http_server.h"

namespace recur {

void AddApiRoutes(HttpServer& server, const ApiServices& services) {
  server.SetPayerSessions(
      {[&services](std::string_view token) { return services.sessions.PayerOf(token); },
       [&services](const std::string& item_id) -> Result<std::optional<std::string>> {
         auto payer = services.billing.PayerOfItem(item_id);
         if (payer) return std::optional<std::string>(std::move(*payer));
         if (payer.error().kind == ErrorKind::kNotFound) return std::optional<std::string>();
         return std::unexpected(payer.error());
       }});
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
