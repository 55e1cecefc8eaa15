// Idempotency keys with several nodes on one PostgreSQL database (idempotency_store.h, "When
// another instance's claim is over"): two PostgresStores on one temporary database, each a node.
// Leases are short where a test needs one to lapse, and the test waits for the lapse by asking
// again (never by timing an assertion); elsewhere they are long enough never to lapse.
#include <chrono>
#include <memory>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/ids.h"
#include "store/idempotent_request_scope.h"
#include "store/postgres/postgres_store.h"
#include "tests/support/new_payer.h"
#include "tests/support/temporary_postgres.h"
#include "tests/support/wait.h"

namespace recur::postgres_idempotency_nodes_test {
namespace {

using Outcome = IdempotencyClaim::Outcome;
using std::chrono::hours;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);
constexpr auto kRetention = hours(24);
constexpr auto kLongLease = hours(1);          // never lapses during a test
constexpr auto kShortLease = milliseconds(1);  // lapses at once

class PostgresIdempotencyNodesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(database_.ok()) << database_.error();
    for (std::unique_ptr<PostgresStore>* node : {&node_a_, &node_b_}) {
      auto opened = PostgresStore::Open(database_.settings(), ids_, kT0);
      ASSERT_TRUE(opened) << opened.error().message;
      *node = std::move(*opened);
    }
  }

  static IdempotencyClaim Claim(PostgresStore& node, const std::string& instance,
                                std::chrono::milliseconds lease = kLongLease,
                                const std::string& key = "k") {
    auto claim = node.ClaimIdempotencyKey(key, "hash", instance, kT0, kRetention, lease);
    EXPECT_TRUE(claim) << claim.error().message;
    return claim ? *claim : IdempotencyClaim{};
  }

  // Node B's claim of "k", asked again until the claim it finds (node A's, under a short lease)
  // has lapsed: what B gets then. Bounded, so a lease that never lapses fails the test.
  IdempotencyClaim ClaimOnBOnceALapsed() {
    IdempotencyClaim claim;
    EXPECT_TRUE(testing::WaitUntil("node A's lease on k to lapse for node B", [&] {
      claim = Claim(*node_b_, "node_b");
      return claim.outcome != Outcome::kInProgress;
    }));
    return claim;
  }

  // Asks the database, by its own clock, until the lease on "k" has lapsed (bounded).
  void WaitUntilTheLeaseOfKLapsed() {
    auto connection = PgConnection::Open(database_.settings().connection);
    ASSERT_TRUE(connection) << connection.error().message;
    ASSERT_TRUE(testing::WaitUntil("the lease on k to lapse", [&] {
      auto lapsed = (*connection)
                        ->Exec({"reading a lease"},
                               "SELECT lease_expires_at <= (extract(epoch FROM clock_timestamp()) "
                               "* 1000)::bigint FROM idempotency_keys WHERE key = 'k'");
      EXPECT_TRUE(lapsed) << lapsed.error().message;
      return lapsed && lapsed->Bool(0, 0);
    }));
  }

  // Stores a new payer through `node`, as a keyed request's change would.
  Status NewPayer(PostgresStore& node, const std::string& external_id, std::string* id = nullptr) {
    const Account account = NewPayerAccount(ids_, external_id, kT0);
    if (id != nullptr) *id = account.payer.id;
    return node.SaveTransition(nullptr, account, {}, {}, {});
  }

  bool PayerExists(const std::string& external_id) {
    auto found = node_b_->FindPayerId(PayerType::kUser, external_id);
    EXPECT_TRUE(found) << found.error().message;
    return found && found->has_value();
  }

  TemporaryPostgresDatabase database_;  // outlives the nodes
  SeededIdGenerator ids_{11};
  std::unique_ptr<PostgresStore> node_a_;
  std::unique_ptr<PostgresStore> node_b_;
};

TEST_F(PostgresIdempotencyNodesTest, AnotherNodesClaimIsInProgressWhileItsLeaseRuns) {
  EXPECT_EQ(Claim(*node_a_, "node_a").outcome, Outcome::kClaimed);
  const IdempotencyClaim on_b = Claim(*node_b_, "node_b");
  EXPECT_EQ(on_b.outcome, Outcome::kInProgress);
  EXPECT_TRUE(on_b.held_by_another_instance);
  // Still A's: B's asking took nothing over.
  const IdempotencyClaim on_a = Claim(*node_a_, "node_a");
  EXPECT_EQ(on_a.outcome, Outcome::kInProgress);
  EXPECT_FALSE(on_a.held_by_another_instance);
  ASSERT_TRUE(node_a_->CompleteIdempotencyKey("k", "node_a", 201, "from a"));
  EXPECT_EQ(Claim(*node_b_, "node_b").body, "from a");
}

TEST_F(PostgresIdempotencyNodesTest, AClaimWhoseLeaseLapsedIsTakenOverByAnotherNode) {
  EXPECT_EQ(Claim(*node_a_, "node_a", kShortLease).outcome, Outcome::kClaimed);
  EXPECT_EQ(ClaimOnBOnceALapsed().outcome, Outcome::kClaimed);
  // Now B's, under B's lease.
  const IdempotencyClaim on_a = Claim(*node_a_, "node_a");
  EXPECT_EQ(on_a.outcome, Outcome::kInProgress);
  EXPECT_TRUE(on_a.held_by_another_instance);
}

