-- The payer's customer at the payment gateway (Stripe: cus_...), kept once made so that it is
-- not looked up again after each start. NULL: none made yet, or the gateway deleted it (the next
-- need makes a new one).
ALTER TABLE payers ADD COLUMN gateway_customer_id text;
