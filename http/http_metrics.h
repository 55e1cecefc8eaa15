// The HTTP server's metrics: requests answered by route and status, and their latency by route,
// from the head's arrival to the answer handed to the transport. A route is named by its method
// and pattern ("GET /v1/payers/{id}"), never by the path asked, so that the series stay as few
// as the routes; requests that matched no route (404, 405, refused framing) are "unmatched".
// Recording is lock-free: a relaxed atomic add per counter, the counters of a route in one
// array indexed by status. Made once the routes are known; thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/metrics.h"

namespace recur {

class HttpMetrics {
 public:
  // `routes` names each route by index, as the server matches them.
  explicit HttpMetrics(std::vector<std::string> routes);

  // The index Record takes for a request that matched no route.
  std::size_t unmatched() const { return routes_.size() - 1; }
  void Record(std::size_t route, int status, std::chrono::nanoseconds elapsed);
  void Write(MetricsText& text) const;

 private:
  struct PerRoute {
    std::array<Counter, 600> by_status;  // 100 to 599; others counted under 0
    LatencyHistogram latency;
  };
  std::vector<std::string> routes_;  // the last is "unmatched"
  std::unique_ptr<PerRoute[]> counts_;
};

}  // namespace recur
