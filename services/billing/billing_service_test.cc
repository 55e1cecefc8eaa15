// The rule by which the billing service runs several pieces of a payer's due work in one
// transaction (BillingService::RunDue). The scheduler tests run it on real components.
#include "services/billing/billing_service.h"

#include <gtest/gtest.h>

namespace recur {
namespace {

const Instant t0 = FromUnixMillis(1'735'689'600'000);
constexpr auto kDay = std::chrono::hours(24);

DueWork WorkAt(Instant due_at) {
  DueWork work;
  work.kind = DueKind::kPeriodEnd;
  work.payer_id = "cpayer_1";
  work.item_id = "csub_item_1";
  work.due_at = due_at;
  work.reference = due_at;
  return work;
}

TEST(RunsInTheSameTransaction, JoinsWorkThatNothingBeforeItReordersOrCharges) {
  Transition so_far;
  EXPECT_TRUE(RunsInTheSameTransaction(so_far, WorkAt(t0)));
  so_far.scheduled.push_back(WorkAt(t0 + 30 * kDay));
  EXPECT_TRUE(RunsInTheSameTransaction(so_far, WorkAt(t0 + kDay)));
  // Made due at the same instant, the new work is stored after `next`, so `next` runs first.
  EXPECT_TRUE(RunsInTheSameTransaction(so_far, WorkAt(t0 + 30 * kDay)));
}

TEST(RunsInTheSameTransaction, StopsBeforeWorkThatNewWorkComesAhead) {
  Transition so_far;
  so_far.scheduled.push_back(WorkAt(t0 + 30 * kDay));
  EXPECT_FALSE(RunsInTheSameTransaction(so_far, WorkAt(t0 + 31 * kDay)));
}

TEST(RunsInTheSameTransaction, StopsAfterAChargeIsAskedFor) {
  Transition so_far;
  so_far.charges.push_back("cpa_1");
  EXPECT_FALSE(RunsInTheSameTransaction(so_far, WorkAt(t0)));
}

}  // namespace
}  // namespace recur
