#include "store/postgres/postgres_migration.h"

#include <string>
#include <vector>

namespace recur {
namespace {

// The advisory lock every recur node takes to migrate (any number will do, so long as it is
// always the same one): "recur" in ASCII.
constexpr const char* kMigrationLock = "SELECT pg_advisory_lock(512105820786)";
constexpr const char* kMigrationUnlock = "SELECT pg_advisory_unlock(512105820786)";

Result<int> ApplyLocked(PgConnection& connection, std::span<const Migration> migrations,
                        Instant now) {
  if (Status made = connection.Script({"making the migrations table"},
                                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                      " version integer PRIMARY KEY, name text NOT NULL,"
                                      " checksum text NOT NULL, applied_at bigint NOT NULL)");
      !made) {
    return std::unexpected(made.error());
  }
  auto recorded = connection.Exec({"reading the applied migrations"},
                                  "SELECT version, checksum FROM schema_migrations");
  if (!recorded) return std::unexpected(recorded.error());
  std::vector<AppliedMigration> applied;
  for (int row = 0; row < recorded->rows(); ++row) {
    applied.push_back({recorded->Int(row, 0), recorded->Text(row, 1)});
  }
  auto pending = PendingMigrations(migrations, applied);
  if (!pending) return std::unexpected(pending.error());

  for (const Migration& migration : *pending) {
    const Doing doing{"applying migration", migration.name};
    connection.BeginLazily();
    Status done = connection.Script(doing, std::string(migration.sql));
    if (done) {
      auto record = connection.Exec(
          doing,
          "INSERT INTO schema_migrations (version, name, checksum, applied_at) "
          "VALUES ($1, $2, $3, $4)",
          PgParams::Of(migration.version, migration.name, MigrationChecksum(migration), now));
      if (!record) done = std::unexpected(record.error());
    }
    if (done) done = connection.Script(doing, "COMMIT");
    if (!done) {
      if (connection.in_transaction()) (void)connection.Script({"rolling back"}, "ROLLBACK");
      return MakeError(ErrorKind::kInternal, "migration_failed",
                       "applying schema migrations failed: " + done.error().message);
    }
  }
  return static_cast<int>(pending->size());
}

}  // namespace

Result<int> ApplyPostgresMigrations(PgConnection& connection, std::span<const Migration> migrations,
                                    Instant now) {
  if (auto locked = connection.Exec({"waiting for the migration lock"}, kMigrationLock); !locked) {
    return std::unexpected(locked.error());
  }
  auto applied = ApplyLocked(connection, migrations, now);
  // Also released when the session ends, should this fail with the connection.
  (void)connection.Exec({"releasing the migration lock"}, kMigrationUnlock);
  return applied;
}

Status ApplyEmbeddedPostgresMigrations(const PgConnection::Settings& settings, Instant now) {
  PgConnection::Settings unhurried = settings;
  unhurried.statement_timeout = std::chrono::milliseconds(0);
  auto migrating = PgConnection::Open(unhurried);
  if (!migrating) return std::unexpected(migrating.error());
  auto applied = ApplyPostgresMigrations(**migrating, EmbeddedPostgresMigrations(), now);
  if (!applied) return std::unexpected(applied.error());
  return Ok();
}

}  // namespace recur
