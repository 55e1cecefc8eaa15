-- Statements (domain/subscriptions/statement.h): each payment attempt names the statement of
-- its payer's billing cycle, made from the payer id and the start of the period it charges.
-- Attempts stored before are given theirs here, by the same rule.
ALTER TABLE payment_attempts ADD COLUMN statement_id text NOT NULL DEFAULT '';
UPDATE payment_attempts
   SET statement_id = 'stmt_' || substr(payer_id, strpos(payer_id, '_') + 1) || '_' || period_start;
CREATE INDEX payment_attempts_by_statement ON payment_attempts (statement_id);
CREATE INDEX payment_attempts_by_cycle ON payment_attempts (payer_id, period_start);
-- The replaced item's period an upgrade's proration credit is for (Unix ms; NULL without one).
ALTER TABLE payment_attempts ADD COLUMN credited_period_start bigint;
ALTER TABLE payment_attempts ADD COLUMN credited_period_end bigint;
