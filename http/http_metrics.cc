#include "http/http_metrics.h"

namespace recur {

HttpMetrics::HttpMetrics(std::vector<std::string> routes)
    : routes_(std::move(routes)), counts_(nullptr) {
  routes_.emplace_back("unmatched");
  counts_ = std::make_unique<PerRoute[]>(routes_.size());
}

void HttpMetrics::Record(std::size_t route, int status, std::chrono::nanoseconds elapsed) {
  if (route >= routes_.size()) route = unmatched();
  PerRoute& counts = counts_[route];
  counts.by_status[status >= 100 && status < 600 ? static_cast<std::size_t>(status) : 0].Add();
  counts.latency.Observe(elapsed);
}

void HttpMetrics::Write(MetricsText& text) const {
  text.Family("recur_http_requests_total", "counter",
              "HTTP requests answered, by route (method and pattern) and status");
  for (std::size_t route = 0; route < routes_.size(); ++route) {
    for (std::size_t status = 0; status < 600; ++status) {
      const std::uint64_t count = counts_[route].by_status[status].Value();
      if (count == 0) continue;
      const std::string code = std::to_string(status);
      text.Sample("recur_http_requests_total", {{"route", routes_[route]}, {"status", code}},
                  count);
    }
  }
  text.Family("recur_http_request_duration_seconds", "histogram",
              "Time from a request's head to its answer, by route");
  for (std::size_t route = 0; route < routes_.size(); ++route) {
    if (counts_[route].latency.Empty()) continue;
    text.Histogram("recur_http_request_duration_seconds", {{"route", routes_[route]}},
                   counts_[route].latency);
  }
}

}  // namespace recur
