// The scheduler on the real components in one process: a SQLite file, the sandbox gateway and
// a manual clock that the test moves.
#include "services/scheduler/scheduler.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/test_clocks.h"
#include "store/observed_account_store.h"
#include "store/sqlite/sqlite_store.h"

namespace recur::scheduler_test {
namespace {

constexpr auto kDay = std::chrono::hours(24);

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("recur-scheduler-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "plans");
    std::ofstream(dir_ / "plans" / "catalog.json") << R"({"plans": [
      {"slug": "free", "name": "Free", "payer_type": "user", "is_default": true, "amount": 0,
       "currency": "USD"},
      {"slug": "trial", "name": "Trial", "payer_type": "user", "amount": 1000, "currency": "USD",
       "free_trial_days": 14},
      {"slug": "noticed", "name": "Noticed", "payer_type": "user", "amount": 1000,
       "currency": "USD", "free_trial_days": 14, "trial_ending_notices": ["7d", "3d", "1d"]}]})";
    auto store = SqliteStore::Open((dir_ / "recur.db").string(), ids_, clock_.Now());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    catalog_ = std::make_unique<CatalogService>((dir_ / "plans").string(), *store_, clock_);
    ASSERT_TRUE(catalog_->Reload().value().ok());
    gateway_ = std::make_unique<SandboxGateway>(sandbox_ledger_);
    billing_ = std::make_unique<BillingService>(*store_, *store_, *catalog_, *gateway_, clock_,
                                                ids_, ids_, LifecycleOptions{}, "ins_test");
    ASSERT_TRUE(billing_->Start());
  }
  void TearDown() override {
    billing_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  void StartTrials(int count) {
    for (int i = 0; i < count; ++i) {
      auto account = billing_->CreatePayer(
          {"user_" + std::to_string(i), PayerType::kUser, "u@example.com", "", std::nullopt});
      ASSERT_TRUE(account) << account.error().message;
      ASSERT_TRUE(billing_->AddPaymentMethod(account->payer.id, "pm_card_visa", true));
      ASSERT_TRUE(billing_->Subscribe(account->payer.id, {"trial"}));
    }
  }

  int Count(const std::string& sql) {
    SQLite::Database db((dir_ / "recur.db").string());
    return db.execAndGet(sql).getInt();
  }

  std::filesystem::path dir_;
  SeededIdGenerator ids_{42};
  ManualClock clock_{FromUnixMillis(1'735'689'600'000)};  // 2025-01-01
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<CatalogService> catalog_;
  MemorySandboxLedger sandbox_ledger_;
  std::unique_ptr<SandboxGateway> gateway_;
  std::unique_ptr<BillingService> billing_;
};

TEST_F(SchedulerTest, CatchesUpOnEverythingDueInBoundedBatches) {
  StartTrials(120);
  clock_.Advance(15 * kDay);
  Scheduler scheduler(*billing_, *store_, clock_, {.batch_size = 50, .workers = 4});
  auto ran = scheduler.RunUntil(clock_.Now(), std::nullopt);
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 240u);  // a notice and a trial end per payer
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_attempts WHERE status = 'paid'"), 120);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'subscriptionItem.freeTrialEnding'"),
            120);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM due_work WHERE done_at IS NULL AND kind = 'period_end'"),
            120);
  EXPECT_EQ(*scheduler.RunUntil(clock_.Now(), std::nullopt), 0u);  // nothing left to do
}

TEST_F(SchedulerTest, TwoRunnersRacingApplyEachPieceOnce) {
  StartTrials(100);
  clock_.Advance(15 * kDay);
  Scheduler first(*billing_, *store_, clock_, {.batch_size = 30, .workers = 3});
  Scheduler second(*billing_, *store_, clock_, {.batch_size = 30, .workers = 3});
  std::size_t ran_first = 0, ran_second = 0;
  std::thread one([&] { ran_first = first.RunUntil(clock_.Now(), std::nullopt).value_or(0); });
  std::thread two([&] { ran_second = second.RunUntil(clock_.Now(), std::nullopt).value_or(0); });
  one.join();
  two.join();
  EXPECT_GE(ran_first + ran_second, 200u);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM payment_attempts"), 100);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'subscriptionItem.freeTrialEnding'"),
            100);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'subscriptionItem.updated'"), 100);
}

