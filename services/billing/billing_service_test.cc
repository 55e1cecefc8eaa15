// The billing service: the rule by which it runs several pieces of a payer's due work in one
// transaction (BillingService::RunDue; the scheduler tests run it on real components), and
// charges the gateway answers later, settled by a notice or by the look-up at start.
#include "services/billing/billing_service.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "services/catalog/catalog_service.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/temporary_database.h"

namespace recur::billing_service_test {
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

// ---------------------------------------------------------------------------------------------
// Charges the gateway answers later, on the real components: a SQLite store, the sandbox
// gateway over a ledger in memory, and a manual clock.

class BillingServiceChargeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(plans_dir());
    std::ofstream(plans_dir() / "catalog.json") << R"({"plans": [
      {"slug": "free", "name": "Free", "payer_type": "user", "is_default": true, "amount": 0,
       "currency": "USD"},
      {"slug": "pro", "name": "Pro", "payer_type": "user", "amount": 2000, "currency": "USD"}]})";
    Restart();
  }
  void TearDown() override {
    billing_.reset();
    std::filesystem::remove_all(plans_dir());
  }

  std::filesystem::path plans_dir() const {
    return std::filesystem::path(database_.path() + ".plans");
  }

  // The store opened again and a new billing service on it and the same gateway, started: a
  // restart of the program. `waits`: between look-ups of a charge the gateway answers pending.
  void Restart(PendingLookUps waits = {}) {
    billing_.reset();
    catalog_.reset();
    store_.reset();
    auto store = SqliteStore::Open(database_.path(), ids_, clock_.Now());
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(*store);
    catalog_ = std::make_unique<CatalogService>(plans_dir().string(), *store_, clock_);
    ASSERT_TRUE(catalog_->Reload().value().ok());
    billing_ = std::make_unique<BillingService>(*store_, *store_, *catalog_, gateway_, clock_, ids_,
                                                ids_, LifecycleOptions{}, "ins_test");
    billing_->LookUpPendingCharges(waits);
    ASSERT_TRUE(billing_->Start());
  }

  // Finishes at the sandbox the charge of `attempt` it answered pending, sending no notice.
  void FinishQuietly(const PaymentAttempt& attempt) { (void)NoticeOf(attempt); }

  // A payer with `token` as its card.
  std::string NewPayer(const std::string& token) {
    auto account = billing_->CreatePayer(
        {"user_" + std::to_string(++payers_), PayerType::kUser, "u@example.com", "", std::nullopt});
    EXPECT_TRUE(account) << account.error().message;
    EXPECT_TRUE(billing_->AddPaymentMethod(account->payer.id, token, true));
    return account->payer.id;
  }

  PaymentAttempt OnlyAttempt(const std::string& payer) {
    auto attempts = store_->ListPaymentAttempts(payer, {});
    EXPECT_TRUE(attempts && attempts->data.size() == 1u);
    return attempts && !attempts->data.empty() ? attempts->data.front() : PaymentAttempt{};
  }

  std::vector<std::string> EventTypes(const std::string& payer) {
    std::vector<std::string> types;
    const Page<StoredEvent> events = store_->ListEvents(payer, "", {100}).value();
    for (const StoredEvent& event : events.data) {
      types.insert(types.begin(), event.type);  // oldest first
    }
    return types;
  }

  // The notice the sandbox sends once it has finished the charge of `attempt`.
  GatewayMessage NoticeOf(const PaymentAttempt& attempt) {
    std::string charge_id;
    EXPECT_TRUE(ledger_.Read([&](SandboxRecords& records) -> Status {
      auto charge = records.FindCharge(attempt.idempotency_key);
      if (!charge) return std::unexpected(charge.error());
      if (*charge) charge_id = (*charge)->charge_id;
      return Ok();
    }));
    auto notice = gateway_.FinishPendingCharge(charge_id);
    EXPECT_TRUE(notice) << notice.error().message;
    return notice.value_or(GatewayMessage{});
  }

  TemporaryDatabase database_;
  SeededIdGenerator ids_{42};
  ManualClock clock_{FromUnixMillis(1'735'689'600'000)};  // 2025-01-01
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<CatalogService> catalog_;
  MemorySandboxLedger ledger_;
  SandboxGateway gateway_{ledger_};
  std::unique_ptr<BillingService> billing_;
  int payers_ = 0;
};

