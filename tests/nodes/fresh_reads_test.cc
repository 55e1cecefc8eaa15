// Several nodes on one PostgreSQL database, each with the caches a serving node keeps: a change
// acknowledged by one node is seen by a read on another right after, for every cache (accounts,
// entitlements, test clocks, the catalog). Each node here is a PostgresStore of its own with the
// parts over it wired as `recur serve` wires them for a shared database (tools/recur/
// serve_command.cc, Engine): checked account and entitlement caches, test clocks read from the
// database, the catalog followed. The sandbox gateway, an outside service, is one for all.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "services/billing/billing_service.h"
#include "services/catalog/catalog_follower.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/test_clocks.h"
#include "store/cached/caching_account_store.h"
#include "store/postgres/postgres_store.h"
#include "tests/support/temporary_postgres.h"
#include "tests/support/wait.h"

namespace recur::fresh_reads_test {
namespace {

const Instant t0 = FromUnixMillis(1'735'689'600'000);
constexpr auto kDay = std::chrono::hours(24);

constexpr const char* kPlans = R"({"plans": [
  {"slug": "free", "name": "Free", "payer_type": "user", "is_default": true, "amount": 0,
   "currency": "USD", "features": [{"slug": "projects", "name": "Projects", "limit": 3}]},
  {"slug": "pro", "name": "Pro", "payer_type": "user", "amount": 2000, "currency": "USD",
   "free_trial_days": 14, "features": [{"slug": "projects", "limit": 20}]}]})";

// The same catalog with a third plan, as another node's reload stores it.
constexpr const char* kPlansWithTeam = R"({"plans": [
  {"slug": "free", "name": "Free", "payer_type": "user", "is_default": true, "amount": 0,
   "currency": "USD", "features": [{"slug": "projects", "name": "Projects", "limit": 3}]},
  {"slug": "pro", "name": "Pro", "payer_type": "user", "amount": 2000, "currency": "USD",
   "free_trial_days": 14, "features": [{"slug": "projects", "limit": 20}]},
  {"slug": "team", "name": "Team", "payer_type": "user", "amount": 5000, "currency": "USD",
   "features": [{"slug": "projects", "limit": 100}]}]})";

// One node: its own store (its own pool) and everything it keeps in memory.
struct Node {
  Node(std::unique_ptr<PostgresStore> opened, const std::string& plans_path,
       PaymentGateway& gateway, const Clock& clock, IdGenerator& ids)
      : store(std::move(opened)),
        accounts(*store, 1000, store.get()),
        catalog(plans_path, *store, clock),
        billing(accounts, *store, catalog, gateway, clock, ids, ids, LifecycleOptions{},
                "ins_test"),
        scheduler(billing, accounts, clock, SchedulerOptions{}),
        test_clocks(*store, scheduler, ids, clock) {
    billing.CheckReadsAgainst(*store);
    catalog.CheckAgainst(*store);
  }

  std::unique_ptr<PostgresStore> store;
  CachingAccountStore accounts;
  CatalogService catalog;
  BillingService billing;
  Scheduler scheduler;
  TestClocks test_clocks;
};

