// The connections of the SQLite store. Writes go to one writer connection on its own thread,
// which groups the writes that arrive together into one transaction (group commit): each write
// runs in a savepoint of its own, so a failing write is undone alone, and one fsync covers
// them all. Write() returns once the transaction holding the write is durable. Reads run on a
// pool of reader connections, which WAL mode lets proceed beside the writer, each seeing the
// last committed state.
// Thread-safe. The destructor finishes the writes already queued.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "base/error.h"
#include "base/metrics.h"
#include "store/sqlite/sqlite_values.h"
#include "store/sqlite/statement_cache.h"

namespace recur {

class SqliteConnections {
 public:
  // A write: statements on the writer connection inside the shared transaction. Returning an
  // error (or throwing) undoes this write alone.
  using WriteJob = std::function<Status(SQLite::Database&)>;

  // Opens the writer connection (WAL, synchronous=FULL), runs `prepare` on it (migrations)
  // before anything else, then starts the writer thread. A database file it creates is mode
  // 0600, and so are its companions (private_files.h).
  static Result<std::unique_ptr<SqliteConnections>> Open(
      const std::string& path, const std::function<Status(SQLite::Database&)>& prepare);
  ~SqliteConnections();

  // Runs `write` and returns once the transaction holding it is durable: what it returns, or
  // what it threw as an error (SqliteFailure, with `doing` in its message).
  Status Write(const Doing& doing, WriteJob job);

  // Runs `read` on a reader connection and returns what it returns as a Result (a Result as
  // it is), or what it threw as an error (SqliteFailure, with `doing` in its message). This and
  // Write are the store's one edge for SQLite's exceptions. Jobs, reads and writes alike, find
  // their connection's prepared statements through Prepared() (statement_cache.h).
  template <typename ReadJob>
  auto Read(const Doing& doing, ReadJob&& read)
      -> AsResult<std::invoke_result_t<ReadJob, SQLite::Database&>> {
    try {
      ReaderLease lease(*this);
      CurrentStatementCache statements(*lease.reader.statements);
      return read(*lease.reader.db);
    } catch (const std::exception& error) {
      return std::unexpected(SqliteFailure(doing, error, path_));
    }
  }

  std::size_t max_batch() const { return kMaxBatch; }
  // How long each transaction's COMMIT took (its fsync), for /metrics.
  const LatencyHistogram& commit_latency() const { return commit_latency_; }

 private:
  static constexpr std::size_t kMaxBatch = 512;
  LatencyHistogram commit_latency_;

  struct PendingWrite {
    const Doing& doing;
    WriteJob job;
    std::promise<Status> done;
  };
  struct Reader {
    std::unique_ptr<SQLite::Database> db;
    std::unique_ptr<StatementCache> statements;  // of db, so it goes first
  };
  struct ReaderLease {
    explicit ReaderLease(SqliteConnections& owner);
    ~ReaderLease();
    SqliteConnections& owner;
    Reader reader;
  };

  SqliteConnections(std::string path, std::unique_ptr<SQLite::Database> writer);
  void WriterLoop();
  void CommitBatch(std::vector<PendingWrite*>& batch);

  const std::string path_;
  std::unique_ptr<SQLite::Database> writer_db_;
  std::unique_ptr<StatementCache> writer_statements_;  // of writer_db_, so it goes first
  std::mutex queue_mutex_;
  std::condition_variable queued_;
  std::deque<PendingWrite*> queue_;
  bool stopping_ = false;
  std::thread writer_;
  std::mutex readers_mutex_;
  std::vector<Reader> idle_readers_;
};

}  // namespace recur
