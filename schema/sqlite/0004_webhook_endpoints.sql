-- Where events are delivered. The secret signs deliveries (it must be kept to sign); after a
-- rotation the previous secret signs too until previous_secret_expires_at.
CREATE TABLE webhook_endpoints (
  id                         TEXT PRIMARY KEY,          -- wep_...
  url                        TEXT NOT NULL,
  description                TEXT NOT NULL DEFAULT '',
  event_types                TEXT NOT NULL,             -- JSON array; empty: every type
  disabled                   INTEGER NOT NULL DEFAULT 0,
  disabled_reason            TEXT NOT NULL DEFAULT '',
  secret                     TEXT NOT NULL,             -- whsec_...
  previous_secret            TEXT,
  previous_secret_expires_at INTEGER,
  created_at                 INTEGER NOT NULL,
  updated_at                 INTEGER NOT NULL,
  deleted_at                 INTEGER
);
