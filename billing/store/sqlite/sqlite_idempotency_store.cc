// SqliteStore's IdempotencyStore half.
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include "billing/store/sqlite/sqlite_store.h"

namespace recur {
namespace {

std::unexpected<Error> StorageError(const std::exception& error) {
  return MakeError(ErrorKind::kUnavailable, "storage_error",
                   std::string("idempotency key storage failed: ") + error.what());
}

}  // namespace

Result<IdempotencyClaim> SqliteStore::ClaimIdempotencyKey(const std::string& key,
                                                          const std::string& request_hash,
                                                          Instant now,
                                                          std::chrono::milliseconds retention,
                                                          std::chrono::milliseconds stale_claim) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    const std::int64_t now_ms = ToUnixMillis(now);
    SQLite::Statement row(*db_,
                          "SELECT request_hash, status, body, created_at FROM idempotency_keys "
                          "WHERE key = ?");
    row.bind(1, key);
    if (row.executeStep()) {
      const std::int64_t age = now_ms - row.getColumn(3).getInt64();
      const bool finished = !row.getColumn(1).isNull();
      const bool expired = age >= retention.count() || (!finished && age >= stale_claim.count());
      if (!expired) {
        if (row.getColumn(0).getString() != request_hash) {
          return IdempotencyClaim{IdempotencyClaim::Outcome::kMismatch};
        }
        if (!finished) return IdempotencyClaim{IdempotencyClaim::Outcome::kInProgress};
        return IdempotencyClaim{IdempotencyClaim::Outcome::kReplay, row.getColumn(1).getInt(),
                                row.getColumn(2).getString()};
      }
    }
    row.reset();
    SQLite::Statement claim(*db_,
                            "INSERT INTO idempotency_keys (key, request_hash, status, body, "
                            "created_at) VALUES (?, ?, NULL, NULL, ?) ON CONFLICT (key) DO UPDATE "
                            "SET request_hash = excluded.request_hash, status = NULL, "
                            "body = NULL, created_at = excluded.created_at");
    claim.bind(1, key);
    claim.bind(2, request_hash);
    claim.bind(3, now_ms);
    claim.exec();
    transaction.commit();
    return IdempotencyClaim{IdempotencyClaim::Outcome::kClaimed};
  } catch (const std::exception& error) {
    return StorageError(error);
  }
}

Status SqliteStore::CompleteIdempotencyKey(const std::string& key, int status,
                                           const std::string& body) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement complete(*db_,
                               "UPDATE idempotency_keys SET status = ?, body = ? WHERE key = ?");
    complete.bind(1, status);
    complete.bind(2, body);
    complete.bind(3, key);
    complete.exec();
    return Ok();
  } catch (const std::exception& error) {
    return StorageError(error);
  }
}

Status SqliteStore::ReleaseIdempotencyKey(const std::string& key) {
  std::lock_guard lock(mutex_);
  try {
    SQLite::Statement release(*db_, "DELETE FROM idempotency_keys WHERE key = ?");
    release.bind(1, key);
    release.exec();
    return Ok();
  } catch (const std::exception& error) {
    return StorageError(error);
  }
}

}  // namespace recur
