// Billing period maths: where a subscription's periods start and end, which period an instant
// falls in, and how much of a period (and of its price) is left at an instant.
// Pure: no I/O, no clock reads (`at` is always passed in), no exceptions, no allocation.
// Month-end rule: a schedule is anchored at an instant; boundary n is the anchor's calendar date
// moved n intervals (1 or 12 months) with the anchor's day of month clamped to the last day of
// the target month, and the anchor's UTC time of day kept. Boundaries are always computed from
// the anchor, never from the previous boundary, so Jan 31 gives Feb 29 (or 28), Mar 31, Apr 30.
// Periods are half-open [start, end). Calendar rules (leap years etc.) come from the date library.
// Rounding: DaysInPeriod rounds down, DaysRemaining rounds up (a partial day is a day left), and
// ProratedAmount rounds down, so a credit never exceeds its exact value.
// Range: dates must stay within the date library's years [-32767, 32767].
#pragma once

#include <chrono>
#include <cstdint>

#include <date/date.h>

#include "base/clock.h"

namespace recur {

enum class BillingInterval { kMonth, kAnnual };

// Adds `months` calendar months to a date, keeping the day of month and clamping it to the
// last day of the target month (Jan 31 + 1 month = Feb 29 in a leap year, Feb 28 otherwise).
// Negative counts are allowed (used to look backwards). `from` must be a valid date.
date::year_month_day AddMonthsClamped(date::year_month_day from, date::months months);

// Boundary `n` (n >= 0) of a billing schedule anchored at `anchor`: the anchor's calendar date
// moved n intervals (1 month or 12 months each) with the anchor day clamped to month end, and the
// anchor's time of day kept. Always computed from the anchor, never from the previous boundary,
// so an anchor of Jan 31 2024 gives Feb 29, Mar 31, Apr 30, May 31 (not Mar 29).
// Feb 29 2024 annual gives Feb 28 2025, ..., Feb 29 2028. PeriodBoundary(anchor, _, 0) == anchor.
// Boundaries are strictly increasing in n (each lies in a different calendar month).
Instant PeriodBoundary(Instant anchor, BillingInterval interval, std::int64_t n);

struct Period {
  Instant start;
  Instant end;  // exclusive
  friend bool operator==(const Period&, const Period&) = default;
};

// Period n of the schedule: [PeriodBoundary(n), PeriodBoundary(n+1)).
Period NthPeriod(Instant anchor, BillingInterval interval, std::int64_t n);

// The index n of the period that contains `at`, i.e. the n with
// PeriodBoundary(n) <= at < PeriodBoundary(n+1). O(1): estimated from the calendar months between
// anchor and `at`, then corrected by at most one step. Precondition at >= anchor (out of
// contract, an earlier `at` returns 0).
std::int64_t PeriodIndexAt(Instant anchor, BillingInterval interval, Instant at);

// Whole calendar days in a period, (end - start) in days, rounded down.
std::int64_t DaysInPeriod(Period period);

// Days left in a period at `at`, rounded up (a partial day counts as a day left), clamped to
// [0, DaysInPeriod] - i.e. 0 when at >= end, DaysInPeriod when at <= start.
std::int64_t DaysRemaining(Period period, Instant at);

// The exact fraction of a period left at `at`, in milliseconds, clamped to [0, total].
struct RemainingFraction {
  std::int64_t remaining_ms;
  std::int64_t total_ms;    // > 0 for a valid period
  double AsDouble() const;  // remaining/total, for display only (0 when total <= 0)
};
RemainingFraction FractionRemaining(Period period, Instant at);

// The credit for the unused part of a period: floor(amount_minor * remaining / total), computed
// in 128 bits so it cannot overflow for any int64 amount >= 0. Rounds down, so a credit never
// exceeds the exact value; the result is always in [0, amount_minor]. amount_minor must be >= 0;
// out of contract (amount_minor < 0 or total_ms <= 0) it returns 0, the smallest credit.
std::int64_t ProratedAmount(std::int64_t amount_minor, RemainingFraction fraction);

}  // namespace recur
