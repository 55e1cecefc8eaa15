// SqliteStore's WebhookDeliveryStore half.
#include <SQLiteCpp/Statement.h>

#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"
#include "store/sqlite/webhook_sql.h"

namespace recur {

Result<std::vector<DueDelivery>> SqliteStore::DueDeliveries(Instant now, int limit,
                                                            const std::vector<std::string>& skipped,
                                                            const DeliveryLease&) {
  return connections_->Read({"reading due deliveries"}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(
        db,
        "SELECT d.id, d.msg_id, v.type, v.body, d.attempts, e.id, e.url, e.secret, "
        "e.previous_secret, e.previous_secret_expires_at, d.round_start, v.body_dictionary_id "
        "FROM webhook_deliveries d "
        "JOIN events v ON v.id = d.event_id JOIN webhook_endpoints e ON e.id = d.endpoint_id "
        "WHERE d.status = 'pending' AND d.next_attempt_at <= ?1 AND e.disabled = 0 AND "
        "e.deleted_at IS NULL AND d.endpoint_id NOT IN (SELECT value FROM json_each(?3)) "
        "ORDER BY d.next_attempt_at, d.id LIMIT ?2",
        now, limit, nlohmann::json(skipped).dump());
    std::vector<DueDelivery> due;
    while (query->executeStep()) {
      DueDelivery delivery;
      delivery.id = query->getColumn(0).getInt64();
      delivery.msg_id = query->getColumn(1).getString();
      delivery.event_type = query->getColumn(2).getString();
      delivery.body = ReadEventBody(*event_bodies_, db, query->getColumn(3), query->getColumn(11));
      delivery.attempts = query->getColumn(4).getInt();
      delivery.endpoint.id = query->getColumn(5).getString();
      delivery.endpoint.url = query->getColumn(6).getString();
      delivery.endpoint.secret = query->getColumn(7).getString();
      delivery.endpoint.previous_secret = OptionalText(query->getColumn(8));
      delivery.endpoint.previous_secret_expires_at = OptionalInstant(query->getColumn(9));
      delivery.round_start = query->getColumn(10).getInt();
      due.push_back(std::move(delivery));
    }
    return due;
  });
}