TEST_F(BillingServiceChargeTest, APayerPastItsPaymentAttemptsIsRefusedBeforeAnythingIsCharged) {
  billing_ = std::make_unique<BillingService>(*store_, *store_, *catalog_, gateway_, clock_, ids_,
                                              ids_, LifecycleOptions{}, "ins_test");
  billing_->LimitPaymentAttempts({2, std::chrono::hours(1)});
  ASSERT_TRUE(billing_->Start());
  const std::string payer = NewPayer("pm_card_chargeCustomerFail");
  for (int i = 0; i < 2; ++i) {
    auto declined = billing_->Subscribe(payer, {"pro"});
    ASSERT_TRUE(declined) << declined.error().message;
    EXPECT_TRUE(declined->declined);
  }
  const std::size_t attempts = store_->ListPaymentAttempts(payer, {100}).value().data.size();
  const Account before = billing_->GetAccount(payer).value();

  auto refused = billing_->Subscribe(payer, {"pro"});

  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "rate_limited");
  EXPECT_EQ(refused.error().retry_after, std::chrono::minutes(30));
  // Nothing was stored, so nothing was taken to the gateway.
  EXPECT_EQ(store_->ListPaymentAttempts(payer, {100}).value().data.size(), attempts);
  EXPECT_EQ(billing_->GetAccount(payer).value(), before);
  // Another payer's attempts are its own, and a change that charges nothing is not counted.
  const std::string other = NewPayer("pm_card_visa");
  EXPECT_TRUE(billing_->Subscribe(other, {"pro"}));
  EXPECT_TRUE(billing_->AddPaymentMethod(payer, "pm_card_visa", false));
  clock_.Advance(std::chrono::minutes(30));
  auto again = billing_->Subscribe(payer, {"pro"});
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->declined);
}

TEST_F(BillingServiceChargeTest, APendingCheckoutWaitsWithItsItemIncomplete) {
  const std::string payer = NewPayer("pm_card_sandboxPendingThenPaid");

  auto change = billing_->Subscribe(payer, {"pro"});

  ASSERT_TRUE(change) << change.error().message;
  EXPECT_FALSE(change->declined);
  EXPECT_EQ(change->account.FindItem(change->item_id)->status, ItemStatus::kIncomplete);
  EXPECT_EQ(OnlyAttempt(payer).status, AttemptStatus::kPending);
  EXPECT_EQ(billing_->entitlements().Get(payer)->plan_slug, "free");
  auto again = billing_->Subscribe(payer, {"pro"});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "checkout_in_progress");
}

TEST_F(BillingServiceChargeTest, ANoticeSettlesAPendingAttemptOnce) {
  const std::string payer = NewPayer("pm_card_sandboxPendingThenPaid");
  const std::string item = billing_->Subscribe(payer, {"pro"}).value().item_id;
  const PaymentAttempt pending = OnlyAttempt(payer);
  const GatewayMessage notice = NoticeOf(pending);

  auto applied = billing_->ApplyGatewayNotice(notice);

  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->effect, NoticeEffect::kSettled);
  ASSERT_TRUE(applied->attempt);
  EXPECT_EQ(applied->attempt->id, pending.id);
  EXPECT_EQ(applied->attempt->status, AttemptStatus::kPaid);
  EXPECT_EQ(OnlyAttempt(payer).status, AttemptStatus::kPaid);
  EXPECT_EQ(billing_->GetAccount(payer).value().CurrentItem()->id, item);
  EXPECT_EQ(billing_->entitlements().Get(payer)->plan_slug, "pro");
  const std::vector<std::string> events = EventTypes(payer);
  EXPECT_EQ(std::count(events.begin(), events.end(), "paymentAttempt.updated"), 1);

  // The same notice again changes nothing, and says so.
  auto twice = billing_->ApplyGatewayNotice(notice);
  ASSERT_TRUE(twice) << twice.error().message;
  EXPECT_EQ(twice->effect, NoticeEffect::kAlreadySettled);
  ASSERT_TRUE(twice->attempt);
  EXPECT_EQ(twice->attempt->status, AttemptStatus::kPaid);
  EXPECT_EQ(EventTypes(payer), events);
}

TEST_F(BillingServiceChargeTest, ADeclineByNoticeLeavesTheCheckoutIncomplete) {
  const std::string payer = NewPayer("pm_card_sandboxPendingThenDeclined");
  const std::string item = billing_->Subscribe(payer, {"pro"}).value().item_id;

  auto applied = billing_->ApplyGatewayNotice(NoticeOf(OnlyAttempt(payer)));

  ASSERT_TRUE(applied) << applied.error().message;
  EXPECT_EQ(applied->effect, NoticeEffect::kSettled);
  EXPECT_EQ(applied->attempt->status, AttemptStatus::kFailed);
  EXPECT_EQ(applied->attempt->failed_code, "card_declined");
  const Account account = billing_->GetAccount(payer).value();
  EXPECT_EQ(account.FindItem(item)->status, ItemStatus::kIncomplete);
  EXPECT_EQ(account.CurrentItem()->plan_slug, "free");
}

