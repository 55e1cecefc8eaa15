-- One advance of a test clock at a time across the nodes (store/test_clock_store.h): the target
-- of the running advance, the node holding it (its store's node id), the advance's number (from
-- test_clock_advances, new at every take, so that a node that lost its advance cannot finish it)
-- and the instant its lease lapses, by the database's clock in Unix milliseconds. NULL: no
-- advance running.
ALTER TABLE test_clocks
  ADD COLUMN advancing_to  bigint,
  ADD COLUMN advance_owner text,
  ADD COLUMN advance       bigint,
  ADD COLUMN advance_until bigint;
CREATE SEQUENCE test_clock_advances;

-- Whether an advance is abandoned (another node may take the clock over, and a starting node
-- readies it) is the rule of every lease: store/postgres/pg_lease_rule.h.

-- A payer's earliest work not yet done, looked up when due work is claimed: a piece is handed
-- out only when no earlier piece of its payer is held by another node.
CREATE INDEX due_work_pending_by_payer ON due_work (payer_id, due_at, id) WHERE done_at IS NULL;
