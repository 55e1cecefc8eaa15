// The ConsoleSessionStore contract (console_session_store.h), run on every implementation:
// SqliteStore on a temporary file, PostgresStore on a temporary database of the test cluster,
// and MemoryConsoleSessionStore. On PostgreSQL, also two nodes on one database, through the
// service that signs in and checks sessions (services/sessions/console_sessions.h); on SQLite, a
// session kept across a reopening of the file.
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "base/ids.h"
#include "base/sha256.h"
#include "services/sessions/console_sessions.h"
#include "store/memory/memory_console_session_store.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/support/opened_store.h"
#include "tests/support/store_backends.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"

namespace recur::console_session_store_contract_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

using Backend = StoreBackend;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);

class ConsoleSessionStoreContractTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kMemory) {
      memory_ = std::make_unique<MemoryConsoleSessionStore>();
      sessions_ = memory_.get();
      return;
    }
    ASSERT_TRUE(opened_.Open(GetParam(), ids_, kT0));
    sessions_ = &opened_.store();
  }

  void Create(const std::string& token, const std::string& id, Instant expires_at,
              Instant now = kT0) {
    Status created = sessions_->CreateConsoleSession({Sha256Hex(token), id, now, expires_at}, now);
    ASSERT_TRUE(created) << created.error().message;
  }

  std::optional<ConsoleSession> Find(const std::string& token) {
    auto found = sessions_->FindConsoleSession(Sha256Hex(token));
    EXPECT_TRUE(found) << found.error().message;
    return found ? *found : std::nullopt;
  }

  bool End(const std::string& token) {
    auto ended = sessions_->EndConsoleSession(Sha256Hex(token));
    EXPECT_TRUE(ended) << ended.error().message;
    return ended && *ended;
  }

  SeededIdGenerator ids_{13};
  OpenedStore opened_;
  std::unique_ptr<MemoryConsoleSessionStore> memory_;
  ConsoleSessionStore* sessions_ = nullptr;
};

TEST_P(ConsoleSessionStoreContractTest, ASessionIsFoundByItsTokensHashWithWhatWasKept) {
  Create("cs_one", "csess_1", kT0 + hours(8));
  const std::optional<ConsoleSession> found = Find("cs_one");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->token_hash, Sha256Hex("cs_one"));
  EXPECT_EQ(found->id, "csess_1");
  EXPECT_EQ(found->created_at, kT0);
  EXPECT_EQ(found->expires_at, kT0 + hours(8));
  EXPECT_FALSE(Find("cs_two"));
}

TEST_P(ConsoleSessionStoreContractTest, AnExpiredSessionIsStillFoundForTheCallerToJudge) {
  Create("cs_old", "csess_old", kT0 + minutes(1));
  const std::optional<ConsoleSession> found = Find("cs_old");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->expires_at, kT0 + minutes(1));
}

TEST_P(ConsoleSessionStoreContractTest, EndingASessionEndsThatOneAloneAndSaysWhetherItWasThere) {
  Create("cs_a", "csess_a", kT0 + hours(1));
  Create("cs_b", "csess_b", kT0 + hours(1));
  EXPECT_TRUE(End("cs_a"));
  EXPECT_FALSE(Find("cs_a"));
  EXPECT_TRUE(Find("cs_b"));
  EXPECT_FALSE(End("cs_a"));
  EXPECT_FALSE(End("cs_never"));
}

TEST_P(ConsoleSessionStoreContractTest, CreatingASessionDeletesTheExpiredOnesOnly) {
  Create("cs_expired", "csess_expired", kT0 + minutes(1));
  Create("cs_alive", "csess_alive", kT0 + hours(3));
  Create("cs_new", "csess_new", kT0 + hours(4), kT0 + hours(2));
  EXPECT_FALSE(Find("cs_expired"));
  EXPECT_TRUE(Find("cs_alive"));
  EXPECT_TRUE(Find("cs_new"));
}

INSTANTIATE_TEST_SUITE_P(Backends, ConsoleSessionStoreContractTest,
                         ::testing::Values(Backend::kSqlite, Backend::kMemory, Backend::kPostgres),
                         StoreBackendName);

bool AnyKey(std::string_view presented) { return presented == "sk_test_console"; }

// A sign-in outlives the process: the same file opened again still knows the session.
TEST(ConsoleSessionsOnSqliteTest, ASessionHoldsAcrossAReopeningOfTheDatabase) {
  TemporaryDatabase database;
  SeededIdGenerator ids(5);
  ManualClock clock(kT0);
  std::string token;
  {
    auto store = SqliteStore::Open(database.path(), ids, kT0);
    ASSERT_TRUE(store) << store.error().message;
    ConsoleSessions sessions(**store, clock, hours(8), AnyKey);
    auto made = sessions.SignIn("sk_test_console");
    ASSERT_TRUE(made) << made.error().message;
    token = made->token;
  }
  auto reopened = SqliteStore::Open(database.path(), ids, kT0);
  ASSERT_TRUE(reopened) << reopened.error().message;
  ConsoleSessions sessions(**reopened, clock, hours(8), AnyKey);
  auto found = sessions.Find(token);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_TRUE(*found);
}

// Two nodes on one PostgreSQL database, each with its own store and service: what one does
// holds on the other from its next request on.
TEST(ConsoleSessionsOnTwoNodesTest, ASignInOnOneNodeWorksOnTheOtherAndASignOutHoldsThereAtOnce) {
  TemporaryPostgresDatabase database;
  ASSERT_TRUE(database.ok()) << database.error();
  SeededIdGenerator ids(7);
  auto node_a = PostgresStore::Open(database.settings(), ids, kT0);
  ASSERT_TRUE(node_a) << node_a.error().message;
  auto node_b = PostgresStore::Open(database.settings(), ids, kT0);
  ASSERT_TRUE(node_b) << node_b.error().message;
  ManualClock clock(kT0);
  ConsoleSessions sessions_a(**node_a, clock, hours(8), AnyKey);
  ConsoleSessions sessions_b(**node_b, clock, hours(8), AnyKey);

  auto made = sessions_a.SignIn("sk_test_console");
  ASSERT_TRUE(made) << made.error().message;
  auto on_b = sessions_b.Find(made->token);
  ASSERT_TRUE(on_b) << on_b.error().message;
  ASSERT_TRUE(*on_b);
  EXPECT_EQ((*on_b)->id, made->session.id);
  EXPECT_EQ((*on_b)->csrf_token, made->session.csrf_token);

  ASSERT_TRUE(sessions_b.End(made->token));
  auto after = sessions_a.Find(made->token);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_FALSE(*after);
}

}  // namespace
}  // namespace recur::console_session_store_contract_test
