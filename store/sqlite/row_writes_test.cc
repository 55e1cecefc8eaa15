#include "store/sqlite/row_writes.h"

#include <gtest/gtest.h>

#include <SQLiteCpp/Statement.h>

#include "store/sqlite/statement_cache.h"

namespace recur::row_writes_test {
namespace {

// A trigger per column logs every UPDATE that sets it, changed or not, as SQLite would rewrite
// an index on it.
class RowWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.exec("CREATE TABLE t (id TEXT PRIMARY KEY, owner TEXT, status TEXT, ends_at INTEGER)");
    db_.exec("CREATE TABLE sets (column_name TEXT)");
    for (const char* column : {"owner", "status", "ends_at"}) {
      db_.exec(std::string("CREATE TRIGGER set_") + column + " AFTER UPDATE OF " + column +
               " ON t BEGIN INSERT INTO sets VALUES ('" + column + "'); END");
    }
  }
  static std::vector<Column> Row(const std::string& owner, const std::string& status,
                                 std::optional<Instant> ends_at) {
    return {{"owner", owner}, {"status", status}, {"ends_at", MillisValue(ends_at)}};
  }
  std::string ColumnsSet() {
    std::string names;
    SQLite::Statement query(db_, "SELECT column_name FROM sets ORDER BY column_name");
    while (query.executeStep()) names += query.getColumn(0).getString() + " ";
    return names;
  }
  std::string Stored(const std::string& id) {
    SQLite::Statement query(db_,
                            "SELECT owner, status, ifnull(ends_at, 'null') FROM t WHERE id = ?");
    query.bind(1, id);
    if (!query.executeStep()) return "none";
    return query.getColumn(0).getString() + "/" + query.getColumn(1).getString() + "/" +
           query.getColumn(2).getString();
  }
  SQLite::Database db_{":memory:", SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE};
  StatementCache cache_{db_};
  CurrentStatementCache current_{cache_};
};

TEST_F(RowWritesTest, InsertsEveryColumnWithNullForNone) {
  InsertRow(db_, "t", "a", Row("p1", "active", std::nullopt));
  EXPECT_EQ(Stored("a"), "p1/active/null");
}

TEST_F(RowWritesTest, AnUpdateSetsOnlyTheColumnsThatChanged) {
  InsertRow(db_, "t", "a", Row("p1", "trialing", FromUnixMillis(5)));
  UpdateChangedColumns(db_, "t", "a", Row("p1", "trialing", FromUnixMillis(5)),
                       Row("p1", "active", std::nullopt));
  EXPECT_EQ(Stored("a"), "p1/active/null");
  EXPECT_EQ(ColumnsSet(), "ends_at status ");
}

TEST_F(RowWritesTest, NothingChangedWritesNothing) {
  InsertRow(db_, "t", "a", Row("p1", "active", std::nullopt));
  UpdateChangedColumns(db_, "t", "a", Row("p1", "active", std::nullopt),
                       Row("p1", "active", std::nullopt));
  EXPECT_EQ(ColumnsSet(), "");
}

TEST_F(RowWritesTest, UpdatingARowThatIsNotStoredFails) {
  EXPECT_THROW(UpdateChangedColumns(db_, "t", "missing", Row("p1", "a", std::nullopt),
                                    Row("p1", "b", std::nullopt)),
               std::runtime_error);
}

TEST_F(RowWritesTest, RowsThatNameDifferentColumnsAreRefused) {
  InsertRow(db_, "t", "a", Row("p1", "active", std::nullopt));
  const std::vector<Column> other = {{"owner", "p1"}, {"ends_at", SqlValue()}, {"status", "x"}};
  EXPECT_THROW(UpdateChangedColumns(db_, "t", "a", Row("p1", "active", std::nullopt), other),
               std::runtime_error);
  EXPECT_EQ(Stored("a"), "p1/active/null");
}

}  // namespace
}  // namespace recur::row_writes_test
