-- Leases on due work, for several nodes on one database (store/account_store.h): the node that
-- holds a piece (its store's node id), the lease it was handed out with (a number from
-- due_work_leases, new at every take-over, so that an old lease is never mistaken for a new
-- one), and the instant the lease lapses, by the database's clock in Unix milliseconds. NULL:
-- never handed out. The change that completes a piece shows its lease, and is refused when the
-- lease is no longer the one stored or has lapsed.
ALTER TABLE due_work
  ADD COLUMN lease_owner text,
  ADD COLUMN lease       bigint,
  ADD COLUMN lease_until bigint;
CREATE SEQUENCE due_work_leases;
