-- A payer's due work waits while one of its checkouts is pending (store/waiting_work.h): the
-- due-work read asks, for each piece, whether its payer has one, which this small index
-- answers by payer whatever the number of other charges pending.
CREATE INDEX pending_checkouts ON payment_attempts (payer_id)
  WHERE status = 'pending' AND purpose = 'checkout';
