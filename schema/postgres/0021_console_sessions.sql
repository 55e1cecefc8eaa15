-- Console sessions (store/console_session_store.h): the SHA-256 of each token, never the token,
-- a short id that names the session in logs, and when it was made and stops being valid (Unix
-- milliseconds). Found and ended by the hash; pruned by expiry.
CREATE TABLE console_sessions (
  token_hash text PRIMARY KEY,
  id         text NOT NULL UNIQUE,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);
