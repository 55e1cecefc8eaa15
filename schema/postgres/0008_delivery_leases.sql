-- Leases on webhook deliveries, so that several nodes on one database share them: a node claims
-- a delivery for a lease time before sending it, and no other node takes it until the node
-- records its attempt or the lease lapses. Lease times are the database's clock (Unix ms), never
-- a node's: nodes' clocks differ.
-- lease_owner: the node holding it (PostgresStore's node id), NULL when none does. lease_until:
-- when its lease lapses. lease: the fencing token, bumped whenever another node (or none) held it
-- before the claim; an attempt is recorded on the delivery only under the token it was sent with.
ALTER TABLE webhook_deliveries
  ADD COLUMN lease_owner text,
  ADD COLUMN lease_until bigint,
  ADD COLUMN lease bigint NOT NULL DEFAULT 0;

-- The leases live at a moment, counted per endpoint at each claim.
CREATE INDEX webhook_deliveries_leased ON webhook_deliveries (endpoint_id, lease_until)
  WHERE lease_owner IS NOT NULL;

-- An attempt made under a lease another node took over meanwhile: kept in the log, but it moved
-- neither its delivery nor its endpoint's failing_since.
ALTER TABLE webhook_attempts ADD COLUMN superseded boolean NOT NULL DEFAULT false;
