#include "domain/reports/overview.h"

#include <algorithm>
#include <map>
#include <set>

#include <date/date.h>

namespace recur {
namespace {

using Day = date::sys_days;

Day DayOf(Instant t) { return date::floor<date::days>(t); }

bool EarnsAt(const RevenueItem& item, Instant t) {
  return item.amount > 0 && item.first_paid_at && *item.first_paid_at <= t &&
         (!item.ended_at || *item.ended_at > t);
}

std::int64_t MonthlyAmount(const RevenueItem& item) {
  return item.interval == BillingInterval::kAnnual ? item.amount / 12 : item.amount;
}

std::vector<CurrencyAmount> MrrAt(const std::vector<RevenueItem>& items, Instant t) {
  std::map<std::string, std::int64_t> by_currency;
  for (const RevenueItem& item : items) {
    if (EarnsAt(item, t)) by_currency[item.currency] += MonthlyAmount(item);
  }
  std::vector<CurrencyAmount> mrr;
  for (const auto& [currency, amount] : by_currency) mrr.push_back({currency, amount});
  return mrr;
}

// When the item's trial ended, if it has one and it has ended by `now`.
std::optional<Instant> TrialEnded(const RevenueItem& item, Instant now) {
  if (!item.trial_end) return std::nullopt;
  const Instant ended = item.ended_at ? std::min(*item.trial_end, *item.ended_at) : *item.trial_end;
  if (ended > now) return std::nullopt;
  return ended;
}

}  // namespace

Instant OverviewWindowStart(Instant now, int days) {
  return Instant(DayOf(now) - date::days(days - 1));
}

Overview ComputeOverview(const OverviewRows& rows, Instant now, int days) {
  Overview overview;
  overview.as_of = now;
  overview.days = days;
  overview.mrr = MrrAt(rows.items, now);

  std::set<std::string> paying;
  std::set<std::string> past_due;
  const Instant window_start = OverviewWindowStart(now, days);
  for (const RevenueItem& item : rows.items) {
    if (EarnsAt(item, now)) paying.insert(item.payer_id);
    if (item.status == ItemStatus::kPastDue) past_due.insert(item.payer_id);
    if (IsCurrentStatus(item.status) && item.is_free_trial && item.trial_end &&
        *item.trial_end > now && !item.ended_at) {
      ++overview.active_trials;
    }
    const std::optional<Instant> trial_ended = TrialEnded(item, now);
    if (trial_ended && *trial_ended >= window_start) {
      ++overview.trials_ended;
      if (item.first_paid_at) ++overview.trials_converted;
    }
  }
  overview.paying_payers = static_cast<int>(paying.size());
  overview.past_due_payers = static_cast<int>(past_due.size());

  const Day first_day = DayOf(window_start);
  for (int i = 0; i < days; ++i) {
    const Day day = first_day + date::days(i);
    const Instant end_of_day =
        std::min(now, Instant(day + date::days(1)) - std::chrono::milliseconds(1));
    OverviewDay point;
    point.date = date::format("%F", day);
    point.mrr = MrrAt(rows.items, end_of_day);
    for (const Instant created : rows.payers_created) {
      if (DayOf(created) == day && created <= now) ++point.signups;
    }
    for (const RevenueItem& item : rows.items) {
      if (item.trial_end && item.first_paid_at && DayOf(*item.first_paid_at) == day &&
          *item.first_paid_at <= now) {
        ++point.conversions;
      }
    }
    overview.series.push_back(std::move(point));
  }
  return overview;
}

}  // namespace recur
