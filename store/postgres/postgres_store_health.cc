// PostgresStore's readiness check (store_health.h): the highest migration recorded, and a write
// of the check's settings row, in one transaction on a pooled connection.
#include "store/postgres/postgres_migration.h"
#include "store/postgres/postgres_store.h"

namespace recur {

Status PostgresStore::CheckHealth() {
  const Doing doing{"checking the database's health", kHealthCheckSetting};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    const std::int64_t recorded =
        Required(connection.Exec(doing, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"))
            .Int64(0, 0);
    const auto known = EmbeddedPostgresMigrations();
    if (Status same = CompareSchemaVersions(static_cast<int>(recorded),
                                            known.empty() ? 0 : known.back().version);
        !same) {
      return same;
    }
    Required(connection.Exec(doing,
                             "INSERT INTO settings (key, value) VALUES ($1, 'written by the "
                             "readiness check') ON CONFLICT (key) DO UPDATE SET value = "
                             "excluded.value",
                             PgParams::Of(std::string(kHealthCheckSetting))));
    return Ok();
  });
}

}  // namespace recur
