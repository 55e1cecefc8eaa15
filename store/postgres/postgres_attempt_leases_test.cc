// Leases on pending payment attempts and on due work across nodes (account_store.h): two
// PostgresStores on one temporary database, each a node, with the shipped plans. Node A stores
// a checkout's pending attempt; node B takes it over only once A is dead or A's lease is over,
// and then A cannot settle it. A paused node whose work another node applied meanwhile has its
// late change refused as a lost lease, not as a conflict of its own. Leases last an hour, so
// none lapses by itself; a test lapses one by the database's clock, or kills its node.
#include <chrono>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "domain/subscriptions/lifecycle.h"
#include "services/catalog/catalog_service.h"
#include "store/postgres/pg_lease_rule.h"
#include "store/postgres/postgres_store.h"
#include "tests/support/new_payer.h"
#include "tests/support/temporary_postgres.h"
#include "tests/support/wait.h"

namespace recur::postgres_attempt_leases_test {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const Instant kT0 = FromUnixMillis(1'767'225'600'000);  // 2026-01-01
const std::string kPlans = std::string(RECUR_SOURCE_DIR) + "/plans";
constexpr auto kHour = hours(1);

class AttemptLeasesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(database_.ok()) << database_.error();
    auto admin = PgConnection::Open(database_.settings().connection);
    ASSERT_TRUE(admin) << admin.error().message;
    admin_ = std::move(*admin);
    a_ = OpenNode();
    b_ = OpenNode();
    ASSERT_TRUE(a_ && b_);
    catalog_service_ = std::make_unique<CatalogService>(kPlans, *a_, clock_);
    auto reloaded = catalog_service_->Reload();
    ASSERT_TRUE(reloaded && reloaded->ok());
    catalog_ = catalog_service_->Current();
  }

  std::unique_ptr<PostgresStore> OpenNode() {
    auto opened =
        PostgresStore::Open(database_.settings(), ids_, kT0,
                            {.due_work_lease = kHour, .liveness_check = milliseconds(20)});
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  LifecycleContext Context(Instant now) { return {*catalog_, ids_, options_, now}; }

  Account Load(PostgresStore& node, const std::string& payer_id) {
    auto loaded = node.LoadAccount(payer_id);
    EXPECT_TRUE(loaded && *loaded) << "payer " << payer_id << " does not load";
    return loaded && *loaded ? **loaded : Account{};
  }

  // Applies `change` at `now` to the payer as `node` reads it, and stores it through `node`.
  template <typename ChangeFn>
  Status Change(PostgresStore& node, const std::string& payer_id, Instant now, ChangeFn&& change,
                const std::vector<DueWork>& completes_work = {}) {
    const Account before = Load(node, payer_id);
    Account after = before;
    auto transition = change(after, Context(now));
    if (!transition) return std::unexpected(transition.error());
    return node.SaveTransition(&before, after, {}, transition->scheduled, completes_work);
  }

  // A payer with a card, stored through `node`, on the Pro trial (a Pro trial: work due at
  // its end) or in a Business checkout whose attempt is pending, held by `node`.
  std::string NewPayer(PostgresStore& node, const std::string& plan) {
    Account account = NewPayerAccount(ids_, ids_.NewId("user"), kT0);
    auto started = StartPayer(account, Context(kT0));
    EXPECT_TRUE(started);
    EXPECT_TRUE(node.SaveTransition(nullptr, account, {}, started->scheduled, {}));
    const std::string payer = account.payer.id;
    EXPECT_TRUE(Change(node, payer, kT0, [&](Account& a, const LifecycleContext& context) {
      return AddPaymentMethod(
          a, {ids_.NewId("cpm"), "pm_card_visa", "visa", "4242", 12, 2034, context.now}, true,
          context);
    }));
    EXPECT_TRUE(Change(node, payer, kT0, [&](Account& a, const LifecycleContext& context) {
      return Subscribe(a, {plan}, context);
    }));
    return payer;
  }

  Status Settle(PostgresStore& node, const std::string& payer_id, const std::string& attempt_id) {
    return Change(node, payer_id, kT0, [&](Account& account, const LifecycleContext& context) {
      return ApplyChargeOutcome(account, attempt_id, {ChargeStatus::kPaid, "ch_1"}, context);
    });
  }

  // Every lease on attempts and due work lapses now, by the database's clock: as if their
  // holders had been paused past them.
  void LapseEveryLease() {
    const std::string now(kPgDatabaseNow);
    for (const char* table : {"payment_attempts", "due_work"}) {
      const std::string sql = std::string("UPDATE ") + table + " SET lease_until = " + now +
                              " WHERE lease_until IS NOT NULL";
      ASSERT_TRUE(admin_->Exec({"lapsing leases"}, sql)) << sql;
    }
  }

  bool Gone(const std::string& node_id) {
    auto gone = admin_->Exec({"asking whether a node is dead"},
                             "SELECT " + LeaseLapsedSql("$1::text", "9223372036854775807"),
                             PgParams::Of(node_id));
    return gone && gone->Bool(0, 0);
  }

  TemporaryPostgresDatabase database_;  // outlives the nodes
  SeededIdGenerator ids_{21};
  ManualClock clock_{kT0};
  LifecycleOptions options_;
  std::unique_ptr<PgConnection> admin_;
  std::unique_ptr<PostgresStore> a_;
  std::unique_ptr<PostgresStore> b_;
  std::unique_ptr<CatalogService> catalog_service_;
  std::shared_ptr<const Catalog> catalog_;
};

