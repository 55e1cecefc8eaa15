-- A payer's earliest work not yet done, looked up when due work is claimed: a piece is handed
-- out only when no earlier piece of its payer is held by another node.
CREATE INDEX due_work_pending_by_payer ON due_work (payer_id, due_at, id) WHERE done_at IS NULL;
