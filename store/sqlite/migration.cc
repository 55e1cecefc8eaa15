#include "store/sqlite/migration.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <string>

#include "base/sha256.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {

Result<int> ApplyMigrations(SQLite::Database& db, std::span<const Migration> migrations,
                            Instant now) {
  try {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,"
        " applied_at INTEGER NOT NULL)");
    int newest_known = 0;
    for (const Migration& migration : migrations) newest_known = migration.version;

    SQLite::Statement newest(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    newest.executeStep();
    const int newest_applied = newest.getColumn(0).getInt();
    if (newest_applied > newest_known) {
      return MakeError(ErrorKind::kFailedPrecondition, "schema_too_new",
                       "the database has schema version " + std::to_string(newest_applied) +
                           " but this recur knows versions up to " + std::to_string(newest_known) +
                           "; run a newer recur");
    }

    int applied_now = 0;
    for (const Migration& migration : migrations) {
      const std::string checksum = Sha256Hex(migration.sql);
      SQLite::Statement recorded(db, "SELECT checksum FROM schema_migrations WHERE version = ?");
      recorded.bind(1, migration.version);
      if (recorded.executeStep()) {
        if (recorded.getColumn(0).getString() != checksum) {
          return MakeError(ErrorKind::kFailedPrecondition, "schema_changed",
                           "migration " + std::string(migration.name) +
                               " differs from the one applied to this database; applied "
                               "migrations are never edited, add a new one instead");
        }
        continue;
      }
      SQLite::Transaction transaction(db);
      db.exec(std::string(migration.sql));
      SQLite::Statement record(db,
                               "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
                               " VALUES (?, ?, ?, ?)");
      record.bind(1, migration.version);
      record.bind(2, std::string(migration.name));
      record.bind(3, checksum);
      record.bind(4, static_cast<std::int64_t>(ToUnixMillis(now)));
      record.exec();
      transaction.commit();
      ++applied_now;
    }
    return applied_now;
  } catch (const SQLite::Exception& error) {
    if (IsFileFault(error)) {
      return std::unexpected(
          SqliteFailure({"applying schema migrations"}, error, db.getFilename()));
    }
    return MakeError(ErrorKind::kInternal, "migration_failed",
                     std::string("applying schema migrations failed: ") + error.what());
  }
}

}  // namespace recur