TEST_F(AttemptLeasesTest, ALiveNodesPendingAttemptIsLeftToItAndADeadNodesIsTakenAtOnce) {
  const std::string payer = NewPayer(*a_, "business");
  const std::string attempt = Load(*a_, payer).attempts.at(0).id;
  EXPECT_THAT(b_->TakePendingAttempts(-1).value(), IsEmpty());

  const std::string a_id = a_->node_id();
  a_.reset();  // killed between the commit and the gateway's answer
  ASSERT_TRUE(testing::WaitUntil("node A's lock to go", [&] { return Gone(a_id); }));
  EXPECT_THAT(b_->TakePendingAttempts(-1).value(), ElementsAre(TakenAttempt{payer, attempt, 0}));
  EXPECT_TRUE(Settle(*b_, payer, attempt));
  EXPECT_THAT(Load(*b_, payer).attempts, IsEmpty());
}

TEST_F(AttemptLeasesTest, APausedNodeCannotSettleAnAttemptAnotherNodeTookOver) {
  const std::string payer = NewPayer(*a_, "business");
  const std::string attempt = Load(*a_, payer).attempts.at(0).id;
  LapseEveryLease();
  ASSERT_THAT(b_->TakePendingAttempts(-1).value(), SizeIs(1));

  const Status by_a = Settle(*a_, payer, attempt);
  ASSERT_FALSE(by_a);
  EXPECT_EQ(by_a.error().code, "attempt_lease_lost");
  EXPECT_THAT(Load(*b_, payer).attempts, SizeIs(1));  // nothing of A's change stored
  EXPECT_TRUE(Settle(*b_, payer, attempt));
}

TEST_F(AttemptLeasesTest, APostponedAttemptIsNoNodesAndAnyNodeMaySettleIt) {
  const std::string payer = NewPayer(*a_, "business");
  const std::string attempt = Load(*a_, payer).attempts.at(0).id;
  ASSERT_TRUE(a_->PostponePendingAttempt(attempt, kHour));
  // B, through which the gateway's notice came, settles it; nobody took it meanwhile.
  EXPECT_THAT(b_->TakePendingAttempts(-1).value(), IsEmpty());
  EXPECT_THAT(a_->TakePendingAttempts(-1).value(), IsEmpty());
  EXPECT_TRUE(Settle(*b_, payer, attempt));
}

TEST_F(AttemptLeasesTest, APostponementByANodeThatNoLongerHoldsTheAttemptChangesNothing) {
  const std::string payer = NewPayer(*a_, "business");
  const std::string attempt = Load(*a_, payer).attempts.at(0).id;
  LapseEveryLease();
  ASSERT_THAT(b_->TakePendingAttempts(-1).value(), SizeIs(1));
  ASSERT_TRUE(a_->PostponePendingAttempt(attempt, milliseconds(0)));
  // Still B's: neither node is handed it.
  EXPECT_THAT(a_->TakePendingAttempts(-1).value(), IsEmpty());
  EXPECT_THAT(b_->TakePendingAttempts(-1).value(), IsEmpty());
}

TEST_F(AttemptLeasesTest, APausedNodesConversionAnotherNodeAppliedIsRefusedAsALostLease) {
  const std::string payer = NewPayer(*a_, "pro");
  const Instant later = kT0 + hours(24 * 60);
  const auto trial_end = [](const std::vector<DueWork>& work) {
    for (const DueWork& piece : work) {
      if (piece.kind == DueKind::kTrialEnd) return piece;
    }
    ADD_FAILURE() << "no trial end among " << work.size() << " pieces";
    return DueWork{};
  };
  // The conversion as a node makes it: the account read, the trial's end run, the piece
  // completed in the same change.
  const auto convert = [&](PostgresStore& node, const DueWork& piece) -> Status {
    const Account before = Load(node, payer);
    Account after = before;
    auto transition = RunDueWork(after, piece, Context(piece.due_at));
    if (!transition) return std::unexpected(transition.error());
    return node.SaveTransition(&before, after, {}, transition->scheduled, {piece});
  };

  const DueWork read_by_a = trial_end(a_->DueWorkUntil(later, std::nullopt, 100).value());
  const Account read_before_the_pause = Load(*a_, payer);
  Account a_after = read_before_the_pause;
  auto a_transition = RunDueWork(a_after, read_by_a, Context(read_by_a.due_at));
  ASSERT_TRUE(a_transition) << a_transition.error().message;

  // A pauses past its lease; B takes the work over and converts the payer.
  LapseEveryLease();
  const DueWork read_by_b = trial_end(b_->DueWorkUntil(later, std::nullopt, 100).value());
  ASSERT_EQ(read_by_b.id, read_by_a.id);
  ASSERT_TRUE(convert(*b_, read_by_b));

  // A wakes and commits its conversion: it meets B's (the payer's version, the attempt's
  // idempotency key) and is told its lease was lost, not that it made a conflict of its own.
  const Status by_a =
      a_->SaveTransition(&read_before_the_pause, a_after, {}, a_transition->scheduled, {read_by_a});
  ASSERT_FALSE(by_a);
  EXPECT_EQ(by_a.error().code, "work_lease_lost");
}

}  // namespace
}  // namespace recur::postgres_attempt_leases_test
