// The PayerSessionStore contract (payer_session_store.h), run on every implementation: SqliteStore
// on a temporary file, PostgresStore on a temporary database of the test cluster, and
// MemoryPayerSessionStore. On PostgreSQL, also two nodes on one database, through the service
// that mints and checks sessions (services/sessions/payer_sessions.h).
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "base/ids.h"
#include "base/sha256.h"
#include "services/sessions/payer_sessions.h"
#include "store/memory/memory_payer_session_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/new_payer.h"
#include "tests/support/opened_store.h"
#include "tests/support/store_backends.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"

namespace recur::payer_session_store_contract_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

using Backend = StoreBackend;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);

class PayerSessionStoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kMemory) {
      memory_ = std::make_unique<MemoryPayerSessionStore>();
      sessions_ = memory_.get();
      return;
    }
    ASSERT_TRUE(opened_.Open(GetParam(), ids_, kT0));
    sessions_ = &opened_.store();
  }

  void Create(const std::string& token, const std::string& payer, Instant expires_at,
              Instant now = kT0) {
    Status created = sessions_->CreatePayerSession({Sha256Hex(token), payer, now, expires_at}, now);
    ASSERT_TRUE(created) << created.error().message;
  }

  std::optional<PayerSession> Find(const std::string& token) {
    auto found = sessions_->FindPayerSession(Sha256Hex(token));
    EXPECT_TRUE(found) << found.error().message;
    return found ? *found : std::nullopt;
  }

  SeededIdGenerator ids_{11};
  OpenedStore opened_;
  std::unique_ptr<MemoryPayerSessionStore> memory_;
  PayerSessionStore* sessions_ = nullptr;
};

TEST_P(PayerSessionStoreContractTest, ASessionIsFoundByItsTokensHashWithWhatWasKept) {
  Create("ps_one", "cpayer_a", kT0 + hours(1));
  const std::optional<PayerSession> found = Find("ps_one");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->token_hash, Sha256Hex("ps_one"));
  EXPECT_EQ(found->payer_id, "cpayer_a");
  EXPECT_EQ(found->created_at, kT0);
  EXPECT_EQ(found->expires_at, kT0 + hours(1));
  EXPECT_FALSE(Find("ps_two"));
}

TEST_P(PayerSessionStoreContractTest, AnExpiredSessionIsStillFoundForTheCallerToJudge) {
  Create("ps_old", "cpayer_a", kT0 + minutes(1));
  const std::optional<PayerSession> found = Find("ps_old");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->expires_at, kT0 + minutes(1));
}

TEST_P(PayerSessionStoreContractTest, RevokingEndsEverySessionOfThePayerAndNoOther) {
  Create("ps_a1", "cpayer_a", kT0 + hours(1));
  Create("ps_a2", "cpayer_a", kT0 + hours(2));
  Create("ps_b1", "cpayer_b", kT0 + hours(1));
  auto revoked = sessions_->RevokePayerSessions("cpayer_a");
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(*revoked, 2);
  EXPECT_FALSE(Find("ps_a1"));
  EXPECT_FALSE(Find("ps_a2"));
  EXPECT_TRUE(Find("ps_b1"));
  auto again = sessions_->RevokePayerSessions("cpayer_a");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, 0);
}

TEST_P(PayerSessionStoreContractTest, CreatingASessionDeletesThePayersExpiredOnesOnly) {
  Create("ps_expired", "cpayer_a", kT0 + minutes(1));
  Create("ps_alive", "cpayer_a", kT0 + hours(3));
  Create("ps_other_expired", "cpayer_b", kT0 + minutes(1));
  Create("ps_new", "cpayer_a", kT0 + hours(4), kT0 + hours(2));
  EXPECT_FALSE(Find("ps_expired"));
  EXPECT_TRUE(Find("ps_alive"));
  EXPECT_TRUE(Find("ps_new"));
  EXPECT_TRUE(Find("ps_other_expired"));  // another payer's: left for its own next session
}

INSTANTIATE_TEST_SUITE_P(Backends, PayerSessionStoreContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kMemory, Backend::kPostgres),
                         StoreBackendName);

// Two nodes on one PostgreSQL database, each with its own store and service: what one does
// holds on the other from its next request on.
TEST(PayerSessionsOnTwoNodesTest, ASessionMadeOnOneNodeWorksOnTheOtherAndARevokeHoldsThereAtOnce) {
  TemporaryPostgresDatabase database;
  ASSERT_TRUE(database.ok()) << database.error();
  SeededIdGenerator ids(3);
  auto node_a = PostgresStore::Open(database.settings(), ids, kT0);
  ASSERT_TRUE(node_a) << node_a.error().message;
  auto node_b = PostgresStore::Open(database.settings(), ids, kT0);
  ASSERT_TRUE(node_b) << node_b.error().message;
  const Account payer = NewPayerAccount(ids, "user_1", kT0);
  AccountStore& accounts_a = **node_a;
  ASSERT_TRUE(accounts_a.SaveTransition(nullptr, payer, {}, {}));
  ManualClock clock(kT0);
  PayerSessions sessions_a(**node_a, **node_a, clock);
  PayerSessions sessions_b(**node_b, **node_b, clock);

  auto made = sessions_a.Create(payer.payer.id, hours(1));
  ASSERT_TRUE(made) << made.error().message;
  auto on_b = sessions_b.PayerOf(made->token);
  ASSERT_TRUE(on_b) << on_b.error().message;
  EXPECT_EQ(*on_b, payer.payer.id);

  auto revoked = sessions_a.RevokeAll(payer.payer.id);
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(*revoked, 1);
  auto after = sessions_b.PayerOf(made->token);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_FALSE(*after);
}

}  // namespace
}  // namespace recur::payer_session_store_contract_test
