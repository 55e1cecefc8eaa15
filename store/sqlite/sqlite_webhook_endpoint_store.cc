// SqliteStore's WebhookEndpointStore half.
#include <SQLiteCpp/Statement.h>

#include <nlohmann/json.hpp>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"
#include "store/store_errors.h"

namespace recur {
namespace {

constexpr const char* kColumns =
    "id, url, description, event_types, disabled, disabled_reason, secret, previous_secret, "
    "previous_secret_expires_at, created_at, updated_at, deleted_at, failing_since, version";

WebhookEndpoint ReadEndpoint(SQLite::Statement& row) {
  WebhookEndpoint endpoint;
  endpoint.id = row.getColumn(0).getString();
  endpoint.url = row.getColumn(1).getString();
  endpoint.description = row.getColumn(2).getString();
  endpoint.event_types =
      nlohmann::json::parse(row.getColumn(3).getString()).get<std::vector<std::string>>();
  endpoint.disabled = row.getColumn(4).getInt() != 0;
  endpoint.disabled_reason = row.getColumn(5).getString();
  endpoint.secret = row.getColumn(6).getString();
  endpoint.previous_secret = OptionalText(row.getColumn(7));
  endpoint.previous_secret_expires_at = OptionalInstant(row.getColumn(8));
  endpoint.created_at = InstantOf(row.getColumn(9));
  endpoint.updated_at = InstantOf(row.getColumn(10));
  endpoint.deleted_at = OptionalInstant(row.getColumn(11));
  endpoint.failing_since = OptionalInstant(row.getColumn(12));
  endpoint.version = row.getColumn(13).getInt64();
  return endpoint;
}

// Inserts the endpoint, or updates it if its stored version is still endpoint.version; returns
// the rows written.
int WriteEndpoint(SQLite::Database& db, const WebhookEndpoint& endpoint, bool insert) {
  return Prepared(db,
                  insert ? "INSERT INTO webhook_endpoints (url, description, event_types, "
                           "disabled, disabled_reason, secret, previous_secret, "
                           "previous_secret_expires_at, created_at, updated_at, deleted_at, "
                           "failing_since, id, version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                         : "UPDATE webhook_endpoints SET url = ?, description = ?, "
                           "event_types = ?, disabled = ?, disabled_reason = ?, secret = ?, "
                           "previous_secret = ?, previous_secret_expires_at = ?, "
                           "created_at = ?, updated_at = ?, deleted_at = ?, failing_since = ?, "
                           "version = version + 1 WHERE id = ? AND version = ?",
                  endpoint.url, endpoint.description, nlohmann::json(endpoint.event_types).dump(),
                  endpoint.disabled, endpoint.disabled_reason, endpoint.secret,
                  endpoint.previous_secret, endpoint.previous_secret_expires_at,
                  endpoint.created_at, endpoint.updated_at, endpoint.deleted_at,
                  endpoint.failing_since, endpoint.id, endpoint.version)
      ->exec();
}

}  // namespace

Status SqliteStore::CreateWebhookEndpoint(const WebhookEndpoint& endpoint) {
  return WriteChange({"creating webhook endpoint", endpoint.id}, endpoint.id,
                     [&](SQLite::Database& db) -> Status {
                       WriteEndpoint(db, endpoint, /*insert=*/true);
                       return Ok();
                     });
}

Status SqliteStore::UpdateWebhookEndpoint(const WebhookEndpoint& endpoint) {
  return WriteChange({"updating webhook endpoint", endpoint.id}, endpoint.id,
                     [&](SQLite::Database& db) -> Status {
                       if (WriteEndpoint(db, endpoint, /*insert=*/false) == 1) return Ok();
                       return ConcurrentChange("webhook endpoint " + endpoint.id);
                     });
}

Result<bool> SqliteStore::DisableWebhookEndpoint(const std::string& id, const std::string& reason,
                                                 Instant at,
                                                 std::optional<Instant> failing_since_before) {
  bool disabled = false;
  Status written =
      WriteChange({"disabling webhook endpoint", id}, id, [&](SQLite::Database& db) -> Status {
        disabled = Prepared(db,
                            "UPDATE webhook_endpoints SET disabled = 1, disabled_reason = ?1, "
                            "updated_at = ?2, version = version + 1 WHERE id = ?3 AND "
                            "disabled = 0 AND (?4 IS NULL OR failing_since <= ?4)",
                            reason, at, id, failing_since_before)
                       ->exec() == 1;
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return disabled;
}

Result<std::optional<WebhookEndpoint>> SqliteStore::GetWebhookEndpoint(const std::string& id) {
  return connections_->Read({"reading a webhook endpoint"}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(db,
                                    std::string("SELECT ") + kColumns +
                                        " FROM webhook_endpoints WHERE id = ? AND "
                                        "deleted_at IS NULL",
                                    id);
    if (!query->executeStep()) return std::optional<WebhookEndpoint>();
    return std::optional<WebhookEndpoint>(ReadEndpoint(*query));
  });
}

Result<std::vector<WebhookEndpoint>> SqliteStore::ListWebhookEndpoints() {
  return connections_->Read({"listing webhook endpoints"}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(db, std::string("SELECT ") + kColumns +
                                            " FROM webhook_endpoints WHERE deleted_at IS NULL "
                                            "ORDER BY created_at, rowid");
    std::vector<WebhookEndpoint> endpoints;
    while (query->executeStep()) endpoints.push_back(ReadEndpoint(*query));
    return endpoints;
  });
}

}  // namespace recur
