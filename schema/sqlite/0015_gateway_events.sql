-- The payment gateway's messages (Stripe's webhook events, by their evt_ id) that were applied,
-- so that one delivered again is not applied twice (store/gateway_event_store.h).
CREATE TABLE gateway_events (
  id         TEXT PRIMARY KEY,
  type       TEXT NOT NULL,
  applied_at INTEGER NOT NULL
);