TEST_F(PostgresIdempotencyNodesTest, AChangeWhoseNodesLeaseLapsedIsRecoveredByTheNodeTakingOver) {
  EXPECT_EQ(Claim(*node_a_, "node_a").outcome, Outcome::kClaimed);
  std::string payer;
  {
    IdempotentRequestScope scope("k", "node_a");
    ASSERT_TRUE(NewPayer(*node_a_, "user_a", &payer));
  }
  // A stops renewing (it died before answering): its lease runs out.
  ASSERT_TRUE(node_a_->RenewIdempotencyClaims({"k"}, "node_a", kShortLease));
  const IdempotencyClaim taken = ClaimOnBOnceALapsed();
  EXPECT_EQ(taken.outcome, Outcome::kRecover);
  EXPECT_EQ(taken.made, payer);
}

TEST_F(PostgresIdempotencyNodesTest, ALateChangeOfANodeWhoseLeaseLapsedIsRefusedAndStoresNothing) {
  EXPECT_EQ(Claim(*node_a_, "node_a", kShortLease).outcome, Outcome::kClaimed);
  EXPECT_EQ(ClaimOnBOnceALapsed().outcome, Outcome::kClaimed);
  // A wakes (it was paused past its lease) and makes the request's change.
  Status late;
  {
    IdempotentRequestScope scope("k", "node_a");
    late = NewPayer(*node_a_, "user_a");
  }
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(late.error().code, "idempotency_claim_lapsed");
  EXPECT_THAT(late.error().message, HasSubstr("Idempotency-Key \"k\""));
  EXPECT_THAT(late.error().message, HasSubstr("the change was not made"));
  EXPECT_FALSE(PayerExists("user_a"));
  // B's change for the key is the one recorded, and B's answer the one kept.
  std::string payer;
  {
    IdempotentRequestScope scope("k", "node_b");
    ASSERT_TRUE(NewPayer(*node_b_, "user_b", &payer));
  }
  ASSERT_TRUE(node_b_->CompleteIdempotencyKey("k", "node_b", 201, payer));
  EXPECT_TRUE(PayerExists("user_b"));
  EXPECT_EQ(Claim(*node_a_, "node_a").body, payer);
}

TEST_F(PostgresIdempotencyNodesTest, AChangeAfterTheLeaseLapsedIsRefusedEvenWithNoOneTakingOver) {
  EXPECT_EQ(Claim(*node_a_, "node_a", kShortLease).outcome, Outcome::kClaimed);
  WaitUntilTheLeaseOfKLapsed();
  Status late;
  {
    IdempotentRequestScope scope("k", "node_a");
    late = NewPayer(*node_a_, "user_a");
  }
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, "idempotency_claim_lapsed");
  EXPECT_FALSE(PayerExists("user_a"));
  // The key made nothing: B runs the request afresh.
  EXPECT_EQ(Claim(*node_b_, "node_b").outcome, Outcome::kClaimed);
}

TEST_F(PostgresIdempotencyNodesTest, ALateAnswerDoesNotOverwriteTheAnswerOfTheNodeThatTookOver) {
  EXPECT_EQ(Claim(*node_a_, "node_a", kShortLease).outcome, Outcome::kClaimed);
  EXPECT_EQ(ClaimOnBOnceALapsed().outcome, Outcome::kClaimed);
  // A's late release gives up nothing: B still holds the key.
  ASSERT_TRUE(node_a_->ReleaseIdempotencyKey("k", "node_a"));
  EXPECT_EQ(Claim(*node_a_, "node_a").outcome, Outcome::kInProgress);
  ASSERT_TRUE(node_b_->CompleteIdempotencyKey("k", "node_b", 201, "from b"));
  ASSERT_TRUE(node_a_->CompleteIdempotencyKey("k", "node_a", 200, "from a"));
  const IdempotencyClaim answered = Claim(*node_a_, "node_a");
  EXPECT_EQ(answered.outcome, Outcome::kReplay);
  EXPECT_EQ(answered.status, 201);
  EXPECT_EQ(answered.body, "from b");
}

TEST_F(PostgresIdempotencyNodesTest, ARenewedClaimHoldsPastItsFirstLeaseAndOnlyItsNodeRenewsIt) {
  EXPECT_EQ(Claim(*node_a_, "node_a", kShortLease).outcome, Outcome::kClaimed);
  ASSERT_TRUE(node_a_->RenewIdempotencyClaims({"k", "unknown"}, "node_a", kLongLease));
  EXPECT_EQ(Claim(*node_b_, "node_b").outcome, Outcome::kInProgress);
  {
    IdempotentRequestScope scope("k", "node_a");
    EXPECT_TRUE(NewPayer(*node_a_, "user_a"));  // still A's: its change commits
  }
  // B's renewing a key A holds does not make it B's.
  ASSERT_TRUE(node_b_->RenewIdempotencyClaims({"k"}, "node_b", kLongLease));
  Status not_ours;
  {
    IdempotentRequestScope scope("k", "node_b");
    not_ours = NewPayer(*node_b_, "user_b");
  }
  EXPECT_FALSE(not_ours);
  EXPECT_FALSE(PayerExists("user_b"));
}

TEST_F(PostgresIdempotencyNodesTest, TheFenceOfAKeyedChangeCostsNoRoundTripOfItsOwn) {
  std::int64_t before = node_a_->round_trips();
  ASSERT_TRUE(NewPayer(*node_a_, "user_plain"));
  const std::int64_t plain = node_a_->round_trips() - before;
  EXPECT_EQ(Claim(*node_a_, "node_a").outcome, Outcome::kClaimed);
  before = node_a_->round_trips();
  {
    IdempotentRequestScope scope("k", "node_a");
    ASSERT_TRUE(NewPayer(*node_a_, "user_keyed"));
  }
  EXPECT_EQ(node_a_->round_trips() - before, plain);
}

}  // namespace
}  // namespace recur::postgres_idempotency_nodes_test
