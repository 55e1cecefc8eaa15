-- Which nodes are alive, so that a dead node's leases end at once rather than when they lapse.
-- Each node (a PostgresStore, store/postgres/pg_node_liveness.h) holds, for its whole life and
-- on a connection of its own, the session advisory lock (1380144466, lock_key): the class key is
-- fixed ("RCUR"), so that recur's locks never meet the migration lock or another application's.
-- A killed node's connection is closed by its machine's kernel, its backend ends and the lock
-- goes with it; a paused node (SIGSTOP, a long GC) keeps its connection and so its lock.
-- node_id: the store's node id, what its leases are held under. lock_key: from node_lock_keys,
-- never used twice. started_at and gone_since: Unix milliseconds by the database's clock;
-- gone_since is set by the first start of a node that finds the node dead, and a node dead for
-- an hour, far past any lease it could hold, is deleted then.
CREATE SEQUENCE node_lock_keys AS integer;

CREATE TABLE nodes (
  node_id    text PRIMARY KEY,
  lock_key   integer NOT NULL UNIQUE,
  started_at bigint NOT NULL,
  gone_since bigint
);

-- The nodes that are dead: registered, and their lock not held (an advisory lock of this
-- database, granted, under the class key above). Half of the one rule of every take-over of a
-- lease (store/postgres/pg_lease_rule.h): a lease is over when it lapsed by the database's clock
-- or its owner is one of these. Written so that PostgreSQL reads pg_locks once per statement
-- that asks (a hashed subplan), and only when a lease has not lapsed by time.
CREATE VIEW recur_dead_nodes AS
  SELECT node_id FROM nodes WHERE lock_key::oid NOT IN (
    SELECT objid FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = 1380144466
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database()));
