-- The catalog's revision: one row, moved on by every catalog sync that changed the catalog, in
-- the sync's transaction. A node sharing the database reads it (one row, no scan) to tell
-- whether the catalog it has in force is still the stored one (store/stored_versions.h).
CREATE TABLE catalog_revision (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  revision  bigint NOT NULL
);
INSERT INTO catalog_revision (singleton, revision) VALUES (true, 0);
