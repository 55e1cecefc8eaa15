// SqliteStore's ConsoleSessionStore half.
#include <SQLiteCpp/Statement.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {

Status SqliteStore::CreateConsoleSession(const ConsoleSession& session, Instant now) {
  return connections_->Write(
      {"creating console session", session.id}, [&](SQLite::Database& db) -> Status {
        Prepared(db, "DELETE FROM console_sessions WHERE expires_at <= ?", now)->exec();
        Prepared(db,
                 "INSERT INTO console_sessions (token_hash, id, created_at, "
                 "expires_at) VALUES (?, ?, ?, ?)",
                 session.token_hash, session.id, session.created_at, session.expires_at)
            ->exec();
        return Ok();
      });
}

Result<std::optional<ConsoleSession>> SqliteStore::FindConsoleSession(
    const std::string& token_hash) {
  return connections_->Read({"reading a console session"}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(db,
                                    "SELECT token_hash, id, created_at, expires_at FROM "
                                    "console_sessions WHERE token_hash = ?",
                                    token_hash);
    if (!query->executeStep()) return std::optional<ConsoleSession>();
    return std::optional<ConsoleSession>(
        ConsoleSession{query->getColumn(0).getString(), query->getColumn(1).getString(),
                       InstantOf(query->getColumn(2)), InstantOf(query->getColumn(3))});
  });
}

Result<bool> SqliteStore::EndConsoleSession(const std::string& token_hash) {
  bool ended = false;
  Status written =
      connections_->Write({"ending a console session"}, [&](SQLite::Database& db) -> Status {
        ended =
            Prepared(db, "DELETE FROM console_sessions WHERE token_hash = ?", token_hash)->exec() >
            0;
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return ended;
}

}  // namespace recur
