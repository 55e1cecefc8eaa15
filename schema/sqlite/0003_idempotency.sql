-- Answers to POST requests that carried an Idempotency-Key, replayed for 24 hours.
CREATE TABLE idempotency_keys (
  key          TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,     -- SHA-256 of method, path and body
  status       INTEGER,           -- NULL while the first request is being handled
  body         TEXT,
  created_at   INTEGER NOT NULL
);
