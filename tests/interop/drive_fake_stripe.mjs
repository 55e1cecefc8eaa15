// Drives the fake Stripe of the tests with Stripe's own npm client, making the calls Recur's
// Stripe gateway makes, and checks that the client accepts every answer: objects where it wants
// objects, and its own error classes (card, idempotency, authentication, invalid request) with
// Stripe's fields where Stripe answers with an error. For tests/e2e/fake_stripe_interop_test.cc.
// Environment: FAKE_STRIPE_PORT (the fake on 127.0.0.1), RECUR_NODE_MODULES (with stripe).
// Prints {"checks": N} and exits 0 when every check holds; else the failed check on stderr, 1.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(path.resolve(process.env.RECUR_NODE_MODULES), 'noop.js'));
const Stripe = require('stripe');
const port = Number(process.env.FAKE_STRIPE_PORT);
const options = { host: '127.0.0.1', port, protocol: 'http', apiVersion: '2024-06-20',
                  maxNetworkRetries: 0, telemetry: false };
const stripe = new Stripe('sk_test_interop', options);

let checks = 0;
function check(condition, what) {
  if (!condition) throw new Error('check failed: ' + what);
  checks += 1;
}
async function refused(call) {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('check failed: the call was expected to be refused');
}

const account = await stripe.accounts.retrieve();
check(account.object === 'account' && account.id.startsWith('acct_'), 'the key names its account');

const payer = { email: 'payer@example.com', metadata: { recur_payer_id: 'cpayer_interop' } };
const customer = await stripe.customers.create(payer, { idempotencyKey: 'recur-customer-1' });
check(customer.object === 'customer' && customer.id.startsWith('cus_'), 'a customer is made');
check(customer.metadata.recur_payer_id === 'cpayer_interop', 'the customer keeps its metadata');
const again = await stripe.customers.create(payer, { idempotencyKey: 'recur-customer-1' });
check(again.id === customer.id, 'the same key answers the same customer');
check(again.lastResponse.headers['idempotent-replayed'] === 'true', 'marked as replayed');
const found = await stripe.customers.search(
    { query: "metadata['recur_payer_id']:'cpayer_interop'" });
check(found.data.length === 1 && found.data[0].id === customer.id, 'search finds the customer');

const setup = await stripe.setupIntents.create(
    { customer: customer.id, usage: 'off_session', payment_method_types: ['card'] });
check(setup.object === 'setup_intent' && setup.client_secret.startsWith(setup.id + '_secret_'),
      'a SetupIntent has a client secret');

const confirmed = await stripe.setupIntents.confirm(setup.id, { payment_method: 'pm_card_visa' });
check(confirmed.status === 'succeeded' && confirmed.payment_method.startsWith('pm_'),
      'a confirmed SetupIntent names the card it saved');
const setupRead = await stripe.setupIntents.retrieve(setup.id);
check(setupRead.status === 'succeeded' && setupRead.payment_method === confirmed.payment_method,
      'and is read back');
const saved = await stripe.paymentMethods.retrieve(confirmed.payment_method);
check(saved.customer === customer.id, 'the card a SetupIntent saved is the customer\'s');
const twice = await refused(() => stripe.paymentMethods.attach(saved.id,
                                                               { customer: customer.id }));
check(twice.type === 'StripeInvalidRequestError' && twice.statusCode === 400,
      'attaching it again is an invalid request');

// What Stripe.js does in the payer's browser: with the publishable key and the client secret,
// it confirms the SetupIntent with the card details typed into its form.
const browser = new Stripe('pk_test_interop', options);
const typed = (number) => ({ type: 'card', card: { number, exp_month: 12, exp_year: 2034, cvc: '123' } });
const browserSetup = await stripe.setupIntents.create({ customer: customer.id, usage: 'off_session' });
const refusedCard = await refused(() => browser.setupIntents.confirm(browserSetup.id, {
  client_secret: browserSetup.client_secret, payment_method_data: typed('4000000000000002') }));
check(refusedCard.type === 'StripeCardError' && refusedCard.code === 'card_declined' &&
      refusedCard.decline_code === 'generic_decline' &&
      refusedCard.raw.setup_intent.status === 'requires_payment_method',
      'a card refused at confirmation is a card error naming its SetupIntent');
