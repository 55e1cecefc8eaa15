#include "domain/period/billing_period.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include <date/date.h>
#include <gtest/gtest.h>

namespace recur::billing_period_test {
namespace {

using date::days;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMsPerDay = 86'400'000;

__extension__ using Int128 = __int128;

date::year_month_day Ymd(int y, unsigned m, unsigned d) {
  return date::year{y} / date::month{m} / date::day{d};
}

// Midnight UTC of a date.
Instant At(int y, unsigned m, unsigned d) { return Instant(date::sys_days(Ymd(y, m, d))); }

Instant At(int y, unsigned m, unsigned d, int hh, int mm, int ss, int ms) {
  return At(y, m, d) + hours(hh) + minutes(mm) + seconds(ss) + milliseconds(ms);
}

std::string Show(Instant t) { return date::format("%FT%TZ", t); }

// The test's own calendar (Gregorian rules written out), independent of the code under test.
bool IsLeap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned LastDay(std::int64_t y, std::int64_t m) {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// The expected boundary: the anchor's month moved by `months`, day min(anchor day, last day).
date::year_month_day ExpectedDate(int y, unsigned m, unsigned d, std::int64_t months) {
  const std::int64_t index = std::int64_t{y} * 12 + (m - 1) + months;  // y >= 0 in these tests
  const std::int64_t ty = index / 12;
  const std::int64_t tm = index % 12 + 1;
  return Ymd(static_cast<int>(ty), static_cast<unsigned>(tm), std::min(d, LastDay(ty, tm)));
}

// Linear search, as an oracle for PeriodIndexAt.
std::int64_t SlowIndexAt(Instant anchor, BillingInterval interval, Instant at) {
  std::int64_t n = 0;
  while (PeriodBoundary(anchor, interval, n + 1) <= at) ++n;
  return n;
}

// ---------------------------------------------------------------------------------------------
// AddMonthsClamped

TEST(BillingPeriodAddMonths, KeepsDayWhenItExists) {
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 1, 15), date::months(1)), Ymd(2024, 2, 15));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 1, 28), date::months(1)), Ymd(2024, 2, 28));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 3, 31), date::months(2)), Ymd(2024, 5, 31));
}

TEST(BillingPeriodAddMonths, ZeroIsIdentity) {
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 2, 29), date::months(0)), Ymd(2024, 2, 29));
  EXPECT_EQ(AddMonthsClamped(Ymd(2023, 12, 31), date::months(0)), Ymd(2023, 12, 31));
}

TEST(BillingPeriodAddMonths, ClampsToMonthEnd) {
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 1, 31), date::months(1)), Ymd(2024, 2, 29));
  EXPECT_EQ(AddMonthsClamped(Ymd(2023, 1, 31), date::months(1)), Ymd(2023, 2, 28));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 1, 30), date::months(1)), Ymd(2024, 2, 29));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 1, 29), date::months(1)), Ymd(2024, 2, 29));
  EXPECT_EQ(AddMonthsClamped(Ymd(2023, 1, 29), date::months(1)), Ymd(2023, 2, 28));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 3, 31), date::months(1)), Ymd(2024, 4, 30));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 8, 31), date::months(1)), Ymd(2024, 9, 30));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 10, 31), date::months(1)), Ymd(2024, 11, 30));
}

TEST(BillingPeriodAddMonths, CrossesYears) {
  EXPECT_EQ(AddMonthsClamped(Ymd(2023, 11, 30), date::months(3)), Ymd(2024, 2, 29));
  EXPECT_EQ(AddMonthsClamped(Ymd(2023, 12, 31), date::months(1)), Ymd(2024, 1, 31));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 12, 31), date::months(14)), Ymd(2026, 2, 28));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 2, 29), date::months(12)), Ymd(2025, 2, 28));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 2, 29), date::months(48)), Ymd(2028, 2, 29));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 1, 31), date::months(1200)), Ymd(2124, 1, 31));
}

