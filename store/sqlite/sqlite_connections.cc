#include "store/sqlite/sqlite_connections.h"

#include <pthread.h>
#include <sqlite3.h>

#include <mutex>

#include "store/sqlite/private_files.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {
namespace {

// A connection to the database at `path`, not yet configured: it has touched no file but the
// database's own.
std::unique_ptr<SQLite::Database> Connect(const std::string& path) {
  // SQLite's memory statistics take a process-wide mutex on every allocation, which the
  // store never reads: off, once, before the first connection. Each connection is used by one
  // thread at a time (the writer thread, or a leased reader), so it needs no mutex of its own.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  return std::make_unique<SQLite::Database>(
      path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX);
}

// Sets the connection up as the store uses it (WAL, which makes the -wal and -shm files).
void Configure(SQLite::Database& db) {
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA foreign_keys = ON");
  // Each write of a group runs in a savepoint, whose undo journal (needed only to roll the
  // savepoint back, never for recovery) SQLite otherwise spills to a temporary file past 64 KiB:
  // about 210 KiB of writes per trial conversion, twice the WAL's.
  db.exec("PRAGMA temp_store = MEMORY");
  db.setBusyTimeout(kSqliteBusyTimeoutMs);
}

std::unique_ptr<SQLite::Database> OpenConnection(const std::string& path) {
  auto db = Connect(path);
  Configure(*db);
  return db;
}

}  // namespace

Result<std::unique_ptr<SqliteConnections>> SqliteConnections::Open(
    const std::string& path, const std::function<Status(SQLite::Database&)>& prepare) {
  if (auto created = CreatePrivateDatabaseFile(path); !created) {
    return std::unexpected(created.error());
  }
  try {
    auto writer = Connect(path);
    // SQLite opens a file it may not write read-only without a word, and every write would
    // then fail: refused here, before WAL mode makes companion files of the same mode.
    if (sqlite3_db_readonly(writer->getHandle(), "main") == 1) {
      return MakeError(ErrorKind::kUnavailable, "storage_error",
                       "cannot open the database " + path +
                           " for writing: it is read-only (the file, its folder or its "
                           "filesystem); make it writable for the user the server runs as");
    }
    Configure(*writer);
    if (auto prepared = prepare(*writer); !prepared) return std::unexpected(prepared.error());
    return std::unique_ptr<SqliteConnections>(new SqliteConnections(path, std::move(writer)));
  } catch (const std::exception& error) {
    return std::unexpected(SqliteFailure({"opening the database", path}, error, path));
  }
}

SqliteConnections::SqliteConnections(std::string path, std::unique_ptr<SQLite::Database> writer)
    : path_(std::move(path)),
      writer_db_(std::move(writer)),
      writer_statements_(std::make_unique<StatementCache>(*writer_db_)) {
  writer_ = std::thread([this] { WriterLoop(); });
}

SqliteConnections::~SqliteConnections() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  writer_.join();
}

Status SqliteConnections::Write(const Doing& doing, WriteJob job) {
  PendingWrite pending{doing, std::move(job), {}};
  std::future<Status> done = pending.done.get_future();
  {
    std::lock_guard lock(queue_mutex_);
    if (stopping_) {
      return MakeError(ErrorKind::kUnavailable, "storage_closed", "the store is shutting down");
    }
    queue_.push_back(&pending);
  }
  queued_.notify_one();
  return done.get();
}

void SqliteConnections::WriterLoop() {
  pthread_setname_np(pthread_self(), "sqlite-writer");  // for top -H and perf
  std::vector<PendingWrite*> batch;
  while (true) {
    {
      std::unique_lock lock(queue_mutex_);
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      while (!queue_.empty() && batch.size() < kMaxBatch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    CommitBatch(batch);
    batch.clear();
  }
}

void SqliteConnections::CommitBatch(std::vector<PendingWrite*>& batch) {
  SQLite::Database& db = *writer_db_;
  CurrentStatementCache statements(*writer_statements_);
  std::vector<Status> results;
  results.reserve(batch.size());
  try {
    db.exec("BEGIN IMMEDIATE");
    for (PendingWrite* write : batch) {
      db.exec("SAVEPOINT write");
      Status result;
      try {
        result = write->job(db);
      } catch (const std::exception& error) {
        result = std::unexpected(SqliteFailure(write->doing, error, path_));
      }
      if (!result) db.exec("ROLLBACK TO write");
      db.exec("RELEASE write");
      results.push_back(std::move(result));
    }
    const auto committing = std::chrono::steady_clock::now();
    db.exec("COMMIT");
    commit_latency_.Observe(std::chrono::steady_clock::now() - committing);
  } catch (const std::exception& error) {
    try {
      db.exec("ROLLBACK");
    } catch (const std::exception&) {
      // Nothing is open any more; the batch fails as a whole below.
    }
    // Each write of the batch fails, saying what it was doing.
    results.clear();
    for (PendingWrite* write : batch) {
      results.push_back(std::unexpected(SqliteFailure(write->doing, error, path_)));
    }
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(std::move(results[i]));
}

SqliteConnections::ReaderLease::ReaderLease(SqliteConnections& owner) : owner(owner) {
  {
    std::lock_guard lock(owner.readers_mutex_);
    if (!owner.idle_readers_.empty()) {
      reader = std::move(owner.idle_readers_.back());
      owner.idle_readers_.pop_back();
    }
  }
  if (!reader.db) {
    reader.db = OpenConnection(owner.path_);
    reader.statements = std::make_unique<StatementCache>(*reader.db);
  }
}

SqliteConnections::ReaderLease::~ReaderLease() {
  std::lock_guard lock(owner.readers_mutex_);
  owner.idle_readers_.push_back(std::move(reader));
}

}  // namespace recur
