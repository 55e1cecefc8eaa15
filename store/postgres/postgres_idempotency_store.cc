// PostgresStore's IdempotencyStore half, for several nodes on one database: a claim holds
// against other nodes while its lease runs, by the database's clock (idempotency_store.h). The
// record of a keyed change, and the fence that refuses it once the claim is over, are added to
// the change's own transaction by WriteChange (postgres_store.cc, schema/postgres/0009).
#include "store/postgres/pg_lease_rule.h"
#include "store/postgres/postgres_store.h"
#include "store/store_errors.h"

namespace recur {
namespace {

const std::string kDatabaseNow(kPgDatabaseNow);

}  // namespace

Result<IdempotencyClaim> PostgresStore::ClaimIdempotencyKey(
    const std::string& key, const std::string& request_hash, const std::string& instance_id,
    Instant now, std::chrono::milliseconds retention, std::chrono::milliseconds lease) {
  IdempotencyClaim claimed;
  const Doing doing{"claiming idempotency key", key};
  const std::int64_t lease_ms = lease.count();
  auto written = pool_->Write(doing, [&](PgConnection& connection) -> Status {
    // A key never seen is claimed by its insert; one seen before is locked, so that two
    // claims of one key at once take turns (and a change committing for it goes first).
    const PgResult inserted = Required(
        connection.Exec(doing,
                        "INSERT INTO idempotency_keys (key, request_hash, created_at, claimed_by, "
                        "lease_expires_at) VALUES ($1, $2, $3, $4, " +
                            kDatabaseNow + " + $5) ON CONFLICT (key) DO NOTHING",
                        PgParams::Of(key, request_hash, now, instance_id, lease_ms)));
    if (inserted.affected() == 1) {
      claimed = {IdempotencyClaim::Outcome::kClaimed};
      return Ok();
    }
    const PgResult row =
        Required(connection.Exec(doing,
                                 "SELECT request_hash, status, body, created_at, claimed_by, made, "
                                 "NOT " +
                                     LeaseLapsedSql("claimed_by", "lease_expires_at") +
                                     " FROM idempotency_keys WHERE key = $1 FOR UPDATE",
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
      // Claimed by the asker, or by another node under a running lease: that node may still be
      // handling the request.
      if (!row.IsNull(0, 4) && (row.Text(0, 4) == instance_id || row.Bool(0, 6))) {
        claimed = {IdempotencyClaim::Outcome::kInProgress};
        claimed.held_by_another_instance = row.Text(0, 4) != instance_id;
        return Ok();
      }
      // Claimed by a node whose lease is over (pg_lease_rule.h: it lapsed, the node being paused,
      // whose change is refused by the fence if it wakes; or the node is gone), or by no one: taken
      // over, keeping the time of the first claim (the key expires `retention` after it) and what
      // it made.
      if (!row.IsNull(0, 5)) {
        claimed = {IdempotencyClaim::Outcome::kRecover, 0, "", row.Text(0, 5)};
      }
      Required(connection.Exec(doing,
                               "UPDATE idempotency_keys SET claimed_by = $1, lease_expires_at = " +
                                   kDatabaseNow + " + $3 WHERE key = $2",
                               PgParams::Of(instance_id, key, lease_ms)));
      return Ok();
    }
    // Expired, and so as good as never seen.
    Required(connection.Exec(
        doing,
        "UPDATE idempotency_keys SET request_hash = $2, status = NULL, body = NULL, "
        "created_at = $3, claimed_by = $4, made = NULL, lease_expires_at = " +
            kDatabaseNow + " + $5 WHERE key = $1",
        PgParams::Of(key, request_hash, now, instance_id, lease_ms)));
    claimed = {IdempotencyClaim::Outcome::kClaimed};
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return claimed;
}

Status PostgresStore::RenewIdempotencyClaims(const std::vector<std::string>& keys,
                                             const std::string& instance_id,
                                             std::chrono::milliseconds lease) {
  if (keys.empty()) return Ok();
  const Doing doing{"renewing idempotency key claims", instance_id};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing,
                             "UPDATE idempotency_keys SET lease_expires_at = " + kDatabaseNow +
                                 " + $3 WHERE key = ANY($1::text[]) AND claimed_by = $2 AND "
                                 "status IS NULL",
                             PgParams()
                                 .AddTextArray(keys)
                                 .Add(instance_id)
                                 .Add(static_cast<std::int64_t>(lease.count()))));
    return Ok();
  });
}

Status PostgresStore::CompleteIdempotencyKey(const std::string& key, const std::string& instance_id,
                                             int status, const std::string& body) {
  const Doing doing{"completing idempotency key", key};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    // Only while the claim is still ours: a node that took the request over may have answered.
    Required(connection.Exec(doing,
                             "UPDATE idempotency_keys SET status = $1, body = $2 "
                             "WHERE key = $3 AND claimed_by = $4 AND status IS NULL",
                             PgParams::Of(status, body, key, instance_id)));
    return Ok();
  });
}

Status PostgresStore::ReleaseIdempotencyKey(const std::string& key,
                                            const std::string& instance_id) {
  const Doing doing{"releasing idempotency key", key};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    const PgParams ours = PgParams::Of(key, instance_id);
    Required(connection.Pipeline(
        doing, {{"DELETE FROM idempotency_keys WHERE key = $1 AND claimed_by = $2 AND "
                 "made IS NULL AND status IS NULL",
                 ours},
                {"UPDATE idempotency_keys SET claimed_by = NULL, lease_expires_at = NULL "
                 "WHERE key = $1 AND claimed_by = $2 AND status IS NULL",
                 ours}}));
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
