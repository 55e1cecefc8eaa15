#include "store/sqlite/statement_cache.h"

#include <gtest/gtest.h>

namespace recur::statement_cache_test {
namespace {

class StatementCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.exec("CREATE TABLE t (n INTEGER)");
    db_.exec("INSERT INTO t VALUES (1), (2), (3)");
  }
  SQLite::Database db_{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  StatementCache cache_{db_};
};

TEST_F(StatementCacheTest, HandsBackTheSameStatementResetAndUnbound) {
  CurrentStatementCache current(cache_);
  const SQLite::Statement* first = nullptr;
  {
    StatementLease lease = Prepared(db_, "SELECT n FROM t WHERE n >= ? ORDER BY n");
    lease->bind(1, 2);
    ASSERT_TRUE(lease->executeStep());  // stopped halfway: the lease's end must reset it
    EXPECT_EQ(lease->getColumn(0).getInt(), 2);
    first = &*lease;
  }
  StatementLease again = Prepared(db_, "SELECT n FROM t WHERE n >= ? ORDER BY n");
  EXPECT_EQ(&*again, first);
  // Unbound, the parameter is NULL: nothing is >= NULL.
  EXPECT_FALSE(again->executeStep());
}

TEST_F(StatementCacheTest, TheSameSqlInUseTwiceGetsTwoStatements) {
  CurrentStatementCache current(cache_);
  StatementLease outer = Prepared(db_, "SELECT n FROM t ORDER BY n");
  StatementLease inner = Prepared(db_, "SELECT n FROM t ORDER BY n");
  EXPECT_NE(&*outer, &*inner);
  ASSERT_TRUE(outer->executeStep());
  ASSERT_TRUE(inner->executeStep());
  ASSERT_TRUE(inner->executeStep());
  ASSERT_TRUE(outer->executeStep());
  EXPECT_EQ(outer->getColumn(0).getInt(), 2);
  EXPECT_EQ(inner->getColumn(0).getInt(), 2);
}

TEST_F(StatementCacheTest, WithoutACurrentCacheOrForAnotherConnectionStatementsAreOwn) {
  const SQLite::Statement* cached = nullptr;
  {
    CurrentStatementCache current(cache_);
    cached = &*Prepared(db_, "SELECT n FROM t");
  }
  EXPECT_NE(&*Prepared(db_, "SELECT n FROM t"), cached);  // no current cache
  SQLite::Database other(":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  other.exec("CREATE TABLE t (n INTEGER)");
  CurrentStatementCache current(cache_);
  StatementLease lease = Prepared(other, "SELECT n FROM t");
  EXPECT_FALSE(lease->executeStep());  // ran on `other`, whose table is empty
}

TEST_F(StatementCacheTest, AFailedStepDoesNotPoisonTheNextUse) {
  db_.exec("CREATE TABLE u (n INTEGER UNIQUE)");
  CurrentStatementCache current(cache_);
  {
    StatementLease insert = Prepared(db_, "INSERT INTO u VALUES (?)");
    insert->bind(1, 1);
    insert->exec();
  }
  {
    StatementLease insert = Prepared(db_, "INSERT INTO u VALUES (?)");
    insert->bind(1, 1);
    EXPECT_THROW(insert->exec(), SQLite::Exception);
  }
  StatementLease insert = Prepared(db_, "INSERT INTO u VALUES (?)");
  insert->bind(1, 2);
  EXPECT_EQ(insert->exec(), 1);
}

}  // namespace
}  // namespace recur::statement_cache_test