TEST_F(SchedulerTest, APayersDueWorkSharesATransactionUpToItsCharge) {
  std::mutex mutex;
  std::vector<std::vector<std::string>> stored;  // the event types of each stored transition
  ObservedAccountStore observed(
      *store_, [&](const Account*, const Account&, const std::vector<StoredEvent>& events) {
        std::vector<std::string> types;
        for (const StoredEvent& event : events) types.push_back(event.type);
        std::lock_guard lock(mutex);
        stored.push_back(std::move(types));
      });
  BillingService billing(observed, *store_, *catalog_, *gateway_, clock_, ids_, ids_,
                         LifecycleOptions{}, "ins_test");
  auto account = billing.CreatePayer({"user_1", PayerType::kUser, "u@example.com", "", {}});
  ASSERT_TRUE(account) << account.error().message;
  ASSERT_TRUE(billing.AddPaymentMethod(account->payer.id, "pm_card_visa", true));
  ASSERT_TRUE(billing.Subscribe(account->payer.id, {"noticed"}));
  stored.clear();

  clock_.Advance(15 * kDay);
  Scheduler scheduler(billing, observed, clock_, {});
  auto ran = scheduler.RunUntil(clock_.Now(), std::nullopt);
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 4u);  // three notices and the trial's end
  // The notices and the pending charge in one transaction; the gateway's answer in the next.
  using ::testing::ElementsAre;
  EXPECT_THAT(stored,
              ElementsAre(ElementsAre("subscriptionItem.freeTrialEnding",
                                      "subscriptionItem.freeTrialEnding",
                                      "subscriptionItem.freeTrialEnding", "paymentAttempt.created"),
                          ElementsAre("paymentAttempt.updated", "subscriptionItem.updated")));
  // Each notice carries its own due instant.
  const std::int64_t start = 1'735'689'600'000;
  for (int days : {7, 11, 13}) {
    EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'subscriptionItem.freeTrialEnding' "
                    "AND timestamp = " +
                    std::to_string(start + days * 86'400'000LL)),
              1)
        << days;
  }
}

TEST_F(SchedulerTest, EventsCarryTheDueInstantNotTheRunTime) {
  StartTrials(1);
  clock_.Advance(40 * kDay);  // the scheduler is late by weeks
  Scheduler scheduler(*billing_, *store_, clock_, {});
  ASSERT_TRUE(scheduler.RunUntil(clock_.Now(), std::nullopt));
  const std::int64_t start = 1'735'689'600'000;
  EXPECT_EQ(Count("SELECT timestamp = " + std::to_string(start + 11 * 86'400'000LL) +
                  " FROM events WHERE type = 'subscriptionItem.freeTrialEnding'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE type = 'subscriptionItem.updated' AND "
                  "timestamp = " +
                  std::to_string(start + 14 * 86'400'000LL)),
            1);
}

TEST_F(SchedulerTest, APayerWaitingForACheckoutHoldsUpNobodyAndRunsAfterItIsSettled) {
  std::vector<std::string> payers;
  for (const char* name : {"user_waiting", "user_other"}) {
    auto account =
        billing_->CreatePayer({name, PayerType::kUser, "u@example.com", "", std::nullopt});
    ASSERT_TRUE(account) << account.error().message;
    ASSERT_TRUE(billing_->AddPaymentMethod(account->payer.id, "pm_card_visa", true));
    ASSERT_TRUE(billing_->Subscribe(account->payer.id, {"trial"}));
    payers.push_back(account->payer.id);
  }
  const std::string& waiting = payers[0];
  // A switch out of the trial, charged now; the gateway answers pending.
  ASSERT_TRUE(billing_->AddPaymentMethod(waiting, "pm_card_sandboxPendingThenDeclined", true));
  auto checkout = billing_->Subscribe(waiting, {"noticed"});
  ASSERT_TRUE(checkout) << checkout.error().message;
  const std::string key = checkout->account.attempts.at(0).idempotency_key;
  ASSERT_TRUE(billing_->AddPaymentMethod(waiting, "pm_card_visa", true));  // for the conversion
  const std::string open_work =
      "SELECT COUNT(*) FROM due_work WHERE done_at IS NULL AND payer_id = '" + waiting + "'";
  ASSERT_EQ(Count(open_work), 2);  // the trial's notice and its end

  clock_.Advance(15 * kDay);
  Scheduler scheduler(*billing_, *store_, clock_, {});
  auto ran = scheduler.RunUntil(clock_.Now(), std::nullopt);
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 2u);  // the other payer's notice and trial end
  EXPECT_EQ(Count(open_work), 2);
  EXPECT_EQ(*scheduler.RunUntil(clock_.Now(), std::nullopt), 0u);

  // Declined: the trial goes on, and its end runs after the settlement, at its instant (the
  // notice is too late to send).
  auto notice = gateway_->FinishPendingChargeWithKey(key);
  ASSERT_TRUE(notice) << notice.error().message;
  ASSERT_TRUE(billing_->ApplyGatewayNotice(*notice));
  const std::int64_t settled_at = ToUnixMillis(clock_.Now());
  EXPECT_EQ(Count(open_work + " AND due_at = " + std::to_string(settled_at)), 2);
  ran = scheduler.RunUntil(clock_.Now(), std::nullopt);
  ASSERT_TRUE(ran) << ran.error().message;
  EXPECT_EQ(*ran, 2u);
  EXPECT_EQ(Count(open_work + " AND kind = 'period_end'"), 1);  // converted and paid
  EXPECT_EQ(Count("SELECT COUNT(*) FROM events WHERE payer_id = '" + waiting +
                  "' AND type = 'subscriptionItem.updated' AND timestamp = " +
                  std::to_string(settled_at)),
            1);
}

