// The browser components (web/recur.js, served at /v1/assets/recur.js) in headless Chromium,
// against a real `recur serve` (sandbox gateway, a temporary SQLite database, the shipped plans)
// that this script starts, with the pages served from an origin it lists (--allowed-origin) and
// from one it does not. It drives the pages as a user would (clicks and keys) and checks what
// they show against what the API says: the pricing table's plans and prices and the monthly /
// annual switch; starting a trial with a sandbox test card, then cancelling and resubscribing,
// all from the keyboard; a declined card's message with the plan unchanged; a revoked and an
// expired session; an origin not listed; axe-core's accessibility rules. Then the Stripe path,
// against a second `recur serve --gateway stripe` at the fake Stripe (FAKE_STRIPE_BINARY, on
// loopback), with a stand-in for Stripe.js (stripe_js_stand_in.js, served at Stripe.js's address
// by page.route) that confirms SetupIntents at the fake: a trial started with a card typed into
// the Payment Element, after one the fake refuses at confirmation; a card whose first charge is
// declined, then another. Screenshots at a desktop and a phone width are written to
// ARTIFACTS_DIR.
//
// Usage: node components_test.mjs RECUR_BINARY SOURCE_DIR ARTIFACTS_DIR FAKE_STRIPE_BINARY
// Environment: RECUR_NODE_MODULES (with playwright-core and axe-core; tools/test.sh installs
// them), RECUR_CHROMIUM (default /usr/bin/chromium, Debian's package).
// Exits 0 when every check holds; else prints the failed check and exits 1.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { startRecur as startServe, stopProcess } from './recur_serve.mjs';

const require = createRequire(path.join(path.resolve(process.env.RECUR_NODE_MODULES), 'noop.js'));
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [binary, sourceDir, artifacts, fakeStripeBinary] = process.argv.slice(2);
if (!binary || !sourceDir || !artifacts || !fakeStripeBinary) {
  console.error('usage: node components_test.mjs RECUR_BINARY SOURCE_DIR ARTIFACTS_DIR FAKE_STRIPE_BINARY');
  process.exit(2);
}
const secretKey = 'sk_test_browser0123456789abcdefghijklmnop';
const stripeSecretKey = 'sk_test_browserFakeStripe';
const stripePublishableKey = 'pk_test_browserFakeStripe';
const stripeJsStandIn = fs.readFileSync(new URL('./stripe_js_stand_in.js', import.meta.url), 'utf8');
const started = Date.now();

let checks = 0;
function check(condition, what) {
  if (!condition) throw new Error('check failed: ' + what);
  checks += 1;
}
function checkEqual(actual, expected, what) {
  check(
    JSON.stringify(actual) === JSON.stringify(expected),
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
  );
}

// --- the pages: one skeleton that loads the script from Recur and records the components' events;
// each path loads it from the Recur set for it (setRecur).
function pageServer() {
  const recurOrigins = new Map();
  const server = http.createServer((request, response) => {
    const recurOrigin = recurOrigins.get(request.url);
    if (recurOrigin === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Billing</title>
  <style>body { margin: 0; padding: 24px; font-family: sans-serif; background: #f9fafb; }
    recur-subscription { margin-top: 24px; max-width: 32em; }</style>
  <script src="${recurOrigin}/v1/assets/recur.js"></script>
  <script>
    window.recurEvents = [];
    for (const type of ['recur:subscribed', 'recur:canceled', 'recur:select', 'recur:error']) {
      document.addEventListener(type, (event) =>
        window.recurEvents.push({ type, detail: JSON.parse(JSON.stringify(event.detail)) }));
    }
  </script>
</head>
<body><main><h1>Billing</h1><div id="place"></div></main></body>
</html>`);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        origin: `http://127.0.0.1:${server.address().port}`,
        setRecur: (origin, page = '/') => recurOrigins.set(page, origin),
      }),
    ),
  );
}

// --- recur serve
function startRecur(database, allowedOrigin, args = [], env = {}) {
  return startServe({
    binary, sourceDir, database, secretKey, env, args: ['--allowed-origin', allowedOrigin, ...args],
  });
}

