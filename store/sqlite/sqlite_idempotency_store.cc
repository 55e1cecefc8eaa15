// SqliteStore's IdempotencyStore half.
#include <SQLiteCpp/Statement.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {

Result<IdempotencyClaim> SqliteStore::ClaimIdempotencyKey(const std::string& key,
                                                          const std::string& request_hash,
                                                          Instant now,
                                                          std::chrono::milliseconds retention,
                                                          std::chrono::milliseconds stale_claim) {
  IdempotencyClaim claimed;
  auto written =
      connections_->Write({"claiming idempotency key", key}, [&](SQLite::Database& db) -> Status {
        const std::int64_t now_ms = ToUnixMillis(now);
        StatementLease row = Prepared(db,
                                      "SELECT request_hash, status, body, created_at "
                                      "FROM idempotency_keys WHERE key = ?",
                                      key);
        if (row->executeStep()) {
          const std::int64_t age = now_ms - row->getColumn(3).getInt64();
          const bool finished = !row->getColumn(1).isNull();
          const bool expired =
              age >= retention.count() || (!finished && age >= stale_claim.count());
          if (!expired) {
            if (row->getColumn(0).getString() != request_hash) {
              claimed = {IdempotencyClaim::Outcome::kMismatch};
              return Ok();
            }
            claimed = finished ? IdempotencyClaim{IdempotencyClaim::Outcome::kReplay,
                                                  row->getColumn(1).getInt(),
                                                  row->getColumn(2).getString()}
                               : IdempotencyClaim{IdempotencyClaim::Outcome::kInProgress};
            return Ok();
          }
        }
        row->reset();
        Prepared(db,
                 "INSERT INTO idempotency_keys (key, request_hash, status, body, created_at) "
                 "VALUES (?, ?, NULL, NULL, ?) ON CONFLICT (key) DO UPDATE "
                 "SET request_hash = excluded.request_hash, status = NULL, body = NULL, "
                 "created_at = excluded.created_at",
                 key, request_hash, now_ms)
            ->exec();
        claimed = {IdempotencyClaim::Outcome::kClaimed};
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return claimed;
}

Status SqliteStore::CompleteIdempotencyKey(const std::string& key, int status,
                                           const std::string& body) {
  return connections_->Write({"completing idempotency key", key},
                             [&](SQLite::Database& db) -> Status {
                               Prepared(db,
                                        "UPDATE idempotency_keys SET status = ?, body = ? "
                                        "WHERE key = ?",
                                        status, body, key)
                                   ->exec();
                               return Ok();
                             });
}

Status SqliteStore::ReleaseIdempotencyKey(const std::string& key) {
  return connections_->Write(
      {"releasing idempotency key", key}, [&](SQLite::Database& db) -> Status {
        Prepared(db, "DELETE FROM idempotency_keys WHERE key = ?", key)->exec();
        return Ok();
      });
}

}  // namespace recur
