// PostgresStore's GatewayEventStore half.
#include "store/postgres/postgres_store.h"

namespace recur {

Result<bool> PostgresStore::GatewayEventApplied(const std::string& id) {
  const Doing doing{"reading gateway event", id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult row = Required(
        connection.Exec(doing, "SELECT 1 FROM gateway_events WHERE id = $1", PgParams::Of(id)));
    return row.rows() > 0;
  });
}

Status PostgresStore::RecordGatewayEvent(const std::string& id, const std::string& type,
                                         Instant at) {
  const Doing doing{"recording gateway event", id};
  return WriteChange(doing, id, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing,
                             "INSERT INTO gateway_events (id, type, applied_at) "
                             "VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
                             PgParams::Of(id, type, at)));
    return Ok();
  });
}

}  // namespace recur
