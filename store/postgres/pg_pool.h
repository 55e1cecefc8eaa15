// A bounded pool of PostgreSQL connections (pg_connection.h), the PostgreSQL store's one way to
// the server. At most `max_connections` are open; a call that finds them all busy waits up to
// `acquire_timeout` for one, then fails with "unavailable" (kUnavailable) rather than queue
// without end. A connection the server dropped (a restart, a failover) is closed: one dropped
// during a call fails that call with "unavailable" when it comes back, one dropped while idle
// is seen before it is handed out (PgConnection::ClosedByServer), and a new one is opened in
// its place. So the store recovers by itself once the server is back, without failing the
// first call after; meanwhile calls fail fast with "unavailable".
// Read runs a job on a connection outside any transaction it did not start itself; Write runs
// it inside one transaction, committed when the job returns success and rolled back when it
// returns an error or throws. Both turn an exception into an error: a PgFailure (Required,
// below) into the error it carries, any other (std::runtime_error from reading a value) into
// "storage_error"; so this is the store's one edge for them.
// Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "base/error.h"
#include "base/metrics.h"
#include "store/doing.h"
#include "store/postgres/pg_connection.h"

namespace recur {

// A statement's error, thrown by Required for code that reads several results in a row and
// caught by PgPool, which returns the error it carries.
struct PgFailure : std::runtime_error {
  explicit PgFailure(Error failure)
      : std::runtime_error(failure.message), error(std::move(failure)) {}
  Error error;
};

// The result, or its error thrown as a PgFailure.
inline PgResult Required(Result<PgResult> result) {
  if (!result) throw PgFailure(std::move(result.error()));
  return std::move(*result);
}
inline std::vector<PgResult> Required(Result<std::vector<PgResult>> results) {
  if (!results) throw PgFailure(std::move(results.error()));
  return std::move(*results);
}

class PgPool {
 public:
  struct Settings {
    PgConnection::Settings connection;
    int max_connections = 8;
    std::chrono::milliseconds acquire_timeout{5000};
  };
  using WriteJob = std::function<Status(PgConnection&)>;

  // Opens one connection at once, so a wrong address or password is seen at start.
  static Result<std::unique_ptr<PgPool>> Open(const Settings& settings);

  template <typename ReadJob>
  auto Read(const Doing& doing, ReadJob&& read)
      -> AsResult<std::invoke_result_t<ReadJob, PgConnection&>> {
    auto lease = Acquire(doing);
    if (!lease) return std::unexpected(lease.error());
    try {
      return read(**lease);
    } catch (const std::exception& error) {
      return std::unexpected(ExceptionFailure(doing, error));
    }
  }

  // Runs `write` in a transaction (BEGIN goes out with its first statement) and commits it.
  // `opening` goes out right after BEGIN, in the same round trip; when one of them fails, so
  // does the write, and nothing of it is stored.
  Status Write(const Doing& doing, const WriteJob& write, std::vector<PgStatement> opening = {});

  // Round trips made by every connection this pool has had, for the benchmarks.
  std::int64_t round_trips() const;
  // How long each write's COMMIT took, for /metrics.
  const LatencyHistogram& commit_latency() const { return commit_latency_; }

 private:
  LatencyHistogram commit_latency_;
  // A connection taken from the pool, given back (or dropped when broken) at the end.
  class Lease {
   public:
    Lease(PgPool& pool, std::unique_ptr<PgConnection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    PgConnection& operator*() { return *connection_; }

   private:
    PgPool* pool_;
    std::unique_ptr<PgConnection> connection_;
  };

  explicit PgPool(Settings settings) : settings_(std::move(settings)) {}
  Result<Lease> Acquire(const Doing& doing);
  void GiveBack(std::unique_ptr<PgConnection> connection);
  static Error ExceptionFailure(const Doing& doing, const std::exception& error);

  const Settings settings_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;  // idle and leased
  std::int64_t round_trips_of_closed_ = 0;
};

}  // namespace recur
