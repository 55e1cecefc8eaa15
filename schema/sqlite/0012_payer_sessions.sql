-- Payer sessions (store/payer_session_store.h): the SHA-256 of each token, never the token, the
-- payer it acts for, and when it was made and stops being valid (Unix milliseconds). Found by
-- the hash; revoked and pruned by payer.
CREATE TABLE payer_sessions (
  token_hash TEXT PRIMARY KEY,
  payer_id   TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX payer_sessions_by_payer ON payer_sessions (payer_id, expires_at);