TEST_F(BillingServiceChargeTest, ANoticeThatCannotBeVerifiedChangesNothing) {
  const std::string payer = NewPayer("pm_card_sandboxPendingThenPaid");
  ASSERT_TRUE(billing_->Subscribe(payer, {"pro"}));
  GatewayMessage forged = NoticeOf(OnlyAttempt(payer));
  forged.body.replace(forged.body.find("\"paid\""), 6, "\"declined\"");

  auto applied = billing_->ApplyGatewayNotice(forged);

  ASSERT_FALSE(applied);
  EXPECT_EQ(applied.error().code, "notice_not_verified");
  EXPECT_EQ(OnlyAttempt(payer).status, AttemptStatus::kPending);
}

TEST_F(BillingServiceChargeTest, StartSettlesAPendingAttemptByAskingTheGatewayAgain) {
  const std::string payer = NewPayer("pm_card_sandboxPendingThenPaid");
  const std::string item = billing_->Subscribe(payer, {"pro"}).value().item_id;
  ASSERT_EQ(OnlyAttempt(payer).status, AttemptStatus::kPending);

  Restart();

  // Charged again, the key would answer its first outcome (pending); looked up, it is paid.
  const PaymentAttempt settled = OnlyAttempt(payer);
  EXPECT_EQ(settled.status, AttemptStatus::kPaid);
  EXPECT_EQ(billing_->GetAccount(payer).value().CurrentItem()->id, item);
  EXPECT_EQ(billing_->entitlements().Get(payer)->plan_slug, "pro");
  // A notice arriving afterwards finds the attempt settled.
  auto late = billing_->ApplyGatewayNotice(NoticeOf(settled));
  ASSERT_TRUE(late) << late.error().message;
  EXPECT_EQ(late->effect, NoticeEffect::kAlreadySettled);
}

TEST_F(BillingServiceChargeTest, StartChargesAnAttemptTheGatewayNeverSaw) {
  const std::string payer = NewPayer("pm_card_visa");
  // A checkout committed, then a crash before the gateway was called.
  const Account before = billing_->GetAccount(payer).value();
  Account after = before;
  const LifecycleContext context{*catalog_->Current(), ids_, billing_->options(), clock_.Now()};
  const Transition checkout = Subscribe(after, {"pro"}, context).value();
  ASSERT_EQ(checkout.charges.size(), 1u);
  ASSERT_TRUE(store_->SaveTransition(&before, after, {}, checkout.scheduled, {}));

  Restart();

  EXPECT_EQ(OnlyAttempt(payer).status, AttemptStatus::kPaid);
  EXPECT_EQ(billing_->GetAccount(payer).value().CurrentItem()->id, checkout.item_id);
}

TEST_F(BillingServiceChargeTest, AChargeAnsweredPendingIsLookedUpAgainOnceItsWaitIsOver) {
  Restart({.first = std::chrono::milliseconds(0), .most = std::chrono::milliseconds(0)});
  const std::string payer = NewPayer("pm_card_sandboxPendingThenPaid");
  const std::string item = billing_->Subscribe(payer, {"pro"}).value().item_id;
  ASSERT_EQ(OnlyAttempt(payer).status, AttemptStatus::kPending);

  // No wait here: the next pass, with no restart, asks the gateway again and finds it paid.
  EXPECT_EQ(billing_->SettlePendingAttempts(-1).value(), 1u);
  EXPECT_EQ(OnlyAttempt(payer).status, AttemptStatus::kPaid);
  EXPECT_EQ(billing_->GetAccount(payer).value().CurrentItem()->id, item);
  EXPECT_EQ(billing_->entitlements().Get(payer)->plan_slug, "pro");
  const std::vector<std::string> events = EventTypes(payer);
  EXPECT_EQ(std::count(events.begin(), events.end(), "paymentAttempt.updated"), 1);
  EXPECT_EQ(billing_->SettlePendingAttempts(-1).value(), 0u);
}

TEST_F(BillingServiceChargeTest, AChargeAnsweredPendingIsNotLookedUpBeforeItsWaitIsOver) {
  const std::string payer = NewPayer("pm_card_sandboxPendingThenPaid");
  ASSERT_TRUE(billing_->Subscribe(payer, {"pro"}));
  FinishQuietly(OnlyAttempt(payer));

  // The first wait is a minute: a pass now leaves the attempt alone.
  EXPECT_EQ(billing_->SettlePendingAttempts(-1).value(), 0u);
  EXPECT_EQ(OnlyAttempt(payer).status, AttemptStatus::kPending);
}

}  // namespace
}  // namespace recur::billing_service_test
