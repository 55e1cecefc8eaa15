// What a store reads for the operator's reports (domain/reports/overview.h computes the figures
// from it). Reads only: nothing here changes what is stored.
// Implementations: SqliteStore, PostgresStore. Safe to call from any thread.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"
#include "domain/reports/overview.h"

namespace recur {

class ReportStore {
 public:
  virtual ~ReportStore() = default;

  // The rows of an overview whose window starts at `since`, of the payers on the test clock
  // `clock_id` (none: the payers on real time):
  // - every subscription item of those payers with a price or a trial, neither incomplete,
  //   abandoned nor upcoming, that had not ended before `since`, with the instant of its earliest
  //   paid attempt (none when no charge for it succeeded); in no particular order;
  // - when each of those payers created at or after `since` was created.
  virtual Result<OverviewRows> OverviewRowsSince(Instant since,
                                                 const std::optional<std::string>& clock_id) = 0;
};

}  // namespace recur
