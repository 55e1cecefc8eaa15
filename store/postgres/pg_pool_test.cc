// The PostgreSQL client layer (pg_connection.h, pg_pool.h) against the test cluster: errors as
// values with the kinds the store contracts name, transactions that commit or leave nothing,
// pipelines, the statement timeout, the pool's bound, and a connection the server dropped.
#include "store/postgres/pg_pool.h"

#include <atomic>
#include <future>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/temporary_postgres.h"

namespace recur::pg_pool_test {
namespace {

using ::testing::HasSubstr;

class PgPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(database_.ok()) << database_.error();
    pool_ = Open(database_.settings(2));
    ASSERT_NE(pool_, nullptr);
    ASSERT_TRUE(pool_->Write({"making a table"}, [](PgConnection& connection) -> Status {
      return connection.Script({"making a table"},
                               "CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL)");
    }));
  }

  static std::unique_ptr<PgPool> Open(const PgPool::Settings& settings) {
    auto pool = PgPool::Open(settings);
    EXPECT_TRUE(pool) << pool.error().message;
    return pool ? std::move(*pool) : nullptr;
  }

  Status Insert(std::int64_t id, const std::string& name) {
    return pool_->Write({"inserting"}, [&](PgConnection& connection) -> Status {
      auto inserted = connection.Exec({"inserting", name}, "INSERT INTO t VALUES ($1, $2)",
                                      PgParams::Of(id, name));
      if (!inserted) return std::unexpected(inserted.error());
      return Ok();
    });
  }

  std::int64_t Count() {
    return pool_
        ->Read(
            {"counting"},
            [](PgConnection& connection) {
              return Required(connection.Exec({"counting"}, "SELECT count(*) FROM t")).Int64(0, 0);
            })
        .value();
  }

  // The process id of the server's backend that answers on `pool`'s connection.
  static Result<std::int64_t> Backend(PgPool& pool) {
    return pool.Read({"asking the backend"}, [](PgConnection& connection) {
      return Required(connection.Exec({"asking"}, "SELECT pg_backend_pid()")).Int64(0, 0);
    });
  }

  TemporaryPostgresDatabase database_;
  std::unique_ptr<PgPool> pool_;
};

TEST_F(PgPoolTest, ATakenKeyIsAConflictAndItsTransactionLeavesNothing) {
  ASSERT_TRUE(Insert(1, "one"));
  Status taken = pool_->Write({"inserting two"}, [](PgConnection& connection) -> Status {
    Required(connection.Exec({"inserting"}, "INSERT INTO t VALUES (2, 'two')"));
    Required(connection.Exec({"inserting"}, "INSERT INTO t VALUES (1, 'again')"));
    return Ok();
  });
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().kind, ErrorKind::kAlreadyExists);
  EXPECT_EQ(taken.error().code, "conflict");
  EXPECT_EQ(Count(), 1);
  // The connection is usable again.
  EXPECT_TRUE(Insert(2, "two"));
  EXPECT_EQ(Count(), 2);
}

