#include "services/reports/overview_report.h"

namespace recur {

Result<OperatorOverview> OverviewReport::Compute(int days,
                                                 const std::optional<std::string>& test_clock_id) {
  if (days < 1 || days > kMaxOverviewDays) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "days must be a whole number of days from 1 to " +
                         std::to_string(kMaxOverviewDays) + ", not " + std::to_string(days),
                     "days");
  }
  Instant now = clock_.Now();
  if (test_clock_id) {
    auto clock = test_clocks_.Get(*test_clock_id);
    if (!clock) {
      Error error = clock.error();
      if (error.code == "test_clock_not_found") error.param = "test_clock";
      return std::unexpected(error);
    }
    now = clock->frozen_time;
  }
  auto rows = reports_.OverviewRowsSince(OverviewWindowStart(now, days), test_clock_id);
  if (!rows) return std::unexpected(rows.error());
  auto endpoints = endpoints_.List();
  if (!endpoints) return std::unexpected(endpoints.error());

  OperatorOverview overview;
  overview.figures = ComputeOverview(*rows, now, days);
  for (const WebhookEndpoint& endpoint : *endpoints) {
    if (endpoint.failing_since) ++overview.failing_webhook_endpoints;
  }
  return overview;
}

}  // namespace recur
