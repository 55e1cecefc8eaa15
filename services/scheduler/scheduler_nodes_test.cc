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

#include "gateways/forwarding_payment_gateway.h"
#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "services/billing/billing_service.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/test_clocks.h"
#include "store/forwarding_account_store.h"
#include "store/postgres/postgres_store.h"
#include "tests/support/temporary_postgres.h"

namespace recur::scheduler_nodes_test {
namespace {

constexpr auto kDay = std::chrono::hours(24);
const std::string kPlans = std::string(RECUR_SOURCE_DIR) + "/plans";

// The sandbox gateway, counting the charges asked for by idempotency key.
class CountingGateway final : public ForwardingPaymentGateway {
 public:
  using ForwardingPaymentGateway::ForwardingPaymentGateway;

  Result<ChargeOutcome> Charge(const ChargeRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      ++charges_[request.idempotency_key];
    }
    return ForwardingPaymentGateway::Charge(request);
  }

  std::map<std::string, int> charges() {
    std::lock_guard lock(mutex_);
    return charges_;
  }

 private:
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
    std::lock_guard lock(mutex_);
    if (!saved) {
      refusals_.push_back(saved.error().code);
    } else {
      completed_ += completes_work.size();
      changed_.notify_all();
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
  // Pieces of due work this node's changes completed.
  std::size_t completed() {
    std::lock_guard lock(mutex_);
    return completed_;
  }
  void WaitUntilCompleted(std::size_t pieces) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return completed_ >= pieces; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool armed_ = false;
  bool paused_ = false;
  std::vector<std::string> refusals_;
  std::size_t completed_ = 0;
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
    std::unique_ptr<TestClocks> test_clocks;
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
    node->test_clocks =
        std::make_unique<TestClocks>(*node->store, *node->scheduler, node->ids, clock_);
    return node;
  }

