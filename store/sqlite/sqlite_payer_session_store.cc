// SqliteStore's PayerSessionStore half.
#include <SQLiteCpp/Statement.h>

#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {

Status SqliteStore::CreatePayerSession(const PayerSession& session, Instant now) {
  return connections_->Write(
      {"creating a session of payer", session.payer_id}, [&](SQLite::Database& db) -> Status {
        Prepared(db, "DELETE FROM payer_sessions WHERE payer_id = ? AND expires_at <= ?",
                 session.payer_id, now)
            ->exec();
        Prepared(db,
                 "INSERT INTO payer_sessions (token_hash, payer_id, created_at, expires_at) "
                 "VALUES (?, ?, ?, ?)",
                 session.token_hash, session.payer_id, session.created_at, session.expires_at)
            ->exec();
        return Ok();
      });
}

Result<std::optional<PayerSession>> SqliteStore::FindPayerSession(const std::string& token_hash) {
  return connections_->Read({"reading a payer session"}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(db,
                                    "SELECT token_hash, payer_id, created_at, expires_at FROM "
                                    "payer_sessions WHERE token_hash = ?",
                                    token_hash);
    if (!query->executeStep()) return std::optional<PayerSession>();
    return std::optional<PayerSession>(
        PayerSession{query->getColumn(0).getString(), query->getColumn(1).getString(),
                     InstantOf(query->getColumn(2)), InstantOf(query->getColumn(3))});
  });
}

Result<int> SqliteStore::RevokePayerSessions(const std::string& payer_id) {
  int revoked = 0;
  Status written = connections_->Write(
      {"revoking the sessions of payer", payer_id}, [&](SQLite::Database& db) -> Status {
        revoked = Prepared(db, "DELETE FROM payer_sessions WHERE payer_id = ?", payer_id)->exec();
        return Ok();
      });
  if (!written) return std::unexpected(written.error());
  return revoked;
}

}  // namespace recur
