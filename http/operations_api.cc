// What operators' tools ask of a node. GET /readyz: its readiness (services/health/readiness.h),
// 200 when ready, else 503 in the one error format with the reason; not ready is the answer,
// not a failure of the request, so it is not logged as one (a load balancer asks every few
// seconds). GET /metrics: the Prometheus text of ApiServices::metrics.
#include "base/metrics.h"
#include "http/api_error.h"
#include "http/billing_api.h"

namespace recur {

Result<ApiResponse> Ready(const ApiServices& api, const ApiRequest&) {
  if (api.readiness == nullptr) {
    return ErrorResponse(
        {ErrorKind::kUnavailable, "not_ready", "not ready: this server checks no readiness"});
  }
  if (Status ready = api.readiness->Check(); !ready) return ErrorResponse(ready.error());
  return JsonResponse({{"status", "ready"}});
}

Result<ApiResponse> GetMetrics(const ApiServices& api, const ApiRequest&) {
  if (!api.metrics) {
    return MakeError(ErrorKind::kNotFound, "route_not_found", "this server keeps no metrics");
  }
  ApiResponse answer;
  answer.body = api.metrics();
  answer.content_type = kMetricsContentType;
  return answer;
}

}  // namespace recur