// The store of test clocks as another node's advance finds it at the worst moment: the advance
// begins right after the first read of the clock, or right before the first write, whichever
// comes first.
class AdvancedMeanwhile final : public TestClockStore {
 public:
  AdvancedMeanwhile(TestClockStore& inner, Instant target) : inner_(inner), target_(target) {}

  Status CreateTestClock(const TestClock& clock) override { return inner_.CreateTestClock(clock); }
  Result<std::optional<TestClock>> GetTestClock(const std::string& id) override {
    auto found = inner_.GetTestClock(id);
    BeginOnce(id);
    return found;
  }
  Result<Page<TestClock>> ListTestClocks(const ListOptions& options) override {
    return inner_.ListTestClocks(options);
  }
  Status UpdateTestClock(const std::string& id, Instant frozen_time,
                         TestClockStatus status) override {
    BeginOnce(id);
    return inner_.UpdateTestClock(id, frozen_time, status);
  }
  Result<std::optional<TestClock>> DeleteTestClock(const std::string& id) override {
    BeginOnce(id);
    return inner_.DeleteTestClock(id);
  }
  Result<std::optional<ClockAdvance>> BeginAdvance(const std::string& id, Instant from,
                                                   Instant to) override {
    return inner_.BeginAdvance(id, from, to);
  }
  Status RenewAdvance(const ClockAdvance& advance) override { return inner_.RenewAdvance(advance); }
  Status FinishAdvance(const ClockAdvance& advance) override {
    return inner_.FinishAdvance(advance);
  }
  Status GiveUpAdvance(const ClockAdvance& advance) override {
    return inner_.GiveUpAdvance(advance);
  }
  Result<std::vector<ClockAdvance>> AdvancesUnderway() override {
    return inner_.AdvancesUnderway();
  }
  Result<std::int64_t> AdvanceWorkLeft(const std::string& clock_id, Instant until) override {
    return inner_.AdvanceWorkLeft(clock_id, until);
  }
  Status ReadyAdvancingTestClocks() override { return inner_.ReadyAdvancingTestClocks(); }

  bool began() const { return began_; }

 private:
  void BeginOnce(const std::string& id) {
    if (began_) return;
    began_ = true;
    auto clock = inner_.GetTestClock(id);
    ASSERT_TRUE(clock && *clock);
    auto taken = inner_.BeginAdvance(id, (*clock)->frozen_time, target_);
    ASSERT_TRUE(taken && *taken) << "the other advance did not begin";
  }

  TestClockStore& inner_;
  const Instant target_;
  bool began_ = false;
};

TEST_F(SchedulerTest, ADeleteNeverOverwritesAnAdvanceThatBeganMeanwhile) {
  Scheduler scheduler(*billing_, *store_, clock_, {});
  AdvancedMeanwhile clocks(*store_, clock_.Now() + kDay);
  TestClocks test_clocks(clocks, scheduler, ids_, clock_);
  const TestClock created = test_clocks.Create(clock_.Now(), "meanwhile").value();

  auto deleted = test_clocks.Delete(created.id);

  ASSERT_TRUE(clocks.began());
  ASSERT_FALSE(deleted) << "deleted a clock an advance held";
  EXPECT_EQ(deleted.error().code, "test_clock_advancing");
  EXPECT_EQ(store_->GetTestClock(created.id).value()->status, TestClockStatus::kAdvancing);
}

}  // namespace
}  // namespace recur::scheduler_test
