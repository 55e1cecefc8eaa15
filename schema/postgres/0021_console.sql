-- What the operator console needs of the database.
--
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

-- Payers newest first, and found by what an operator types (store/payer_search.h): an external
-- id or an email by prefix, searched as ranges of the "C" collation (byte order, whatever the
-- database's collation), so that a prepared statement's generic plan uses them too.
CREATE INDEX payers_newest_first ON payers (created_at, id);
CREATE INDEX payers_by_external_id ON payers ((external_id COLLATE "C"));
CREATE INDEX payers_by_lower_email ON payers ((lower(email) COLLATE "C"));

-- Test clocks newest first.
CREATE INDEX test_clocks_newest_first ON test_clocks (created_at, id);
