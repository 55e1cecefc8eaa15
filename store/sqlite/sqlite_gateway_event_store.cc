// SqliteStore's GatewayEventStore half.
#include <SQLiteCpp/Statement.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {

Result<bool> SqliteStore::GatewayEventApplied(const std::string& id) {
  return connections_->Read({"reading gateway event", id}, [&](SQLite::Database& db) {
    return Prepared(db, "SELECT 1 FROM gateway_events WHERE id = ?", id)->executeStep();
  });
}

Status SqliteStore::RecordGatewayEvent(const std::string& id, const std::string& type, Instant at) {
  return WriteChange({"recording gateway event", id}, id, [&](SQLite::Database& db) -> Status {
    Prepared(db,
             "INSERT INTO gateway_events (id, type, applied_at) VALUES (?, ?, ?) "
             "ON CONFLICT (id) DO NOTHING",
             id, type, at)
        ->exec();
    return Ok();
  });
}

}  // namespace recur