const mistyped = await refused(() => browser.setupIntents.confirm(browserSetup.id, {
  client_secret: browserSetup.client_secret, payment_method_data: typed('4242424242424241') }));
check(mistyped.type === 'StripeCardError' && mistyped.code === 'incorrect_number',
      'a number that is no test card is incorrect');
const typedIn = await browser.setupIntents.confirm(browserSetup.id, {
  client_secret: browserSetup.client_secret, payment_method_data: typed('4000 0000 0000 0341') });
check(typedIn.status === 'succeeded' && typedIn.last_setup_error === null,
      'another card confirms the same SetupIntent');
const typedMethod = await stripe.paymentMethods.retrieve(typedIn.payment_method);
check(typedMethod.customer === customer.id && typedMethod.card.last4 === '0341',
      'the typed card is attached to the customer');
const readByBrowser = await browser.setupIntents.retrieve(browserSetup.id,
                                                          { client_secret: browserSetup.client_secret });
check(readByBrowser.status === 'succeeded', 'the browser reads the SetupIntent with its secret');
const confirmedTwice = await refused(() => browser.setupIntents.confirm(browserSetup.id, {
  client_secret: browserSetup.client_secret, payment_method_data: typed('4242424242424242') }));
check(confirmedTwice.type === 'StripeInvalidRequestError' &&
      confirmedTwice.code === 'setup_intent_unexpected_state',
      'a succeeded SetupIntent cannot be confirmed again');
const wrongSecret = await refused(() => browser.setupIntents.confirm(setup.id, {
  client_secret: browserSetup.client_secret, payment_method_data: typed('4242424242424242') }));
check(wrongSecret.type === 'StripeInvalidRequestError' && wrongSecret.param === 'client_secret',
      'the publishable key needs the SetupIntent\'s own client secret');
const notForBrowsers = await refused(() => browser.customers.retrieve(customer.id));
check(notForBrowsers.type === 'StripePermissionError' && notForBrowsers.statusCode === 403 &&
      notForBrowsers.code === 'secret_key_required', 'the publishable key reads no customer');
const fromPage = await fetch(`http://127.0.0.1:${port}/v1/setup_intents/${browserSetup.id}?` +
                             `key=pk_test_interop&client_secret=${browserSetup.client_secret}`);
check(fromPage.status === 200 && fromPage.headers.get('access-control-allow-origin') === '*',
      'a page of any origin may read what Stripe.js reads');

const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
check(card.id !== 'pm_card_visa' && card.customer === customer.id, 'attaching makes a method');
check(card.card.brand === 'visa' && card.card.last4 === '4242', 'the card has brand and last4');
const read = await stripe.paymentMethods.retrieve(card.id);
check(read.id === card.id && read.card.exp_year > 2000, 'a method is read back');
const list = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
check(list.object === 'list' && list.data.some((m) => m.id === card.id), 'and listed');
const updated = await stripe.customers.update(
    customer.id, { invoice_settings: { default_payment_method: card.id } });
check(updated.invoice_settings.default_payment_method === card.id, 'it becomes the default');
const stranger = await refused(() => stripe.customers.update(
    customer.id, { invoice_settings: { default_payment_method: 'pm_card_mastercard' } }));
check(stranger.type === 'StripeInvalidRequestError' && stranger.code === 'resource_missing',
      'only an attached card can be the default');

const charge = {
  amount: 2000, currency: 'usd', customer: customer.id, payment_method: card.id,
  payment_method_types: ['card'], confirm: true, off_session: true,
  metadata: { recur_payer_id: 'cpayer_interop', recur_attempt_id: 'cpay_1',
              recur_idempotency_key: 'cpay_1-key' },
};
const paid = await stripe.paymentIntents.create(charge, { idempotencyKey: 'cpay_1-key' });
check(paid.object === 'payment_intent' && paid.status === 'succeeded', 'a charge succeeds');
const replay = await stripe.paymentIntents.create(charge, { idempotencyKey: 'cpay_1-key' });
check(replay.id === paid.id && replay.lastResponse.headers['idempotent-replayed'] === 'true',
      'the same key replays the charge');
