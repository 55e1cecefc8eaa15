// SqliteStore's readiness check (store_health.h): the highest migration recorded, and a write of
// the check's settings row, through the writer like every change, so that a file another
// writer holds locked fails it as it fails a change.
#include "store/sqlite/migration.h"
#include "store/sqlite/sqlite_store.h"

namespace recur {

Status SqliteStore::CheckHealth() {
  const std::string key(kHealthCheckSetting);
  const Doing doing{"checking the database's health", key};
  return connections_->Write(doing, [&](SQLite::Database& db) -> Status {
    StatementLease recorded =
        Prepared(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    recorded->executeStep();
    const auto known = EmbeddedMigrations();
    if (Status same = CompareSchemaVersions(recorded->getColumn(0).getInt(),
                                            known.empty() ? 0 : known.back().version);
        !same) {
      return same;
    }
    Prepared(db,
             "INSERT INTO settings (key, value) VALUES (?, 'written by the readiness check') "
             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
             key)
        ->exec();
    return Ok();
  });
}

}  // namespace recur
