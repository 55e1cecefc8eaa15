// PostgresStore's PayerSessionStore half. Every node reads the sessions from the database at
// each request, so a session made or revoked through one node holds on every node at once.
#include "store/postgres/postgres_store.h"

namespace recur {

Status PostgresStore::CreatePayerSession(const PayerSession& session, Instant now) {
  const Doing doing{"creating a session of payer", session.payer_id};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(doing,
                             "DELETE FROM payer_sessions WHERE payer_id = $1 AND expires_at <= $2",
                             PgParams::Of(session.payer_id, now)));
    Required(connection.Exec(doing,
                             "INSERT INTO payer_sessions (token_hash, payer_id, created_at, "
                             "expires_at) VALUES ($1, $2, $3, $4)",
                             PgParams::Of(session.token_hash, session.payer_id, session.created_at,
                                          session.expires_at)));
    return Ok();
  });
}

Result<std::optional<PayerSession>> PostgresStore::FindPayerSession(const std::string& token_hash) {
  const Doing doing{"reading a payer session"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult row = Required(connection.Exec(doing,
                                                  "SELECT token_hash, payer_id, created_at, "
                                                  "expires_at FROM payer_sessions WHERE "
                                                  "token_hash = $1",
                                                  PgParams::Of(token_hash)));
    if (row.rows() == 0) return std::optional<PayerSession>();
    return std::optional<PayerSession>(
        PayerSession{row.Text(0, 0), row.Text(0, 1), row.InstantAt(0, 2), row.InstantAt(0, 3)});
  });
}

Result<int> PostgresStore::RevokePayerSessions(const std::string& payer_id) {
  int revoked = 0;
  const Doing doing{"revoking the sessions of payer", payer_id};
  Status written = pool_->Write(doing, [&](PgConnection& connection) -> Status {
    revoked = Required(connection.Exec(doing, "DELETE FROM payer_sessions WHERE payer_id = $1",
                                       PgParams::Of(payer_id)))
                  .affected();
    return Ok();
  });
  if (!written) return std::unexpected(written.error());
  return revoked;
}

}  // namespace recur
