// Schedulers of several nodes on one PostgreSQL database (a temporary database of the test
// cluster): each node is a PostgresStore, a billing service and a scheduler of its own, as
// `recur serve` makes them; the gateway is one sandbox that every node charges, as a real
// gateway would be, counting the charges it is asked for by idempotency key.
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "services/billing/billing_service.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/scheduler.h"
#include "store/forwarding_account_store.h"
#include "store/postgres/postgres_store.h"
#include "tests/support/temporary_postgres.h"

namespace recur {
namespace {

constexpr auto kDay = std::chrono::hours(24);
const std::string kPlans = std::string(RECUR_SOURCE_DIR) + "/plans";

// The sandbox gateway, counting the charges asked for by idempotency key.
class CountingGateway final : public PaymentGateway {
 public:
  explicit CountingGateway(PaymentGateway& inner) : inner_(inner) {}

  Result<std::string> EnsureCustomer(const CustomerRequest& request) override {
    return inner_.EnsureCustomer(request);
  }
  Result<CardSetup> StartCardSetup(const std::string& customer) override {
    return inner_.StartCardSetup(customer);
  }
  Result<CardDetails> Attach(const AttachRequest& request) override {
    return inner_.Attach(request);
  }
  Result<ChargeOutcome> Charge(const ChargeRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      ++charges_[request.idempotency_key];
    }
    return inner_.Charge(request);
  }
  Result<ChargeOutcome> LookUpCharge(const ChargeLookup& lookup) override {
    return inner_.LookUpCharge(lookup);
  }
  Result<std::optional<ChargeNotice>> ReadNotice(const GatewayMessage& message) override {
    return inner_.ReadNotice(message);
  }
  Result<RefundOutcome> Refund(const RefundRequest& request) override {
    return inner_.Refund(request);
  }

  std::map<std::string, int> charges() {
    std::lock_guard lock(mutex_);
    return charges_;
  }

 private:
  PaymentGateway& inner_;
  std::mutex mutex_;
  std::map<std::string, int> charges_;
};

// A store that, once armed, stops the next change that completes due work before it is sent,
// until released: a node paused (SIGSTOP, a long GC, a partition) between reading its work and
// committing it.
class PausingStore final : public ForwardingAccountStore {
 public:
  using ForwardingAccountStore::ForwardingAccountStore;

  Status SaveTransition(const Account* before, const Account& after,
                        const std::vector<StoredEvent>& events,
                        const std::vector<DueWork>& scheduled,
                        const std::vector<DueWork>& completes_work) override {
    if (!completes_work.empty()) {
      std::unique_lock lock(mutex_);
      if (armed_) {
        armed_ = false;
        paused_ = true;
        changed_.notify_all();
        changed_.wait(lock, [&] { return !paused_; });
      }
    }
    Status saved =
        ForwardingAccountStore::SaveTransition(before, after, events, scheduled, completes_work);
    if (!saved) {
      std::lock_guard lock(mutex_);
      refusals_.push_back(saved.error().code);
    }
    return saved;
  }

  void PauseTheNextCompletion() {
    std::lock_guard lock(mutex_);
    armed_ = true;
  }
  void WaitUntilPaused() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return paused_; });
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      paused_ = false;
    }
    changed_.notify_all();
  }
  std::vector<std::string> refusals() {
    std::lock_guard lock(mutex_);
    return refusals_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool armed_ = false;
  bool paused_ = false;
  std::vector<std::string> refusals_;
};

class SchedulerNodesTest : public ::testing::Test {
 protected:
  // One `recur serve`: its store on the shared database, its services, its scheduler.
  struct Node {
    SeededIdGenerator ids;
    std::unique_ptr<PostgresStore> store;
    std::unique_ptr<PausingStore> pausing;  // between the services and the store
    std::unique_ptr<CatalogService> catalog;
    std::unique_ptr<BillingService> billing;
    std::unique_ptr<Scheduler> scheduler;
    explicit Node(std::uint64_t seed) : ids(seed) {}
  };

  void SetUp() override { ASSERT_TRUE(database_.ok()) << database_.error(); }

