-- The plan catalog and installation settings: what schema/sqlite/0001_catalog.sql holds, in
-- PostgreSQL's types. Instants are Unix milliseconds (UTC) in bigint, as the domain counts them;
-- money is bigint minor units with an ISO 4217 code.

-- Settings of this installation, such as the secret API key's hash.
CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);

-- One row per plan slug ever seen in the plan files. A plan that leaves the files is archived
-- (archived_at set), never deleted: its subscribers keep it.
CREATE TABLE plans (
  slug               text PRIMARY KEY,
  payer_type         text NOT NULL CHECK (payer_type IN ('user', 'org')),
  definition         text NOT NULL,     -- canonical plan-file JSON in force
  current_version_id text NOT NULL,     -- the price new subscriptions buy
  archived_at        bigint,
  created_at         bigint NOT NULL,
  updated_at         bigint NOT NULL
);

-- Prices are immutable: a changed amount, annual amount or currency makes a new version with a
-- new id, and subscriptions record the version they bought.
CREATE TABLE plan_versions (
  id            text PRIMARY KEY,       -- cplan_...
  plan_slug     text NOT NULL REFERENCES plans (slug),
  version       integer NOT NULL CHECK (version >= 1),
  amount        bigint NOT NULL CHECK (amount >= 0),
  annual_amount bigint CHECK (annual_amount > 0),
  currency      text NOT NULL,
  created_at    bigint NOT NULL,
  UNIQUE (plan_slug, version)
);