TEST(BillingPeriodAddMonths, Negative) {
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 3, 31), date::months(-1)), Ymd(2024, 2, 29));
  EXPECT_EQ(AddMonthsClamped(Ymd(2023, 3, 31), date::months(-1)), Ymd(2023, 2, 28));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 5, 31), date::months(-1)), Ymd(2024, 4, 30));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 1, 15), date::months(-1)), Ymd(2023, 12, 15));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 1, 31), date::months(-2)), Ymd(2023, 11, 30));
  EXPECT_EQ(AddMonthsClamped(Ymd(2024, 1, 31), date::months(-13)), Ymd(2022, 12, 31));
  EXPECT_EQ(AddMonthsClamped(Ymd(2025, 2, 28), date::months(-12)), Ymd(2024, 2, 28));
  EXPECT_EQ(AddMonthsClamped(Ymd(2028, 2, 29), date::months(-12)), Ymd(2027, 2, 28));
  EXPECT_EQ(AddMonthsClamped(Ymd(2000, 2, 29), date::months(-48)), Ymd(1996, 2, 29));
  EXPECT_EQ(AddMonthsClamped(Ymd(1970, 1, 31), date::months(-11)), Ymd(1969, 2, 28));
}

TEST(BillingPeriodAddMonths, ResultIsAlwaysValidAndMatchesOracle) {
  for (int y = 2023; y <= 2028; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      for (unsigned d = 28; d <= 31; ++d) {
        if (d > LastDay(y, m)) continue;
        for (int k = -60; k <= 60; ++k) {
          const date::year_month_day got = AddMonthsClamped(Ymd(y, m, d), date::months(k));
          SCOPED_TRACE(testing::Message() << y << "-" << m << "-" << d << " + " << k << " months");
          EXPECT_TRUE(got.ok());
          EXPECT_EQ(got, ExpectedDate(y, m, d, k));
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// PeriodBoundary

TEST(BillingPeriodBoundary, ZeroIsTheAnchor) {
  const Instant anchor = At(2024, 1, 31, 13, 45, 12, 345);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 0), anchor);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 0), anchor);
}

TEST(BillingPeriodBoundary, Jan31In2024FollowsTheAnchorNotThePreviousBoundary) {
  const Instant anchor = At(2024, 1, 31);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 1), At(2024, 2, 29));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 2), At(2024, 3, 31));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 3), At(2024, 4, 30));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 4), At(2024, 5, 31));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 5), At(2024, 6, 30));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 11), At(2024, 12, 31));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 13), At(2025, 2, 28));
}

TEST(BillingPeriodBoundary, Jan31In2023GivesFeb28) {
  const Instant anchor = At(2023, 1, 31);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 1), At(2023, 2, 28));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 2), At(2023, 3, 31));
}

TEST(BillingPeriodBoundary, Feb29AnnualClampsInCommonYears) {
  const Instant anchor = At(2024, 2, 29);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 1), At(2025, 2, 28));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 2), At(2026, 2, 28));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 3), At(2027, 2, 28));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 4), At(2028, 2, 29));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 5), At(2029, 2, 28));
}

TEST(BillingPeriodBoundary, Year2100IsNotALeapYear) {
  const Instant anchor = At(2096, 2, 29);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 4), At(2100, 2, 28));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 8), At(2104, 2, 29));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 48), At(2100, 2, 28));
  EXPECT_EQ(PeriodBoundary(At(2100, 1, 31), BillingInterval::kMonth, 1), At(2100, 2, 28));
}

TEST(BillingPeriodBoundary, Year2000IsALeapYear) {
  const Instant anchor = At(1996, 2, 29);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 1), At(1997, 2, 28));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 4), At(2000, 2, 29));
  EXPECT_EQ(PeriodBoundary(At(2000, 1, 31), BillingInterval::kMonth, 1), At(2000, 2, 29));
}

TEST(BillingPeriodBoundary, KeepsTimeOfDay) {
  const Instant anchor = At(2024, 1, 31, 13, 45, 12, 345);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 1), At(2024, 2, 29, 13, 45, 12, 345));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 2), At(2024, 3, 31, 13, 45, 12, 345));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 3), At(2024, 4, 30, 13, 45, 12, 345));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 1), At(2025, 1, 31, 13, 45, 12, 345));
  // The last millisecond of a day stays on that day.
  const Instant late = At(2023, 12, 31, 23, 59, 59, 999);
  EXPECT_EQ(PeriodBoundary(late, BillingInterval::kMonth, 2), At(2024, 2, 29, 23, 59, 59, 999));
}

