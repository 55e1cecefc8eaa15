// One connection to PostgreSQL (libpq's PGconn), owned: closed when the PgConnection is.
// Statements run with their parameters apart from their text (never spliced in); Exec prepares
// each distinct statement once per connection and runs it by name after. Pipeline sends several
// statements at once and reads their results after (libpq's pipeline mode: one round trip for a
// whole transition). BeginLazily starts a transaction without a round trip of its own: BEGIN goes
// out with the next statement or pipeline, and so do the statements it is given to open the
// transaction with (a check the whole transaction depends on, such as the fence of a keyed
// change).
// What fails comes back as an error value (PostgresFailure, pg_errors.h); once the server is
// gone the connection is broken() and its pool (pg_pool.h) drops it.
// Used by one thread at a time.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/error.h"
#include "store/doing.h"
#include "store/postgres/pg_params.h"
#include "store/postgres/pg_result.h"

namespace recur {

struct PgStatement {
  std::string sql;
  PgParams params;
};

class PgConnection {
 public:
  struct Settings {
    // A libpq connection string: a postgresql:// URI or "key=value ..." words. Its password, if
    // any, is libpq's to use and never appears in an error.
    std::string conninfo;
    std::chrono::milliseconds connect_timeout{5000};
    // Each statement is cancelled past this (the error "storage_timeout"); 0: never.
    std::chrono::milliseconds statement_timeout{10000};
  };
  static Result<std::unique_ptr<PgConnection>> Open(const Settings& settings);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement (prepared on this connection the first time its text is seen).
  Result<PgResult> Exec(const Doing& doing, const std::string& sql, const PgParams& params = {});
  // Runs `statements` in one round trip, in order; the results in the same order. The first
  // that fails is the error, and those after it are not run. Inside a transaction, a failure
  // leaves it to be rolled back.
  Result<std::vector<PgResult>> Pipeline(const Doing& doing,
                                         const std::vector<PgStatement>& statements);
  // Runs `sql` with the simple protocol, which takes several statements at once (migrations).
  Status Script(const Doing& doing, const std::string& sql);

  // Starts a transaction; BEGIN is sent with the next statement, and `opening` right after it:
  // their results are not returned, but the first that fails fails that call (and those after
  // it are not run).
  void BeginLazily(std::string_view begin = "BEGIN", std::vector<PgStatement> opening = {}) {
    pending_begin_ = std::string(begin);
    pending_opening_ = std::move(opening);
  }
  // Ends a transaction begun lazily that ran no statement; false when there is none such.
  bool DropUnsentBegin() {
    const bool unsent = !pending_begin_.empty();
    pending_begin_.clear();
    pending_opening_.clear();
    return unsent;
  }
  // Whether the server is gone (or the connection unusable): the pool drops it.
  bool broken() const;
  // Whether the server closed this idle connection (a restart, a failover, an idle timeout),
  // told without a round trip: the end of a closed socket reads as ready. A connection the
  // server closed is broken() after this, so the pool opens a new one instead of failing the
  // first call after the server is back.
  bool ClosedByServer();
  // Whether a transaction is open (or a BEGIN waits to be sent).
  bool in_transaction() const;
  // How many round trips to the server this connection has made, for the benchmarks.
  std::int64_t round_trips() const { return round_trips_; }

 private:
  explicit PgConnection(PGconn* connection) : connection_(connection) {}
  Error Failure(const Doing& doing, const PGresult* result) const;

  PGconn* connection_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
  std::string pending_begin_;
  std::vector<PgStatement> pending_opening_;  // sent after pending_begin_
  std::int64_t round_trips_ = 0;
};

}  // namespace recur
