-- An endpoint's pending deliveries in the order they are claimed (oldest due first), so that a
-- claim reads and locks only the few it leases, however long the endpoint's backlog.
CREATE INDEX webhook_deliveries_pending_by_endpoint
  ON webhook_deliveries (endpoint_id, next_attempt_at, id) WHERE status = 'pending';