TEST(BillingPeriodBoundary, AnchorBeforeUnixEpoch) {
  // Negative millisecond counts must floor to the right day, not truncate towards 1970.
  const Instant anchor = At(1969, 12, 31, 23, 0, 0, 0);
  EXPECT_LT(ToUnixMillis(anchor), 0);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 1), At(1970, 1, 31, 23, 0, 0, 0));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, 2), At(1970, 2, 28, 23, 0, 0, 0));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 1), At(1970, 12, 31, 23, 0, 0, 0));
  // Truncating would see Jan 31 (with a time of day of -12h) and give Feb 27 12:00.
  EXPECT_EQ(PeriodBoundary(At(1969, 1, 30, 12, 0, 0, 0), BillingInterval::kMonth, 1),
            At(1969, 2, 28, 12, 0, 0, 0));
  for (int y = 1967; y <= 1969; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      for (unsigned d = 27; d <= LastDay(y, m); ++d) {
        const Instant anchor = At(y, m, d, 12, 0, 0, 0);
        for (std::int64_t n = 0; n <= 48; ++n) {
          const Instant want = Instant(date::sys_days(ExpectedDate(y, m, d, n))) + hours(12);
          EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, n), want)
              << Show(anchor) << " n=" << n;
        }
      }
    }
  }
}

TEST(BillingPeriodBoundary, Annual) {
  const Instant anchor = At(2023, 7, 15, 8, 0, 0, 0);
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 1), At(2024, 7, 15, 8, 0, 0, 0));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 10), At(2033, 7, 15, 8, 0, 0, 0));
  EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, 100), At(2123, 7, 15, 8, 0, 0, 0));
  EXPECT_EQ(PeriodBoundary(At(2023, 3, 31), BillingInterval::kAnnual, 1), At(2024, 3, 31));
}

// Every anchor on the 28th-31st of every month of 2023-2028 (a full leap cycle and then some),
// each of the following 60 monthly boundaries against the test's own calendar.
TEST(BillingPeriodBoundary, EveryMonthEndAcrossALeapCycleMonthly) {
  int checked = 0;
  for (int y = 2023; y <= 2028; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      for (unsigned d = 28; d <= 31; ++d) {
        if (d > LastDay(y, m)) continue;  // no Feb 30 anchor
        const milliseconds time_of_day = hours(13) + minutes(45) + seconds(12) + milliseconds(345);
        const Instant anchor = At(y, m, d) + time_of_day;
        for (std::int64_t n = 0; n <= 60; ++n) {
          SCOPED_TRACE(testing::Message() << "anchor " << Show(anchor) << " n=" << n);
          const Instant want = Instant(date::sys_days(ExpectedDate(y, m, d, n))) + time_of_day;
          EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kMonth, n), want)
              << Show(PeriodBoundary(anchor, BillingInterval::kMonth, n)) << " vs " << Show(want);
          ++checked;
        }
      }
    }
  }
  // 6 years * 12 months * 4 days, less Feb 29-31 in the 4 common years, Feb 30-31 in 2024 and
  // 2028, and the 31st of the four 30-day months in 6 years: (288 - 12 - 4 - 24) anchors.
  EXPECT_EQ(checked, 248 * 61);
}

TEST(BillingPeriodBoundary, EveryMonthEndAcrossALeapCycleAnnual) {
  for (int y = 2023; y <= 2028; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      for (unsigned d = 28; d <= 31; ++d) {
        if (d > LastDay(y, m)) continue;
        const Instant anchor = At(y, m, d, 0, 0, 0, 1);
        for (std::int64_t n = 0; n <= 12; ++n) {
          SCOPED_TRACE(testing::Message() << "anchor " << Show(anchor) << " n=" << n);
          const Instant want =
              Instant(date::sys_days(ExpectedDate(y, m, d, 12 * n))) + milliseconds(1);
          EXPECT_EQ(PeriodBoundary(anchor, BillingInterval::kAnnual, n), want);
        }
      }
    }
  }
}

