-- Endpoints that keep failing, and deliveries sent again.
-- failing_since: the first failed attempt after the endpoint's last success (Unix ms, real
-- time); NULL while it is healthy. An endpoint failing every attempt for the configured period
-- is disabled. version: bumped by every change, so a read-modify-write of an endpoint cannot
-- overwrite a change made in between (the dispatcher disabling it, say).
ALTER TABLE webhook_endpoints ADD COLUMN failing_since INTEGER;
ALTER TABLE webhook_endpoints ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
-- round_start: the attempts made before the current round of retries. Recovering or resending
-- a delivery starts a new round: the retry schedule starts over while the attempt numbers in
-- the log go on.
ALTER TABLE webhook_deliveries ADD COLUMN round_start INTEGER NOT NULL DEFAULT 0;
-- Recovery selects an endpoint's events since a time.
CREATE INDEX events_by_timestamp ON events (timestamp);
