-- The sandbox gateway's records (gateways/sandbox/sandbox_ledger.h), kept beside the store's
-- on PostgreSQL: what the sandbox keeps in a SQLite file of its own beside the store's file.
-- Records are only added. A charge's row holds what it was for as well (SQLite keeps that in
-- sandbox_charge_requests, a table added after its first files); refunds list by seq, the
-- order they were recorded in.
CREATE TABLE sandbox_customers (
  customer_id text PRIMARY KEY,
  payer_id    text NOT NULL UNIQUE,
  email       text NOT NULL,
  name        text NOT NULL
);

CREATE TABLE sandbox_charges (
  idempotency_key     text PRIMARY KEY,
  request_fingerprint text NOT NULL,
  status              text NOT NULL,  -- the first answer: paid, declined, pending
  charge_id           text NOT NULL,
  decline_code        text NOT NULL,
  decline_message     text NOT NULL,
  customer            text NOT NULL,
  payer_id            text NOT NULL,
  attempt_id          text NOT NULL,
  token               text NOT NULL,
  amount              bigint NOT NULL,  -- minor units
  currency            text NOT NULL
);
CREATE INDEX sandbox_charges_by_charge_id ON sandbox_charges (charge_id);

CREATE TABLE sandbox_charge_decisions (
  idempotency_key text PRIMARY KEY,
  status          text NOT NULL,
  code            text NOT NULL,
  message         text NOT NULL
);

CREATE TABLE sandbox_refunds (
  seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,  -- the order stored
  idempotency_key     text PRIMARY KEY,
  request_fingerprint text NOT NULL,
  refund_id           text NOT NULL UNIQUE,
  charge_id           text NOT NULL,
  amount              bigint NOT NULL,  -- minor units
  currency            text NOT NULL
);
CREATE INDEX sandbox_refunds_by_charge_id ON sandbox_refunds (charge_id, seq);
