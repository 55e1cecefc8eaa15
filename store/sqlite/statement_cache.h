// Prepared statements kept with their connection. SQLite parses and plans a statement each time
// it is prepared; re-preparing every query on every call was a quarter of a pricing-table
// request. A StatementCache belongs to one connection and keeps each statement it prepared, by
// SQL text, handing it out again reset and with its bindings cleared. A connection is used by
// one thread at a time (the writer thread, or a leased reader), and SqliteConnections makes the
// cache of the connection in use the calling thread's current one while a job runs; Prepared()
// takes from it, or prepares a statement of its own when there is none (or it belongs to another
// connection). A statement still in use (the same SQL twice at once) is not handed out twice:
// the second user gets a statement of its own.
// A lease resets its statement when it ends, so a read never keeps its snapshot open.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace recur {

class StatementCache;

// A statement to use now; the cached ones go back to their cache, reset, when the lease ends.
class StatementLease {
 public:
  StatementLease(StatementLease&& other) noexcept;
  StatementLease& operator=(StatementLease&&) = delete;
  ~StatementLease();

  SQLite::Statement& operator*() const { return *statement_; }
  SQLite::Statement* operator->() const { return statement_; }

 private:
  friend class StatementCache;
  friend StatementLease Prepared(SQLite::Database& db, const std::string& sql);
  StatementLease(SQLite::Statement* cached, bool* in_use);
  explicit StatementLease(std::unique_ptr<SQLite::Statement> own);

  std::unique_ptr<SQLite::Statement> own_;  // when not from a cache
  SQLite::Statement* statement_;
  bool* in_use_;  // the cache entry's flag; null for an own statement
};

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db) : db_(db) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  SQLite::Database& db() const { return db_; }
  StatementLease Take(const std::string& sql);

 private:
  struct Entry {
    std::unique_ptr<SQLite::Statement> statement;
    bool in_use = false;
  };
  SQLite::Database& db_;
  std::unordered_map<std::string, Entry> entries_;
};

// Makes `cache` the calling thread's current cache for as long as it lives.
class CurrentStatementCache {
 public:
  explicit CurrentStatementCache(StatementCache& cache);
  ~CurrentStatementCache();
  CurrentStatementCache(const CurrentStatementCache&) = delete;
  CurrentStatementCache& operator=(const CurrentStatementCache&) = delete;

 private:
  StatementCache* previous_;
};

// A statement of `sql` on `db`: from the current cache when it is `db`'s, else prepared anew.
StatementLease Prepared(SQLite::Database& db, const std::string& sql);

}  // namespace recur