TEST(BillingPeriodBoundary, StrictlyIncreasing) {
  for (const Instant anchor :
       {At(2024, 1, 31), At(2024, 2, 29), At(2023, 5, 30, 23, 59, 59, 999)}) {
    for (const BillingInterval interval : {BillingInterval::kMonth, BillingInterval::kAnnual}) {
      for (std::int64_t n = 0; n < 200; ++n) {
        EXPECT_LT(PeriodBoundary(anchor, interval, n), PeriodBoundary(anchor, interval, n + 1))
            << Show(anchor) << " n=" << n;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// NthPeriod

TEST(BillingPeriodNth, SpansConsecutiveBoundaries) {
  const Instant anchor = At(2024, 1, 31, 9, 30, 0, 0);
  EXPECT_EQ(NthPeriod(anchor, BillingInterval::kMonth, 0),
            (Period{anchor, At(2024, 2, 29, 9, 30, 0, 0)}));
  EXPECT_EQ(NthPeriod(anchor, BillingInterval::kMonth, 1),
            (Period{At(2024, 2, 29, 9, 30, 0, 0), At(2024, 3, 31, 9, 30, 0, 0)}));
  EXPECT_EQ(NthPeriod(anchor, BillingInterval::kAnnual, 1),
            (Period{At(2025, 1, 31, 9, 30, 0, 0), At(2026, 1, 31, 9, 30, 0, 0)}));
}

TEST(BillingPeriodNth, PeriodsAreContiguous) {
  const Instant anchor = At(2023, 8, 31);
  for (std::int64_t n = 0; n < 120; ++n) {
    const Period p = NthPeriod(anchor, BillingInterval::kMonth, n);
    const Period next = NthPeriod(anchor, BillingInterval::kMonth, n + 1);
    EXPECT_EQ(p.end, next.start) << n;
    EXPECT_LT(p.start, p.end) << n;
  }
}

TEST(BillingPeriodNth, EqualityComparesBothEnds) {
  const Period p{At(2024, 1, 1), At(2024, 2, 1)};
  EXPECT_EQ(p, (Period{At(2024, 1, 1), At(2024, 2, 1)}));
  EXPECT_NE(p, (Period{At(2024, 1, 1), At(2024, 2, 2)}));
  EXPECT_NE(p, (Period{At(2024, 1, 2), At(2024, 2, 1)}));
}

// ---------------------------------------------------------------------------------------------
// PeriodIndexAt

TEST(BillingPeriodIndexAt, AtAnchorIsZero) {
  const Instant anchor = At(2024, 1, 31, 13, 45, 12, 345);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, anchor), 0);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kAnnual, anchor), 0);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, anchor + milliseconds(1)), 0);
}

TEST(BillingPeriodIndexAt, ExactBoundariesAndOneMillisecondBefore) {
  for (const Instant anchor :
       {At(2024, 1, 31, 13, 45, 12, 345), At(2024, 2, 29), At(2023, 3, 30)}) {
    for (const BillingInterval interval : {BillingInterval::kMonth, BillingInterval::kAnnual}) {
      for (std::int64_t n = 1; n <= 60; ++n) {
        const Instant boundary = PeriodBoundary(anchor, interval, n);
        SCOPED_TRACE(testing::Message() << Show(anchor) << " n=" << n);
        EXPECT_EQ(PeriodIndexAt(anchor, interval, boundary), n);
        EXPECT_EQ(PeriodIndexAt(anchor, interval, boundary - milliseconds(1)), n - 1);
        EXPECT_EQ(PeriodIndexAt(anchor, interval, boundary + milliseconds(1)), n);
      }
    }
  }
}

TEST(BillingPeriodIndexAt, SameCalendarDayBeforeTheAnchorTime) {
  // Feb 29 13:44 is before boundary 1 (Feb 29 13:45), though in the same month and day.
  const Instant anchor = At(2024, 1, 31, 13, 45, 0, 0);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, At(2024, 2, 29, 13, 44, 0, 0)), 0);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, At(2024, 2, 29, 13, 45, 0, 0)), 1);
  // Mar 30 is in March, but boundary 2 is Mar 31: still period 1.
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, At(2024, 3, 30, 23, 0, 0, 0)), 1);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, At(2024, 3, 31, 0, 0, 0, 0)), 1);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, At(2024, 3, 31, 13, 45, 0, 0)), 2);
}

