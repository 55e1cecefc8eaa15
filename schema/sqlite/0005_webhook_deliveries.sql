-- One delivery per (event, endpoint that wanted it), made in the transaction that writes the
-- event, so that no event is ever lost on its way to an endpoint. The dispatcher attempts each
-- until it succeeds or its retries run out. msg_id is the webhook-id: derived from the event and
-- the endpoint, the same on every attempt. next_attempt_at 0 means at once.
CREATE TABLE webhook_deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  msg_id          TEXT NOT NULL UNIQUE,                  -- msg_...
  event_id        TEXT NOT NULL REFERENCES events (id),
  endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id),
  status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,                      -- Unix ms (real time)
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
  WHERE status = 'pending';