  // Payers on Pro's trial (three notices before its end, then a charge), made through `node`.
  // On the test clock `test_clock` when given.
  std::vector<std::string> StartTrials(Node& node, int count,
                                       std::optional<std::string> test_clock = std::nullopt) {
    std::vector<std::string> payers;
    for (int i = 0; i < count; ++i) {
      auto account = node.billing->CreatePayer(
          {"user_" + std::to_string(i), PayerType::kUser, "u@example.com", "", test_clock});
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

  // Every lease handed out so far (on due work, on test clock advances) lapses now, by the
  // database's clock: as if its holder had been paused for a lease.
  void LapseLeases() {
    auto connection = PgConnection::Open(database_.settings().connection);
    ASSERT_TRUE(connection) << connection.error().message;
    ASSERT_TRUE((*connection)
                    ->Script({"lapsing leases"},
                             "UPDATE due_work SET lease_until = (extract(epoch FROM "
                             "clock_timestamp()) * 1000)::bigint WHERE lease_until IS NOT NULL; "
                             "UPDATE test_clocks SET advance_until = (extract(epoch FROM "
                             "clock_timestamp()) * 1000)::bigint WHERE advance_until IS NOT NULL"));
  }

  // Events of one payer stored after an event of a later instant: none when each payer's work
  // was applied in due order.
  std::int64_t EventsOutOfOrder() {
    return Count(
        "SELECT count(*) FROM events a JOIN events b ON a.payer_id = b.payer_id AND "
        "b.seq > a.seq AND b.timestamp < a.timestamp");
  }

  // A test clock made through `node`, with `count` payers on Pro's trial living on it.
  struct ClockOfTrials {
    std::string id;
    Instant start;
    std::vector<std::string> payers;
  };
  ClockOfTrials MakeClockOfTrials(Node& node, int count) {
    auto made = node.test_clocks->Create(clock_.Now(), "shared");
    EXPECT_TRUE(made) << made.error().message;
    if (!made) return {};
    ClockOfTrials test_clock{made->id, made->frozen_time, {}};
    test_clock.payers = StartTrials(node, count, made->id);
    EXPECT_EQ(test_clock.payers.size(), static_cast<std::size_t>(count));
    return test_clock;
  }

  // An advance through `node`, on a thread of its own, stopped at the node's first commit of the
  // clock's work until Resume: a node paused, or dead, in the middle of an advance.
  class PausedAdvance {
   public:
    PausedAdvance(Node& node, const std::string& clock_id, Instant to) : node_(node) {
      node_.pausing->PauseTheNextCompletion();
      thread_ = std::thread(
          [this, clock_id, to] { advanced_ = node_.test_clocks->Advance(clock_id, to); });
      node_.pausing->WaitUntilPaused();
    }
    ~PausedAdvance() {
      if (thread_.joinable()) (void)Resume();
    }
    // Lets the node go on, and returns what its advance answered.
    Result<TestClock> Resume() {
      node_.pausing->Release();
      thread_.join();
      return advanced_;
    }

   private:
    Node& node_;
    Result<TestClock> advanced_ = MakeError(ErrorKind::kInternal, "not_answered", "");
    std::thread thread_;
  };

  TestClock ClockNow(Node& node, const std::string& id) {
    auto found = node.test_clocks->Get(id);
    EXPECT_TRUE(found) << found.error().message;
    return found.value_or(TestClock{});
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

TEST_F(SchedulerNodesTest, AnAdvanceThroughOneNodeIsSharedWithTheOtherNodesScheduler) {
  std::unique_ptr<Node> a = StartNode(1, {.batch_size = 10, .workers = 2});
  std::unique_ptr<Node> b =
      StartNode(2, {.batch_size = 10, .workers = 2, .poll = std::chrono::milliseconds(5)});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const ClockOfTrials test_clock = MakeClockOfTrials(*a, 40);
  const std::vector<std::string>& payers = test_clock.payers;
  ASSERT_EQ(payers.size(), 40u);
  b->scheduler->ShareAdvances(*b->store);
  b->scheduler->Start();

  // A's advance stops at its first commit; meanwhile B's scheduler finds the advance and does
  // work of it. A's first batch stays A's, and the later work of A's paused payer waits for it.
  const Instant target = test_clock.start + 15 * kDay;
  PausedAdvance on_a(*a, test_clock.id, target);
  b->pausing->WaitUntilCompleted(1);
  const Result<TestClock> advanced = on_a.Resume();
  b->scheduler->Stop();

  ASSERT_TRUE(advanced) << advanced.error().message;
  EXPECT_EQ(advanced->frozen_time, target);
  const TestClock stored = ClockNow(*b, test_clock.id);
  EXPECT_EQ(stored.frozen_time, target);
  EXPECT_EQ(stored.status, TestClockStatus::kReady);
  ExpectEachPieceAppliedOnce(payers);
  EXPECT_GT(b->pausing->completed(), 0u);
  EXPECT_GT(a->pausing->completed(), 0u);
  EXPECT_EQ(a->pausing->completed() + b->pausing->completed(), 4 * payers.size());
  EXPECT_EQ(EventsOutOfOrder(), 0);
}

TEST_F(SchedulerNodesTest, ASecondAdvanceOfAClockThroughAnyNodeIsRefusedAndChangesNothing) {
  std::unique_ptr<Node> a = StartNode(1, {.batch_size = 100, .workers = 1});
  std::unique_ptr<Node> b = StartNode(2, {.batch_size = 100, .workers = 1});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const ClockOfTrials test_clock = MakeClockOfTrials(*a, 2);
  ASSERT_EQ(test_clock.payers.size(), 2u);

  const Instant target = test_clock.start + 15 * kDay;
  PausedAdvance on_a(*a, test_clock.id, target);
  for (Node* through : {b.get(), a.get()}) {
    auto second = through->test_clocks->Advance(test_clock.id, target + kDay);
    ASSERT_FALSE(second);
    EXPECT_EQ(second.error().code, "test_clock_advancing");
    EXPECT_EQ(second.error().kind, ErrorKind::kAborted);
    EXPECT_NE(second.error().message.find(test_clock.id), std::string::npos);
    auto deleted = through->test_clocks->Delete(test_clock.id);
    ASSERT_FALSE(deleted);
    EXPECT_EQ(deleted.error().code, "test_clock_advancing");
  }
  const TestClock during = ClockNow(*b, test_clock.id);
  EXPECT_EQ(during.frozen_time, test_clock.start);
  EXPECT_EQ(during.status, TestClockStatus::kAdvancing);

  const Result<TestClock> advanced = on_a.Resume();
  ASSERT_TRUE(advanced) << advanced.error().message;
  EXPECT_EQ(ClockNow(*b, test_clock.id).frozen_time, target);
  ExpectEachPieceAppliedOnce(test_clock.payers);
}

TEST_F(SchedulerNodesTest, AnAdvanceWhoseNodeStoppedMidwayIsFinishedByAnother) {
  std::unique_ptr<Node> a = StartNode(1, {.batch_size = 100, .workers = 1});
  std::unique_ptr<Node> b = StartNode(2, {.batch_size = 100, .workers = 1});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const ClockOfTrials test_clock = MakeClockOfTrials(*a, 3);
  ASSERT_EQ(test_clock.payers.size(), 3u);

  // A holds the clock and its first payer's work, then stops (paused: as good as dead to B).
  const Instant target = test_clock.start + 15 * kDay;
  PausedAdvance on_a(*a, test_clock.id, target);

  // A node starting while A's lease runs leaves A's advance to it.
  ASSERT_TRUE(b->store->ReadyAdvancingTestClocks());
  EXPECT_EQ(ClockNow(*b, test_clock.id).status, TestClockStatus::kAdvancing);

  // Once A's leases lapse, an advance through B takes the clock over and does all the work.
  LapseLeases();
  auto advanced_b = b->test_clocks->Advance(test_clock.id, target);
  ASSERT_TRUE(advanced_b) << advanced_b.error().message;
  EXPECT_EQ(advanced_b->frozen_time, target);
  ExpectEachPieceAppliedOnce(test_clock.payers);

  // A wakes: its commit is refused whole (the conversion's charge B made already takes its
  // attempt's key, so the refusal may say "conflict" before the lost lease), it completes
  // nothing, and its advance, taken over, changes nothing of the clock.
  const Result<TestClock> advanced_a = on_a.Resume();
  ASSERT_FALSE(advanced_a);
  EXPECT_EQ(advanced_a.error().code, "test_clock_advance_lost");
  EXPECT_FALSE(a->pausing->refusals().empty());
  EXPECT_EQ(a->pausing->completed(), 0u);
  const TestClock after = ClockNow(*a, test_clock.id);
  EXPECT_EQ(after.frozen_time, target);
  EXPECT_EQ(after.status, TestClockStatus::kReady);
  ExpectEachPieceAppliedOnce(test_clock.payers);
  EXPECT_EQ(EventsOutOfOrder(), 0);
}

TEST_F(SchedulerNodesTest, AStartingNodeReadiesAnAdvanceWhoseLeaseLapsed) {
  std::unique_ptr<Node> a = StartNode(1, {});
  std::unique_ptr<Node> b = StartNode(2, {});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const Instant start = clock_.Now();
  auto test_clock = a->test_clocks->Create(start, "shared");
  ASSERT_TRUE(test_clock) << test_clock.error().message;
  auto taken = a->store->BeginAdvance(test_clock->id, start, start + kDay);
  ASSERT_TRUE(taken && *taken);

  ASSERT_TRUE(b->store->ReadyAdvancingTestClocks());
  EXPECT_EQ(ClockNow(*b, test_clock->id).status, TestClockStatus::kAdvancing);
  LapseLeases();
  ASSERT_TRUE(b->store->ReadyAdvancingTestClocks());
  const TestClock readied = ClockNow(*b, test_clock->id);
  EXPECT_EQ(readied.status, TestClockStatus::kReady);
  EXPECT_EQ(readied.frozen_time, start);
  // A's advance no longer holds the clock: it can neither renew nor finish it.
  EXPECT_EQ(a->store->RenewAdvance(**taken).error().code, "test_clock_advance_lost");
  EXPECT_EQ(a->store->FinishAdvance(**taken).error().code, "test_clock_advance_lost");
  EXPECT_EQ(ClockNow(*b, test_clock->id).frozen_time, start);
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
}  // namespace recur::scheduler_nodes_test
