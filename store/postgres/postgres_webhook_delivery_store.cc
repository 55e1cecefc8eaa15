// PostgresStore's WebhookDeliveryStore half.
#include <algorithm>
#include <tuple>
#include <utility>

#include "store/postgres/pg_lease_rule.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/postgres_webhook_sql.h"
#include "store/webhook_id_sql.h"

namespace recur {

// Claiming: one round trip, one transaction of two statements. The first locks the endpoints
// with due deliveries that no other node is claiming for right now (SKIP LOCKED), and notes them
// for the second. The second, whose snapshot is taken after those locks are held, so that it
// sees every lease another node committed for them, counts each endpoint's leases held by other
// nodes (those not over: pg_lease_rule.h ends them when they lapse or their node is dead) and
// leases the rest of its room to this node, the deliveries it holds already first. Claims for one
// endpoint thus follow one another, which is what keeps `per_endpoint` across nodes; claims for
// different endpoints go side by side. The lease's times are the database's clock; the domain's
// `now` says only what is due.
namespace {

constexpr const char* kLockClaimableEndpoints =
    "SELECT set_config('recur.claimable_endpoints', COALESCE(string_agg(id, ','), ''), true) "
    "FROM (SELECT e.id FROM webhook_endpoints e "
    "WHERE NOT e.disabled AND e.deleted_at IS NULL AND e.id <> ALL ($2::text[]) AND "
    "EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND "
    "d.status = 'pending' AND d.next_attempt_at <= $1) "
    "FOR NO KEY UPDATE SKIP LOCKED) claimable";

// $1 now, $2 limit, $3 per_endpoint (0: no bound), $4 lease milliseconds, $5 this node.
// `room` is what each endpoint has left once other nodes' leases are counted (said as
// `lease_until >` now before the rule, so that it keeps to the index of leased deliveries).
// What this node holds already comes first (`held`, ranked within the room); the rest of the room
// is filled by `fresh`: for each endpoint, its oldest due deliveries, read in the index's order
// (schema/postgres/0013) and no more than the room left, so that a claim reads and locks a few
// rows whatever the endpoint's backlog. Deliveries a recording transaction holds are skipped
// (they are about to be recorded), never waited for: such a transaction may be waiting for the
// endpoints this one locked. The chosen ids go to the UPDATE as an array, so that it finds
// them by the primary key rather than reading the whole table to join them.
const std::string kLeaseDueDeliveries =
    "WITH clock AS (SELECT " + std::string(kPgDatabaseNow) +
    " AS now_ms), "
    "claimable AS (SELECT unnest(string_to_array("
    "current_setting('recur.claimable_endpoints'), ',')) AS id), "
    "room AS (SELECT c.id, $3::int - (SELECT count(*) FROM webhook_deliveries h, clock "
    "WHERE h.endpoint_id = c.id AND h.lease_owner <> $5 AND h.lease_until > clock.now_ms AND NOT " +
    LeaseLapsedSql("h.lease_owner", "h.lease_until") +
    ") AS free FROM claimable c), "
    "held AS (SELECT d.id, d.endpoint_id, d.next_attempt_at FROM webhook_deliveries d "
    "JOIN claimable c ON c.id = d.endpoint_id WHERE d.lease_owner = $5 AND "
    "d.status = 'pending' AND d.next_attempt_at <= $1 FOR NO KEY UPDATE OF d SKIP LOCKED), "
    "kept AS (SELECT ranked.id, ranked.endpoint_id, ranked.next_attempt_at FROM (SELECT h.*, "
    "room.free, row_number() OVER (PARTITION BY h.endpoint_id ORDER BY h.next_attempt_at, h.id) "
    "AS rank FROM held h JOIN room ON room.id = h.endpoint_id) ranked "
    "WHERE $3::int = 0 OR ranked.rank <= ranked.free), "
    "space AS (SELECT room.id, CASE WHEN $3::int = 0 THEN $2::bigint ELSE GREATEST(room.free - "
    "(SELECT count(*) FROM kept WHERE kept.endpoint_id = room.id), 0) END AS left_over "
    "FROM room), "
    "fresh AS (SELECT f.id, f.next_attempt_at FROM space CROSS JOIN LATERAL ("
    "SELECT d.id, d.next_attempt_at FROM webhook_deliveries d WHERE d.endpoint_id = space.id AND "
    "d.status = 'pending' AND d.next_attempt_at <= $1 AND d.lease_owner IS DISTINCT FROM $5 AND " +
    LeaseLapsedSql("d.lease_owner", "d.lease_until") +
    " ORDER BY d.next_attempt_at, d.id LIMIT space.left_over "
    "FOR NO KEY UPDATE OF d SKIP LOCKED) f), "
    "chosen AS (SELECT id FROM (SELECT id, next_attempt_at, true AS held FROM kept UNION ALL "
    "SELECT id, next_attempt_at, false FROM fresh) candidates "
    "ORDER BY held DESC, next_attempt_at, id LIMIT $2) "
    "UPDATE webhook_deliveries d SET "
    "lease = CASE WHEN d.lease_owner = $5 THEN d.lease ELSE d.lease + 1 END, "
    "lease_owner = $5, lease_until = clock.now_ms + $4::bigint "
    "FROM clock, events v, webhook_endpoints e "
    "WHERE d.id = ANY (ARRAY(SELECT id FROM chosen)) AND v.id = d.event_id AND "
    "e.id = d.endpoint_id "
    "RETURNING d.id, d.msg_id, v.type, v.body, d.attempts, e.id, e.url, e.secret, "
    "e.previous_secret, e.previous_secret_expires_at, d.round_start, v.body_dictionary_id, "
    "d.lease, d.next_attempt_at";

// A delivery queued again (recovered, resent) starts afresh: whoever holds it loses it, and its
// token moves on, so that an attempt sent before is kept in the log as superseded rather than
// recorded over the new round.
constexpr const char* kEndLease = "lease = d.lease + 1, lease_owner = NULL, lease_until = NULL";

}  // namespace

Result<std::vector<DueDelivery>> PostgresStore::DueDeliveries(
    Instant now, int limit, const std::vector<std::string>& skipped, const DeliveryLease& lease) {
  const Doing doing{"claiming due deliveries"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    PgParams endpoints = PgParams::Of(now);
    endpoints.AddTextArray(skipped);
    const std::vector<PgResult> results = Required(connection.Pipeline(
        doing, {{"BEGIN", {}},
                {kLockClaimableEndpoints, std::move(endpoints)},
                {kLeaseDueDeliveries,
                 PgParams::Of(now, limit, std::max(lease.per_endpoint, 0),
                              static_cast<std::int64_t>(lease.duration.count()), node_id_)},
                {"COMMIT", {}}}));
    const PgResult& rows = results[2];
    std::vector<std::pair<std::int64_t, DueDelivery>> leased;
    for (int row = 0; row < rows.rows(); ++row) {
      DueDelivery delivery;
      delivery.id = rows.Int64(row, 0);
      delivery.msg_id = rows.Text(row, 1);
      delivery.event_type = rows.Text(row, 2);
      delivery.body = ReadEventBody(*event_bodies_, connection, rows, row, 3, 11);
      delivery.attempts = rows.Int(row, 4);
      delivery.endpoint.id = rows.Text(row, 5);
      delivery.endpoint.url = rows.Text(row, 6);
      delivery.endpoint.secret = rows.Text(row, 7);
      delivery.endpoint.previous_secret = rows.OptionalText(row, 8);
      delivery.endpoint.previous_secret_expires_at = rows.OptionalInstant(row, 9);
      delivery.round_start = rows.Int(row, 10);
      delivery.lease = rows.Int64(row, 12);
      leased.emplace_back(rows.Int64(row, 13), std::move(delivery));
    }
    // An UPDATE returns its rows in no set order: oldest first, as the contract says.
    std::sort(leased.begin(), leased.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first, a.second.id) < std::tie(b.first, b.second.id);
    });
    std::vector<DueDelivery> due;
    due.reserve(leased.size());
    for (auto& [next_attempt_at, delivery] : leased) due.push_back(std::move(delivery));
    return due;
  });
}