TEST(BillingPeriodIndexAt, AnnualWithinTheAnchorMonth) {
  const Instant anchor = At(2024, 3, 15, 10, 0, 0, 0);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kAnnual, At(2030, 3, 15, 9, 59, 59, 999)), 5);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kAnnual, At(2030, 3, 15, 10, 0, 0, 0)), 6);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kAnnual, At(2030, 3, 1)), 5);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kAnnual, At(2030, 2, 28)), 5);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kAnnual, At(2030, 4, 1)), 6);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kAnnual, At(2031, 3, 14)), 6);
}

TEST(BillingPeriodIndexAt, FarFuture) {
  const Instant anchor = At(2024, 1, 31, 13, 45, 12, 345);
  const Instant b1200 = PeriodBoundary(anchor, BillingInterval::kMonth, 1200);
  EXPECT_EQ(b1200, At(2124, 1, 31, 13, 45, 12, 345));
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, b1200), 1200);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, b1200 - milliseconds(1)), 1199);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, b1200 + days(15)), 1200);

  const Instant y100 = PeriodBoundary(anchor, BillingInterval::kAnnual, 100);
  EXPECT_EQ(y100, b1200);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kAnnual, y100), 100);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kAnnual, y100 - milliseconds(1)), 99);

  const Instant feb29 = At(2024, 2, 29);
  EXPECT_EQ(PeriodIndexAt(feb29, BillingInterval::kAnnual, At(2124, 2, 29)), 100);
  EXPECT_EQ(PeriodIndexAt(feb29, BillingInterval::kAnnual, At(2124, 2, 28, 23, 59, 59, 999)), 99);
}

TEST(BillingPeriodIndexAt, MatchesLinearSearchDayByDay) {
  // The 1968 anchor runs across the Unix epoch, where millisecond counts turn negative.
  for (const Instant anchor :
       {At(2024, 1, 31, 13, 45, 12, 345), At(2023, 2, 28, 6, 0, 0, 0), At(2024, 2, 29),
        At(2023, 12, 30, 23, 59, 59, 999), At(1968, 1, 31, 12, 0, 0, 0)}) {
    for (const BillingInterval interval : {BillingInterval::kMonth, BillingInterval::kAnnual}) {
      // Every 7 hours for ~5 years hits every day and several times of day.
      for (Instant at = anchor; at < anchor + days(5 * 366); at += hours(7)) {
        ASSERT_EQ(PeriodIndexAt(anchor, interval, at), SlowIndexAt(anchor, interval, at))
            << Show(anchor) << " at " << Show(at);
      }
    }
  }
}

TEST(BillingPeriodIndexAt, ContainsAt) {
  const Instant anchor = At(2023, 10, 31, 4, 0, 0, 0);
  for (Instant at = anchor; at < anchor + days(800); at += hours(5)) {
    const std::int64_t n = PeriodIndexAt(anchor, BillingInterval::kMonth, at);
    const Period p = NthPeriod(anchor, BillingInterval::kMonth, n);
    ASSERT_LE(p.start, at) << Show(at);
    ASSERT_LT(at, p.end) << Show(at);
  }
}

TEST(BillingPeriodIndexAt, BeforeAnchorIsOutOfContractAndReturnsZero) {
  const Instant anchor = At(2024, 3, 31);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, anchor - milliseconds(1)), 0);
  EXPECT_EQ(PeriodIndexAt(anchor, BillingInterval::kMonth, At(2020, 1, 1)), 0);
}

// ---------------------------------------------------------------------------------------------
// DaysInPeriod