const reused = await refused(() => stripe.paymentIntents.create(
    { ...charge, amount: 2500 }, { idempotencyKey: 'cpay_1-key' }));
check(reused.type === 'StripeIdempotencyError' && reused.statusCode === 400,
      'a key reused for another charge is an idempotency error');
const byId = await stripe.paymentIntents.retrieve(paid.id);
check(byId.id === paid.id && byId.amount === 2000, 'a PaymentIntent is read back');
const byKey = await stripe.paymentIntents.search(
    { query: "metadata['recur_idempotency_key']:'cpay_1-key'" });
check(byKey.data.length === 1 && byKey.data[0].id === paid.id, 'and found by its metadata');
const refund = await stripe.refunds.create({ payment_intent: paid.id, amount: 500 },
                                           { idempotencyKey: 'refund-1' });
check(refund.object === 'refund' && refund.status === 'succeeded' && refund.amount === 500,
      'a refund succeeds');

const failing = await stripe.paymentMethods.attach('pm_card_chargeCustomerFail',
                                                   { customer: customer.id });
const declined = await refused(() => stripe.paymentIntents.create(
    { ...charge, payment_method: failing.id }, { idempotencyKey: 'cpay_2-key' }));
check(declined.type === 'StripeCardError' && declined.code === 'card_declined' &&
      declined.decline_code === 'generic_decline', 'a declined charge is a card error');
check(declined.raw.payment_intent.id.startsWith('pi_') &&
      declined.raw.payment_intent.status === 'requires_payment_method',
      'it names its PaymentIntent');
const authentication = await stripe.paymentMethods.attach('pm_card_authenticationRequired',
                                                          { customer: customer.id });
const action = await refused(() => stripe.paymentIntents.create(
    { ...charge, payment_method: authentication.id }, { idempotencyKey: 'cpay_3-key' }));
check(action.type === 'StripeCardError' && action.code === 'authentication_required' &&
      action.raw.payment_intent.id.startsWith('pi_'), 'authentication required names its intent');
const dry = await stripe.paymentMethods.attach('pm_card_fakeChargeDeclinedInsufficientFunds',
                                               { customer: customer.id });
const unfunded = await refused(() => stripe.paymentIntents.create(
    { ...charge, payment_method: dry.id }, { idempotencyKey: 'cpay_4-key' }));
check(unfunded.type === 'StripeCardError' && unfunded.code === 'card_declined' &&
      unfunded.decline_code === 'insufficient_funds' &&
      unfunded.raw.payment_intent.id.startsWith('pi_'),
      'a saved card without funds declines its charge with the decline code');
const broke = await refused(() => stripe.paymentMethods.attach(
    'pm_card_chargeDeclinedInsufficientFunds', { customer: customer.id }));
check(broke.type === 'StripeCardError' && broke.decline_code === 'insufficient_funds',
      'a card without funds is refused on attach');
const expired = await refused(() => stripe.paymentMethods.attach(
    'pm_card_chargeDeclinedExpiredCard', { customer: customer.id }));
check(expired.type === 'StripeCardError' && expired.code === 'expired_card', 'so is an expired one');

const detached = await stripe.paymentMethods.detach(failing.id);
check(detached.customer === null, 'a method is detached');
const detachedTwice = await refused(() => stripe.paymentMethods.detach(failing.id));
check(detachedTwice.type === 'StripeInvalidRequestError' && detachedTwice.statusCode === 400,
      'detaching it again is an invalid request');
const missing = await refused(() => stripe.customers.retrieve('cus_nobody'));
check(missing.type === 'StripeInvalidRequestError' && missing.code === 'resource_missing' &&
      missing.statusCode === 404, 'an unknown customer is missing');
const wrongKey = await refused(() => new Stripe('xk_test_nope', options).customers.retrieve(
    customer.id));
check(wrongKey.type === 'StripeAuthenticationError' && wrongKey.statusCode === 401,
      'a wrong key is an authentication error');
const anonymous = await fetch(`http://127.0.0.1:${port}/v1/customers`);
const anonymousBody = await anonymous.json();
check(anonymous.status === 401 && anonymousBody.error.type === 'invalid_request_error',
      'no key is 401 in Stripe\'s shape');

process.stdout.write(JSON.stringify({ checks }) + '\n');
