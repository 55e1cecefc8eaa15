-- Idempotency keys across several nodes (store/idempotency_store.h): a claim holds against other
-- nodes until lease_expires_at (bigint Unix milliseconds by the database's clock, never a node's:
-- the nodes' clocks differ); the claiming node renews it while a request of it handles the key.
-- NULL: no running lease (a claim from before this migration, or a released key).
ALTER TABLE idempotency_keys ADD COLUMN lease_expires_at bigint;

-- The fence of a change made for a key, run first in the change's own transaction: it records
-- what the change made (the first thing only) if the key is still unanswered and claimed by
-- `claimant` under a running lease, and raises otherwise, so that the change is refused and
-- nothing of it is stored. Its update locks the key's row until the change commits, so no other
-- node takes the claim over in between.
CREATE FUNCTION record_idempotent_change(p_key text, p_claimant text, p_made text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE idempotency_keys SET made = COALESCE(made, p_made)
   WHERE key = p_key AND claimed_by = p_claimant AND status IS NULL
     AND lease_expires_at > (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'the claim of Idempotency-Key "%" by % is over (its lease lapsed, or another node took the request over or answered it): the change was not made; a retry with the same key gets the request''s answer', p_key, p_claimant
      USING ERRCODE = 'RC001';
  END IF;
END;
$$;
