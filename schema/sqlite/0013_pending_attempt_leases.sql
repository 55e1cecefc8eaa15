-- A pending payment attempt is held by the run of the server settling it (account_store.h),
-- until lease_until (Unix milliseconds, by this machine's clock); an attempt whose charge the
-- gateway answered as still pending is not looked up again before then. One process holds the
-- file, so a lease of an earlier run is over at once. still_pending_answers counts the pending
-- answers, for the wait after the next.
ALTER TABLE payment_attempts ADD COLUMN lease_owner TEXT;
ALTER TABLE payment_attempts ADD COLUMN lease_until INTEGER;
ALTER TABLE payment_attempts ADD COLUMN still_pending_answers INTEGER NOT NULL DEFAULT 0;
