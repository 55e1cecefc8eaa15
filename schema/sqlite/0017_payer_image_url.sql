-- A payer's image (an https URL given when the payer is made), sent as payer.image_url in
-- webhook payloads; '' when none was given, as for the payers stored before.
ALTER TABLE payers ADD COLUMN image_url TEXT NOT NULL DEFAULT '';
