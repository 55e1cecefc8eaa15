-- Idempotency keys that hold across crashes (store/idempotency_store.h): a claim names the
-- server instance that made it (NULL: claimed by no one), and a change made for the key records
-- what it made in the change's own transaction. The request fingerprint now covers the query
-- string too. Expired keys are purged by claim time, hence the index.
ALTER TABLE idempotency_keys ADD COLUMN claimed_by TEXT;
ALTER TABLE idempotency_keys ADD COLUMN made TEXT;
CREATE INDEX idempotency_keys_by_created_at ON idempotency_keys (created_at);