class FreshReadsAcrossNodes : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(database_.ok()) << database_.error();
    std::filesystem::create_directories(plans_dir());
    WritePlans(kPlans);
    a_ = OpenNode();
    b_ = OpenNode();
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    std::filesystem::remove_all(plans_dir());
  }

  std::filesystem::path plans_dir() const {
    return std::filesystem::temp_directory_path() / (database_.name() + ".plans");
  }
  void WritePlans(const char* plans) { std::ofstream(plans_dir() / "catalog.json") << plans; }

  std::unique_ptr<Node> OpenNode() {
    auto store = PostgresStore::Open(database_.settings(), ids_, clock_.Now());
    EXPECT_TRUE(store) << store.error().message;
    if (!store) return nullptr;
    auto node =
        std::make_unique<Node>(std::move(*store), plans_dir().string(), gateway_, clock_, ids_);
    auto loaded = node->catalog.Reload();
    EXPECT_TRUE(loaded) << loaded.error().message;
    if (loaded) {
      EXPECT_EQ(FormatProblems(loaded->problems), "");
    }
    EXPECT_TRUE(node->billing.Start());
    return node;
  }

  std::string NewPayer(Node& node, std::optional<std::string> test_clock = std::nullopt) {
    auto account = node.billing.CreatePayer({"user_" + std::to_string(++payers_), PayerType::kUser,
                                             "u@example.com", "", std::move(test_clock)});
    EXPECT_TRUE(account) << account.error().message;
    if (!account) return "";
    EXPECT_TRUE(node.billing.AddPaymentMethod(account->payer.id, "pm_card_visa", true));
    return account->payer.id;
  }

  std::string PlanEntitledOn(Node& node, const std::string& payer_id) {
    auto entry = node.billing.Entitlement(payer_id);
    EXPECT_TRUE(entry) << entry.error().message;
    if (!entry || !*entry) return "(none)";
    return ResolveEntitlements(*node.catalog.Current(), **entry).plan_slug;
  }

  TemporaryPostgresDatabase database_;
  ManualClock clock_{t0};
  SeededIdGenerator ids_{7};
  MemorySandboxLedger ledger_;
  SandboxGateway gateway_{ledger_};
  std::unique_ptr<Node> a_;
  std::unique_ptr<Node> b_;
  int payers_ = 0;
};

TEST_F(FreshReadsAcrossNodes, AnAccountChangedOnOneNodeIsReadChangedOnTheOtherAtOnce) {
  const std::string payer = NewPayer(*a_);
  // B reads the payer, so B's cache holds it.
  auto before = b_->billing.GetAccount(payer);
  ASSERT_TRUE(before);
  ASSERT_EQ(before->CurrentItem()->plan_slug, "free");
  ASSERT_TRUE(a_->billing.Subscribe(payer, {"pro"}));
  auto after = b_->billing.GetAccount(payer);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->payer.version, before->payer.version + 1);
  EXPECT_EQ(after->CurrentItem()->plan_slug, "pro");
  // And B's own change builds on the account A left, not on what B held.
  auto cancelled = b_->billing.Cancel(after->CurrentItem()->id, false);
  ASSERT_TRUE(cancelled) << cancelled.error().message;
  auto on_a = a_->billing.GetAccount(payer);
  ASSERT_TRUE(on_a);
  EXPECT_EQ(on_a->payer.version, after->payer.version + 1);
}

TEST_F(FreshReadsAcrossNodes, AnUnchangedAccountIsAnsweredFromMemoryAfterOneVersionRead) {
  const std::string payer = NewPayer(*a_);
  ASSERT_TRUE(b_->billing.GetAccount(payer));  // read in full, then held
  ASSERT_TRUE(b_->billing.GetAccount(payer));  // the check's statement prepared
  const std::int64_t before = b_->store->round_trips();
  auto held = b_->billing.GetAccount(payer);
  ASSERT_TRUE(held);
  EXPECT_EQ(b_->store->round_trips() - before, 1) << "the version check only";
}

TEST_F(FreshReadsAcrossNodes, EntitlementsFollowAChangeMadeOnAnotherNode) {
  const std::string payer = NewPayer(*a_);
  // B started before the payer existed; it answers for it all the same.
  EXPECT_EQ(PlanEntitledOn(*b_, payer), "free");
  ASSERT_TRUE(a_->billing.Subscribe(payer, {"pro"}));
  EXPECT_EQ(PlanEntitledOn(*b_, payer), "pro");
  auto account = a_->billing.GetAccount(payer);
  ASSERT_TRUE(account);
  ASSERT_TRUE(a_->billing.Cancel(account->CurrentItem()->id, true));
  EXPECT_EQ(PlanEntitledOn(*b_, payer), "free");
  auto unknown = b_->billing.Entitlement("cpayer_nobody");
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(*unknown);
}

