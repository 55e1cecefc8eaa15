#include "http/recovered_answers.h"

namespace recur {

std::optional<Result<ApiResponse>> RecoveredAnswer(const ApiServices& api,
                                                   std::string_view route_pattern,
                                                   const ApiRequest& request,
                                                   std::string_view made) {
  for (const RecoveredRoute& route : kRecoveredRoutes) {
    if (route.pattern == route_pattern) return route.recover(api, request, made);
  }
  return std::nullopt;
}

}  // namespace recur
