// A dead node's leases end at once, a live one's when they lapse (pg_node_liveness.h,
// schema/postgres/0011): two PostgresStores on one temporary database, each a node. Node A
// claims a piece of due work, a webhook delivery and an idempotency key, each for an hour; then
// it dies (the store closed without giving anything back, as a killed process's connections
// are closed by its kernel), or only its lock's connection drops while it lives, or it merely
// stays quiet. Node B takes over what A held as soon as A's lock is gone, never before, and A's
// late writes under what B took are refused. The tests wait for a node's lock to go or come
// back by asking the database, never for a time.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "store/idempotent_request_scope.h"
#include "store/postgres/pg_lease_rule.h"
#include "store/postgres/postgres_store.h"
#include "tests/support/new_payer.h"
#include "tests/support/published_event.h"
#include "tests/support/temporary_postgres.h"
#include "tests/support/wait.h"

namespace recur::postgres_node_liveness_test {
namespace {

using Outcome = IdempotencyClaim::Outcome;
using std::chrono::hours;
using std::chrono::milliseconds;
using ::testing::SizeIs;

const Instant kT0 = FromUnixMillis(1'767'225'600'000);  // 2026-01-01
const Instant kLater = kT0 + hours(48);                 // when everything stored is due
constexpr auto kHour = hours(1);                        // every lease: never lapses in a test
const DeliveryLease kDeliveryLease{.per_endpoint = 0, .duration = kHour};

// What a node claimed: the work and deliveries it was handed, and whether it got the key "k".
struct Claimed {
  std::vector<DueWork> work;
  std::vector<DueDelivery> deliveries;
  Outcome key = Outcome::kMismatch;
};

// Whether a node was handed all there is: the piece, the delivery, and the key for itself.
::testing::AssertionResult GotEverything(const Claimed& claimed) {
  if (claimed.work.size() == 1 && claimed.deliveries.size() == 1 &&
      claimed.key == Outcome::kClaimed) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << claimed.work.size() << " pieces, " << claimed.deliveries.size()
         << " deliveries, the key "
         << (claimed.key == Outcome::kClaimed ? "claimed" : "not claimed");
}

// Whether a node was handed nothing, and found the key in another's hands.
::testing::AssertionResult GotNothing(const Claimed& claimed) {
  if (claimed.work.empty() && claimed.deliveries.empty() && claimed.key == Outcome::kInProgress) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << claimed.work.size() << " pieces, " << claimed.deliveries.size()
         << " deliveries, the key "
         << (claimed.key == Outcome::kInProgress ? "in progress" : "not in progress");
}

class NodeLivenessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(database_.ok()) << database_.error();
    auto admin = PgConnection::Open(database_.settings().connection);
    ASSERT_TRUE(admin) << admin.error().message;
    admin_ = std::move(*admin);
    b_ = OpenNode();
    ASSERT_NE(b_, nullptr);
  }