TEST_F(PgPoolTest, AJobThatReturnsAnErrorRollsBackWhatItWrote) {
  Status refused = pool_->Write({"inserting"}, [](PgConnection& connection) -> Status {
    Required(connection.Exec({"inserting"}, "INSERT INTO t VALUES (1, 'one')"));
    return MakeError(ErrorKind::kAborted, "concurrent_change", "changed meanwhile");
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "concurrent_change");
  EXPECT_EQ(Count(), 0);
}

TEST_F(PgPoolTest, APipelineRunsInOrderAndStopsAtItsFirstFailure) {
  auto results = pool_->Read({"piping"}, [](PgConnection& connection) {
    return Required(connection.Pipeline(
        {"piping"}, {{"SELECT $1::bigint + 1", PgParams::Of(41)}, {"SELECT 'b'", {}}}));
  });
  ASSERT_TRUE(results) << results.error().message;
  ASSERT_EQ(results->size(), 2u);
  EXPECT_EQ((*results)[0].Int64(0, 0), 42);
  EXPECT_EQ((*results)[1].Text(0, 0), "b");

  Status failed = pool_->Write({"piping"}, [](PgConnection& connection) -> Status {
    Required(connection.Pipeline({"piping"}, {{"INSERT INTO t VALUES (1, 'one')", {}},
                                              {"INSERT INTO t VALUES (2, NULL)", {}},
                                              {"INSERT INTO t VALUES (3, 'three')", {}}}));
    return Ok();
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "storage_error");
  EXPECT_THAT(failed.error().message, HasSubstr("piping failed"));
  EXPECT_THAT(failed.error().message, HasSubstr("not-null"));
  EXPECT_EQ(Count(), 0);
}

TEST_F(PgPoolTest, BytesAndNullsGoInAndComeBackAsTheyWere) {
  const std::string bytes("\0\x01\xff'\\x", 6);
  auto read = pool_->Read({"echoing"}, [&](PgConnection& connection) {
    PgParams params;
    params.AddBytes(bytes).Add(std::optional<std::string>()).Add(true);
    return Required(
        connection.Exec({"echoing"}, "SELECT $1::bytea, $2::text, $3::boolean", params));
  });
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->Bytes(0, 0), bytes);
  EXPECT_TRUE(read->IsNull(0, 1));
  EXPECT_EQ(read->OptionalText(0, 1), std::nullopt);
  EXPECT_TRUE(read->Bool(0, 2));
}

TEST_F(PgPoolTest, AStatementPastTheTimeoutIsCancelledAndTheConnectionStaysUsable) {
  PgPool::Settings settings = database_.settings(1);
  settings.connection.statement_timeout = std::chrono::milliseconds(100);
  std::unique_ptr<PgPool> pool = Open(settings);
  ASSERT_NE(pool, nullptr);
  auto slow = pool->Read({"sleeping"}, [](PgConnection& connection) {
    return Required(connection.Exec({"sleeping"}, "SELECT pg_sleep(30)")).rows();
  });
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(slow.error().code, "storage_timeout");
  auto quick = pool->Read({"answering"}, [](PgConnection& connection) {
    return Required(connection.Exec({"answering"}, "SELECT 1")).Int(0, 0);
  });
  EXPECT_EQ(quick.value(), 1);
}

TEST_F(PgPoolTest, ACallFindingEveryConnectionBusyFailsAsUnavailable) {
  PgPool::Settings settings = database_.settings(1);
  settings.acquire_timeout = std::chrono::milliseconds(50);
  std::unique_ptr<PgPool> pool = Open(settings);
  ASSERT_NE(pool, nullptr);
  std::promise<void> holding;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::thread holder([&] {
    (void)pool->Read({"holding"}, [&](PgConnection&) {
      holding.set_value();
      released.wait();
      return 0;
    });
  });
  holding.get_future().wait();
  auto refused = pool->Read({"asking"}, [](PgConnection&) { return 0; });
  release.set_value();
  holder.join();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(refused.error().code, "unavailable");
  EXPECT_THAT(refused.error().message, HasSubstr("all 1 PostgreSQL connections stayed busy"));
  // Once it is given back, the connection serves the next call.
  EXPECT_TRUE(pool->Read({"asking"}, [](PgConnection&) { return 0; }));
}

TEST_F(PgPoolTest, AConnectionTheServerDroppedMidCallFailsItAsUnavailableAndIsReplaced) {
  std::unique_ptr<PgPool> pool = Open(database_.settings(1));
  ASSERT_NE(pool, nullptr);
  const std::int64_t first = Backend(*pool).value();
  auto lost = pool->Read({"ending its own backend"}, [](PgConnection& connection) {
    return Required(connection.Exec({"ending"}, "SELECT pg_terminate_backend(pg_backend_pid())"))
        .Bool(0, 0);
  });
  ASSERT_FALSE(lost);
  EXPECT_EQ(lost.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(lost.error().code, "unavailable");
  auto replaced = Backend(*pool);
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_NE(*replaced, first);
}

// As after a restart of the server: the idle connection's end is seen before it is used.
TEST_F(PgPoolTest, AConnectionTheServerDroppedWhileIdleIsReplacedWithoutFailingACall) {
  std::unique_ptr<PgPool> pool = Open(database_.settings(1));
  ASSERT_NE(pool, nullptr);
  const std::int64_t first = Backend(*pool).value();
  // The second argument waits (up to 10 s) until the backend has ended.
  ASSERT_TRUE(pool_->Read({"terminating"}, [&](PgConnection& connection) {
    return Required(connection.Exec({"terminating"}, "SELECT pg_terminate_backend($1, 10000)",
                                    PgParams::Of(first)))
        .Bool(0, 0);
  }));
  auto replaced = Backend(*pool);
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_NE(*replaced, first);
}

TEST(PgConnectionTest, AnUnreadableConnectionStringIsTheCallersMistake) {
  auto opened = PgConnection::Open({"postgresql://[::1"});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(opened.error().code, "database_invalid");
}

TEST(PgConnectionTest, NoServerAtTheAddressIsUnavailableAndNamesNoPassword) {
  // Port 1 of the loopback address, where no PostgreSQL listens.
  auto opened = PgConnection::Open(
      {"host=127.0.0.1 port=1 user=recur password=hunter2 dbname=recur connect_timeout=2"});
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(opened.error().code, "unavailable");
  EXPECT_THAT(opened.error().message, ::testing::Not(HasSubstr("hunter2")));
}

}  // namespace
}  // namespace recur::pg_pool_test
