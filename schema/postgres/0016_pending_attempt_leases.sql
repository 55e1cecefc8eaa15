-- A pending payment attempt is held by the node settling it (account_store.h): the node that
-- committed it, until the gateway answers, or a node that took it over once that node's lease
-- was over (store/postgres/pg_lease_rule.h), timed by the database's clock like every lease. An
-- attempt whose charge the gateway answered as still pending is held by no node and taken by
-- none before lease_until; still_pending_answers counts those answers, for the wait after the
-- next. Attempts pending before this migration have no lease: the first node to ask takes them.
ALTER TABLE payment_attempts
  ADD COLUMN lease_owner text,
  ADD COLUMN lease_until bigint,
  ADD COLUMN still_pending_answers integer NOT NULL DEFAULT 0;
