-- Payers, their subscriptions and payments, the event outbox and the work that falls due later.
-- Instants are Unix milliseconds (UTC); money is integer minor units with an ISO 4217 code.

-- Simulated clocks for integrators' tests: payers on a test clock live at its frozen time.
CREATE TABLE test_clocks (
  id          TEXT PRIMARY KEY,                          -- clock_...
  name        TEXT NOT NULL,
  frozen_time INTEGER NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('ready', 'advancing', 'deleted')),
  created_at  INTEGER NOT NULL
);

CREATE TABLE payers (
  id                        TEXT PRIMARY KEY,            -- cpayer_...
  external_id               TEXT NOT NULL,               -- the application's user or org id
  type                      TEXT NOT NULL CHECK (type IN ('user', 'org')),
  email                     TEXT NOT NULL,
  name                      TEXT NOT NULL,
  test_clock_id             TEXT REFERENCES test_clocks (id),
  subscription_id           TEXT NOT NULL UNIQUE,        -- csub_...
  trial_used                INTEGER NOT NULL DEFAULT 0,
  has_paid                  INTEGER NOT NULL DEFAULT 0,
  default_payment_method_id TEXT,
  created_at                INTEGER NOT NULL,
  version                   INTEGER NOT NULL,            -- bumped by every stored transition
  UNIQUE (type, external_id)
);

CREATE TABLE payment_methods (
  id         TEXT PRIMARY KEY,                           -- cpm_...
  payer_id   TEXT NOT NULL REFERENCES payers (id),
  token      TEXT NOT NULL,
  brand      TEXT NOT NULL,
  last4      TEXT NOT NULL,
  exp_month  INTEGER NOT NULL,
  exp_year   INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX payment_methods_by_payer ON payment_methods (payer_id);

CREATE TABLE subscription_items (
  id              TEXT PRIMARY KEY,                      -- csub_item_...
  payer_id        TEXT NOT NULL REFERENCES payers (id),
  plan_slug       TEXT NOT NULL REFERENCES plans (slug),
  plan_version_id TEXT NOT NULL REFERENCES plan_versions (id),
  interval        TEXT NOT NULL CHECK (interval IN ('month', 'annual')),
  status          TEXT NOT NULL,
  is_free_trial   INTEGER NOT NULL,
  amount          INTEGER NOT NULL CHECK (amount >= 0),
  currency        TEXT NOT NULL,
  created_at      INTEGER NOT NULL,
  anchor          INTEGER NOT NULL,
  period_start    INTEGER NOT NULL,
  period_end      INTEGER,
  trial_end       INTEGER,
  canceled_at     INTEGER,
  ended_at        INTEGER,
  past_due_at     INTEGER,
  dunning_retries INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX subscription_items_by_payer ON subscription_items (payer_id);
-- One current item (active, past_due or canceled) and at most one upcoming item per payer.
CREATE UNIQUE INDEX one_current_item ON subscription_items (payer_id)
  WHERE status IN ('active', 'past_due', 'canceled');
CREATE UNIQUE INDEX one_upcoming_item ON subscription_items (payer_id) WHERE status = 'upcoming';

CREATE TABLE payment_attempts (
  id                TEXT PRIMARY KEY,                    -- cpay_...
  payer_id          TEXT NOT NULL REFERENCES payers (id),
  item_id           TEXT NOT NULL REFERENCES subscription_items (id),
  purpose           TEXT NOT NULL,
  status            TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed')),
  amount            INTEGER NOT NULL CHECK (amount >= 0),
  currency          TEXT NOT NULL,
  proration_credit  INTEGER NOT NULL DEFAULT 0,
  payment_method_id TEXT NOT NULL,
  period_start      INTEGER NOT NULL,
  period_end        INTEGER NOT NULL,
  idempotency_key   TEXT NOT NULL UNIQUE,
  gateway_charge_id TEXT NOT NULL DEFAULT '',
  failed_code       TEXT NOT NULL DEFAULT '',
  failed_reason     TEXT NOT NULL DEFAULT '',
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL,
  paid_at           INTEGER,
  failed_at         INTEGER
);
CREATE INDEX payment_attempts_by_payer ON payment_attempts (payer_id, created_at);
CREATE INDEX pending_payment_attempts ON payment_attempts (status) WHERE status = 'pending';
-- Never two successful charges for one item period.
CREATE UNIQUE INDEX one_paid_attempt_per_period ON payment_attempts (item_id, period_start)
  WHERE status = 'paid';

-- The outbox: every state change's events, written in the change's transaction, in order.
CREATE TABLE events (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,          -- global order of creation
  id         TEXT NOT NULL UNIQUE,                       -- evt_...
  type       TEXT NOT NULL,
  payer_id   TEXT NOT NULL,
  timestamp  INTEGER NOT NULL,                           -- when it happened (simulated for test clocks)
  body       TEXT NOT NULL                               -- the envelope, serialized once
);
CREATE INDEX events_by_payer ON events (payer_id, seq);
CREATE INDEX events_by_type ON events (type, seq);

-- Future transitions, stored with the change that made them due, and marked done in the
-- transaction that applies them.
CREATE TABLE due_work (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  payer_id    TEXT NOT NULL REFERENCES payers (id),
  clock_id    TEXT,                                      -- the payer's test clock; NULL: real time
  item_id     TEXT NOT NULL,
  kind        TEXT NOT NULL,
  due_at      INTEGER NOT NULL,
  reference   INTEGER NOT NULL,
  lead_hours  INTEGER NOT NULL DEFAULT 0,
  retry       INTEGER NOT NULL DEFAULT 0,
  done_at     INTEGER
);
CREATE INDEX due_work_pending ON due_work (clock_id, due_at, id) WHERE done_at IS NULL;
