// SqliteStore's IdempotencyStore half, and WriteChange: the records its other writes add to
// their own transactions (of a keyed change, of the gateway's message a change applies).
#include <SQLiteCpp/Statement.h>

#include "store/gateway_event_scope.h"
#include "store/idempotent_request_scope.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"
#include "store/store_errors.h"

namespace recur {
namespace {

// Notes in the key's row, inside the change's transaction, what the change made (the first
// thing only; a key already answered is left alone).
void RecordIdempotentChange(SQLite::Database& db, const std::string& key, const std::string& made) {
  Prepared(db,
           "UPDATE idempotency_keys SET made = COALESCE(made, ?) "
           "WHERE key = ? AND status IS NULL",
           made, key)
      ->exec();
}

// Records, inside the change's transaction, the gateway's message the change applies; refuses
// the change when the message was applied already.
Status RecordAppliedMessage(SQLite::Database& db, const GatewayEventRecord& message) {
  Prepared(db,
           "INSERT INTO gateway_events (id, type, applied_at) VALUES (?, ?, ?) "
           "ON CONFLICT (id) DO NOTHING",
           message.id, message.type, message.at)
      ->exec();
  if (db.getChanges() == 0) return GatewayEventAlreadyApplied(message.id);
  return Ok();
}

}  // namespace

Status SqliteStore::WriteChange(const Doing& doing, const std::function<std::string()>& made,
                                SqliteConnections::WriteJob job) {
  // Both read on the caller's thread, not the one writer.
  const std::optional<std::string> key = IdempotentRequestScope::CurrentKey();
  const std::optional<GatewayEventRecord> message = GatewayEventScope::Pending();
  if (!key && !message) return connections_->Write(doing, std::move(job));
  const std::string what = key ? made() : std::string();
  Status written = connections_->Write(doing, [&](SQLite::Database& db) -> Status {
    if (message) {
      if (Status recorded = RecordAppliedMessage(db, *message); !recorded) return recorded;
    }
    Status done = job(db);
    if (done && key) RecordIdempotentChange(db, *key, what);
    return done;
  });
  if (written && message) GatewayEventScope::Recorded();
  return written;
}

Result<IdempotencyClaim> SqliteStore::ClaimIdempotencyKey(
    const std::string& key, const std::string& request_hash, const std::string& instance_id,
    Instant now, std::chrono::milliseconds retention, std::chrono::milliseconds /*lease*/) {
  IdempotencyClaim claimed;
  auto written =
      connections_->Write({"claiming idempotency key", key}, [&](SQLite::Database& db) -> Status {
        const std::int64_t now_ms = ToUnixMillis(now);
        StatementLease row = Prepared(db,
                                      "SELECT request_hash, status, body, created_at, "
                                      "claimed_by, made FROM idempotency_keys WHERE key = ?",
                                      key);
        if (row->executeStep() && now_ms - row->getColumn(3).getInt64() < retention.count()) {
          if (row->getColumn(0).getString() != request_hash) {
            claimed = {IdempotencyClaim::Outcome::kMismatch};
            return Ok();
          }
          if (!row->getColumn(1).isNull()) {
            claimed = {IdempotencyClaim::Outcome::kReplay, row->getColumn(1).getInt(),
                       row->getColumn(2).getString()};
            return Ok();
          }
          if (!row->getColumn(4).isNull() && row->getColumn(4).getString() == instance_id) {
            claimed = {IdempotencyClaim::Outcome::kInProgress};
            return Ok();
          }
          // Claimed by an instance that no longer runs, or by no one: taken over, keeping the
          // time of the first claim (the key expires 24 h after it) and what it made.
          if (!row->getColumn(5).isNull()) {
            claimed = {IdempotencyClaim::Outcome::kRecover, 0, "", row->getColumn(5).getString()};
          }
          row->reset();
          Prepared(db, "UPDATE idempotency_keys SET claimed_by = ? WHERE key = ?", instance_id, key)
              ->exec();
          return Ok();
        }
        row->reset();
        Prepared(db,
                 "INSERT INTO idempotency_keys (key, request_hash, status, body, created_at, "
                 "claimed_by, made) VALUES (?, ?, NULL, NULL, ?, ?, NULL) ON CONFLICT (key) DO "
                 "UPDATE SET request_hash = excluded.request_hash, status = NULL, body = NULL, "
                 "created_at = excluded.created_at, claimed_by = excluded.claimed_by, made = NULL",
                 key, request_hash, now_ms, instance_id)
            ->exec();
        claimed = {IdempotencyClaim::Outcome::kClaimed};
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return claimed;
}

Status SqliteStore::RenewIdempotencyClaims(const std::vector<std::string>& /*keys*/,
                                           const std::string& /*instance_id*/,
                                           std::chrono::milliseconds /*lease*/) {
  return Ok();  // no lease to renew: one server at a time (the OS lock)
}

Status SqliteStore::CompleteIdempotencyKey(const std::string& key, const std::string& instance_id,
                                           int status, const std::string& body) {
  return connections_->Write({"completing idempotency key", key},
                             [&](SQLite::Database& db) -> Status {
                               Prepared(db,
                                        "UPDATE idempotency_keys SET status = ?, body = ? "
                                        "WHERE key = ? AND claimed_by = ? AND status IS NULL",
                                        status, body, key, instance_id)
                                   ->exec();
                               return Ok();
                             });
}

Status SqliteStore::ReleaseIdempotencyKey(const std::string& key, const std::string& instance_id) {
  return connections_->Write(
      {"releasing idempotency key", key}, [&](SQLite::Database& db) -> Status {
        Prepared(db,
                 "DELETE FROM idempotency_keys WHERE key = ? AND claimed_by = ? AND made IS NULL "
                 "AND status IS NULL",
                 key, instance_id)
            ->exec();
        Prepared(db,
                 "UPDATE idempotency_keys SET claimed_by = NULL WHERE key = ? AND claimed_by = ? "
                 "AND status IS NULL",
                 key, instance_id)
            ->exec();
        return Ok();
      });
}

Result<int> SqliteStore::PurgeIdempotencyKeys(Instant claimed_before, int limit) {
  int deleted = 0;
  Status written = connections_->Write(
      {"purging expired idempotency keys"}, [&](SQLite::Database& db) -> Status {
        deleted = Prepared(db,
                           "DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM "
                           "idempotency_keys WHERE created_at < ? LIMIT ?)",
                           ToUnixMillis(claimed_before), limit)
                      ->exec();
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return deleted;
}

}  // namespace recur
