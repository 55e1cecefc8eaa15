// Drives `recur serve` with Clerk's own Backend SDK, @clerk/backend (createClerkClient with
// apiUrl pointing at Recur), as an application moving from Clerk Billing would: every method of
// its BillingAPI, the errors it turns into ClerkAPIResponseError, and verifyWebhook on a
// delivery of Recur's. For tests/e2e/clerk_backend_test.cc, which made the payers before and
// checks the effects through Recur's own API after.
// Environment: RECUR_NODE_MODULES (with @clerk/backend), RECUR_URL, RECUR_SECRET_KEY, and the
// payers made: ADA_PAYER and ADA_TRIAL_END (user_ada, in a Pro trial with a card), BOB_PAYER
// (user_bob, likewise), ACME_PAYER (org_acme, in a Team trial); user_new has no payer.
// Prints {"checks": N, "ada_item": ..., "bob_item": ..., "extended_to": ms} and exits 0 when
// every check holds; else the failed check on stderr, and 1.
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';

const require = createRequire(path.join(path.resolve(process.env.RECUR_NODE_MODULES), 'noop.js'));
const { createClerkClient } = require('@clerk/backend');
const { verifyWebhook } = require('@clerk/backend/webhooks');
const { isClerkAPIResponseError } = require('@clerk/shared/error');

const apiUrl = process.env.RECUR_URL;
const secretKey = process.env.RECUR_SECRET_KEY;
const clerk = createClerkClient({ secretKey, apiUrl });
const day = 86_400_000;

// Whether `value` is an object of the SDK's class `name` (BillingPlan, ...), which it builds only
// for the `object` values it knows; it answers plain objects for the others. The package exports
// the classes as types only, so they are known by their constructor: a class of the bundle (its
// name, which the bundler may prefix with "_") with the static fromJSON the SDK builds it with.
function isSdkClass(value, name) {
  return value !== null && typeof value === 'object' &&
         Object.getPrototypeOf(value) !== Object.prototype &&
         typeof value.constructor.fromJSON === 'function' &&
         value.constructor.name.replace(/^_/, '') === name;
}