TEST(BillingPeriodDaysIn, CalendarMonths) {
  EXPECT_EQ(DaysInPeriod({At(2024, 2, 1), At(2024, 3, 1)}), 29);
  EXPECT_EQ(DaysInPeriod({At(2023, 2, 1), At(2023, 3, 1)}), 28);
  EXPECT_EQ(DaysInPeriod({At(2024, 1, 1), At(2024, 2, 1)}), 31);
  EXPECT_EQ(DaysInPeriod({At(2024, 4, 1), At(2024, 5, 1)}), 30);
  EXPECT_EQ(DaysInPeriod(NthPeriod(At(2024, 1, 31), BillingInterval::kMonth, 0)), 29);
  EXPECT_EQ(DaysInPeriod(NthPeriod(At(2024, 1, 31), BillingInterval::kMonth, 1)), 31);
  EXPECT_EQ(DaysInPeriod(NthPeriod(At(2024, 1, 31), BillingInterval::kMonth, 2)), 30);
  EXPECT_EQ(DaysInPeriod(NthPeriod(At(2023, 1, 31), BillingInterval::kMonth, 0)), 28);
}

TEST(BillingPeriodDaysIn, Years) {
  EXPECT_EQ(DaysInPeriod({At(2024, 1, 15), At(2025, 1, 15)}), 366);
  EXPECT_EQ(DaysInPeriod({At(2023, 3, 1), At(2024, 3, 1)}), 366);
  EXPECT_EQ(DaysInPeriod({At(2024, 3, 1), At(2025, 3, 1)}), 365);
  EXPECT_EQ(DaysInPeriod(NthPeriod(At(2024, 2, 29), BillingInterval::kAnnual, 0)), 365);
  EXPECT_EQ(DaysInPeriod(NthPeriod(At(2024, 2, 29), BillingInterval::kAnnual, 3)), 366);
  EXPECT_EQ(DaysInPeriod(NthPeriod(At(2099, 6, 1), BillingInterval::kAnnual, 0)), 365);
  EXPECT_EQ(DaysInPeriod(NthPeriod(At(1999, 6, 1), BillingInterval::kAnnual, 0)), 366);
}

TEST(BillingPeriodDaysIn, RoundsDown) {
  const Instant s = At(2024, 5, 1, 12, 0, 0, 0);
  EXPECT_EQ(DaysInPeriod({s, s}), 0);
  EXPECT_EQ(DaysInPeriod({s, s + milliseconds(1)}), 0);
  EXPECT_EQ(DaysInPeriod({s, s + days(1) - milliseconds(1)}), 0);
  EXPECT_EQ(DaysInPeriod({s, s + days(1)}), 1);
  EXPECT_EQ(DaysInPeriod({s, s + days(2) - milliseconds(1)}), 1);
}

// ---------------------------------------------------------------------------------------------
// DaysRemaining

TEST(BillingPeriodDaysRemaining, RoundsUpPartialDays) {
  const Period p{At(2024, 2, 1), At(2024, 3, 1)};  // 29 days
  EXPECT_EQ(DaysRemaining(p, p.start), 29);
  EXPECT_EQ(DaysRemaining(p, p.start + milliseconds(1)), 29);
  EXPECT_EQ(DaysRemaining(p, p.start + days(1) - milliseconds(1)), 29);
  EXPECT_EQ(DaysRemaining(p, p.start + days(1)), 28);
  EXPECT_EQ(DaysRemaining(p, At(2024, 2, 15, 12, 0, 0, 0)), 15);
  EXPECT_EQ(DaysRemaining(p, p.end - days(1) - milliseconds(1)), 2);
  EXPECT_EQ(DaysRemaining(p, p.end - days(1)), 1);
  EXPECT_EQ(DaysRemaining(p, p.end - milliseconds(1)), 1);
}

TEST(BillingPeriodDaysRemaining, ClampsOutsideThePeriod) {
  const Period p{At(2024, 2, 1), At(2024, 3, 1)};
  EXPECT_EQ(DaysRemaining(p, p.end), 0);
  EXPECT_EQ(DaysRemaining(p, p.end + milliseconds(1)), 0);
  EXPECT_EQ(DaysRemaining(p, At(2030, 1, 1)), 0);
  EXPECT_EQ(DaysRemaining(p, p.start - milliseconds(1)), 29);
  EXPECT_EQ(DaysRemaining(p, At(2000, 1, 1)), 29);
  EXPECT_EQ(DaysRemaining(p, Instant::min()), 29);
  EXPECT_EQ(DaysRemaining(p, Instant::max()), 0);
}