Result<std::vector<std::optional<Instant>>> SqliteStore::RecordDeliveryAttempts(
    const std::vector<DeliveryAttempt>& attempts) {
  std::vector<std::optional<Instant>> failing_since;
  Status written =
      connections_->Write({"recording delivery attempts"}, [&](SQLite::Database& db) -> Status {
        failing_since.clear();
        StatementLease log = Prepared(db,
                                      "INSERT INTO webhook_attempts (delivery_id, endpoint_id, "
                                      "attempt, attempted_at, http_status, error, latency_ms, "
                                      "response_body, next_attempt_at) "
                                      "VALUES (?,?,?,?,?,?,?,?,?)");
        StatementLease update = Prepared(db,
                                         "UPDATE webhook_deliveries SET attempts = ?, status = ?, "
                                         "next_attempt_at = COALESCE(?, next_attempt_at) "
                                         "WHERE id = ?");
        // A success clears failing_since; the first failure after one sets it. Neither is a
        // change of the endpoint's settings, so its version stays. Rows are written only when
        // the value changes.
        StatementLease healthy = Prepared(db,
                                          "UPDATE webhook_endpoints SET failing_since = NULL "
                                          "WHERE id = ? AND failing_since IS NOT NULL");
        StatementLease failing = Prepared(db,
                                          "UPDATE webhook_endpoints SET failing_since = COALESCE("
                                          "failing_since, ?1) WHERE id = ?2 "
                                          "RETURNING failing_since");
        for (const DeliveryAttempt& attempt : attempts) {
          BindValues(*log, attempt.delivery_id, attempt.endpoint_id, attempt.attempt,
                     attempt.attempted_at, attempt.http_status, attempt.error, attempt.latency_ms,
                     attempt.response_body, attempt.next_attempt_at);
          log->exec();
          log->reset();
          BindValues(*update, attempt.attempt, DeliveryStatusAfter(attempt),
                     attempt.next_attempt_at, attempt.delivery_id);
          update->exec();
          update->reset();
          if (attempt.delivered) {
            BindValues(*healthy, attempt.endpoint_id);
            healthy->exec();
            healthy->reset();
            failing_since.emplace_back();
          } else {
            BindValues(*failing, attempt.attempted_at, attempt.endpoint_id);
            failing_since.push_back(failing->executeStep() ? OptionalInstant(failing->getColumn(0))
                                                           : std::nullopt);
            failing->reset();
          }
        }
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return failing_since;
}

Result<int> SqliteStore::RecoverDeliveries(const std::string& endpoint_id, Instant since) {
  int queued = 0;
  Status written = WriteChange(
      {"recovering deliveries of webhook endpoint", endpoint_id}, endpoint_id,
      [&](SQLite::Database& db) -> Status {
        // The SELECT needs its WHERE for SQLite to read ON CONFLICT as the upsert's.
        queued = Prepared(db,
                          "INSERT INTO webhook_deliveries (msg_id, event_id, endpoint_id, "
                          "status, next_attempt_at) SELECT " +
                              WebhookIdSql("v.id", "e.id") +
                              ", v.id, e.id, 'pending', 0 FROM events v "
                              "JOIN webhook_endpoints e ON e.id = ?1 "
                              "WHERE v.timestamp >= ?2 AND e.deleted_at IS NULL AND " +
                              EndpointTakesTypeSql("v.type") +
                              " ON CONFLICT (event_id, endpoint_id) DO UPDATE SET "
                              "status = 'pending', next_attempt_at = 0, round_start = attempts "
                              "WHERE status != 'delivered'",
                          endpoint_id, since)
                     ->exec();
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return queued;
}

Result<std::string> SqliteStore::ResendEvent(const std::string& endpoint_id,
                                             const std::string& event_id) {
  std::string webhook_id;
  Status written =
      WriteChange({"resending event", event_id}, endpoint_id, [&](SQLite::Database& db) -> Status {
        StatementLease event = Prepared(db, "SELECT type FROM events WHERE id = ?", event_id);
        if (!event->executeStep()) {
          return MakeError(ErrorKind::kNotFound, "event_not_found", "no event " + event_id,
                           "event_id");
        }
        const std::string type = event->getColumn(0).getString();
        StatementLease resend =
            Prepared(db,
                     "INSERT INTO webhook_deliveries (msg_id, event_id, endpoint_id, status, "
                     "next_attempt_at) SELECT " +
                         WebhookIdSql("?1", "e.id") +
                         ", ?1, e.id, 'pending', 0 FROM webhook_endpoints e WHERE e.id = ?2 AND "
                         "e.deleted_at IS NULL AND " +
                         EndpointTakesTypeSql("?3") +
                         " ON CONFLICT (event_id, endpoint_id) DO UPDATE SET status = 'pending', "
                         "next_attempt_at = 0, round_start = attempts RETURNING msg_id",
                     event_id, endpoint_id, type);
        if (!resend->executeStep()) {
          return MakeError(ErrorKind::kFailedPrecondition, "event_type_not_taken",
                           "webhook endpoint " + endpoint_id + " does not take " + type +
                               " events (its event_types filter)",
                           "event_id");
        }
        webhook_id = resend->getColumn(0).getString();
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return webhook_id;
}

Result<std::vector<DeliveryAttempt>> SqliteStore::ListDeliveryAttempts(
    const std::string& endpoint_id, int limit) {
  return connections_->Read({"listing delivery attempts"}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(
        db,
        "SELECT a.delivery_id, d.msg_id, d.event_id, v.type, a.attempt, a.attempted_at, "
        "a.http_status, a.error, a.latency_ms, a.response_body, a.next_attempt_at "
        "FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id "
        "JOIN events v ON v.id = d.event_id WHERE a.endpoint_id = ? ORDER BY a.id DESC LIMIT ?",
        endpoint_id, limit);
    std::vector<DeliveryAttempt> attempts;
    while (query->executeStep()) {
      DeliveryAttempt attempt;
      attempt.delivery_id = query->getColumn(0).getInt64();
      attempt.msg_id = query->getColumn(1).getString();
      attempt.event_id = query->getColumn(2).getString();
      attempt.event_type = query->getColumn(3).getString();
      attempt.endpoint_id = endpoint_id;
      attempt.attempt = query->getColumn(4).getInt();
      attempt.attempted_at = InstantOf(query->getColumn(5));
      if (auto status = OptionalInt64(query->getColumn(6))) {
        attempt.http_status = static_cast<int>(*status);
      }
      attempt.error = query->getColumn(7).getString();
      attempt.latency_ms = query->getColumn(8).getInt64();
      attempt.response_body = query->getColumn(9).getString();
      attempt.next_attempt_at = OptionalInstant(query->getColumn(10));
      attempt.delivered = Delivers(attempt.http_status);
      attempts.push_back(std::move(attempt));
    }
    return attempts;
  });
}

}  // namespace recur
