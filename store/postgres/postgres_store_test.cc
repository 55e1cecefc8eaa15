// What the PostgreSQL store does beyond the contracts its contract tests check: migrations
// (applied once under a lock, however many nodes start at once; edited ones refused), the schema
// agreeing with the domain, and settings. On a temporary database of the test cluster.
#include "store/postgres/postgres_store.h"

#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/enum_names.h"
#include "store/postgres/postgres_migration.h"
#include "tests/support/temporary_postgres.h"

namespace recur::postgres_store_test {
namespace {

using ::testing::HasSubstr;

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(database_.ok()) << database_.error(); }

  std::unique_ptr<PgConnection> Connect() {
    auto connection = PgConnection::Open(database_.settings().connection);
    EXPECT_TRUE(connection) << connection.error().message;
    return connection ? std::move(*connection) : nullptr;
  }
  std::int64_t CountOf(const std::string& sql) {
    auto connection = Connect();
    return Required(connection->Exec({"counting"}, sql)).Int64(0, 0);
  }

  TemporaryPostgresDatabase database_;
  SeededIdGenerator ids_{7};
  const Instant t0_ = FromUnixMillis(1'700'000'000'000);
};

TEST_F(PostgresStoreTest, MigrationsApplyOnceAndEditedOnesAreRefused) {
  auto connection = Connect();
  ASSERT_NE(connection, nullptr);
  const Migration v1[] = {{1, "0001_a.sql", "CREATE TABLE a (x bigint);"}};
  EXPECT_EQ(ApplyPostgresMigrations(*connection, v1, t0_).value(), 1);
  EXPECT_EQ(ApplyPostgresMigrations(*connection, v1, t0_).value(), 0);

  const Migration v2[] = {v1[0], {2, "0002_b.sql", "CREATE TABLE b (y bigint);"}};
  EXPECT_EQ(ApplyPostgresMigrations(*connection, v2, t0_).value(), 1);
  EXPECT_EQ(CountOf("SELECT count(*) FROM schema_migrations"), 2);

  const Migration edited[] = {{1, "0001_a.sql", "CREATE TABLE a (x text);"}, v2[1]};
  auto refused = ApplyPostgresMigrations(*connection, edited, t0_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "schema_changed");
  EXPECT_THAT(refused.error().message, HasSubstr("0001_a.sql differs from the one applied"));

  auto too_new = ApplyPostgresMigrations(*connection, v1, t0_);
  ASSERT_FALSE(too_new);
  EXPECT_EQ(too_new.error().code, "schema_too_new");
}

TEST_F(PostgresStoreTest, AFailingMigrationLeavesNoTrace) {
  auto connection = Connect();
  ASSERT_NE(connection, nullptr);
  const Migration broken[] = {
      {1, "0001_a.sql", "CREATE TABLE a (x bigint); INSERT INTO nowhere VALUES (1);"}};
  auto failed = ApplyPostgresMigrations(*connection, broken, t0_);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "migration_failed");
  EXPECT_THAT(failed.error().message, HasSubstr("0001_a.sql"));
  EXPECT_EQ(CountOf("SELECT count(*) FROM pg_tables WHERE tablename = 'a'"), 0);
  EXPECT_EQ(CountOf("SELECT count(*) FROM schema_migrations"), 0);
  // The connection is usable again: the next run applies a good migration.
  const Migration fixed[] = {{1, "0001_a.sql", "CREATE TABLE a (x bigint);"}};
  EXPECT_EQ(ApplyPostgresMigrations(*connection, fixed, t0_).value(), 1);
}

TEST_F(PostgresStoreTest, NodesStartingTogetherApplyEachMigrationOnce) {
  constexpr int kNodes = 4;
  std::vector<std::thread> nodes;
  std::vector<Status> opened(kNodes);
  std::vector<std::unique_ptr<SeededIdGenerator>> ids;
  for (int node = 0; node < kNodes; ++node)
    ids.push_back(std::make_unique<SeededIdGenerator>(node + 1));
  for (int node = 0; node < kNodes; ++node) {
    nodes.emplace_back([&, node] {
      auto store = PostgresStore::Open(database_.settings(2), *ids[node], t0_);
      if (store) {
        opened[node] = Ok();
      } else {
        opened[node] = std::unexpected(store.error());
      }
    });
  }
  for (std::thread& node : nodes) node.join();
  for (const Status& node : opened) EXPECT_TRUE(node) << node.error().message;
  const std::int64_t embedded = static_cast<std::int64_t>(EmbeddedPostgresMigrations().size());
  EXPECT_EQ(CountOf("SELECT count(*) FROM schema_migrations"), embedded);
  EXPECT_EQ(CountOf("SELECT count(DISTINCT version) FROM schema_migrations"), embedded);
}