  std::unique_ptr<Node> StartNode(std::uint64_t seed, SchedulerOptions options) {
    auto node = std::make_unique<Node>(seed);
    auto store = PostgresStore::Open(database_.settings(8), node->ids, clock_.Now());
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return nullptr;
    node->store = std::move(*store);
    node->pausing = std::make_unique<PausingStore>(*node->store);
    node->catalog = std::make_unique<CatalogService>(kPlans, *node->store, clock_);
    auto reloaded = node->catalog->Reload();
    EXPECT_TRUE(reloaded && reloaded->ok());
    node->billing = std::make_unique<BillingService>(
        *node->pausing, *node->store, *node->catalog, gateway_, clock_, node->ids, node->ids,
        LifecycleOptions{}, "ins_" + std::to_string(seed));
    EXPECT_TRUE(node->billing->Start());
    options.jitter_seed = seed;
    node->scheduler = std::make_unique<Scheduler>(*node->billing, *node->pausing, clock_, options);
    return node;
  }

  // Payers on Pro's trial (three notices before its end, then a charge), made through `node`.
  std::vector<std::string> StartTrials(Node& node, int count) {
    std::vector<std::string> payers;
    for (int i = 0; i < count; ++i) {
      auto account = node.billing->CreatePayer(
          {"user_" + std::to_string(i), PayerType::kUser, "u@example.com", "", std::nullopt});
      EXPECT_TRUE(account) << account.error().message;
      if (!account) break;
      EXPECT_TRUE(node.billing->AddPaymentMethod(account->payer.id, "pm_card_visa", true));
      EXPECT_TRUE(node.billing->Subscribe(account->payer.id, {"pro"}));
      payers.push_back(account->payer.id);
    }
    return payers;
  }

  std::int64_t Count(const std::string& sql) {
    auto connection = PgConnection::Open(database_.settings().connection);
    if (!connection) {
      ADD_FAILURE() << connection.error().message;
      return -1;
    }
    return Required((*connection)->Exec({"counting"}, sql)).Int64(0, 0);
  }

  // Every lease handed out so far lapses now, by the database's clock: as if its holder had
  // been paused for a lease.
  void LapseLeases() {
    auto connection = PgConnection::Open(database_.settings().connection);
    ASSERT_TRUE(connection) << connection.error().message;
    ASSERT_TRUE((*connection)
                    ->Script({"lapsing leases"},
                             "UPDATE due_work SET lease_until = (extract(epoch FROM "
                             "clock_timestamp()) * 1000)::bigint WHERE lease_until IS NOT NULL"));
  }

  // What the payers got: each trial-ending notice once, one charge asked and paid each.
  void ExpectEachPieceAppliedOnce(const std::vector<std::string>& payers) {
    const auto n = static_cast<std::int64_t>(payers.size());
    EXPECT_EQ(Count("SELECT count(*) FROM events WHERE type = 'subscriptionItem.freeTrialEnding'"),
              3 * n);
    EXPECT_EQ(Count("SELECT count(*) FROM (SELECT payer_id, timestamp FROM events WHERE type = "
                    "'subscriptionItem.freeTrialEnding' GROUP BY 1, 2 HAVING count(*) > 1) twice"),
              0);
    EXPECT_EQ(Count("SELECT count(*) FROM events WHERE type = 'paymentAttempt.created'"), n);
    EXPECT_EQ(Count("SELECT count(*) FROM payment_attempts WHERE status = 'paid'"), n);
    EXPECT_EQ(Count("SELECT count(*) FROM payment_attempts"), n);
    EXPECT_EQ(Count("SELECT count(*) FROM due_work WHERE done_at IS NULL AND kind = 'period_end'"),
              n);
    EXPECT_EQ(Count("SELECT count(*) FROM due_work WHERE done_at IS NULL AND kind <> "
                    "'period_end'"),
              0);
    const std::map<std::string, int> charges = counting_.charges();
    EXPECT_EQ(charges.size(), payers.size());
    for (const auto& [key, times] : charges) EXPECT_EQ(times, 1) << key;
  }

  TemporaryPostgresDatabase database_;
  ManualClock clock_{FromUnixMillis(1'735'689'600'000)};  // 2025-01-01
  MemorySandboxLedger ledger_;
  SandboxGateway sandbox_{ledger_};
  CountingGateway counting_{sandbox_};
  PaymentGateway& gateway_ = counting_;
};

