// PostgresStore's IdempotencyStore half. The record of a keyed change is added to the change's
// own transaction by WriteChange (postgres_store.cc).
#include "store/postgres/postgres_store.h"
#include "store/store_errors.h"

namespace recur {

Result<IdempotencyClaim> PostgresStore::ClaimIdempotencyKey(const std::string& key,
                                                            const std::string& request_hash,
                                                            const std::string& instance_id,
                                                            Instant now,
                                                            std::chrono::milliseconds retention) {
  IdempotencyClaim claimed;
  const Doing doing{"claiming idempotency key", key};
  auto written = pool_->Write(doing, [&](PgConnection& connection) -> Status {
    // A key never seen is claimed by its insert; one seen before is locked, so that two
    // claims of one key at once take turns.
    const PgResult inserted = Required(
        connection.Exec(doing,
                        "INSERT INTO idempotency_keys (key, request_hash, created_at, claimed_by) "
                        "VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
                        PgParams::Of(key, request_hash, now, instance_id)));
    if (inserted.affected() == 1) {
      claimed = {IdempotencyClaim::Outcome::kClaimed};
      return Ok();
    }
    const PgResult row = Required(connection.Exec(
        doing,
        "SELECT request_hash, status, body, created_at, claimed_by, made FROM idempotency_keys "
        "WHERE key = $1 FOR UPDATE",
        PgParams::Of(key)));
    if (row.rows() == 0) return ConcurrentChange("idempotency key " + key);  // released just now
    const std::int64_t age = ToUnixMillis(now) - row.Int64(0, 3);
    if (age < retention.count()) {
      if (row.Text(0, 0) != request_hash) {
        claimed = {IdempotencyClaim::Outcome::kMismatch};
        return Ok();
      }
      if (!row.IsNull(0, 1)) {
        claimed = {IdempotencyClaim::Outcome::kReplay, row.Int(0, 1), row.Text(0, 2)};
        return Ok();
      }
      if (!row.IsNull(0, 4) && row.Text(0, 4) == instance_id) {
        claimed = {IdempotencyClaim::Outcome::kInProgress};
        return Ok();
      }
      // Claimed by an instance that no longer runs, or by no one: taken over, keeping the time
      // of the first claim (the key expires `retention` after it) and what it made.
      if (!row.IsNull(0, 5)) {
        claimed = {IdempotencyClaim::Outcome::kRecover, 0, "", row.Text(0, 5)};
      }
      Required(connection.Exec(doing, "UPDATE idempotency_keys SET claimed_by = $1 WHERE key = $2",
                               PgParams::Of(instance_id, key)));
      return Ok();
    }
    // Expired, and so as good as never seen.
    Required(connection.Exec(doing,
                             "UPDATE idempotency_keys SET request_hash = $2, status = NULL, "
                             "body = NULL, created_at = $3, claimed_by = $4, made = NULL "
                             "WHERE key = $1",
                             PgParams::Of(key, request_hash, now, instance_id)));
    claimed = {IdempotencyClaim::Outcome::kClaimed};
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return claimed;
}

Status PostgresStore::CompleteIdempotencyKey(const std::string& key, int status,
                                             const std::string& body) {
  const Doing doing{"completing idempotency key", key};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing,
                             "UPDATE idempotency_keys SET status = $1, body = $2 WHERE key = $3",
                             PgParams::Of(status, body, key)));
    return Ok();
  });
}

Status PostgresStore::ReleaseIdempotencyKey(const std::string& key) {
  const Doing doing{"releasing idempotency key", key};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Pipeline(
        doing,
        {{"DELETE FROM idempotency_keys WHERE key = $1 AND made IS NULL", PgParams::Of(key)},
         {"UPDATE idempotency_keys SET claimed_by = NULL WHERE key = $1", PgParams::Of(key)}}));
    return Ok();
  });
}

Result<int> PostgresStore::PurgeIdempotencyKeys(Instant claimed_before, int limit) {
  int deleted = 0;
  const Doing doing{"purging expired idempotency keys"};
  Status written = pool_->Write(doing, [&](PgConnection& connection) -> Status {
    deleted = Required(connection.Exec(doing,
                                       "DELETE FROM idempotency_keys WHERE key IN (SELECT key "
                                       "FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
                                       PgParams::Of(claimed_before, limit)))
                  .affected();
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return deleted;
}

}  // namespace recur