// --- the fake Stripe (tests/support/fake_stripe.h) on its own
function startFakeStripe() {
  const child = spawn(fakeStripeBinary, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('fake-stripe did not start')), 15000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = stdout.match(/listening on (\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve({ child, origin: `http://127.0.0.1:${match[1]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`fake-stripe exited with ${code}`)));
  });
}


let recur = '';  // the sandbox Recur
let stripeRecur = '';  // the Recur on the fake Stripe
let fakeStripe = '';
// What Stripe holds, read with the secret key as Recur reads it.
async function atStripe(route) {
  const response = await fetch(fakeStripe + route, { headers: { Authorization: 'Bearer ' + stripeSecretKey } });
  const answer = await response.json();
  if (!response.ok) throw new Error(`GET ${route} at the fake Stripe: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}
async function stripeCustomerOf(payerId) {
  const found = await atStripe(`/v1/customers/search?query=${encodeURIComponent(`metadata['recur_payer_id']:'${payerId}'`)}`);
  check(found.data.length === 1, `the payer ${payerId} has one Customer at Stripe`);
  return found.data[0];
}

async function api(method, route, body, base = recur) {
  const response = await fetch(base + route, {
    method,
    headers: { Authorization: 'Bearer ' + secretKey, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}
let payers = 0;
async function signedInPayer(ttlSeconds = 3600, base = recur) {
  payers += 1;
  const payer = await api('POST', '/v1/payers', {
    external_id: `browser_user_${payers}`, type: 'user', email: `user${payers}@example.com`,
    name: 'Ada Lovelace',
  }, base);
  const session = await api('POST', `/v1/payers/${payer.id}/sessions`, { ttl_seconds: ttlSeconds }, base);
  return { id: payer.id, session: session.token };
}
async function currentItem(payerId, base = recur) {
  const subscription = await api('GET', `/v1/payers/${payerId}/subscription`, undefined, base);
  return subscription.items.find((item) => ['active', 'past_due', 'canceled'].includes(item.status));
}

// --- in the page
async function show(page, origin, html, pagePath = '/') {
  await page.goto(origin + pagePath);
  await page.evaluate((markup) => (document.getElementById('place').innerHTML = markup), html);
}
function attribute(value) {
  return value.replace(/"/g, '&quot;');
}
async function events(page, type) {
  return (await page.evaluate(() => window.recurEvents)).filter((e) => !type || e.type === type);
}
// The element that has the focus, looking into shadow roots.
async function focused(page) {
  return page.evaluate(() => {
    let active = document.activeElement;
    while (active && active.shadowRoot && active.shadowRoot.activeElement) {
      active = active.shadowRoot.activeElement;
    }
    return active ? { tag: active.tagName, text: active.textContent.trim(), value: active.value || '' } : null;
  });
}
// Presses Tab until the focused control's text is `text`; fails after `limit` presses.
async function tabTo(page, text, limit = 30) {
  const seen = [];
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    seen.push(now && now.text);
    if (now && now.text === text) return;
  }
  throw new Error(`check failed: Tab never reached "${text}"; it went through ${JSON.stringify(seen)}`);
}
// Every enabled button of the components, by its text.
async function enabledButtons(page) {
  return page.evaluate(() => {
    const found = [];
    const visit = (root) => {
      for (const node of root.querySelectorAll('*')) {
        if (node.shadowRoot) visit(node.shadowRoot);
        if (node.tagName === 'BUTTON' && !node.disabled && node.offsetParent !== null) {
          found.push(node.textContent.trim());
        }
      }
    };
    visit(document);
    return found;
  });
}
async function axeViolations(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  });
}
async function checkAccessible(page, what) {
  const violations = await axeViolations(page);
  check(violations.length === 0, `axe-core finds no violations ${what}: ${violations.join('\n')}`);
}
async function screenshots(page, name) {
  for (const [width, height, kind] of [[1280, 900, 'desktop'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: path.join(artifacts, `${name}-${kind}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
function money(minor) {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(minor / 100);
}
function cardLocator(page, slug) {
  return page.locator(`recur-pricing-table [data-plan="${slug}"]`);
}
async function formatDateInPage(page, ms) {
  return page.evaluate((t) => new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(t)), ms);
}

// --- the scenarios
async function publicTable(page, origin) {
  await show(page, origin, '<recur-pricing-table payer-type="user"></recur-pricing-table>');
  const plans = (await api('GET', '/v1/plans?payer_type=user')).data;
  check(plans.length >= 3, 'the shipped catalog has several user plans');
  const cards = page.locator('recur-pricing-table li.card');
  await cards.first().waitFor();
  checkEqual(await cards.evaluateAll((all) => all.map((c) => c.dataset.plan)), plans.map((p) => p.slug),
             'a card per public plan, in the API order');
  for (const interval of ['month', 'annual']) {
    if (interval === 'annual') {
      await page.locator('recur-pricing-table .switch button', { hasText: 'Annual' }).click();
      checkEqual(await page.locator('recur-pricing-table .switch button[aria-pressed="true"]').textContent(),
                 'Annual', 'the switch says annual is shown');
    }
    for (const plan of plans) {
      const card = cardLocator(page, plan.slug);
      checkEqual(await card.locator('h2').textContent(), plan.name, `${plan.slug}'s name`);
      checkEqual(await card.locator('.description').textContent(), plan.description, `${plan.slug}'s description`);
      const price = (await card.locator('.price').textContent()).trim();
      const billed = (await card.locator('.billed').textContent()).trim();
      if (plan.amount === 0) {
        checkEqual(price, 'Free', `${plan.slug} is free`);
      } else if (interval === 'annual' && plan.annual_amount) {
        checkEqual(price, `${money(plan.annual_monthly_amount)} / month`, `${plan.slug}'s annual price a month`);
        checkEqual(billed, `${money(plan.annual_amount)} billed yearly`, `${plan.slug}'s annual price`);
      } else {
        checkEqual(price, `${money(plan.amount)} / month`, `${plan.slug}'s monthly price (${interval})`);
      }
      const trial = (await card.locator('.trial').textContent()).trim();
      checkEqual(trial, plan.free_trial_enabled ? `${plan.free_trial_days}-day free trial` : '',
                 `${plan.slug}'s trial offer`);
      const features = await card.locator('.features li').allTextContents();
      checkEqual(features, plan.features.map((f) =>
        f.limit === null ? f.name : `${f.name}: ${f.limit === 'unlimited' ? 'Unlimited' : f.limit}`),
        `${plan.slug}'s features with their limits`);
    }
  }
  const pro = cardLocator(page, 'pro');
  checkEqual(await pro.locator('.price').textContent(), '$16.00 / month', 'Pro annual, a month');
  checkEqual(await pro.locator('.billed').textContent(), '$192.00 billed yearly', 'Pro annual');
  checkEqual(await pro.locator('button').textContent(), 'Start free trial', 'Pro offers its trial');
  checkEqual(await cardLocator(page, 'business').locator('button').textContent(), 'Subscribe',
             'Business is bought');
  await pro.locator('button').click();
  const selected = await events(page, 'recur:select');
  checkEqual(selected.map((e) => [e.detail.plan, e.detail.interval, e.detail.action]),
             [['pro', 'annual', 'start_trial']], 'without a session a button dispatches recur:select');
  await page.locator('recur-pricing-table .switch button', { hasText: 'Monthly' }).click();
  checkEqual(await pro.locator('.price').textContent(), '$20.00 / month', 'back to monthly prices');
  await checkAccessible(page, 'on the public table');
  await screenshots(page, 'pricing-table-public');
}

async function trialCancelResubscribeByKeyboard(page, origin) {
  const payer = await signedInPayer();
  await show(page, origin,
    `<recur-pricing-table session="${attribute(payer.session)}"></recur-pricing-table>
     <recur-subscription session="${attribute(payer.session)}"></recur-subscription>`);
  const pro = cardLocator(page, 'pro');
  await pro.locator('button').waitFor();
  await page.locator('recur-subscription [data-plan]').waitFor();
  checkEqual(await page.locator('recur-subscription [data-plan]').textContent(), 'Free', 'a new payer is on Free');
  checkEqual(await page.locator('recur-subscription [data-card]').textContent(), 'No card on file', 'no card yet');
  checkEqual(await cardLocator(page, 'free').locator('button').textContent(), 'Current plan', 'Free is current');
  check(await cardLocator(page, 'free').locator('button').isDisabled(), 'Current plan is disabled');
  checkEqual(await pro.locator('button').textContent(), 'Start free trial', 'Pro offers its trial');
  await checkAccessible(page, 'on a signed-in table and subscription');
  await screenshots(page, 'signed-in-free');

  // Every enabled button is reached with Tab alone.
  const buttons = await enabledButtons(page);
  check(buttons.length >= 4, 'the page has buttons to reach: ' + buttons);
  const reached = new Set();
  for (let i = 0; i < 40 && reached.size < buttons.length; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (now && now.tag === 'BUTTON') reached.add(now.text);
  }
  checkEqual([...reached].sort(), [...new Set(buttons)].sort(), 'Tab reaches every enabled button');

  // The switch, by keyboard.
  await tabTo(page, 'Annual');
  await page.keyboard.press('Space');
  checkEqual(await pro.locator('.billed').textContent(), '$192.00 billed yearly', 'Space on Annual switches');
  checkEqual((await focused(page)).text, 'Annual', 'the focus stays on the switch');
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Enter');
  checkEqual(await pro.locator('.billed').textContent(), 'billed monthly', 'Enter on Monthly switches back');

  // Start the trial: the card picker opens, a test card is chosen with the arrow keys.
  await tabTo(page, 'Start free trial');
  await page.keyboard.press('Enter');
  const dialog = page.locator('recur-pricing-table recur-checkout dialog');
  await dialog.waitFor();
  check(await dialog.evaluate((d) => d.open), 'the checkout opens as a dialog');
  checkEqual((await focused(page)).value, 'pm_card_visa', 'the focus is on the first test card');
  await page.keyboard.press('ArrowDown');
  checkEqual((await focused(page)).value, 'pm_card_mastercard', 'the arrow keys choose a card');
  await checkAccessible(page, 'with the checkout open');
  await screenshots(page, 'checkout');
  await tabTo(page, 'Add card and continue', 5);
  await page.keyboard.press('Enter');
  await pro.locator('button', { hasText: 'Current plan' }).waitFor();
  check(!(await dialog.evaluate((d) => d.open)), 'the checkout closes');
  const trial = await currentItem(payer.id);
  checkEqual([trial.plan.slug, trial.is_free_trial, trial.status], ['pro', true, 'active'],
             'the API says the payer is in a Pro trial');
  checkEqual(await pro.locator('.trial').textContent(), '', 'a payer who used the trial is not offered it');
  const next = page.locator('recur-subscription [data-next]');
  await page.locator('recur-subscription [data-plan="pro"]').waitFor();
  checkEqual(await next.textContent(),
             `Free trial ends ${await formatDateInPage(page, trial.trial_end)}, then $20.00`,
             'the subscription shows the trial end');
  checkEqual(await page.locator('recur-subscription [data-card]').textContent(), 'Card on file: Mastercard •••• 4444',
             'and the card on file');
  checkEqual((await events(page, 'recur:subscribed')).map((e) => e.detail.item.plan.slug), ['pro'],
             'recur:subscribed with the item');
  await screenshots(page, 'signed-in-trial');

  // Cancel, with its confirmation, then resubscribe: keyboard only.
  await tabTo(page, 'Cancel subscription');
  await page.keyboard.press('Enter');
  checkEqual((await focused(page)).text, 'Keep Pro', 'the confirmation takes the focus, on the safe choice');
  await page.keyboard.press('Tab');
  checkEqual((await focused(page)).text, 'Yes, cancel', 'then the confirming button');
  await page.keyboard.press('Enter');
  await page.locator('recur-subscription button', { hasText: 'Resubscribe' }).waitFor();
  checkEqual(await next.textContent(), `Canceled: ends ${await formatDateInPage(page, trial.trial_end)}`,
             'the subscription shows when the canceled plan ends');
  checkEqual((await currentItem(payer.id)).status, 'canceled', 'the API says canceled');
  checkEqual((await events(page, 'recur:canceled')).length, 1, 'recur:canceled');
  await pro.locator('button', { hasText: 'Resubscribe' }).waitFor();
  checkEqual((await focused(page)).text, 'Resubscribe', 'the focus is on what undoes it');
  await page.keyboard.press('Enter');
  await page.locator('recur-subscription button', { hasText: 'Cancel subscription' }).waitFor();
  checkEqual(await next.textContent(), `Free trial ends ${await formatDateInPage(page, trial.trial_end)}, then $20.00`,
             'resubscribed: the trial goes on');
  const resubscribed = await currentItem(payer.id);
  checkEqual([resubscribed.id, resubscribed.status], [trial.id, 'active'], 'the API says the item is active again');
  await pro.locator('button', { hasText: 'Current plan' }).waitFor();
  checkEqual((await events(page, 'recur:subscribed')).length, 2, 'recur:subscribed again');
  checkEqual(await events(page, 'recur:error'), [], 'no errors on the way');
  await checkAccessible(page, 'on a trial, its table and subscription');
}

async function declinedCard(page, origin) {
  const payer = await signedInPayer();
  await show(page, origin,
    `<recur-pricing-table session="${attribute(payer.session)}"></recur-pricing-table>
     <recur-subscription session="${attribute(payer.session)}"></recur-subscription>`);
  const business = cardLocator(page, 'business');
  await business.locator('button', { hasText: 'Subscribe' }).click();
  const dialog = page.locator('recur-pricing-table recur-checkout dialog');
  await dialog.waitFor();
  await dialog.locator('input[value="pm_card_chargeCustomerFail"]').check();
  await dialog.locator('button', { hasText: 'Add card and continue' }).click();
  const alert = dialog.locator('[role="alert"]');
  await alert.filter({ hasText: 'declined' }).waitFor();
  checkEqual(await alert.textContent(), 'Your card was declined.', "the checkout shows the gateway's message");
  const errors = await events(page, 'recur:error');
  checkEqual(errors.map((e) => [e.detail.code, e.detail.message]),
             [['payment_declined', 'Your card was declined.']], 'recur:error with the code and message');
  checkEqual((await currentItem(payer.id)).plan.slug, 'free', 'the API says the plan stayed Free');
  check(await dialog.evaluate((d) => d.open), 'the checkout stays open for another card');
  await screenshots(page, 'checkout-declined');

  // A card the gateway refuses when it is added.
  await dialog.locator('input[value="pm_card_chargeDeclined"]').check();
  await dialog.locator('button', { hasText: 'Add card and continue' }).click();
  await page.waitForFunction(() => window.recurEvents.filter((e) => e.type === 'recur:error').length === 2);
  const refused = (await events(page, 'recur:error'))[1].detail;
  checkEqual(refused.code, 'card_declined', 'a refused card answers card_declined');
  checkEqual(await alert.textContent(), refused.message, 'and its message is shown');
  checkEqual((await currentItem(payer.id)).plan.slug, 'free', 'the plan is still Free');

  // Closing it leaves the table as it was.
  await dialog.locator('button', { hasText: 'Close' }).click();
  check(!(await dialog.evaluate((d) => d.open)), 'Close closes the checkout');
  checkEqual(await cardLocator(page, 'free').locator('button').textContent(), 'Current plan', 'Free is still current');
  checkEqual(await page.locator('recur-subscription [data-plan]').textContent(), 'Free', 'the subscription says Free');

  // The declined card is now the default: subscribing again shows the decline and offers the
  // picker, where a good card goes through.
  await business.locator('button', { hasText: 'Subscribe' }).click();
  await dialog.locator('[role="alert"]', { hasText: 'Your card was declined.' }).waitFor();
  // Another card declined on its charge is saved, but the card on file stays the default.
  const [onFile] = (await api('GET', `/v1/payers/${payer.id}/payment_methods`)).data;
  const errorsBefore = (await events(page, 'recur:error')).length;
  await dialog.locator('input[value="pm_card_chargeCustomerFail"]').check();
  await dialog.locator('button', { hasText: 'Add card and continue' }).click();
  await page.waitForFunction((count) => window.recurEvents.filter((e) => e.type === 'recur:error').length > count,
                             errorsBefore);
  const methods = (await api('GET', `/v1/payers/${payer.id}/payment_methods`)).data;
  checkEqual(methods.map((method) => [method.id === onFile.id, method.is_default]).sort(),
             [[false, false], [true, true]], 'the card declined in the checkout does not displace the one on file');
  checkEqual((await currentItem(payer.id)).plan.slug, 'free', 'the plan is still Free');
  await dialog.locator('input[value="pm_card_visa"]').check();
  await dialog.locator('button', { hasText: 'Add card and continue' }).click();
  await business.locator('button', { hasText: 'Current plan' }).waitFor();
  const bought = await currentItem(payer.id);
  checkEqual([bought.plan.slug, bought.is_free_trial], ['business', false], 'the API says Business, paid');
  await page.locator('recur-subscription [data-plan="business"]').waitFor();
  checkEqual(await page.locator('recur-subscription [data-next]').textContent(),
             `Next payment: $50.00 on ${await formatDateInPage(page, bought.period_end)}`,
             'the subscription shows the next payment');

  // A downgrade waits for the period's end, and both components say when.
  const pro = cardLocator(page, 'pro');
  checkEqual(await pro.locator('button').textContent(), 'Switch plan', 'Pro is a switch from Business');
  await pro.locator('button').click();
  const switchDate = await formatDateInPage(page, bought.period_end);
  await page.locator('recur-pricing-table [role="status"]', { hasText: 'Pro' }).waitFor();
  checkEqual(await page.locator('recur-pricing-table [role="status"]').textContent(),
             `You will move to Pro on ${switchDate}.`, 'the table says when the switch happens');
  await page.locator('recur-subscription [part="upcoming"]').waitFor();
  checkEqual(await page.locator('recur-subscription [part="upcoming"]').textContent(),
             `Switches to Pro on ${switchDate}`, 'the subscription says it too');
  checkEqual(await pro.locator('button').textContent(), 'Starts at period end', 'Pro is scheduled');
  checkEqual((await currentItem(payer.id)).plan.slug, 'business', 'the API says Business until then');
}

async function endedSessions(page, origin) {
  const revoked = await signedInPayer();
  await api('DELETE', `/v1/payers/${revoked.id}/sessions`);
  await show(page, origin, `<recur-pricing-table session="${attribute(revoked.session)}"></recur-pricing-table>`);
  const alert = page.locator('recur-pricing-table [part="container"] [role="alert"]');
  await alert.filter({ hasText: 'session' }).waitFor();
  checkEqual(await alert.textContent(),
             'Your billing session has expired or was ended. Reload the page to continue.',
             'a revoked session says so');
  check(!(await page.locator('recur-pricing-table [part="container"]').textContent()).includes('Loading'),
        'and no longer says it is loading');
  checkEqual((await events(page, 'recur:error')).map((e) => e.detail.code), ['unauthorized'],
             'recur:error unauthorized');
  await checkAccessible(page, 'with an error shown');
  await screenshots(page, 'session-ended');

  const expiring = await signedInPayer(1);
  await new Promise((resolve) => setTimeout(resolve, 1200));
  await show(page, origin, `<recur-subscription session="${attribute(expiring.session)}"></recur-subscription>`);
  const subscriptionAlert = page.locator('recur-subscription [role="alert"]');
  await subscriptionAlert.filter({ hasText: 'session' }).waitFor();
  checkEqual(await subscriptionAlert.textContent(),
             'Your billing session has expired or was ended. Reload the page to continue.',
             'an expired session says so');
}

async function originNotListed(page, otherOrigin) {
  const payer = await signedInPayer();
  await show(page, otherOrigin, `<recur-pricing-table session="${attribute(payer.session)}"></recur-pricing-table>`);
  const alert = page.locator('recur-pricing-table [part="container"] [role="alert"]');
  await alert.filter({ hasText: 'Could not reach' }).waitFor();
  checkEqual(await alert.textContent(),
             `Could not reach the billing service at ${recur}. It may be down, or this page's origin is not allowed to call it.`,
             'a page of an origin not listed cannot call Recur');
  checkEqual((await events(page, 'recur:error')).map((e) => e.detail.code), ['network_error'],
             'recur:error network_error');
  const preflight = await fetch(recur + '/v1/pricing_table', {
    method: 'OPTIONS',
    headers: { Origin: otherOrigin, 'Access-Control-Request-Method': 'GET',
               'Access-Control-Request-Headers': 'authorization' },
  });
  checkEqual([preflight.status, preflight.headers.get('access-control-allow-origin')], [403, null],
             'the preflight from that origin is refused');
}

async function labelsAndTheming(page, origin) {
  await show(page, origin, '<recur-pricing-table payer-type="user" locale="de-DE" style="--recur-accent: #065f46"></recur-pricing-table>');
  const button = cardLocator(page, 'pro').locator('button');
  await button.waitFor();
  const german = await page.evaluate(() =>
    new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'USD' }).format(20));
  check(german.startsWith('20,00'), 'the browser formats German prices: ' + german);
  checkEqual(await cardLocator(page, 'pro').locator('.price').textContent(), `${german} / month`,
             'prices follow the locale given');
  await page.evaluate(() => {
    document.querySelector('recur-pricing-table').labels = { startTrial: 'Kostenlos testen', perMonth: '/ Monat' };
  });
  checkEqual(await button.textContent(), 'Kostenlos testen', 'labels replace the texts');
  checkEqual(await cardLocator(page, 'pro').locator('.price').textContent(), `${german} / Monat`,
             'every one of them');
  checkEqual(await button.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(6, 95, 70)',
             '--recur-accent colors the buttons');
}

// A card typed into the (stand-in) Payment Element of the open checkout.
async function typeCard(dialog, number) {
  await dialog.locator('input[name="cardnumber"]').fill(number);
  await dialog.locator('input[name="exp-date"]').fill('12 / 34');
  await dialog.locator('input[name="cvc"]').fill('123');
}
// Waits until the checkout's Payment Element is a fresh one (mounted on a new SetupIntent).
async function freshPaymentElement(page) {
  await page.waitForFunction(() => {
    const checkout = document.querySelector('recur-pricing-table').shadowRoot.querySelector('recur-checkout');
    const number = checkout.shadowRoot.querySelector('input[name="cardnumber"]');
    return number !== null && number.value === '';
  });
}

async function stripeTrial(page, origin) {
  const payer = await signedInPayer(3600, stripeRecur);
  // No gateway or stripe-key attribute: the pricing table says Stripe, and with which key.
  await show(page, origin,
    `<recur-pricing-table session="${attribute(payer.session)}"></recur-pricing-table>
     <recur-subscription session="${attribute(payer.session)}"></recur-subscription>`, '/stripe');
  const pro = cardLocator(page, 'pro');
  await pro.locator('button', { hasText: 'Start free trial' }).click();
  const dialog = page.locator('recur-pricing-table recur-checkout dialog');
  await dialog.locator('input[name="cardnumber"]').waitFor();
  checkEqual(await dialog.locator('input[type="radio"]').count(), 0, 'no sandbox test cards with Stripe');
  await checkAccessible(page, 'with the Stripe checkout open');
  await screenshots(page, 'checkout-stripe');

  // A card Stripe refuses when the SetupIntent is confirmed.
  await typeCard(dialog, '4000 0000 0000 0002');
  await dialog.locator('button', { hasText: 'Add card and continue' }).click();
  const alert = dialog.locator('[role="alert"]');
  await alert.filter({ hasText: 'declined' }).waitFor();
  checkEqual(await alert.textContent(), 'Your card was declined.', "Stripe's message for a card refused at confirmation");
  checkEqual((await events(page, 'recur:error')).map((e) => [e.detail.code, e.detail.message]),
             [['card_declined', 'Your card was declined.']], 'recur:error with Stripe\'s code and message');
  checkEqual((await currentItem(payer.id, stripeRecur)).plan.slug, 'free', 'the API says the plan stayed Free');
  checkEqual((await api('GET', `/v1/payers/${payer.id}/payment_methods`, undefined, stripeRecur)).data, [],
             'no card is saved');
  check(await dialog.evaluate((d) => d.open), 'the checkout stays open for another card');
  await screenshots(page, 'checkout-stripe-declined');

  // Another card, on the same SetupIntent (Stripe lets a refused confirmation be tried again).
  await typeCard(dialog, '4242 4242 4242 4242');
  await dialog.locator('button', { hasText: 'Add card and continue' }).click();
  await pro.locator('button', { hasText: 'Current plan' }).waitFor();
  check(!(await dialog.evaluate((d) => d.open)), 'the checkout closes');
  const trial = await currentItem(payer.id, stripeRecur);
  checkEqual([trial.plan.slug, trial.is_free_trial, trial.status], ['pro', true, 'active'],
             'the API says the payer is in a Pro trial');
  await page.locator('recur-subscription [data-plan="pro"]').waitFor();
  checkEqual(await page.locator('recur-subscription [data-card]').textContent(), 'Card on file: Visa •••• 4242',
             'the subscription shows the card confirmed through Stripe');
  const customer = await stripeCustomerOf(payer.id);
  const method = await atStripe(`/v1/payment_methods/${customer.invoice_settings.default_payment_method}`);
  checkEqual([method.customer, method.card.last4], [customer.id, '4242'],
             "the card is the Customer's default at Stripe");
  checkEqual((await events(page, 'recur:subscribed')).map((e) => e.detail.item.plan.slug), ['pro'],
             'recur:subscribed with the item');
}

async function stripeDeclinedOnCharge(page, origin) {
  const payer = await signedInPayer(3600, stripeRecur);
  await show(page, origin,
    `<recur-pricing-table session="${attribute(payer.session)}"></recur-pricing-table>
     <recur-subscription session="${attribute(payer.session)}"></recur-subscription>`, '/stripe');
  const business = cardLocator(page, 'business');
  await business.locator('button', { hasText: 'Subscribe' }).click();
  const dialog = page.locator('recur-pricing-table recur-checkout dialog');
  await dialog.locator('input[name="cardnumber"]').waitFor();
  // Stripe's test card that is saved, and whose charges are declined.
  await typeCard(dialog, '4000 0000 0000 0341');
  await dialog.locator('button', { hasText: 'Add card and continue' }).click();
  const alert = dialog.locator('[role="alert"]');
  await alert.filter({ hasText: 'declined' }).waitFor();
  checkEqual(await alert.textContent(), 'Your card was declined.', "the charge's decline in Stripe's words");
  checkEqual((await events(page, 'recur:error')).map((e) => e.detail.code), ['payment_declined'],
             'recur:error payment_declined');
  checkEqual((await currentItem(payer.id, stripeRecur)).plan.slug, 'free', 'the API says the plan stayed Free');
  check(await dialog.evaluate((d) => d.open), 'the checkout stays open for another card');

  // The SetupIntent is spent: another card is typed into a Payment Element on a new one.
  await freshPaymentElement(page);
  await typeCard(dialog, '4242 4242 4242 4242');
  await dialog.locator('button', { hasText: 'Add card and continue' }).click();
  await business.locator('button', { hasText: 'Current plan' }).waitFor();
  const bought = await currentItem(payer.id, stripeRecur);
  checkEqual([bought.plan.slug, bought.is_free_trial], ['business', false], 'the API says Business, paid');
  await page.locator('recur-subscription [data-plan="business"]').waitFor();
  checkEqual(await page.locator('recur-subscription [data-next]').textContent(),
             `Next payment: $50.00 on ${await formatDateInPage(page, bought.period_end)}`,
             'the subscription shows the next payment');
  checkEqual(await page.locator('recur-subscription [data-card]').textContent(), 'Card on file: Visa •••• 4242',
             'and the card that paid');
  const charges = await atStripe(`/v1/payment_intents/search?query=${encodeURIComponent(`metadata['recur_payer_id']:'${payer.id}'`)}`);
  checkEqual(charges.data.map((intent) => [intent.amount, intent.status]).sort(),
             [[5000, 'requires_payment_method'], [5000, 'succeeded']],
             'Stripe saw the declined charge and the one that paid');
}

// --- main
// Runs each scenario in a browser context of its own; the first failure ends the run.
async function runScenarios(browser, scenarios) {
  for (const [name, scenario, origin, { stripeJs = false } = {}] of scenarios) {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 900 } });
    if (stripeJs) {
      // Stripe.js is the stand-in, talking to the fake Stripe on loopback. A page loads it once;
      // while a route is set every request of the context passes through this process, so it
      // is removed once served.
      const stripeJsUrl = 'https://js.stripe.com/v3/';
      await context.route(stripeJsUrl, async (route) => {
        await route.fulfill({
          contentType: 'text/javascript',
          body: stripeJsStandIn.replace('"https://api.stripe.com"', JSON.stringify(fakeStripe)),
        });
        await context.unroute(stripeJsUrl);
      });
    }
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    const consoleErrors = [];
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    const outside = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.hostname !== '127.0.0.1' && url.href !== 'https://js.stripe.com/v3/') outside.push(url.href);
    });
    const scenarioStarted = Date.now();
    try {
      await scenario(page, origin);
      check(consoleErrors.length === 0, `no script errors in "${name}": ${consoleErrors.join('\n')}`);
      checkEqual(outside, [], `no request of "${name}" is for another host`);
      console.log(`ok: ${name} (${(Date.now() - scenarioStarted) / 1000} s)`);
    } catch (error) {
      await page.screenshot({ path: path.join(artifacts, 'failure.png'), fullPage: true }).catch(() => {});
      throw new Error(`${name}: ${error.message}`);
    } finally {
      await context.close();
    }
  }
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'recur-browser-'));
fs.rmSync(artifacts, { recursive: true, force: true });
fs.mkdirSync(artifacts, { recursive: true });
const listed = await pageServer();
const other = await pageServer();
let server;
let stripe;
let stripeServer;
let browser;
let failed = false;
try {
  // Every server here is on 127.0.0.1: no other host name resolves, so nothing Chromium does on
  // its own (updates, safe browsing) leaves the machine.
  browser = await chromium.launch({
    executablePath: process.env.RECUR_CHROMIUM || '/usr/bin/chromium',
    args: ['--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
  server = await startRecur(path.join(folder, 'recur.db'), listed.origin);
  recur = server.origin;
  listed.setRecur(recur);
  other.setRecur(recur);
  await runScenarios(browser, [
    ['the public table', publicTable, listed.origin],
    ['trial, cancel and resubscribe by keyboard', trialCancelResubscribeByKeyboard, listed.origin],
    ['a declined card', declinedCard, listed.origin],
    ['revoked and expired sessions', endedSessions, listed.origin],
    ['an origin not listed', originNotListed, other.origin],
    ['labels, locale and theming', labelsAndTheming, listed.origin],
  ]);
  // One recur serve at a time: an idle one is not free on a small machine.
  await stopProcess(server.child);
  server = null;
  stripe = await startFakeStripe();
  fakeStripe = stripe.origin;
  stripeServer = await startRecur(
    path.join(folder, 'stripe.db'), listed.origin,
    ['--gateway', 'stripe', '--stripe-api-base', fakeStripe, '--stripe-publishable-key', stripePublishableKey],
    { STRIPE_SECRET_KEY: stripeSecretKey });
  stripeRecur = stripeServer.origin;
  listed.setRecur(stripeRecur, '/stripe');
  await runScenarios(browser, [
    ['Stripe: a trial with a card confirmed through Stripe.js', stripeTrial, listed.origin, { stripeJs: true }],
    ['Stripe: a card declined on its first charge', stripeDeclinedOnCharge, listed.origin, { stripeJs: true }],
  ]);
} catch (error) {
  failed = true;
  console.error(error.stack || String(error));
} finally {
  if (browser) await browser.close();
  for (const running of [server, stripeServer, stripe]) {
    if (running) await stopProcess(running.child);
  }
  listed.server.close();
  other.server.close();
  fs.rmSync(folder, { recursive: true, force: true });
}
console.log(JSON.stringify({ checks, seconds: (Date.now() - started) / 1000, artifacts }));
process.exit(failed ? 1 : 0);