  std::unique_ptr<PostgresStore> OpenNode(milliseconds liveness_check = milliseconds(20)) {
    auto opened = PostgresStore::Open(database_.settings(), ids_, kT0,
                                      {.due_work_lease = kHour, .liveness_check = liveness_check});
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  // A payer with a piece of work due a day after kT0, an endpoint and an event for it: one piece
  // and one delivery to claim.
  void StoreWorkAndADelivery() {
    Account account = NewPayerAccount(ids_, "user_1", kT0);
    payer_id_ = account.payer.id;
    DueWork work;
    work.payer_id = payer_id_;
    work.item_id = "csub_item_1";
    work.due_at = work.reference = kT0 + hours(24);
    ASSERT_TRUE(b_->SaveTransition(nullptr, account, {}, {work}, {}));
    WebhookEndpoint endpoint;
    endpoint.id = ids_.NewId("wep");
    endpoint.url = "https://hooks.example.com/" + endpoint.id;
    endpoint.secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    endpoint.created_at = endpoint.updated_at = kT0;
    ASSERT_TRUE(b_->CreateWebhookEndpoint(endpoint));
    testing::PublishEvent(*b_, ids_, "subscription.created", kT0);
  }

  // The due work, the deliveries and the key "k" that `node` is handed now, each for an hour.
  static Claimed ClaimEverything(PostgresStore& node) {
    Claimed claimed;
    auto work = node.DueWorkUntil(kLater, std::nullopt, 10);
    EXPECT_TRUE(work) << work.error().message;
    if (work) claimed.work = *work;
    auto deliveries = node.DueDeliveries(kLater, 10, {}, kDeliveryLease);
    EXPECT_TRUE(deliveries) << deliveries.error().message;
    if (deliveries) claimed.deliveries = *deliveries;
    auto key = node.ClaimIdempotencyKey("k", "hash", node.node_id(), kT0, hours(24), kHour);
    EXPECT_TRUE(key) << key.error().message;
    if (key) claimed.key = key->outcome;
    return claimed;
  }

  // Whether the database holds `node_id` for dead: the rule of every take-over, asked of a
  // lease that never lapses by time.
  bool Gone(const std::string& node_id) {
    auto gone = admin_->Exec({"asking whether a node is dead"},
                             "SELECT " + LeaseLapsedSql("$1::text", "9223372036854775807"),
                             PgParams::Of(node_id));
    EXPECT_TRUE(gone) << gone.error().message;
    return gone && gone->Bool(0, 0);
  }

  // Ends the backend of the connection that holds `node_id`'s lock, as a restart of PostgreSQL
  // would, and returns once it has ended.
  void DropLockConnectionOf(const std::string& node_id) {
    auto dropped = admin_->Exec(
        {"dropping a node's lock connection"},
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(l.pid, 10000)) FROM pg_locks l "
        "JOIN nodes n ON l.objid = n.lock_key::oid WHERE n.node_id = $1 AND "
        "l.locktype = 'advisory' AND l.classid = 1380144466 AND l.objsubid = 2 AND "
        "l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        PgParams::Of(node_id));
    ASSERT_TRUE(dropped) << dropped.error().message;
    ASSERT_EQ(dropped->Int64(0, 0), 1);
  }

  // Every lease of the three kinds lapses now, by the database's clock.
  void LapseEveryLease() {
    const std::string now = "(extract(epoch FROM clock_timestamp()) * 1000)::bigint";
    for (const std::string& sql :
         {"UPDATE due_work SET lease_until = " + now + " WHERE lease_until IS NOT NULL",
          "UPDATE webhook_deliveries SET lease_until = " + now + " WHERE lease_until IS NOT NULL",
          "UPDATE idempotency_keys SET lease_expires_at = " + now}) {
      ASSERT_TRUE(admin_->Exec({"lapsing leases"}, sql)) << sql;
    }
  }

  TemporaryPostgresDatabase database_;  // outlives the nodes
  SeededIdGenerator ids_{18};
  std::unique_ptr<PgConnection> admin_;
  std::unique_ptr<PostgresStore> b_;
  std::string payer_id_;
};

TEST_F(NodeLivenessTest, ADeadNodesWorkDeliveriesAndKeysAreTakenOverAtOnce) {
  StoreWorkAndADelivery();
  std::unique_ptr<PostgresStore> a = OpenNode();
  const Claimed by_a = ClaimEverything(*a);
  ASSERT_TRUE(GotEverything(by_a));
  const Claimed while_a_lives = ClaimEverything(*b_);
  EXPECT_TRUE(GotNothing(while_a_lives));

  // A dies: its connections close without anything given back.
  const std::string a_id = a->node_id();
  a.reset();
  ASSERT_TRUE(testing::WaitUntil("node A's lock to go", [&] { return Gone(a_id); }));

  // B takes everything over, an hour before A's leases would have lapsed.
  const Claimed by_b = ClaimEverything(*b_);
  ASSERT_TRUE(GotEverything(by_b));
  EXPECT_EQ(by_b.work[0].id, by_a.work[0].id);
  EXPECT_NE(by_b.work[0].lease, by_a.work[0].lease);
  EXPECT_EQ(by_b.deliveries[0].id, by_a.deliveries[0].id);
  EXPECT_NE(by_b.deliveries[0].lease, by_a.deliveries[0].lease);
  EXPECT_FALSE(Gone(b_->node_id()));
}

TEST_F(NodeLivenessTest, ANodeThatIsOnlyQuietKeepsItsLeasesUntilTheyLapse) {
  StoreWorkAndADelivery();
  std::unique_ptr<PostgresStore> a = OpenNode();
  const Claimed by_a = ClaimEverything(*a);
  ASSERT_TRUE(GotEverything(by_a));

  // A does nothing more (paused, or slow), but its lock's connection stays open.
  EXPECT_FALSE(Gone(a->node_id()));
  const Claimed while_held = ClaimEverything(*b_);
  EXPECT_TRUE(GotNothing(while_held));

  LapseEveryLease();
  const Claimed by_b = ClaimEverything(*b_);
  EXPECT_TRUE(GotEverything(by_b));
}

TEST_F(NodeLivenessTest, ANodeThatLostItsLockWhileLivingHasItsLateWritesRefused) {
  StoreWorkAndADelivery();
  // A looks at its lock's connection once an hour: it goes on as if nothing happened.
  std::unique_ptr<PostgresStore> a = OpenNode(kHour);
  const Claimed by_a = ClaimEverything(*a);
  ASSERT_TRUE(GotEverything(by_a));

  DropLockConnectionOf(a->node_id());
  const Claimed by_b = ClaimEverything(*b_);
  ASSERT_TRUE(GotEverything(by_b));

  // A's completion of the work is refused whole.
  const Account before = *a->LoadAccount(payer_id_).value();
  const Status completed = a->SaveTransition(
      &before, before, {{"evt_late", "test.done", payer_id_, kT0, R"({"id":"evt_late"})"}}, {},
      by_a.work);
  ASSERT_FALSE(completed);
  EXPECT_EQ(completed.error().code, "work_lease_lost");
  EXPECT_EQ(b_->LoadAccount(payer_id_).value()->payer.version, before.payer.version);

  // Its attempt is kept in the log as superseded, and leaves the delivery to B.
  DeliveryAttempt attempt;
  attempt.delivery_id = by_a.deliveries[0].id;
  attempt.endpoint_id = by_a.deliveries[0].endpoint.id;
  attempt.attempt = 1;
  attempt.attempted_at = kLater;
  attempt.http_status = 200;
  attempt.delivered = true;
  attempt.lease = by_a.deliveries[0].lease;
  ASSERT_TRUE(a->RecordDeliveryAttempts({attempt}));
  const auto logged = b_->ListDeliveryAttempts(attempt.endpoint_id, 10).value();
  ASSERT_THAT(logged, SizeIs(1));
  EXPECT_TRUE(logged[0].superseded);
  EXPECT_THAT(b_->DueDeliveries(kLater, 10, {}, kDeliveryLease).value(), SizeIs(1));

  // Its change for the key is refused, and stores nothing.
  Status keyed;
  {
    IdempotentRequestScope scope("k", a->node_id());
    keyed = a->SaveTransition(nullptr, NewPayerAccount(ids_, "user_late", kT0), {}, {}, {});
  }
  ASSERT_FALSE(keyed);
  EXPECT_EQ(keyed.error().code, "idempotency_claim_lapsed");
  EXPECT_FALSE(b_->FindPayerId(PayerType::kUser, "user_late").value());
}

TEST_F(NodeLivenessTest, ANodeTakesItsLockAgainWhenItsConnectionComesBackAndKeepsWhatItClaims) {
  StoreWorkAndADelivery();
  std::unique_ptr<PostgresStore> a = OpenNode();
  DropLockConnectionOf(a->node_id());
  ASSERT_TRUE(
      testing::WaitUntil("node A to take its lock again", [&] { return !Gone(a->node_id()); }));

  const Claimed by_a = ClaimEverything(*a);
  ASSERT_TRUE(GotEverything(by_a));
  const Claimed by_b = ClaimEverything(*b_);
  EXPECT_TRUE(GotNothing(by_b));
}

TEST_F(NodeLivenessTest, ANodeThatStopsLeavesNoLockBehind) {
  std::unique_ptr<PostgresStore> a = OpenNode();
  const std::string a_id = a->node_id();
  EXPECT_FALSE(Gone(a_id));
  a.reset();
  ASSERT_TRUE(testing::WaitUntil("node A's lock to go", [&] { return Gone(a_id); }));
  // An owner that is no node at all (a claim made under another id) lapses by time alone.
  EXPECT_FALSE(Gone("run_of_no_node"));
}

}  // namespace
}  // namespace recur::postgres_node_liveness_test
