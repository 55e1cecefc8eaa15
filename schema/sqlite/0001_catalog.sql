-- The plan catalog and installation settings.
-- Instants are Unix milliseconds (UTC). Money is integer minor units with an ISO 4217 code.

-- Settings of this installation, such as the secret API key's hash.
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- One row per plan slug ever seen in the plan files. A plan that leaves the files is archived
-- (archived_at set), never deleted: its subscribers keep it.
CREATE TABLE plans (
  slug               TEXT PRIMARY KEY,
  payer_type         TEXT NOT NULL CHECK (payer_type IN ('user', 'org')),
  definition         TEXT NOT NULL,     -- canonical plan-file JSON in force
  current_version_id TEXT NOT NULL,     -- the price new subscriptions buy
  archived_at        INTEGER,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);

-- Prices are immutable: a changed amount, annual amount or currency makes a new version with a
-- new id, and subscriptions record the version they bought.
CREATE TABLE plan_versions (
  id            TEXT PRIMARY KEY,       -- cplan_...
  plan_slug     TEXT NOT NULL REFERENCES plans (slug),
  version       INTEGER NOT NULL CHECK (version >= 1),
  amount        INTEGER NOT NULL CHECK (amount >= 0),
  annual_amount INTEGER CHECK (annual_amount > 0),
  currency      TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  UNIQUE (plan_slug, version)
);