Result<std::vector<std::optional<Instant>>> PostgresStore::RecordDeliveryAttempts(
    const std::vector<DeliveryAttempt>& attempts) {
  // One statement an attempt, all sent together: the delivery moved on and its lease ended, if
  // the attempt was made under the delivery's current lease (fencing: a node paused past its
  // lease, whose delivery another node claimed since, changes nothing); the log row, marked
  // superseded when it was not; and, when it was, the endpoint's failing_since (cleared by a
  // success, set by the first failure after one; neither is a change of its settings, so its
  // version stays).
  // They go by endpoint (each endpoint's in the order given), so that recording transactions of
  // several nodes lock endpoints in one order and never wait for each other in a circle.
  std::vector<std::size_t> order(attempts.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return attempts[a].endpoint_id < attempts[b].endpoint_id;
  });
  std::vector<PgStatement> statements;
  for (const std::size_t i : order) {
    const DeliveryAttempt& attempt = attempts[i];
    statements.push_back(
        {"WITH moved AS (UPDATE webhook_deliveries SET attempts = $3, status = $10, "
         "next_attempt_at = COALESCE($9, next_attempt_at), lease_owner = NULL, "
         "lease_until = NULL WHERE id = $1 AND lease = $11 RETURNING id), "
         "logged AS (INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempt, "
         "attempted_at, http_status, error, latency_ms, response_body, next_attempt_at, "
         "superseded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
         "NOT EXISTS (SELECT 1 FROM moved))) "
         "UPDATE webhook_endpoints SET failing_since = "
         "CASE WHEN $12::boolean THEN NULL ELSE COALESCE(failing_since, $4) END "
         "WHERE id = $2 AND EXISTS (SELECT 1 FROM moved) AND "
         "(NOT $12::boolean OR failing_since IS NOT NULL) RETURNING failing_since",
         PgParams::Of(attempt.delivery_id, attempt.endpoint_id, attempt.attempt,
                      attempt.attempted_at, attempt.http_status, attempt.error, attempt.latency_ms,
                      attempt.response_body, attempt.next_attempt_at, DeliveryStatusAfter(attempt),
                      attempt.lease, attempt.delivered)});
  }
  std::vector<std::optional<Instant>> failing_since;
  const Doing doing{"recording delivery attempts"};
  Status written = pool_->Write(doing, [&](PgConnection& connection) -> Status {
    const std::vector<PgResult> results = Required(connection.Pipeline(doing, statements));
    failing_since.assign(attempts.size(), std::nullopt);
    for (std::size_t sent = 0; sent < order.size(); ++sent) {
      const PgResult& endpoint = results[sent];
      if (endpoint.rows() > 0) failing_since[order[sent]] = endpoint.OptionalInstant(0, 0);
    }
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return failing_since;
}

Status PostgresStore::ReleaseDeliveries(const std::vector<DueDelivery>& deliveries) {
  if (deliveries.empty()) return Ok();
  // Two bigint arrays in PostgreSQL's text form: the ids and the leases they were handed under.
  std::string ids = "{";
  std::string leases = "{";
  for (const DueDelivery& delivery : deliveries) {
    if (ids.size() > 1) {
      ids += ',';
      leases += ',';
    }
    ids += std::to_string(delivery.id);
    leases += std::to_string(delivery.lease);
  }
  ids += '}';
  leases += '}';
  const Doing doing{"releasing delivery leases"};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(
        connection.Exec(doing,
                        "UPDATE webhook_deliveries d SET lease_owner = NULL, lease_until = NULL "
                        "FROM unnest($1::bigint[], $2::bigint[]) AS released (id, lease) "
                        "WHERE d.id = released.id AND d.lease = released.lease AND "
                        "d.lease_owner = $3",
                        PgParams::Of(ids, leases, node_id_)));
    return Ok();
  });
}

