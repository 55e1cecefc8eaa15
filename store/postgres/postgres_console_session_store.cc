// PostgresStore's ConsoleSessionStore half. Every node reads the sessions from the database at
// each request, so a session made or ended through one node holds on every node at once.
#include "store/postgres/postgres_store.h"

namespace recur {

Status PostgresStore::CreateConsoleSession(const ConsoleSession& session, Instant now) {
  const Doing doing{"creating console session", session.id};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing, "DELETE FROM console_sessions WHERE expires_at <= $1",
                             PgParams::Of(now)));
    Required(connection.Exec(
        doing,
        "INSERT INTO console_sessions (token_hash, id, created_at, "
        "expires_at) VALUES ($1, $2, $3, $4)",
        PgParams::Of(session.token_hash, session.id, session.created_at, session.expires_at)));
    return Ok();
  });
}

Result<std::optional<ConsoleSession>> PostgresStore::FindConsoleSession(
    const std::string& token_hash) {
  const Doing doing{"reading a console session"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult row = Required(connection.Exec(doing,
                                                  "SELECT token_hash, id, created_at, expires_at "
                                                  "FROM console_sessions WHERE token_hash = $1",
                                                  PgParams::Of(token_hash)));
    if (row.rows() == 0) return std::optional<ConsoleSession>();
    return std::optional<ConsoleSession>(
        ConsoleSession{row.Text(0, 0), row.Text(0, 1), row.InstantAt(0, 2), row.InstantAt(0, 3)});
  });
}

Result<bool> PostgresStore::EndConsoleSession(const std::string& token_hash) {
  bool ended = false;
  const Doing doing{"ending a console session"};
  Status written = pool_->Write(doing, [&](PgConnection& connection) -> Status {
    ended = Required(connection.Exec(doing, "DELETE FROM console_sessions WHERE token_hash = $1",
                                     PgParams::Of(token_hash)))
                .affected() > 0;
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return ended;
}

}  // namespace recur
