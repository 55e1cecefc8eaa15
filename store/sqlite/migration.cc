#include "store/sqlite/migration.h"

#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <string>
#include <vector>

#include "store/sqlite/sqlite_values.h"

namespace recur {

Result<int> ApplyMigrations(SQLite::Database& db, std::span<const Migration> migrations,
                            Instant now) {
  try {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,"
        " applied_at INTEGER NOT NULL)");
    std::vector<AppliedMigration> applied;
    SQLite::Statement recorded(db, "SELECT version, checksum FROM schema_migrations");
    while (recorded.executeStep()) {
      applied.push_back({recorded.getColumn(0).getInt(), recorded.getColumn(1).getString()});
    }
    auto pending = PendingMigrations(migrations, applied);
    if (!pending) return std::unexpected(pending.error());

    for (const Migration& migration : *pending) {
      SQLite::Transaction transaction(db);
      db.exec(std::string(migration.sql));
      SQLite::Statement record(db,
                               "INSERT INTO schema_migrations (version, name, checksum, applied_at)"
                               " VALUES (?, ?, ?, ?)");
      record.bind(1, migration.version);
      record.bind(2, std::string(migration.name));
      record.bind(3, MigrationChecksum(migration));
      record.bind(4, static_cast<std::int64_t>(ToUnixMillis(now)));
      record.exec();
      transaction.commit();
    }
    return static_cast<int>(pending->size());
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
