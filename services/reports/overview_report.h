// The operator's overview (GET /v1/overview): revenue, trials and conversions from the store
// (domain/reports/overview.h has the rules), and how many webhook endpoints are failing.
// Over the payers on real time at the clock's now, or over the payers of one test clock at
// that clock's time (a clock's payers live at its time, so they are never mixed with the
// others). Reads only. Thread-safe; everything it is given outlives it.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "domain/reports/overview.h"
#include "services/scheduler/test_clocks.h"
#include "services/webhooks/endpoints.h"
#include "store/report_store.h"

namespace recur {

struct OperatorOverview {
  Overview figures;
  // Endpoints not deleted that are failing now (their failing_since is set), disabled or not.
  int failing_webhook_endpoints = 0;
};

class OverviewReport {
 public:
  OverviewReport(ReportStore& reports, WebhookEndpoints& endpoints, TestClocks& test_clocks,
                 const Clock& clock)
      : reports_(reports), endpoints_(endpoints), test_clocks_(test_clocks), clock_(clock) {}

  // `days`: 1 to kMaxOverviewDays, else "invalid_parameter" naming days. An unknown test clock
  // is "test_clock_not_found".
  Result<OperatorOverview> Compute(int days, const std::optional<std::string>& test_clock_id);

 private:
  ReportStore& reports_;
  WebhookEndpoints& endpoints_;
  TestClocks& test_clocks_;
  const Clock& clock_;
};

}  // namespace recur
