-- Payers, their subscriptions and payments, the event outbox and the work that falls due later:
-- what schema/sqlite/0002_billing.sql and the migrations after it hold, in PostgreSQL's types.
-- Instants are Unix milliseconds (UTC) in bigint; money is bigint minor units with an ISO 4217
-- code. Where SQLite orders rows by rowid ("in the order stored"), a table here has a seq
-- column from a sequence.

-- Simulated clocks for integrators' tests: payers on a test clock live at its frozen time.
CREATE TABLE test_clocks (
  id          text PRIMARY KEY,                          -- clock_...
  name        text NOT NULL,
  frozen_time bigint NOT NULL,
  status      text NOT NULL CHECK (status IN ('ready', 'advancing', 'deleted')),
  created_at  bigint NOT NULL
);

CREATE TABLE payers (
  id                        text PRIMARY KEY,            -- cpayer_...
  external_id               text NOT NULL,               -- the application's user or org id
  type                      text NOT NULL CHECK (type IN ('user', 'org')),
  email                     text NOT NULL,
  name                      text NOT NULL,
  test_clock_id             text REFERENCES test_clocks (id),
  subscription_id           text NOT NULL UNIQUE,        -- csub_...
  trial_used                boolean NOT NULL DEFAULT false,
  has_paid                  boolean NOT NULL DEFAULT false,
  default_payment_method_id text,
  created_at                bigint NOT NULL,
  version                   bigint NOT NULL,             -- bumped by every stored transition
  UNIQUE (type, external_id)
);

CREATE TABLE payment_methods (
  id         text PRIMARY KEY,                           -- cpm_...
  payer_id   text NOT NULL REFERENCES payers (id),
  token      text NOT NULL,
  brand      text NOT NULL,
  last4      text NOT NULL,
  exp_month  integer NOT NULL,
  exp_year   integer NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX payment_methods_by_payer ON payment_methods (payer_id);

CREATE TABLE subscription_items (
  seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the order stored
  id              text PRIMARY KEY,                      -- csub_item_...
  payer_id        text NOT NULL REFERENCES payers (id),
  plan_slug       text NOT NULL REFERENCES plans (slug),
  plan_version_id text NOT NULL REFERENCES plan_versions (id),
  interval        text NOT NULL CHECK (interval IN ('month', 'annual')),
  status          text NOT NULL,
  is_free_trial   boolean NOT NULL,
  amount          bigint NOT NULL CHECK (amount >= 0),
  currency        text NOT NULL,
  created_at      bigint NOT NULL,
  anchor          bigint NOT NULL,
  period_start    bigint NOT NULL,
  period_end      bigint,
  trial_end       bigint,
  canceled_at     bigint,
  ended_at        bigint,
  past_due_at     bigint,
  dunning_retries integer NOT NULL DEFAULT 0
);
CREATE INDEX subscription_items_by_payer ON subscription_items (payer_id);
-- One current item (active, past_due or canceled) and at most one upcoming item per payer.
CREATE UNIQUE INDEX one_current_item ON subscription_items (payer_id)
  WHERE status IN ('active', 'past_due', 'canceled');
CREATE UNIQUE INDEX one_upcoming_item ON subscription_items (payer_id) WHERE status = 'upcoming';

CREATE TABLE payment_attempts (
  seq               bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the order stored
  id                text PRIMARY KEY,                    -- cpay_...
  payer_id          text NOT NULL REFERENCES payers (id),
  item_id           text NOT NULL REFERENCES subscription_items (id),
  purpose           text NOT NULL,
  status            text NOT NULL CHECK (status IN ('pending', 'paid', 'failed')),
  amount            bigint NOT NULL CHECK (amount >= 0),
  currency          text NOT NULL,
  proration_credit  bigint NOT NULL DEFAULT 0,
  payment_method_id text NOT NULL,
  period_start      bigint NOT NULL,
  period_end        bigint NOT NULL,
  idempotency_key   text NOT NULL UNIQUE,
  gateway_charge_id text NOT NULL DEFAULT '',
  failed_code       text NOT NULL DEFAULT '',
  failed_reason     text NOT NULL DEFAULT '',
  created_at        bigint NOT NULL,
  updated_at        bigint NOT NULL,
  paid_at           bigint,
  failed_at         bigint
);
CREATE INDEX payment_attempts_by_payer ON payment_attempts (payer_id, seq);
CREATE INDEX pending_payment_attempts ON payment_attempts (seq) WHERE status = 'pending';
-- Never two successful charges for one item period.
CREATE UNIQUE INDEX one_paid_attempt_per_period ON payment_attempts (item_id, period_start)
  WHERE status = 'paid';

-- Event bodies are kept compressed with zstd, each against a dictionary (store/event_body_codec.h
-- says what one holds: no person's or card's details).
CREATE TABLE event_body_dictionaries (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_types jsonb NOT NULL,     -- the types sampled, in the content's order
  content     bytea NOT NULL
);

-- The outbox: every state change's events, written in the change's transaction, in order.
CREATE TABLE events (
  seq                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- the order stored
  id                 text NOT NULL UNIQUE,               -- evt_...
  type               text NOT NULL,
  payer_id           text NOT NULL,
  timestamp          bigint NOT NULL,                    -- when it happened (simulated for test clocks)
  body               bytea NOT NULL,                     -- a zstd frame of the envelope
  body_dictionary_id bigint NOT NULL REFERENCES event_body_dictionaries (id)
);
CREATE INDEX events_by_payer ON events (payer_id, seq);
CREATE INDEX events_by_type ON events (type, seq);
-- Recovery selects an endpoint's events since a time.
CREATE INDEX events_by_timestamp ON events (timestamp);

-- Future transitions, stored with the change that made them due, and marked done in the
-- transaction that applies them.
CREATE TABLE due_work (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  payer_id    text NOT NULL REFERENCES payers (id),
  clock_id    text,                                      -- the payer's test clock; NULL: real time
  item_id     text NOT NULL,
  kind        text NOT NULL,
  due_at      bigint NOT NULL,
  reference   bigint NOT NULL,
  lead_hours  bigint NOT NULL DEFAULT 0,
  retry       integer NOT NULL DEFAULT 0,
  done_at     bigint
);
CREATE INDEX due_work_pending ON due_work (clock_id, due_at, id) WHERE done_at IS NULL;
