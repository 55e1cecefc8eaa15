#include "http/billing_api.h"

#include "http/http_server.h"

namespace recur {

void AddApiRoutes(HttpServer& server, const ApiServices& services) {
  for (const ApiRoute& route : kApiRoutes) {
    server.Route(std::string(route.method), route.pattern, route.access,
                 [&services, handler = route.handler](const ApiRequest& request) {
                   return handler(services, request);
                 });
  }
}

}  // namespace recur