TEST_F(SchedulerNodesTest, SchedulersOfTwoNodesApplyEachPieceOnce) {
  const SchedulerOptions options{.batch_size = 25, .workers = 4};
  std::unique_ptr<Node> a = StartNode(1, options);
  std::unique_ptr<Node> b = StartNode(2, options);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const std::vector<std::string> payers = StartTrials(*a, 120);
  ASSERT_EQ(payers.size(), 120u);
  clock_.Advance(15 * kDay);

  std::size_t ran_a = 0, ran_b = 0;
  std::thread on_a([&] { ran_a = a->scheduler->RunUntil(clock_.Now(), std::nullopt).value_or(0); });
  std::thread on_b([&] { ran_b = b->scheduler->RunUntil(clock_.Now(), std::nullopt).value_or(0); });
  on_a.join();
  on_b.join();
  EXPECT_EQ(ran_a + ran_b, 4 * payers.size());  // three notices and a trial's end each
  ExpectEachPieceAppliedOnce(payers);
}

TEST_F(SchedulerNodesTest, ANodePausedBetweenItsReadAndItsCommitNeitherAppliesNorCharges) {
  std::unique_ptr<Node> a = StartNode(1, {.batch_size = 100, .workers = 1});
  std::unique_ptr<Node> b = StartNode(2, {.batch_size = 100, .workers = 1});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const std::vector<std::string> payers = StartTrials(*a, 1);
  ASSERT_EQ(payers.size(), 1u);
  clock_.Advance(15 * kDay);

  // A reads the payer's work and works it out (the notices and the trial's end, whose charge
  // follows the commit), then pauses before its commit goes out, past its lease.
  a->pausing->PauseTheNextCompletion();
  std::size_t ran_a = 1;
  std::thread on_a([&] { ran_a = a->scheduler->RunUntil(clock_.Now(), std::nullopt).value_or(1); });
  a->pausing->WaitUntilPaused();
  LapseLeases();
  // B takes the work over.
  ASSERT_EQ(b->store->DueWorkUntil(clock_.Now(), std::nullopt, 100).value().size(), 4u);

  // A wakes: its commit is refused for the lease it lost, and it asks for no charge.
  a->pausing->Release();
  on_a.join();
  EXPECT_EQ(ran_a, 0u);
  EXPECT_THAT(a->pausing->refusals(), ::testing::ElementsAre("work_lease_lost"));
  EXPECT_EQ(Count("SELECT count(*) FROM payment_attempts"), 0);
  EXPECT_TRUE(counting_.charges().empty());

  // B, holding the lease, applies the work and charges once.
  auto ran_b = b->scheduler->RunUntil(clock_.Now(), std::nullopt);
  ASSERT_TRUE(ran_b) << ran_b.error().message;
  EXPECT_EQ(*ran_b, 4u);
  ExpectEachPieceAppliedOnce(payers);
}

TEST_F(SchedulerNodesTest, AStoppingSchedulerGivesBackTheWorkItReadAndDidNotApply) {
  std::unique_ptr<Node> a = StartNode(1, {.batch_size = 100, .workers = 1});
  std::unique_ptr<Node> b = StartNode(2, {.batch_size = 100, .workers = 1});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const std::vector<std::string> payers = StartTrials(*a, 3);
  ASSERT_EQ(payers.size(), 3u);
  clock_.Advance(15 * kDay);

  // A's loop reads the three payers' work in one batch and is stopped while it applies the
  // first payer's: it finishes that one and begins neither of the others.
  a->pausing->PauseTheNextCompletion();
  a->scheduler->Start();
  a->pausing->WaitUntilPaused();
  a->scheduler->RequestStop();
  a->pausing->Release();
  a->scheduler->Stop();
  EXPECT_EQ(Count("SELECT count(DISTINCT payer_id) FROM due_work WHERE done_at IS NOT NULL"), 1);

  // B is handed the other two payers' work at once, though A's leases run a minute more and A's
  // store is still open.
  const std::vector<DueWork> to_b = b->store->DueWorkUntil(clock_.Now(), std::nullopt, 100).value();
  std::set<std::string> payers_of_b;
  for (const DueWork& piece : to_b) payers_of_b.insert(piece.payer_id);
  EXPECT_EQ(payers_of_b.size(), 2u);
  EXPECT_EQ(to_b.size(), 8u);  // three notices and a trial's end each
  auto ran_b = b->scheduler->RunUntil(clock_.Now(), std::nullopt);
  ASSERT_TRUE(ran_b) << ran_b.error().message;
  ExpectEachPieceAppliedOnce(payers);
}

}  // namespace
}  // namespace recur