TEST(BillingPeriodDaysRemaining, NeverExceedsDaysInPeriod) {
  // A period of 1.5 days: rounding up at the start would say 2, the clamp says 1.
  const Instant s = At(2024, 5, 1);
  const Period p{s, s + hours(36)};
  EXPECT_EQ(DaysInPeriod(p), 1);
  EXPECT_EQ(DaysRemaining(p, s), 1);
  EXPECT_EQ(DaysRemaining(p, s + hours(12)), 1);
  EXPECT_EQ(DaysRemaining(p, s + hours(13)), 1);
  EXPECT_EQ(DaysRemaining(p, p.end), 0);
  const Period empty{s, s};
  EXPECT_EQ(DaysRemaining(empty, s), 0);
  EXPECT_EQ(DaysRemaining(empty, s - days(3)), 0);
}

// ---------------------------------------------------------------------------------------------
// FractionRemaining

TEST(BillingPeriodFraction, Exact) {
  const Period p{At(2024, 4, 1), At(2024, 5, 1)};  // 30 days
  const RemainingFraction half = FractionRemaining(p, At(2024, 4, 16));
  EXPECT_EQ(half.remaining_ms, 15 * kMsPerDay);
  EXPECT_EQ(half.total_ms, 30 * kMsPerDay);
  EXPECT_DOUBLE_EQ(half.AsDouble(), 0.5);
  const RemainingFraction last_ms = FractionRemaining(p, p.end - milliseconds(1));
  EXPECT_EQ(last_ms.remaining_ms, 1);
  EXPECT_EQ(last_ms.total_ms, 30 * kMsPerDay);
}

TEST(BillingPeriodFraction, ClampsToZeroAndTotal) {
  const Period p{At(2024, 4, 1), At(2024, 5, 1)};
  const std::int64_t total = 30 * kMsPerDay;
  for (const Instant at : {Instant::min(), At(1999, 1, 1), p.start - milliseconds(1), p.start}) {
    const RemainingFraction f = FractionRemaining(p, at);
    EXPECT_EQ(f.remaining_ms, total) << Show(at);
    EXPECT_EQ(f.total_ms, total);
    EXPECT_DOUBLE_EQ(f.AsDouble(), 1.0);
  }
  for (const Instant at : {p.end, p.end + milliseconds(1), At(2099, 1, 1), Instant::max()}) {
    const RemainingFraction f = FractionRemaining(p, at);
    EXPECT_EQ(f.remaining_ms, 0);
    EXPECT_EQ(f.total_ms, total);
    EXPECT_DOUBLE_EQ(f.AsDouble(), 0.0);
  }
}

TEST(BillingPeriodFraction, AsDoubleOfAnEmptyPeriodIsZero) {
  const RemainingFraction f = FractionRemaining({At(2024, 4, 1), At(2024, 4, 1)}, At(2024, 4, 1));
  EXPECT_EQ(f.remaining_ms, 0);
  EXPECT_EQ(f.total_ms, 0);
  EXPECT_DOUBLE_EQ(f.AsDouble(), 0.0);
  EXPECT_DOUBLE_EQ((RemainingFraction{1, 3}).AsDouble(), 1.0 / 3.0);
}

// ---------------------------------------------------------------------------------------------
// ProratedAmount

TEST(BillingPeriodProrate, HalfOfThirtyDays) {
  const Period p{At(2024, 4, 1), At(2024, 5, 1)};
  EXPECT_EQ(ProratedAmount(2000, FractionRemaining(p, At(2024, 4, 16))), 1000);
}

TEST(BillingPeriodProrate, RoundsDown) {
  EXPECT_EQ(ProratedAmount(1000, {1, 3}), 333);
  EXPECT_EQ(ProratedAmount(1000, {2, 3}), 666);  // 666.67, not 667
  EXPECT_EQ(ProratedAmount(1, {1, 2}), 0);
  EXPECT_EQ(ProratedAmount(999, {kMsPerDay - 1, kMsPerDay}), 998);
  // A 29-day February with one millisecond used: just under the full amount.
  const Period feb{At(2024, 2, 1), At(2024, 3, 1)};
  EXPECT_EQ(ProratedAmount(2900, FractionRemaining(feb, feb.start + milliseconds(1))), 2899);
  EXPECT_EQ(ProratedAmount(2900, FractionRemaining(feb, At(2024, 2, 15))), 1500);
  EXPECT_EQ(ProratedAmount(1000, FractionRemaining(feb, At(2024, 2, 15))), 517);  // 517.24
}

