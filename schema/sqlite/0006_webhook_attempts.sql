-- Every delivery attempt, for the endpoint's attempt log: what was answered (or what failed on
-- the way), how long it took, and the start of the answer's body.
CREATE TABLE webhook_attempts (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id      INTEGER NOT NULL REFERENCES webhook_deliveries (id),
  endpoint_id      TEXT NOT NULL,
  attempt          INTEGER NOT NULL,                     -- 1 for the first
  attempted_at     INTEGER NOT NULL,                     -- Unix ms, real time
  http_status      INTEGER,                              -- NULL when no answer came
  error            TEXT NOT NULL DEFAULT '',             -- transport error, if any
  latency_ms       INTEGER NOT NULL,
  response_body    TEXT NOT NULL DEFAULT '',             -- at most 1 KiB
  next_attempt_at  INTEGER                               -- NULL: no more attempts
);
CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (endpoint_id, id);
