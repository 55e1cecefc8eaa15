// SqliteStore's IdempotencyStore half.
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/statement_cache.h"

namespace recur {

Result<IdempotencyClaim> SqliteStore::ClaimIdempotencyKey(const std::string& key,
                                                          const std::string& request_hash,
                                                          Instant now,
                                                          std::chrono::milliseconds retention,
                                                          std::chrono::milliseconds stale_claim) {
  IdempotencyClaim claimed;
  auto written = connections_->Write([&](SQLite::Database& db) -> Status {
    const std::int64_t now_ms = ToUnixMillis(now);
    StatementLease row_lease =
        Prepared(db,
                 "SELECT request_hash, status, body, created_at FROM idempotency_keys "
                 "WHERE key = ?");
    SQLite::Statement& row = *row_lease;
    row.bind(1, key);
    if (row.executeStep()) {
      const std::int64_t age = now_ms - row.getColumn(3).getInt64();
      const bool finished = !row.getColumn(1).isNull();
      const bool expired = age >= retention.count() || (!finished && age >= stale_claim.count());
      if (!expired) {
        if (row.getColumn(0).getString() != request_hash) {
          claimed = {IdempotencyClaim::Outcome::kMismatch};
          return Ok();
        }
        claimed = finished
                      ? IdempotencyClaim{IdempotencyClaim::Outcome::kReplay,
                                         row.getColumn(1).getInt(), row.getColumn(2).getString()}
                      : IdempotencyClaim{IdempotencyClaim::Outcome::kInProgress};
        return Ok();
      }
    }
    row.reset();
    StatementLease claim_lease =
        Prepared(db,
                 "INSERT INTO idempotency_keys (key, request_hash, status, body, "
                 "created_at) VALUES (?, ?, NULL, NULL, ?) ON CONFLICT (key) DO UPDATE "
                 "SET request_hash = excluded.request_hash, status = NULL, "
                 "body = NULL, created_at = excluded.created_at");
    SQLite::Statement& claim = *claim_lease;
    claim.bind(1, key);
    claim.bind(2, request_hash);
    claim.bind(3, now_ms);
    claim.exec();
    claimed = {IdempotencyClaim::Outcome::kClaimed};
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return claimed;
}

Status SqliteStore::CompleteIdempotencyKey(const std::string& key, int status,
                                           const std::string& body) {
  return connections_->Write([&](SQLite::Database& db) -> Status {
    StatementLease complete_lease =
        Prepared(db, "UPDATE idempotency_keys SET status = ?, body = ? WHERE key = ?");
    SQLite::Statement& complete = *complete_lease;
    complete.bind(1, status);
    complete.bind(2, body);
    complete.bind(3, key);
    complete.exec();
    return Ok();
  });
}

Status SqliteStore::ReleaseIdempotencyKey(const std::string& key) {
  return connections_->Write([&](SQLite::Database& db) -> Status {
    StatementLease release_lease = Prepared(db, "DELETE FROM idempotency_keys WHERE key = ?");
    SQLite::Statement& release = *release_lease;
    release.bind(1, key);
    release.exec();
    return Ok();
  });
}

}  // namespace recur
