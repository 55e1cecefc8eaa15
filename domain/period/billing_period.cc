#include "domain/period/billing_period.h"

#include <algorithm>

namespace recur {
namespace {

// Day counts in 64 bits (date::days is an int).
using Days64 = std::chrono::duration<std::int64_t, date::days::period>;

// __extension__ keeps -Wpedantic quiet about the GCC/Clang 128-bit integer.
__extension__ using Int128 = __int128;

std::int64_t MonthsPerInterval(BillingInterval interval) {
  return interval == BillingInterval::kAnnual ? 12 : 1;
}

// `at` moved into [start, end]; written with min/max so that an inverted period cannot trip UB.
Instant ClampToPeriod(Period period, Instant at) {
  return std::min(std::max(at, period.start), period.end);
}

}  // namespace

date::year_month_day AddMonthsClamped(date::year_month_day from, date::months months) {
  // year_month + months is always valid; only the day can overflow the target month (Feb 31).
  const date::year_month target = from.year() / from.month() + months;
  const date::day last = (target / date::last).day();
  return target / std::min(from.day(), last);
}

Instant PeriodBoundary(Instant anchor, BillingInterval interval, std::int64_t n) {
  const date::sys_days anchor_day = date::floor<date::days>(anchor);
  const Instant::duration time_of_day = anchor - anchor_day;
  const date::months offset(static_cast<int>(n * MonthsPerInterval(interval)));
  return date::sys_days(AddMonthsClamped(date::year_month_day(anchor_day), offset)) + time_of_day;
}

Period NthPeriod(Instant anchor, BillingInterval interval, std::int64_t n) {
  return {PeriodBoundary(anchor, interval, n), PeriodBoundary(anchor, interval, n + 1)};
}

std::int64_t PeriodIndexAt(Instant anchor, BillingInterval interval, Instant at) {
  if (at <= anchor) return 0;
  const date::year_month_day from{date::floor<date::days>(anchor)};
  const date::year_month_day to{date::floor<date::days>(at)};
  const date::months months_apart = (to.year() / to.month()) - (from.year() / from.month());
  // Boundary n lies in calendar month anchor + n * step, so n = months_apart / step has its
  // boundary in (or, for annual, up to 11 months before) the month of `at`: it is either the
  // answer or, when `at` falls earlier in that same month, one too many. Boundary n+1 is in a
  // later month than `at`, so the estimate is never too small.
  std::int64_t n = months_apart.count() / MonthsPerInterval(interval);
  if (PeriodBoundary(anchor, interval, n) > at) --n;
  return n;
}

std::int64_t DaysInPeriod(Period period) {
  return date::floor<Days64>(period.end - period.start).count();
}

std::int64_t DaysRemaining(Period period, Instant at) {
  const std::int64_t left = date::ceil<Days64>(period.end - ClampToPeriod(period, at)).count();
  // A period that is not a whole number of days can round up past its rounded-down length.
  return std::max<std::int64_t>(0, std::min(left, DaysInPeriod(period)));
}

double RemainingFraction::AsDouble() const {
  if (total_ms <= 0) return 0.0;
  return static_cast<double>(remaining_ms) / static_cast<double>(total_ms);
}

RemainingFraction FractionRemaining(Period period, Instant at) {
  return {.remaining_ms = (period.end - ClampToPeriod(period, at)).count(),
          .total_ms = (period.end - period.start).count()};
}

std::int64_t ProratedAmount(std::int64_t amount_minor, RemainingFraction fraction) {
  if (amount_minor <= 0 || fraction.total_ms <= 0) return 0;
  const std::int64_t remaining =
      std::clamp<std::int64_t>(fraction.remaining_ms, 0, fraction.total_ms);
  // All operands are >= 0, so integer division is floor; the quotient is <= amount_minor.
  return static_cast<std::int64_t>(Int128{amount_minor} * remaining / fraction.total_ms);
}

}  // namespace recur
