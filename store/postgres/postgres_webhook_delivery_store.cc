// PostgresStore's WebhookDeliveryStore half.
#include "store/postgres/postgres_store.h"
#include "store/postgres/postgres_webhook_sql.h"
#include "store/webhook_id_sql.h"

namespace recur {

Result<std::vector<DueDelivery>> PostgresStore::DueDeliveries(
    Instant now, int limit, const std::vector<std::string>& skipped) {
  const Doing doing{"reading due deliveries"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    PgParams params = PgParams::Of(now, limit);
    params.AddTextArray(skipped);
    const PgResult rows = Required(connection.Exec(
        doing,
        "SELECT d.id, d.msg_id, v.type, v.body, d.attempts, e.id, e.url, e.secret, "
        "e.previous_secret, e.previous_secret_expires_at, d.round_start, v.body_dictionary_id "
        "FROM webhook_deliveries d "
        "JOIN events v ON v.id = d.event_id JOIN webhook_endpoints e ON e.id = d.endpoint_id "
        "WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND NOT e.disabled AND "
        "e.deleted_at IS NULL AND d.endpoint_id <> ALL ($3::text[]) "
        "ORDER BY d.next_attempt_at, d.id LIMIT $2",
        params));
    std::vector<DueDelivery> due;
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
      due.push_back(std::move(delivery));
    }
    return due;
  });
}

Result<std::vector<std::optional<Instant>>> PostgresStore::RecordDeliveryAttempts(
    const std::vector<DeliveryAttempt>& attempts) {
  // Three statements an attempt, all sent together: the log row, the delivery moved on, and
  // the endpoint's failing_since (cleared by a success, set by the first failure after one;
  // neither is a change of its settings, so its version stays).
  std::vector<PgStatement> statements;
  for (const DeliveryAttempt& attempt : attempts) {
    statements.push_back(
        {"INSERT INTO webhook_attempts (delivery_id, endpoint_id, attempt, attempted_at, "
         "http_status, error, latency_ms, response_body, next_attempt_at) "
         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
         PgParams::Of(attempt.delivery_id, attempt.endpoint_id, attempt.attempt,
                      attempt.attempted_at, attempt.http_status, attempt.error, attempt.latency_ms,
                      attempt.response_body, attempt.next_attempt_at)});
    statements.push_back(
        {"UPDATE webhook_deliveries SET attempts = $1, status = $2, "
         "next_attempt_at = COALESCE($3, next_attempt_at) WHERE id = $4",
         PgParams::Of(attempt.attempt, DeliveryStatusAfter(attempt), attempt.next_attempt_at,
                      attempt.delivery_id)});
    if (attempt.delivered) {
      statements.push_back(
          {"UPDATE webhook_endpoints SET failing_since = NULL "
           "WHERE id = $1 AND failing_since IS NOT NULL",
           PgParams::Of(attempt.endpoint_id)});
    } else {
      statements.push_back(
          {"UPDATE webhook_endpoints SET failing_since = "
           "COALESCE(failing_since, $1) WHERE id = $2 RETURNING failing_since",
           PgParams::Of(attempt.attempted_at, attempt.endpoint_id)});
    }
  }
  std::vector<std::optional<Instant>> failing_since;
  const Doing doing{"recording delivery attempts"};
  Status written = pool_->Write(doing, [&](PgConnection& connection) -> Status {
    const std::vector<PgResult> results = Required(connection.Pipeline(doing, statements));
    failing_since.clear();
    for (std::size_t i = 0; i < attempts.size(); ++i) {
      const PgResult& endpoint = results[3 * i + 2];
      if (attempts[i].delivered || endpoint.rows() == 0) {
        failing_since.emplace_back();
      } else {
        failing_since.push_back(endpoint.OptionalInstant(0, 0));
      }
    }
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return failing_since;
}

Result<int> PostgresStore::RecoverDeliveries(const std::string& endpoint_id, Instant since) {
  int queued = 0;
  const Doing doing{"recovering deliveries of webhook endpoint", endpoint_id};
  Status written = WriteChange(doing, endpoint_id, [&](PgConnection& connection) -> Status {
    queued = Required(connection.Exec(
                          doing,
                          "INSERT INTO webhook_deliveries AS d (msg_id, event_id, endpoint_id, "
                          "status, next_attempt_at) SELECT " +
                              WebhookIdSql("v.id", "e.id") +
                              ", v.id, e.id, 'pending', 0 FROM events v "
                              "JOIN webhook_endpoints e ON e.id = $1 "
                              "WHERE v.timestamp >= $2 AND e.deleted_at IS NULL AND " +
                              PgEndpointTakesTypeSql("v.type") +
                              " ON CONFLICT (event_id, endpoint_id) DO UPDATE SET "
                              "status = 'pending', next_attempt_at = 0, round_start = d.attempts "
                              "WHERE d.status <> 'delivered'",
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
            "next_attempt_at = 0, round_start = d.attempts RETURNING msg_id",
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
        "a.http_status, a.error, a.latency_ms, a.response_body, a.next_attempt_at "
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
      attempts.push_back(std::move(attempt));
    }
    return attempts;
  });
}

}  // namespace recur