TEST_F(FreshReadsAcrossNodes, ATestClockAdvancedThroughOneNodeIsSeenAdvancedByTheOther) {
  auto clock = a_->test_clocks.Create(t0, "shared");
  ASSERT_TRUE(clock) << clock.error().message;
  const std::string payer = NewPayer(*a_, clock->id);
  ASSERT_TRUE(a_->billing.Subscribe(payer, {"pro"}));
  ASSERT_EQ(b_->test_clocks.Get(clock->id)->frozen_time, t0);
  auto in_trial = b_->billing.GetAccount(payer);  // held by B from here
  ASSERT_TRUE(in_trial);
  // Past the trial's end, through A: B sees the clock's new time and the trial's end.
  ASSERT_TRUE(a_->test_clocks.Advance(clock->id, t0 + 15 * kDay));
  EXPECT_EQ(b_->test_clocks.Get(clock->id)->frozen_time, t0 + 15 * kDay);
  EXPECT_EQ(b_->billing.NowFor(clock->id).value(), t0 + 15 * kDay);
  auto on_a = a_->billing.GetAccount(payer);
  auto on_b = b_->billing.GetAccount(payer);
  ASSERT_TRUE(on_a && on_b);
  EXPECT_GT(on_b->payer.version, in_trial->payer.version);
  EXPECT_EQ(on_b->payer.version, on_a->payer.version);
  // And back the other way: advanced through B, seen by A.
  ASSERT_TRUE(b_->test_clocks.Advance(clock->id, t0 + 20 * kDay));
  EXPECT_EQ(a_->test_clocks.Get(clock->id)->frozen_time, t0 + 20 * kDay);
  EXPECT_EQ(a_->billing.NowFor(clock->id).value(), t0 + 20 * kDay);
}

TEST_F(FreshReadsAcrossNodes, ACatalogReloadOnOneNodeIsFollowedByTheOther) {
  WritePlans(kPlansWithTeam);
  auto reloaded = a_->catalog.Reload();
  ASSERT_TRUE(reloaded && reloaded->ok());
  ASSERT_NE(a_->catalog.Current()->FindPlan("team"), nullptr);
  ASSERT_EQ(b_->catalog.Current()->FindPlan("team"), nullptr);
  auto followed = b_->catalog.Follow();
  ASSERT_TRUE(followed) << followed.error().message;
  EXPECT_TRUE(*followed);
  EXPECT_NE(b_->catalog.Current()->FindPlan("team"), nullptr);
  // Once followed, nothing more is read until the catalog changes again.
  EXPECT_FALSE(b_->catalog.Follow().value());
}

TEST_F(FreshReadsAcrossNodes, AChangeOnAnotherNodeIsMadeAgainstTheCatalogAReloadStored) {
  const std::string payer = NewPayer(*b_);
  WritePlans(kPlansWithTeam);
  auto reloaded = a_->catalog.Reload();
  ASSERT_TRUE(reloaded && reloaded->ok());
  // B was told nothing; it follows the stored catalog before the change.
  auto subscribed = b_->billing.Subscribe(payer, {"team"});
  ASSERT_TRUE(subscribed) << subscribed.error().message;
  EXPECT_EQ(b_->catalog.Current()->FindPlan("team")->definition.name, "Team");
}

TEST_F(FreshReadsAcrossNodes, TheCatalogFollowerBringsAnotherNodesReloadWithoutAsking) {
  CatalogFollower follower(b_->catalog, clock_, std::chrono::milliseconds(20));
  follower.Start();
  WritePlans(kPlansWithTeam);
  auto reloaded = a_->catalog.Reload();
  ASSERT_TRUE(reloaded && reloaded->ok());
  EXPECT_TRUE(testing::WaitUntil("B's catalog to have the team plan", [&] {
    return b_->catalog.Current()->FindPlan("team") != nullptr;
  }));
  follower.Stop();
}

}  // namespace
}  // namespace recur::fresh_reads_test
