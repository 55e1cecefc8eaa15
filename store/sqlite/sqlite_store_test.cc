#include "store/sqlite/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/enum_names.h"
#include "store/sqlite/migration.h"
#include "store/sqlite/status_sql.h"
#include "tests/support/temporary_database.h"

namespace recur::sqlite_store_test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SqliteStoreTest : public ::testing::Test {
 protected:
  static PlanSource Source(std::string slug, std::int64_t amount) {
    PlanSource source;
    source.plan.slug = slug;
    source.plan.name = slug;
    source.plan.amount = amount;
    source.plan.is_default = amount == 0;
    source.plan.currency = "USD";
    source.plan.features = {{"seats", "Seats", "", FeatureLimit::Limited(5)}};
    return source;
  }

  TemporaryDatabase database_;
  SeededIdGenerator ids_{7};
  const Instant t0_ = FromUnixMillis(1'700'000'000'000);
};

TEST_F(SqliteStoreTest, SyncStoresDefinitionsAndVersionsAtomically) {
  auto store = SqliteStore::Open(database_.path(), ids_, t0_);
  ASSERT_TRUE(store) << store.error().message;
  auto first = (*store)->SyncCatalog({Source("free", 0), Source("pro", 2000)}, t0_);
  ASSERT_TRUE(first);
  EXPECT_THAT(first->changes.added, ElementsAre("free", "pro"));
  const CatalogPlan* pro = first->catalog->FindPlan("pro");
  ASSERT_NE(pro, nullptr);
  EXPECT_EQ(pro->definition, Source("pro", 2000).plan);
  EXPECT_EQ(first->catalog->CurrentVersion(*pro).amount, 2000);

  const Instant t1 = t0_ + std::chrono::hours(1);
  auto second = (*store)->SyncCatalog({Source("free", 0), Source("pro", 2500)}, t1);
  ASSERT_TRUE(second);
  EXPECT_THAT(second->changes.repriced, ElementsAre("pro"));
  const PlanVersion& current = second->catalog->CurrentVersion(*second->catalog->FindPlan("pro"));
  EXPECT_EQ(current.version, 2);
  EXPECT_EQ(current.created_at, t1);
  ASSERT_NE(second->catalog->FindVersion(pro->current_version_id), nullptr);
  EXPECT_EQ(second->catalog->FindVersion(pro->current_version_id)->amount, 2000);

  // What was stored survives reopening the file.
  store->reset();
  auto reopened = SqliteStore::Open(database_.path(), ids_, t1);
  ASSERT_TRUE(reopened);
  auto loaded = (*reopened)->LoadCatalog();
  ASSERT_TRUE(loaded);
  EXPECT_EQ((*loaded)->plans(), second->catalog->plans());
  EXPECT_EQ((*loaded)->versions(), second->catalog->versions());
}

TEST_F(SqliteStoreTest, ARefusedSyncWritesNothing) {
  auto store = SqliteStore::Open(database_.path(), ids_, t0_);
  ASSERT_TRUE(store);
  ASSERT_TRUE((*store)->SyncCatalog({Source("free", 0), Source("pro", 2000)}, t0_));
  PlanSource org = Source("pro", 3000);
  org.plan.payer_type = PayerType::kOrg;
  auto refused = (*store)->SyncCatalog({Source("free", 0), org, Source("new", 10)}, t0_);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->problems.size(), 1u);
  auto loaded = (*store)->LoadCatalog();
  ASSERT_TRUE(loaded);
  EXPECT_EQ((*loaded)->FindPlan("new"), nullptr);
  EXPECT_EQ((*loaded)->versions().size(), 2u);
}

TEST_F(SqliteStoreTest, KeepsSettings) {
  auto store = SqliteStore::Open(database_.path(), ids_, t0_);
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->GetSetting("k").value(), std::nullopt);
  ASSERT_TRUE((*store)->PutSetting("k", "v1"));
  ASSERT_TRUE((*store)->PutSetting("k", "v2"));
  EXPECT_EQ((*store)->GetSetting("k").value(), "v2");
}

TEST_F(SqliteStoreTest, MigrationsApplyOnceAndEditedOnesAreRefused) {
  SQLite::Database db(database_.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const Migration v1[] = {{1, "0001_a.sql", "CREATE TABLE a (x INTEGER);"}};
  EXPECT_EQ(ApplyMigrations(db, v1, t0_).value(), 1);
  EXPECT_EQ(ApplyMigrations(db, v1, t0_).value(), 0);

  const Migration v2[] = {v1[0], {2, "0002_b.sql", "CREATE TABLE b (y INTEGER);"}};
  EXPECT_EQ(ApplyMigrations(db, v2, t0_).value(), 1);
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt(), 2);

  const Migration edited[] = {{1, "0001_a.sql", "CREATE TABLE a (x TEXT);"}, v2[1]};
  auto refused = ApplyMigrations(db, edited, t0_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "schema_changed");
  EXPECT_THAT(refused.error().message, HasSubstr("0001_a.sql differs from the one applied"));

  auto too_new = ApplyMigrations(db, v1, t0_);
  ASSERT_FALSE(too_new);
  EXPECT_EQ(too_new.error().code, "schema_too_new");
}

TEST_F(SqliteStoreTest, AFailingMigrationLeavesNoTrace) {
  SQLite::Database db(database_.path(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  const Migration broken[] = {
      {1, "0001_a.sql", "CREATE TABLE a (x INTEGER); INSERT INTO nowhere VALUES (1);"}};
  auto failed = ApplyMigrations(db, broken, t0_);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "migration_failed");
  EXPECT_FALSE(db.tableExists("a"));
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM schema_migrations").getInt(), 0);
}

// The schema's one-current-item index is the domain's rule (IsCurrentStatus) as it stood when
// the migration was written; queries use the rule itself. They must agree.
TEST_F(SqliteStoreTest, TheOneCurrentItemIndexListsTheDomainsCurrentStatuses) {
  { ASSERT_TRUE(SqliteStore::Open(database_.path(), ids_, t0_)); }
  SQLite::Database db(database_.path(), SQLite::OPEN_READONLY);
  const std::string index =
      db.execAndGet("SELECT sql FROM sqlite_master WHERE name = 'one_current_item'").getString();
  ASSERT_THAT(index, HasSubstr("WHERE status IN ("));
  for (ItemStatus status : EnumValues<ItemStatus>(ItemStatusName)) {
    const std::string quoted = "'" + std::string(ItemStatusName(status)) + "'";
    EXPECT_EQ(index.find(quoted) != std::string::npos, IsCurrentStatus(status)) << quoted;
    EXPECT_EQ(CurrentStatusesSql().find(quoted) != std::string::npos, IsCurrentStatus(status));
  }
}

}  // namespace
}  // namespace recur::sqlite_store_test
