#include "store/sqlite/sqlite_connections.h"

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include <SQLiteCpp/Statement.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temporary_database.h"

namespace recur::sqlite_connections_test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class SqliteConnectionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = SqliteConnections::Open(database_.path(), [](SQLite::Database& db) -> Status {
      db.exec("CREATE TABLE rows (n INTEGER PRIMARY KEY)");
      return Ok();
    });
    ASSERT_TRUE(opened) << opened.error().message;
    connections_ = std::move(*opened);
  }
  int Count() {
    return connections_
        ->Read({"counting rows"},
               [](SQLite::Database& db) {
                 return db.execAndGet("SELECT COUNT(*) FROM rows").getInt();
               })
        .value();
  }
  static SqliteConnections::WriteJob Insert(int n) {
    return [n](SQLite::Database& db) -> Status {
      SQLite::Statement insert(db, "INSERT INTO rows (n) VALUES (?)");
      insert.bind(1, n);
      insert.exec();
      return Ok();
    };
  }

  TemporaryDatabase database_;
  std::unique_ptr<SqliteConnections> connections_;
};

TEST_F(SqliteConnectionsTest, AWriteIsVisibleToReadsOnceItReturns) {
  ASSERT_TRUE(connections_->Write({"inserting"}, Insert(1)));
  EXPECT_EQ(Count(), 1);
}

// Each write of a group runs in a savepoint, whose undo journal SQLite writes to a temporary
// file unless temporary storage is in memory: that file took twice the bytes of the WAL.
TEST_F(SqliteConnectionsTest, SavepointJournalsAreKeptInMemory) {
  static constexpr int kMemory = 2;  // PRAGMA temp_store = MEMORY
  ASSERT_TRUE(connections_->Write({"reading a pragma"}, [](SQLite::Database& db) -> Status {
    EXPECT_EQ(db.execAndGet("PRAGMA temp_store").getInt(), kMemory);
    return Ok();
  }));
  EXPECT_EQ(connections_->Read(
                {"reading a pragma"},
                [](SQLite::Database& db) { return db.execAndGet("PRAGMA temp_store").getInt(); }),
            kMemory);
}

TEST_F(SqliteConnectionsTest, AFailingWriteIsUndoneAloneInItsGroup) {
  std::atomic<int> commits = 0;
  // Hold the writer busy so that the writes below queue up and share one transaction.
  std::thread slow([&] {
    ASSERT_TRUE(connections_->Write({"holding the writer"}, [&](SQLite::Database& db) -> Status {
      sqlite3_commit_hook(
          db.getHandle(),
          [](void* counter) {
            ++*static_cast<std::atomic<int>*>(counter);
            return 0;
          },
          &commits);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      return Ok();
    }));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::vector<std::thread> writers;
  std::atomic<int> failed = 0;
  for (int n = 0; n < 40; ++n) {
    writers.emplace_back([&, n] {
      auto job = n == 7 ? [](SQLite::Database& db) -> Status {
        EXPECT_TRUE(Insert(1000)(db));
        return MakeError(ErrorKind::kFailedPrecondition, "refused", "changed its mind");
      }
                        : n == 9 ? [](SQLite::Database& db) -> Status {
        EXPECT_TRUE(Insert(2000)(db));
        throw std::runtime_error("boom");
      }
                                 : Insert(n);
      if (!connections_->Write({"inserting"}, job)) ++failed;
    });
  }
  for (std::thread& writer : writers) writer.join();
  slow.join();
  EXPECT_EQ(failed, 2);
  EXPECT_EQ(Count(), 38);
  EXPECT_EQ(connections_->Read(
                {"counting rows"},
                [](SQLite::Database& db) {
                  return db.execAndGet("SELECT COUNT(*) FROM rows WHERE n >= 1000").getInt();
                }),
            0);
  EXPECT_LE(commits.load(), 3) << "40 queued writes should share a few transactions";
}

// The one edge where SQLite's exceptions become errors: a unique key taken is a conflict, other
// failures are storage errors that say what was being done; neither throws past the edge.
TEST_F(SqliteConnectionsTest, ExceptionsBecomeConflictsOrStorageErrorsSayingWhatWasDone) {
  ASSERT_TRUE(connections_->Write({"inserting"}, Insert(1)));
  Status taken = connections_->Write({"inserting row", "1"}, Insert(1));
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(taken.error().code, "conflict");
  EXPECT_THAT(taken.error().message, HasSubstr("UNIQUE constraint failed: rows.n"));

  Status broken = connections_->Write({"writing row", "2"}, [](SQLite::Database& db) -> Status {
    db.exec("INSERT INTO no_such_table VALUES (1)");
    return Ok();
  });
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(broken.error().code, "storage_error");
  EXPECT_THAT(broken.error().message, StartsWith("writing row 2 failed: no such table"));

  Result<int> read = connections_->Read({"reading row", "3"}, [](SQLite::Database& db) {
    return db.execAndGet("SELECT n FROM no_such_table").getInt();
  });
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, "storage_error");
  EXPECT_THAT(read.error().message, StartsWith("reading row 3 failed: no such table"));
}

// A fault of the database's file (fault tests: tests/e2e/storage_faults_test.cc) says what it
// is in words and names the file, keeping SQLite's own message.
TEST(SqliteFailureTest, AFaultOfTheDatabasesFileNamesTheFileAndTheCause) {
  const std::pair<int, std::string> faults[] = {
      {SQLITE_BUSY, "the database /srv/recur.db is locked: another process held a write"},
      {SQLITE_FULL, "the disk holding the database /srv/recur.db is full"},
      {SQLITE_READONLY, "the database /srv/recur.db is read-only"},
      {SQLITE_IOERR, "the disk failed to read or write the database /srv/recur.db"},
  };
  for (const auto& [code, cause] : faults) {
    const SQLite::Exception thrown("what SQLite said", code);
    const Error error = SqliteFailure({"saving payer", "cpayer_1"}, thrown, "/srv/recur.db");
    EXPECT_EQ(error.kind, ErrorKind::kUnavailable);
    EXPECT_EQ(error.code, "storage_error");
    EXPECT_THAT(error.message, StartsWith("saving payer cpayer_1 failed: " + cause));
    EXPECT_THAT(error.message, HasSubstr("(SQLite: what SQLite said)"));
    EXPECT_TRUE(IsFileFault(thrown));
  }
  EXPECT_FALSE(IsFileFault(SQLite::Exception("no such table: rows", SQLITE_ERROR)));
}

TEST_F(SqliteConnectionsTest, QueuedWritesFinishBeforeShutdown) {
  std::vector<std::thread> writers;
  for (int n = 0; n < 20; ++n) {
    writers.emplace_back([&, n] { EXPECT_TRUE(connections_->Write({"inserting"}, Insert(n))); });
  }
  for (std::thread& writer : writers) writer.join();
  connections_.reset();
  SQLite::Database db(database_.path());
  EXPECT_EQ(db.execAndGet("SELECT COUNT(*) FROM rows").getInt(), 20);
}

}  // namespace
}  // namespace recur::sqlite_connections_test