TEST(BillingPeriodProrate, ZeroAndFull) {
  const Period p{At(2024, 4, 1), At(2024, 5, 1)};
  EXPECT_EQ(ProratedAmount(2000, FractionRemaining(p, p.end)), 0);
  EXPECT_EQ(ProratedAmount(2000, FractionRemaining(p, p.start)), 2000);
  EXPECT_EQ(ProratedAmount(0, FractionRemaining(p, p.start)), 0);
  EXPECT_EQ(ProratedAmount(0, {1, 3}), 0);
  EXPECT_EQ(ProratedAmount(7, {0, 3}), 0);
  EXPECT_EQ(ProratedAmount(7, {3, 3}), 7);
}

TEST(BillingPeriodProrate, HugeAmountsDoNotOverflow) {
  const std::int64_t year_ms = 366 * kMsPerDay;
  EXPECT_EQ(ProratedAmount(kInt64Max, {year_ms, year_ms}), kInt64Max);
  EXPECT_EQ(ProratedAmount(kInt64Max, {1, 2}), kInt64Max / 2);
  EXPECT_EQ(ProratedAmount(kInt64Max, {0, year_ms}), 0);
  EXPECT_EQ(ProratedAmount(kInt64Max, {1, year_ms}), kInt64Max / year_ms);
  // INT64_MAX * (t-1) / t = INT64_MAX - INT64_MAX/t - (1 if INT64_MAX % t != 0).
  const std::int64_t expected = kInt64Max - kInt64Max / year_ms - (kInt64Max % year_ms != 0);
  EXPECT_EQ(ProratedAmount(kInt64Max, {year_ms - 1, year_ms}), expected);
  EXPECT_EQ(ProratedAmount(kInt64Max, {kInt64Max - 1, kInt64Max}), kInt64Max - 1);
  EXPECT_EQ(ProratedAmount(kInt64Max - 1, {kInt64Max - 1, kInt64Max}), kInt64Max - 2);
}

TEST(BillingPeriodProrate, IsTheFloorOfTheExactValue) {
  // result * total <= amount * remaining < (result + 1) * total, checked in 128 bits.
  const std::int64_t totals[] = {3, 7, 28 * kMsPerDay, 31 * kMsPerDay, 366 * kMsPerDay};
  const std::int64_t amounts[] = {1, 99, 1000, 2999, 123'456'789, kInt64Max / 3, kInt64Max};
  for (const std::int64_t total : totals) {
    for (const std::int64_t amount : amounts) {
      for (const std::int64_t remaining :
           {std::int64_t{0}, std::int64_t{1}, total / 3, total / 2, total - 1, total}) {
        const std::int64_t got = ProratedAmount(amount, {remaining, total});
        const Int128 exact_times_total = Int128{amount} * remaining;
        EXPECT_LE(Int128{got} * total, exact_times_total) << amount << " " << remaining;
        EXPECT_GT((Int128{got} + 1) * total, exact_times_total) << amount << " " << remaining;
        EXPECT_GE(got, 0);
        EXPECT_LE(got, amount);
      }
    }
  }
}

TEST(BillingPeriodProrate, OutOfContractInputsGiveNoCredit) {
  EXPECT_EQ(ProratedAmount(-1000, {1, 2}), 0);
  EXPECT_EQ(ProratedAmount(1000, {0, 0}), 0);
  EXPECT_EQ(ProratedAmount(1000, {5, -1}), 0);
  // A remaining share above the total is clamped: never more than the whole amount.
  EXPECT_EQ(ProratedAmount(1000, {4, 3}), 1000);
  EXPECT_EQ(ProratedAmount(1000, {-1, 3}), 0);
}

}  // namespace
}  // namespace recur::billing_period_test
