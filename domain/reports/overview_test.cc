// The overview's figures (overview.h), each rule on rows made by hand.
#include "domain/reports/overview.h"

#include <gtest/gtest.h>

namespace recur::overview_test {
namespace {

constexpr auto kDay = std::chrono::hours(24);
const Instant kMidnight = FromUnixMillis(1'764'806'400'000);  // 2025-12-04T00:00:00Z
const Instant kNow = kMidnight + std::chrono::hours(15);      // 15:00 that day

RevenueItem Paid(std::string payer, std::int64_t amount, Instant paid_at) {
  RevenueItem item;
  item.payer_id = std::move(payer);
  item.amount = amount;
  item.currency = "USD";
  item.first_paid_at = paid_at;
  return item;
}

RevenueItem Trial(std::string payer, Instant trial_end) {
  RevenueItem item;
  item.payer_id = std::move(payer);
  item.is_free_trial = true;
  item.amount = 2000;
  item.currency = "USD";
  item.trial_end = trial_end;
  return item;
}

TEST(OverviewWindow, EndsTodayAndStartsAtAMidnight) {
  EXPECT_EQ(OverviewWindowStart(kNow, 1), kMidnight);
  EXPECT_EQ(OverviewWindowStart(kNow, 30), kMidnight - 29 * kDay);
}

TEST(Overview, MrrCountsPaidItemsNotEndedAndAnnualPricesAsATwelfth) {
  OverviewRows rows;
  rows.items.push_back(Paid("a", 2000, kNow - 40 * kDay));
  RevenueItem annual = Paid("b", 24'005, kNow - kDay);
  annual.interval = BillingInterval::kAnnual;
  rows.items.push_back(annual);  // 2000, the remainder dropped
  RevenueItem ended = Paid("c", 5000, kNow - 10 * kDay);
  ended.ended_at = kNow - kDay;
  rows.items.push_back(ended);
  RevenueItem never_paid = Paid("d", 5000, kNow);
  never_paid.first_paid_at.reset();
  never_paid.status = ItemStatus::kPastDue;
  rows.items.push_back(never_paid);
  RevenueItem euros = Paid("e", 900, kNow - kDay);
  euros.currency = "EUR";
  euros.status = ItemStatus::kCanceled;  // canceled, not yet ended: still earns
  rows.items.push_back(euros);
  rows.items.push_back(Paid("f", 0, kNow - kDay));  // free: earns nothing

  const Overview overview = ComputeOverview(rows, kNow, 30);
  EXPECT_EQ(overview.mrr, (std::vector<CurrencyAmount>{{"EUR", 900}, {"USD", 4000}}));
  EXPECT_EQ(overview.paying_payers, 3);
  EXPECT_EQ(overview.past_due_payers, 1);
}

TEST(Overview, TrialsEndedInTheWindowAndTheirConversions) {
  OverviewRows rows;
  RevenueItem converted = Trial("a", kNow - 2 * kDay);
  converted.is_free_trial = false;
  converted.first_paid_at = kNow - 2 * kDay + std::chrono::minutes(1);
  rows.items.push_back(converted);
  RevenueItem declined = Trial("b", kNow - 3 * kDay);
  declined.is_free_trial = false;
  declined.status = ItemStatus::kPastDue;
  rows.items.push_back(declined);
  RevenueItem canceled_early = Trial("c", kNow + 5 * kDay);
  canceled_early.status = ItemStatus::kEnded;
  canceled_early.ended_at = kNow - kDay;  // the trial ended with the item
  rows.items.push_back(canceled_early);
  rows.items.push_back(Trial("d", kNow + 3 * kDay));       // running
  rows.items.push_back(Trial("e", kNow - 31 * kDay));      // ended before the window
  RevenueItem canceled_running = Trial("f", kNow + kDay);  // canceled, still in its trial
  canceled_running.status = ItemStatus::kCanceled;
  rows.items.push_back(canceled_running);

  const Overview overview = ComputeOverview(rows, kNow, 30);
  EXPECT_EQ(overview.trials_ended, 3);
  EXPECT_EQ(overview.trials_converted, 1);
  EXPECT_EQ(overview.active_trials, 2);
  EXPECT_EQ(overview.mrr, (std::vector<CurrencyAmount>{{"USD", 2000}}));
  EXPECT_EQ(overview.past_due_payers, 1);
}

TEST(Overview, TheSeriesHasADayPerWindowDayWithMrrSignupsAndConversions) {
  OverviewRows rows;
  rows.items.push_back(Paid("a", 1000, kMidnight - 2 * kDay + std::chrono::hours(3)));
  RevenueItem converted = Trial("b", kMidnight - kDay + std::chrono::hours(1));
  converted.is_free_trial = false;
  converted.first_paid_at = kMidnight - kDay + std::chrono::hours(2);
  rows.items.push_back(converted);
  RevenueItem later_today = Paid("c", 500, kNow + std::chrono::hours(1));  // after now
  rows.items.push_back(later_today);
  rows.payers_created = {kMidnight - 2 * kDay, kMidnight - std::chrono::milliseconds(1), kMidnight,
                         kNow};

  const Overview overview = ComputeOverview(rows, kNow, 3);
  ASSERT_EQ(overview.series.size(), 3u);
  EXPECT_EQ(overview.series[0].date, "2025-12-02");
  EXPECT_EQ(overview.series[1].date, "2025-12-03");
  EXPECT_EQ(overview.series[2].date, "2025-12-04");
  EXPECT_EQ(overview.series[0].mrr, (std::vector<CurrencyAmount>{{"USD", 1000}}));
  EXPECT_EQ(overview.series[1].mrr, (std::vector<CurrencyAmount>{{"USD", 3000}}));
  EXPECT_EQ(overview.series[2].mrr, (std::vector<CurrencyAmount>{{"USD", 3000}}));
  EXPECT_EQ(overview.series[0].signups, 1);
  EXPECT_EQ(overview.series[1].signups, 1);
  EXPECT_EQ(overview.series[2].signups, 2);
  EXPECT_EQ(overview.series[0].conversions, 0);
  EXPECT_EQ(overview.series[1].conversions, 1);
  EXPECT_EQ(overview.series[2].conversions, 0);
  EXPECT_EQ(overview.series.back().mrr, overview.mrr);
}

TEST(Overview, NothingStoredGivesZerosAndAnEmptyDayForEachDay) {
  const Overview overview = ComputeOverview({}, kNow, 7);
  EXPECT_TRUE(overview.mrr.empty());
  EXPECT_EQ(overview.paying_payers + overview.active_trials + overview.past_due_payers +
                overview.trials_ended + overview.trials_converted,
            0);
  ASSERT_EQ(overview.series.size(), 7u);
  EXPECT_TRUE(overview.series.front().mrr.empty());
}

}  // namespace
}  // namespace recur::overview_test