TEST_F(PostgresStoreTest, ADatabaseOfANewerRecurIsRefused) {
  { ASSERT_TRUE(PostgresStore::Open(database_.settings(), ids_, t0_)); }
  {
    auto connection = Connect();
    ASSERT_TRUE(connection->Script(
        {"recording a future migration"},
        "INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', 'x', 0)"));
  }
  auto refused = PostgresStore::Open(database_.settings(), ids_, t0_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kFailedPrecondition);
  EXPECT_EQ(refused.error().code, "schema_too_new");
}

// The schema's one-current-item index is the domain's rule (IsCurrentStatus) as it stood when
// the migration was written; queries use the rule itself. They must agree.
TEST_F(PostgresStoreTest, TheOneCurrentItemIndexListsTheDomainsCurrentStatuses) {
  { ASSERT_TRUE(PostgresStore::Open(database_.settings(), ids_, t0_)); }
  auto connection = Connect();
  const std::string index =
      Required(connection->Exec({"reading the index"},
                                "SELECT indexdef FROM pg_indexes WHERE indexname = "
                                "'one_current_item'"))
          .Text(0, 0);
  ASSERT_THAT(index, HasSubstr("WHERE (status = ANY ("));
  for (ItemStatus status : EnumValues<ItemStatus>(ItemStatusName)) {
    const std::string quoted = "'" + std::string(ItemStatusName(status)) + "'";
    EXPECT_EQ(index.find(quoted) != std::string::npos, IsCurrentStatus(status)) << quoted;
  }
}

// A transition's statements go out in one pipeline with its BEGIN, then the commit: two round
// trips, however many rows it writes.
TEST_F(PostgresStoreTest, ATransitionCostsTwoRoundTripsHoweverManyRowsItWrites) {
  auto opened = PostgresStore::Open(database_.settings(1), ids_, t0_);
  ASSERT_TRUE(opened) << opened.error().message;
  PostgresStore& store = **opened;
  const auto save_payer = [&](int events, int work) {
    Account account;
    account.payer.id = ids_.NewId("cpayer");
    account.payer.external_id = account.payer.id;
    account.payer.email = "payer@example.com";
    account.payer.subscription_id = ids_.NewId("csub");
    account.payer.created_at = t0_;
    std::vector<StoredEvent> stored;
    for (int i = 0; i < events; ++i) {
      const std::string id = ids_.NewId("evt");
      stored.push_back({id, "test.event", account.payer.id, t0_, R"({"id":")" + id + R"("})"});
    }
    std::vector<DueWork> scheduled(static_cast<std::size_t>(work));
    for (DueWork& piece : scheduled) {
      piece.payer_id = account.payer.id;
      piece.item_id = "csub_item_x";
      piece.due_at = piece.reference = t0_;
    }
    const std::int64_t before = store.round_trips();
    EXPECT_TRUE(store.SaveTransition(nullptr, account, stored, scheduled, {}));
    return store.round_trips() - before;
  };
  (void)save_payer(1, 0);  // the first of an event type makes its body dictionary
  EXPECT_EQ(save_payer(1, 1), 2);
  EXPECT_EQ(save_payer(20, 10), 2);

  // Completing the ten pieces of the last payer, their leases checked, costs no more.
  const std::vector<DueWork> due = store.DueWorkUntil(t0_, std::nullopt, -1).value();
  ASSERT_FALSE(due.empty());
  const std::string payer_id = due.back().payer_id;
  std::vector<DueWork> completes;
  for (const DueWork& piece : due) {
    if (piece.payer_id == payer_id) completes.push_back(piece);
  }
  ASSERT_EQ(completes.size(), 10u);
  const Account before = *store.LoadAccount(payer_id).value();
  const std::int64_t round_trips = store.round_trips();
  ASSERT_TRUE(store.SaveTransition(&before, before, {}, {}, completes));
  EXPECT_EQ(store.round_trips() - round_trips, 2);
}

TEST_F(PostgresStoreTest, KeepsSettings) {
  auto store = PostgresStore::Open(database_.settings(), ids_, t0_);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->GetSetting("k").value(), std::nullopt);
  ASSERT_TRUE((*store)->PutSetting("k", "v1"));
  ASSERT_TRUE((*store)->PutSetting("k", "v2"));
  EXPECT_EQ((*store)->GetSetting("k").value(), "v2");
}

}  // namespace
}  // namespace recur::postgres_store_test
