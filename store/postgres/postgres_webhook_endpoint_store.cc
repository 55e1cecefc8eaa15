// PostgresStore's WebhookEndpointStore half.
#include <nlohmann/json.hpp>

#include "store/postgres/postgres_store.h"
#include "store/store_errors.h"

namespace recur {
namespace {

constexpr const char* kColumns =
    "id, url, description, event_types, disabled, disabled_reason, secret, previous_secret, "
    "previous_secret_expires_at, created_at, updated_at, deleted_at, failing_since, version";

WebhookEndpoint ReadEndpoint(const PgResult& rows, int row) {
  WebhookEndpoint endpoint;
  endpoint.id = rows.Text(row, 0);
  endpoint.url = rows.Text(row, 1);
  endpoint.description = rows.Text(row, 2);
  endpoint.event_types = nlohmann::json::parse(rows.Text(row, 3)).get<std::vector<std::string>>();
  endpoint.disabled = rows.Bool(row, 4);
  endpoint.disabled_reason = rows.Text(row, 5);
  endpoint.secret = rows.Text(row, 6);
  endpoint.previous_secret = rows.OptionalText(row, 7);
  endpoint.previous_secret_expires_at = rows.OptionalInstant(row, 8);
  endpoint.created_at = rows.InstantAt(row, 9);
  endpoint.updated_at = rows.InstantAt(row, 10);
  endpoint.deleted_at = rows.OptionalInstant(row, 11);
  endpoint.failing_since = rows.OptionalInstant(row, 12);
  endpoint.version = rows.Int64(row, 13);
  return endpoint;
}

// Inserts the endpoint, or updates it if its stored version is still endpoint.version; returns
// the rows written.
int WriteEndpoint(PgConnection& connection, const Doing& doing, const WebhookEndpoint& endpoint,
                  bool insert) {
  return Required(connection.Exec(
                      doing,
                      insert
                          ? "INSERT INTO webhook_endpoints (url, description, event_types, "
                            "disabled, disabled_reason, secret, previous_secret, "
                            "previous_secret_expires_at, created_at, updated_at, deleted_at, "
                            "failing_since, id, version) "
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                          : "UPDATE webhook_endpoints SET url = $1, description = $2, "
                            "event_types = $3, disabled = $4, disabled_reason = $5, secret = $6, "
                            "previous_secret = $7, previous_secret_expires_at = $8, "
                            "created_at = $9, updated_at = $10, deleted_at = $11, "
                            "failing_since = $12, version = version + 1 "
                            "WHERE id = $13 AND version = $14",
                      PgParams::Of(endpoint.url, endpoint.description,
                                   nlohmann::json(endpoint.event_types).dump(), endpoint.disabled,
                                   endpoint.disabled_reason, endpoint.secret,
                                   endpoint.previous_secret, endpoint.previous_secret_expires_at,
                                   endpoint.created_at, endpoint.updated_at, endpoint.deleted_at,
                                   endpoint.failing_since, endpoint.id, endpoint.version)))
      .affected();
}

}  // namespace

Status PostgresStore::CreateWebhookEndpoint(const WebhookEndpoint& endpoint) {
  const Doing doing{"creating webhook endpoint", endpoint.id};
  return WriteChange(doing, endpoint.id, [&](PgConnection& connection) -> Status {
    WriteEndpoint(connection, doing, endpoint, /*insert=*/true);
    return Ok();
  });
}

Status PostgresStore::UpdateWebhookEndpoint(const WebhookEndpoint& endpoint) {
  const Doing doing{"updating webhook endpoint", endpoint.id};
  return WriteChange(doing, endpoint.id, [&](PgConnection& connection) -> Status {
    if (WriteEndpoint(connection, doing, endpoint, /*insert=*/false) == 1) return Ok();
    return ConcurrentChange("webhook endpoint " + endpoint.id);
  });
}

Result<bool> PostgresStore::DisableWebhookEndpoint(const std::string& id, const std::string& reason,
                                                   Instant at,
                                                   std::optional<Instant> failing_since_before) {
  bool disabled = false;
  const Doing doing{"disabling webhook endpoint", id};
  Status written = WriteChange(doing, id, [&](PgConnection& connection) -> Status {
    disabled = Required(connection.Exec(
                            doing,
                            "UPDATE webhook_endpoints SET disabled = true, disabled_reason = $1, "
                            "updated_at = $2, version = version + 1 WHERE id = $3 AND "
                            "NOT disabled AND ($4::bigint IS NULL OR failing_since <= $4)",
                            PgParams::Of(reason, at, id, failing_since_before)))
                   .affected() == 1;
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return disabled;
}

Result<std::optional<WebhookEndpoint>> PostgresStore::GetWebhookEndpoint(const std::string& id) {
  const Doing doing{"reading a webhook endpoint", id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult rows =
        Required(connection.Exec(doing,
                                 std::string("SELECT ") + kColumns +
                                     " FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NULL",
                                 PgParams::Of(id)));
    if (rows.rows() == 0) return std::optional<WebhookEndpoint>();
    return std::optional<WebhookEndpoint>(ReadEndpoint(rows, 0));
  });
}

Result<std::vector<WebhookEndpoint>> PostgresStore::ListWebhookEndpoints() {
  const Doing doing{"listing webhook endpoints"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    // Endpoints made at one instant in the order made (seq).
    const PgResult rows = Required(connection.Exec(
        doing, std::string("SELECT ") + kColumns +
                   " FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY created_at, seq"));
    std::vector<WebhookEndpoint> endpoints;
    for (int row = 0; row < rows.rows(); ++row) endpoints.push_back(ReadEndpoint(rows, row));
    return endpoints;
  });
}

}  // namespace recur
