-- The payment gateway's messages (Stripe's webhook events, by their evt_ id) that were applied,
-- so that one delivered again is not applied twice (store/gateway_event_store.h).
CREATE TABLE gateway_events (
  id         text PRIMARY KEY,
  type       text NOT NULL,
  applied_at bigint NOT NULL
);
