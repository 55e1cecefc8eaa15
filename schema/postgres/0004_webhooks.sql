-- Webhook endpoints, their deliveries and the log of attempts: what schema/sqlite/0004 to 0007
-- hold, in PostgreSQL's types. Instants are Unix milliseconds (UTC) in bigint.

-- Where events are delivered. The secret signs deliveries (it must be kept to sign); after a
-- rotation the previous secret signs too until previous_secret_expires_at. failing_since: the
-- first failed attempt after the endpoint's last success; NULL while it is healthy. version:
-- bumped by every change, so a read-modify-write of an endpoint cannot overwrite a change made
-- in between.
CREATE TABLE webhook_endpoints (
  seq                        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the order made
  id                         text PRIMARY KEY,          -- wep_...
  url                        text NOT NULL,
  description                text NOT NULL DEFAULT '',
  event_types                jsonb NOT NULL,            -- array of types; empty: every type
  disabled                   boolean NOT NULL DEFAULT false,
  disabled_reason            text NOT NULL DEFAULT '',
  secret                     text NOT NULL,             -- whsec_...
  previous_secret            text,
  previous_secret_expires_at bigint,
  created_at                 bigint NOT NULL,
  updated_at                 bigint NOT NULL,
  deleted_at                 bigint,
  failing_since              bigint,
  version                    bigint NOT NULL DEFAULT 0
);

-- One delivery per (event, endpoint that wanted it), made in the transaction that writes the
-- event. msg_id is the webhook-id: derived from the event and the endpoint, the same on every
-- attempt. next_attempt_at 0 means at once. round_start: the attempts made before the current
-- round of retries (recovering or resending starts a new round).
CREATE TABLE webhook_deliveries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  msg_id          text NOT NULL UNIQUE,                  -- msg_...
  event_id        text NOT NULL REFERENCES events (id),
  endpoint_id     text NOT NULL REFERENCES webhook_endpoints (id),
  status          text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,                       -- Unix ms (real time)
  round_start     integer NOT NULL DEFAULT 0,
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
  WHERE status = 'pending';

-- Every delivery attempt, for the endpoint's attempt log.
CREATE TABLE webhook_attempts (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id      bigint NOT NULL REFERENCES webhook_deliveries (id),
  endpoint_id      text NOT NULL,
  attempt          integer NOT NULL,                     -- 1 for the first
  attempted_at     bigint NOT NULL,                      -- Unix ms, real time
  http_status      integer,                              -- NULL when no answer came
  error            text NOT NULL DEFAULT '',             -- transport error, if any
  latency_ms       bigint NOT NULL,
  response_body    text NOT NULL DEFAULT '',             -- at most 1 KiB
  next_attempt_at  bigint                                -- NULL: no more attempts
);
CREATE INDEX webhook_attempts_by_endpoint ON webhook_attempts (endpoint_id, id);