let checks = 0;
function check(condition, what, seen) {
  if (!condition) {
    throw new Error('check failed: ' + what + (seen === undefined ? '' : ': ' + JSON.stringify(seen)));
  }
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
function clerkError(error, status, code, what) {
  check(isClerkAPIResponseError(error), what + ': a ClerkAPIResponseError', String(error));
  check(error.status === status, what + ': status ' + status, error.status);
  check(error.errors.length === 1 && error.errors[0].code === code, what + ': code ' + code,
        error.errors);
  check(error.errors[0].longMessage.length > 0, what + ': a long message');
  check(error.clerkTraceId.startsWith('req_'), what + ': the request id as trace id',
        error.clerkTraceId);
  return error.errors[0];
}

// --- the plans ---
const userPlans = await clerk.billing.getPlanList({ payerType: 'user' });
check(userPlans.totalCount === 3 && userPlans.data.length === 3, 'three user plans', userPlans);
check(userPlans.data.every((plan) => isSdkClass(plan, 'BillingPlan')), 'BillingPlan objects');
check(userPlans.data.every((plan) => plan.forPayerType === 'user'), 'all for users');
const pro = userPlans.data.find((plan) => plan.slug === 'pro');
check(pro && pro.name === 'Pro' && pro.id.startsWith('cplan_'), 'Pro is listed', pro);
check(pro.fee.amount === 2000 && pro.fee.currency === 'USD' && pro.fee.currencySymbol === '$',
      "Pro's monthly fee", pro.fee);
check(pro.annualFee.amount === 19200 && pro.annualMonthlyFee.amount === 1600, "Pro's annual fees",
      [pro.annualFee, pro.annualMonthlyFee]);
check(pro.freeTrialEnabled === true && pro.freeTrialDays === 14, "Pro's trial", pro);
check(pro.isRecurring && pro.hasBaseFee && !pro.isDefault && pro.publiclyVisible, "Pro's flags");
check(pro.features.map((f) => f.slug).includes('custom_domains'), "Pro's features", pro.features);
const free = userPlans.data.find((plan) => plan.slug === 'free');
check(free.isDefault && free.fee.amount === 0 && free.annualFee === null && !free.hasBaseFee,
      'the free default plan', free);
const firstOrgPage = await clerk.billing.getPlanList({ payerType: 'org', limit: 1 });
const secondOrgPage = await clerk.billing.getPlanList({ payerType: 'org', limit: 1, offset: 1 });
check(firstOrgPage.totalCount === 2 && firstOrgPage.data.length === 1 &&
      secondOrgPage.data.length === 1, 'org plans one page at a time', [firstOrgPage, secondOrgPage]);
check([firstOrgPage.data[0].slug, secondOrgPage.data[0].slug].sort().join() === 'org-free,team',
      'the two org plans over the two pages');

// --- subscriptions ---
const trialEnd = Number(process.env.ADA_TRIAL_END);
const ada = await clerk.billing.getUserBillingSubscription('user_ada');
check(isSdkClass(ada, 'BillingSubscription'), 'a BillingSubscription', ada);
check(ada.payerId === process.env.ADA_PAYER && ada.status === 'active', "ada's subscription", ada);
check(ada.eligibleForFreeTrial === false, 'ada had her trial');
check(ada.subscriptionItems.length === 1, 'one live item', ada.subscriptionItems);
const adaItem = ada.subscriptionItems[0];
check(isSdkClass(adaItem, 'BillingSubscriptionItem') && isSdkClass(adaItem.plan, 'BillingPlan'),
      'a BillingSubscriptionItem with its BillingPlan');
check(adaItem.plan.slug === 'pro' && adaItem.planPeriod === 'month' && adaItem.status === 'active',
      'ada is on Pro, monthly', adaItem);
check(adaItem.isFreeTrial === true && adaItem.periodEnd === trialEnd, 'in a trial to its end',
      adaItem);
check(adaItem.amount.amount === 2000 && adaItem.payerId === process.env.ADA_PAYER,
      "the item's price and payer", adaItem);
check(adaItem.nextPayment.date === trialEnd && adaItem.nextPayment.amount.amount === 2000,
      'the trial converts at its end', adaItem.nextPayment);
check(ada.nextPayment.date === trialEnd && ada.nextPayment.amount.amount === 2000,
      "the subscription's next payment", ada.nextPayment);

const acme = await clerk.billing.getOrganizationBillingSubscription('org_acme');
check(isSdkClass(acme, 'BillingSubscription') && acme.payerId === process.env.ACME_PAYER,
      "acme's subscription", acme);
check(acme.subscriptionItems[0].plan.slug === 'team' && acme.subscriptionItems[0].isFreeTrial,
      'acme is in a Team trial', acme.subscriptionItems);

const newcomer = await clerk.billing.getUserBillingSubscription('user_new');
check(isSdkClass(newcomer, 'BillingSubscription') && newcomer.status === 'active' &&
      newcomer.eligibleForFreeTrial === true, 'a user with no payer yet', newcomer);
check(newcomer.subscriptionItems.length === 1 && newcomer.subscriptionItems[0].plan.slug === 'free' &&
      newcomer.subscriptionItems[0].id === null && newcomer.id === null,
      'is on the free plan, with nothing stored', newcomer);
const adaAsOrg = await clerk.billing.getOrganizationBillingSubscription('user_ada');
check(adaAsOrg.payerId === null && adaAsOrg.subscriptionItems[0].plan.slug === 'org-free',
      "a user's id is no organization's", adaAsOrg);

// --- a webhook endpoint of our own, to receive what the changes below send ---
const deliveries = [];
const receiver = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    response.writeHead(204).end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpointAnswer = await fetch(apiUrl + '/v1/webhook_endpoints', {
  method: 'POST',
  headers: { Authorization: 'Bearer ' + secretKey, 'Content-Type': 'application/json' },
  body: JSON.stringify({ url: `http://127.0.0.1:${receiver.address().port}/clerk-webhooks`,
                         event_types: ['subscriptionItem.canceled'] }),
});
const endpoint = await endpointAnswer.json();
check(endpointAnswer.status === 200 && endpoint.secret.startsWith('whsec_'), 'an endpoint', endpoint);

// --- changes ---
const extendTo = new Date(trialEnd + 3 * day);
const extended = await clerk.billing.extendSubscriptionItemFreeTrial(adaItem.id, { extendTo });
check(isSdkClass(extended, 'BillingSubscriptionItem') && extended.id === adaItem.id,
      'the extended item', extended);
check(extended.periodEnd === trialEnd + 3 * day && extended.isFreeTrial, 'the trial runs longer',
      extended);
const past = clerkError(await refused(() => clerk.billing.extendSubscriptionItemFreeTrial(
                            adaItem.id, { extendTo: new Date(trialEnd + day) })),
                        400, 'form_param_format_invalid', 'a trial moved earlier than it is');
check(past.meta.paramName === 'extend_to', 'names extend_to', past);
const canceled = await clerk.billing.cancelSubscriptionItem(adaItem.id);  // no endNow: sent as none
check(isSdkClass(canceled, 'BillingSubscriptionItem') && canceled.status === 'canceled',
      'canceled', canceled);
check(canceled.canceledAt !== null && canceled.endedAt === null &&
      canceled.periodEnd === trialEnd + 3 * day, 'at the end of the (extended) trial', canceled);
check(canceled.nextPayment === null, 'nothing is charged any more', canceled.nextPayment);

const bob = await clerk.billing.getUserBillingSubscription('user_bob');
const bobItem = bob.subscriptionItems[0];
const ended = await clerk.billing.cancelSubscriptionItem(bobItem.id, { endNow: true });
check(isSdkClass(ended, 'BillingSubscriptionItem') && ended.status === 'ended' && ended.endedAt !== null,
      'ended now', ended);
const bobAfter = await clerk.billing.getUserBillingSubscription('user_bob');
check(bobAfter.subscriptionItems.length === 1 && bobAfter.subscriptionItems[0].plan.slug === 'free',
      'bob is back on the free plan', bobAfter.subscriptionItems);

// --- errors ---
clerkError(await refused(() => clerk.billing.cancelSubscriptionItem('csub_item_none')), 404,
           'resource_not_found', 'an item that does not exist');
clerkError(await refused(() => clerk.billing.extendSubscriptionItemFreeTrial(
               adaItem.id, { extendTo: new Date(trialEnd + 5 * day) })),
           422, 'unprocessable_entity', 'the trial of a canceled item');
const badType = clerkError(await refused(() => clerk.billing.getPlanList({ payerType: 'team' })),
                           400, 'form_param_format_invalid', 'a payer type that is none');
check(badType.meta.paramName === 'payer_type', 'names payer_type', badType);
const stranger = createClerkClient({ secretKey: 'sk_test_not_the_key', apiUrl });
clerkError(await refused(() => stranger.billing.getPlanList()), 401, 'authentication_invalid',
           'a wrong secret key');

// --- the webhook of the cancel, verified by Clerk's verifyWebhook ---
const adaDelivery = () => deliveries.find((d) => d.body.includes(JSON.stringify(adaItem.id)));
for (let waited = 0; !adaDelivery() && waited < 10_000; waited += 50) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
const delivered = adaDelivery();
check(delivered !== undefined, "the cancel of ada's item was delivered", deliveries.length);
const asRequest = (body) => new Request('http://127.0.0.1/clerk-webhooks', {
  method: 'POST', headers: delivered.headers, body });
const event = await verifyWebhook(asRequest(delivered.body), { signingSecret: endpoint.secret });
check(event.type === 'subscriptionItem.canceled' && event.data.id === adaItem.id,
      'verifyWebhook accepts the delivery', event);
check(event.data.object === 'subscription_item' || event.data.object === 'commerce_subscription_item',
      'the event carries the item', event.data.object);
const tampered = delivered.body.replace('"canceled"', '"active"');
check(tampered !== delivered.body, 'the body was changed');
await refused(() => verifyWebhook(asRequest(tampered), { signingSecret: endpoint.secret }));
checks += 1;  // a changed body is refused
receiver.close();

console.log(JSON.stringify({ checks, ada_item: adaItem.id, bob_item: bobItem.id,
                             extended_to: trialEnd + 3 * day }));
