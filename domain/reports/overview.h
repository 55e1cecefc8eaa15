// The operator's overview of revenue and trials, computed from stored items alone: what
// `GET /v1/overview` answers (docs/api.md). Pure: the rows and the instant come in as arguments.
//
// The rules, one per figure:
// - An item earns monthly recurring revenue (MRR) at instant t when its price is not zero, a
//   charge for it succeeded at or before t (first_paid_at), and it had not ended by t. Past-due
//   and canceled-but-not-yet-ended items still earn; a trial earns nothing, nor does an item
//   whose first charge never succeeded. An annual price counts as a twelfth, rounded down.
// - A trial is an item with a trial end. It ended at its trial end or when the item ended,
//   whichever came first; it converted when a charge for the item succeeded.
// - Days are UTC days; a window of `days` days ends today (the day of `now`) and starts at the
//   midnight `days - 1` days before.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "domain/period/billing_period.h"
#include "domain/subscriptions/account.h"

namespace recur {

// A subscription item as the overview needs it.
struct RevenueItem {
  std::string payer_id;
  ItemStatus status = ItemStatus::kActive;
  bool is_free_trial = false;
  std::int64_t amount = 0;  // one period's price at `interval`, minor units
  BillingInterval interval = BillingInterval::kMonth;
  std::string currency;
  std::optional<Instant> trial_end;
  std::optional<Instant> ended_at;
  std::optional<Instant> first_paid_at;  // the earliest successful charge for the item
  friend bool operator==(const RevenueItem&, const RevenueItem&) = default;
};

// What a store reads for an overview whose window starts at `since` (report_store.h): every
// item that was not ended before `since`, and when each payer created since then was created.
struct OverviewRows {
  std::vector<RevenueItem> items;
  std::vector<Instant> payers_created;
};

struct CurrencyAmount {
  std::string currency;
  std::int64_t amount = 0;  // minor units
  friend bool operator==(const CurrencyAmount&, const CurrencyAmount&) = default;
};

struct OverviewDay {
  std::string date;                 // "2026-12-04", UTC
  std::vector<CurrencyAmount> mrr;  // at the end of the day (today: at `now`), by currency
  int signups = 0;                  // payers created that day
  int conversions = 0;              // trials whose first successful charge fell that day
  friend bool operator==(const OverviewDay&, const OverviewDay&) = default;
};

struct Overview {
  Instant as_of;
  int days = 0;
  std::vector<CurrencyAmount> mrr;  // now, by currency (sorted), none when nothing earns
  int paying_payers = 0;            // payers with an item earning MRR now
  int active_trials = 0;            // current items in a trial that has not reached its end
  int past_due_payers = 0;          // payers whose current item is past due
  int trials_ended = 0;             // trials that ended within the window
  int trials_converted = 0;         // of those, the ones that converted
  std::vector<OverviewDay> series;  // one per day of the window, oldest first
  friend bool operator==(const Overview&, const Overview&) = default;
};

inline constexpr int kMaxOverviewDays = 366;

// The first instant of the window of `days` days (1 to kMaxOverviewDays) that ends on the day
// of `now`: what to read rows since.
Instant OverviewWindowStart(Instant now, int days);

// The overview at `now` over the window of `days` days; `rows` as read since
// OverviewWindowStart(now, days) (rows from earlier do no harm).
Overview ComputeOverview(const OverviewRows& rows, Instant now, int days);

}  // namespace recur