Result<int> PostgresStore::RecoverDeliveries(const std::string& endpoint_id, Instant since) {
  int queued = 0;
  const Doing doing{"recovering deliveries of webhook endpoint", endpoint_id};
  Status written = WriteChange(doing, endpoint_id, [&](PgConnection& connection) -> Status {
    queued =
        Required(connection.Exec(
                     doing,
                     "INSERT INTO webhook_deliveries AS d (msg_id, event_id, endpoint_id, "
                     "status, next_attempt_at) SELECT " +
                         WebhookIdSql("v.id", "e.id") +
                         ", v.id, e.id, 'pending', 0 FROM events v "
                         "JOIN webhook_endpoints e ON e.id = $1 "
                         "WHERE v.timestamp >= $2 AND e.deleted_at IS NULL AND " +
                         PgEndpointTakesTypeSql("v.type") +
                         " ON CONFLICT (event_id, endpoint_id) DO UPDATE SET "
                         "status = 'pending', next_attempt_at = 0, round_start = d.attempts, " +
                         kEndLease + " WHERE d.status <> 'delivered'",
                     PgParams::Of(endpoint_id, since)))
            .affected();
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return queued;
}

Result<std::string> PostgresStore::ResendEvent(const std::string& endpoint_id,
                                               const std::string& event_id) {
  std::string webhook_id;
  const Doing doing{"resending event", event_id};
  Status written = WriteChange(doing, endpoint_id, [&](PgConnection& connection) -> Status {
    const PgResult event = Required(
        connection.Exec(doing, "SELECT type FROM events WHERE id = $1", PgParams::Of(event_id)));
    if (event.rows() == 0) {
      return MakeError(ErrorKind::kNotFound, "event_not_found", "no event " + event_id, "event_id");
    }
    const std::string type = event.Text(0, 0);
    const PgResult resent = Required(connection.Exec(
        doing,
        "INSERT INTO webhook_deliveries AS d (msg_id, event_id, endpoint_id, status, "
        "next_attempt_at) SELECT " +
            WebhookIdSql("$1::text", "e.id") +
            ", $1, e.id, 'pending', 0 FROM webhook_endpoints e WHERE e.id = $2 AND "
            "e.deleted_at IS NULL AND " +
            PgEndpointTakesTypeSql("$3::text") +
            " ON CONFLICT (event_id, endpoint_id) DO UPDATE SET status = 'pending', "
            "next_attempt_at = 0, round_start = d.attempts, " +
            kEndLease + " RETURNING msg_id",
        PgParams::Of(event_id, endpoint_id, type)));
    if (resent.rows() == 0) {
      return MakeError(ErrorKind::kFailedPrecondition, "event_type_not_taken",
                       "webhook endpoint " + endpoint_id + " does not take " + type +
                           " events (its event_types filter)",
                       "event_id");
    }
    webhook_id = resent.Text(0, 0);
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return webhook_id;
}

Result<std::vector<DeliveryAttempt>> PostgresStore::ListDeliveryAttempts(
    const std::string& endpoint_id, int limit) {
  const Doing doing{"listing delivery attempts", endpoint_id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult rows = Required(connection.Exec(
        doing,
        "SELECT a.delivery_id, d.msg_id, d.event_id, v.type, a.attempt, a.attempted_at, "
        "a.http_status, a.error, a.latency_ms, a.response_body, a.next_attempt_at, a.superseded "
        "FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id "
        "JOIN events v ON v.id = d.event_id WHERE a.endpoint_id = $1 ORDER BY a.id DESC LIMIT $2",
        PgParams::Of(endpoint_id, limit)));
    std::vector<DeliveryAttempt> attempts;
    for (int row = 0; row < rows.rows(); ++row) {
      DeliveryAttempt attempt;
      attempt.delivery_id = rows.Int64(row, 0);
      attempt.msg_id = rows.Text(row, 1);
      attempt.event_id = rows.Text(row, 2);
      attempt.event_type = rows.Text(row, 3);
      attempt.endpoint_id = endpoint_id;
      attempt.attempt = rows.Int(row, 4);
      attempt.attempted_at = rows.InstantAt(row, 5);
      if (auto status = rows.OptionalInt64(row, 6)) attempt.http_status = static_cast<int>(*status);
      attempt.error = rows.Text(row, 7);
      attempt.latency_ms = rows.Int64(row, 8);
      attempt.response_body = rows.Text(row, 9);
      attempt.next_attempt_at = rows.OptionalInstant(row, 10);
      attempt.delivered = Delivers(attempt.http_status);
      attempt.superseded = rows.Bool(row, 11);
      attempts.push_back(std::move(attempt));
    }
    return attempts;
  });
}

}  // namespace recur
