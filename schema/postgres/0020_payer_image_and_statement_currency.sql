-- A payer's image (an https URL given when the payer is made), sent as payer.image_url in
-- webhook payloads; '' when none was given, as for the payers stored before.
ALTER TABLE payers ADD COLUMN image_url text NOT NULL DEFAULT '';
-- A statement is of one currency (domain/subscriptions/statement.h): its id names it now, and
-- the ids given before are given it here, by the same rule.
UPDATE payment_attempts SET statement_id = statement_id || '_' || lower(currency)
 WHERE statement_id <> '';
