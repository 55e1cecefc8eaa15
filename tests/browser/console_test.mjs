// The operator console (web/console/, served at /console) in headless Chromium, against a real
// `recur serve` (sandbox gateway, a temporary SQLite database, the shipped plans) that this
// script starts and seeds through the API. Its wall clock is stepped 15 days (SHIFT_LIBRARY,
// tests/support/shifted_wall_clock.cc) so that one trial converts and one, its card declined,
// goes past due; then trials running, a payer whose trial converted on a test clock, a payer
// named `<script>alert(1)</script>`, and a webhook endpoint at a loopback receiver that answers
// 500. It drives the console as an operator would and checks what it shows and does against
// what the API says: a wrong key refused, the right one signing in, sign-out ending the session,
// an expired session returning to sign-in (a second server, --console-session-ttl 1m, its clock
// stepped past the end); the overview's figures; searching by external id and by email; a
// payer's events in the API's order; extend-trial, cancel and end-now taking effect; recover,
// resend and rotate on the failing endpoint; a test clock advanced and created; a change
// without the CSRF token refused; markup from data rendered as text with no dialog fired;
// axe-core's rules; no page wider than a phone.
// Screenshots of every page at 1280 px and 375 px go to ARTIFACTS_DIR/console-*.png.
//
// Usage: node console_test.mjs RECUR_BINARY SOURCE_DIR ARTIFACTS_DIR SHIFT_LIBRARY
// Environment: RECUR_NODE_MODULES (with playwright-core and axe-core; tools/test.sh installs
// them), RECUR_CHROMIUM (default /usr/bin/chromium, Debian's package).
// Exits 0 when every check holds; else prints the failed check and exits 1.
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { startRecur as startServe, stopProcess } from './recur_serve.mjs';

const require = createRequire(path.join(path.resolve(process.env.RECUR_NODE_MODULES), 'noop.js'));
const { chromium } = require('playwright-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const [binary, sourceDir, artifacts, shiftLibrary] = process.argv.slice(2);
if (!binary || !sourceDir || !artifacts || !shiftLibrary) {
  console.error('usage: node console_test.mjs RECUR_BINARY SOURCE_DIR ARTIFACTS_DIR SHIFT_LIBRARY');
  process.exit(2);
}
const secretKey = 'sk_test_console0123456789abcdefghijklmnop';
const markup = '<script>alert(1)</script>';
const day = 24 * 3600 * 1000;
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
async function eventually(probe, what, seconds = 10) {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`check failed: ${what} (waited ${seconds} s)`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// --- a webhook receiver on loopback that refuses everything
function failingReceiver() {
  let requests = 0;
  const server = http.createServer((request, response) => {
    requests += 1;
    request.resume();
    request.on('end', () => response.writeHead(500, { 'Content-Type': 'text/plain' }).end('<b>down</b>'));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${server.address().port}/hooks`, requests: () => requests }),
    ),
  );
}

// --- recur serve
function startRecur(database, args = [], env = {}) {
  return startServe({
    binary, sourceDir, database, secretKey, env,
    args: ['--webhook-allow-cidr', '127.0.0.0/8', '--webhook-retry-schedule', '0,3600', ...args],
  });
}

let recur = '';
async function call(method, route, body) {
  const response = await fetch(recur + route, {
    method,
    headers: { Authorization: 'Bearer ' + secretKey, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: response.status === 204 ? null : await response.json() };
}
async function api(method, route, body) {
  const answer = await call(method, route, body);
  if (answer.status >= 300) throw new Error(`${method} ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}
async function currentItem(payerId) {
  const subscription = await api('GET', `/v1/payers/${payerId}/subscription`);
  return subscription.items.find((item) => ['active', 'past_due', 'canceled'].includes(item.status));
}

// --- the seed
// Two trials end on real time (the server's wall clock stepped 15 days): one converts, one's
// card is declined and it goes past due. Then, at the new time: two trials running, a payer
// whose trial converted on a test clock, a payer named with markup, and an endpoint at the
// failing receiver that every later event is delivered to.
async function seed(receiver, shiftFile) {
  const payer = async (externalId, email, name, extra = {}) =>
    api('POST', '/v1/payers', { external_id: externalId, type: 'user', email, name, ...extra });
  const trialWith = async (who, card) => {
    await api('POST', `/v1/payers/${who.id}/payment_methods`, { payment_method: card });
    await api('POST', `/v1/payers/${who.id}/subscription_items`, { plan: 'pro' });
  };
  const paid = await payer('acct_paid', 'katherine@example.com', 'Katherine Johnson');
  await trialWith(paid, 'pm_card_visa');
  const declined = await payer('acct_declined', 'barbara@example.com', 'Barbara Liskov');
  await trialWith(declined, 'pm_card_chargeCustomerFail');
  fs.writeFileSync(shiftFile, String(15 * day));
  await eventually(async () => !(await currentItem(paid.id)).is_free_trial, 'the first trial converted', 30);
  await eventually(async () => (await currentItem(declined.id)).status === 'past_due', 'the declined trial is past due', 30);

  const endpoint = await api('POST', '/v1/webhook_endpoints', { url: receiver.url, description: 'Failing receiver' });
  const trial = await payer('acct_trial_1', 'grace@example.com', 'Grace Hopper');
  await trialWith(trial, 'pm_card_visa');
  const second = await payer('acct_trial_2', 'alan@example.com', 'Alan Turing');
  await trialWith(second, 'pm_card_mastercard');

  const clock = await api('POST', '/v1/test_clocks', { frozen_time: Date.UTC(2026, 0, 1), name: 'conversion' });
  const converted = await payer('acct_converted', 'edsger@example.com', 'Edsger Dijkstra', { test_clock: clock.id });
  await trialWith(converted, 'pm_card_visa');
  await api('POST', `/v1/test_clocks/${clock.id}/advance`, { frozen_time: clock.frozen_time + 15 * day });

  const hostile = await payer('acct_markup', 'mallory@example.com', markup);
  return { endpoint, paid, trial, second, converted, declined, hostile, clock };
}

// --- in the page
async function axeViolations(page) {
  // Evaluated, not added as a <script>: the console's Content-Security-Policy refuses inline
  // scripts, as it should.
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`);
  });
}
async function checkAccessible(page, what) {
  const violations = await axeViolations(page);
  check(violations.length === 0, `axe-core finds no serious violations on ${what}: ${violations.join('\n')}`);
}
// Screenshots at a desktop's and a phone's width; at the phone's, the page must not scroll
// sideways.
async function screenshots(page, name) {
  for (const [width, height, kind] of [[1280, 900, 'desktop'], [375, 812, 'phone']]) {
    await page.setViewportSize({ width, height });
    await page.waitForTimeout(50);
    if (kind === 'phone') {
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      check(wide <= width, `the ${name} page fits a phone's width (${wide} px wide)`);
    }
    await page.screenshot({ path: path.join(artifacts, `console-${name}-${kind}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
// Loads the console afresh at `hash` and waits for its page titled `title` to be drawn.
async function visit(page, hash, title) {
  await page.goto('about:blank');
  await page.goto(`${recur}/console${hash}`);
  await page.locator('main h1', { hasText: title }).first().waitFor();
  await page.locator('main .page:not([aria-busy])').waitFor();
}
// Marks the page drawn now; answers a wait for the next one drawn (a page is drawn anew after
// every action).
async function nextPage(page) {
  await page.locator('main .page').evaluate((node) => node.setAttribute('data-stale', ''));
  return () => page.locator('main .page:not([aria-busy]):not([data-stale])').waitFor();
}
async function statusText(page) {
  return (await page.locator('#status').textContent()).trim();
}
// Opens the confirmation of `buttonText` (on `scope`), checks its title, fills its fields and
// confirms it; answers the status shown afterwards.
async function confirm(page, scope, buttonText, title, fill = async () => {}) {
  await scope.getByRole('button', { name: buttonText }).first().click();
  const dialog = page.locator('dialog#confirm');
  await dialog.waitFor();
  checkEqual((await dialog.locator('h2').textContent()).trim(), title, `the confirmation of ${buttonText}`);
  await fill(dialog);
  const drawn = await nextPage(page);
  await dialog.locator('#confirm-ok').click();
  await dialog.waitFor({ state: 'hidden' });
  await drawn();
  return statusText(page);
}

async function signIn(page, key = secretKey) {
  await page.locator('input[name="secret_key"]').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

// --- the scenarios
async function signInAndOut(page) {
  await page.goto(`${recur}/console`);
  await page.locator('main h1', { hasText: 'Sign in' }).waitFor();
  check(await page.locator('#nav').isHidden(), 'no navigation before signing in');
  await checkAccessible(page, 'the sign-in page');
  await screenshots(page, 'sign-in');

  await signIn(page, 'sk_test_wrong0123456789abcdefghijklmnopqr');
  await page.locator('#sign-in-error', { hasText: 'refused' }).waitFor();
  check(await page.locator('#nav').isHidden(), 'a wrong key does not sign in');

  await signIn(page);
  await page.locator('main h1', { hasText: 'Overview' }).waitFor();
  check(await page.locator('#nav').isVisible(), 'the right key signs in');
  await page.locator('#nav a[data-nav="test-clocks"]').waitFor({ state: 'visible' });
  const cookies = await page.context().cookies(recur);
  check(cookies.some((c) => c.httpOnly && c.sameSite === 'Strict'), `an HttpOnly, SameSite=Strict cookie: ${JSON.stringify(cookies)}`);
  check(!(await page.evaluate(() => document.cookie)).length, 'the page cannot read the session cookie');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.locator('main h1', { hasText: 'Sign in' }).waitFor();
  const after = await page.evaluate(async () => (await fetch('/v1/console/session', { credentials: 'same-origin' })).status);
  checkEqual(after, 401, 'after signing out the session is gone');
  await page.reload();
  await page.locator('main h1', { hasText: 'Sign in' }).waitFor();
  await signIn(page);
  await page.locator('main h1', { hasText: 'Overview' }).waitFor();
}

async function skipLinkAndKeyboard(page) {
  await visit(page, '#/payers', 'Payers');
  await page.locator('body').focus();
  await page.keyboard.press('Tab');
  checkEqual(await page.evaluate(() => document.activeElement.textContent), 'Skip to content', 'the first Tab reaches the skip link');
  check(await page.locator('#skip-link').isVisible(), 'the focused skip link is visible');
  await page.keyboard.press('Enter');
  checkEqual(await page.evaluate(() => document.activeElement.tagName), 'H1', 'the skip link moves the focus to the page');
}

async function overview(page, data) {
  await visit(page, '#/overview', 'Overview');
  const figures = await api('GET', '/v1/overview?days=30');
  const figure = async (key) => (await page.locator(`[data-figure="${key}"] .figure`).textContent()).trim();
  for (const key of ['paying_payers', 'active_trials', 'past_due_payers', 'failing_webhook_endpoints']) {
    checkEqual(await figure(key), String(figures[key]), `the overview's ${key} is the API's`);
  }
  const money = (m) => new Intl.NumberFormat('en-US', { style: 'currency', currency: m.currency.toUpperCase() }).format(m.amount / 100);
  checkEqual(await figure('mrr'), figures.mrr.length ? figures.mrr.map(money).join(' + ') : '$0.00', "the overview's MRR is the API's");
  const conversion = figures.trial_conversion;
  checkEqual(await figure('trial_conversion'),
    conversion.trials_ended ? `${Math.round((conversion.converted / conversion.trials_ended) * 100)}%` : '—',
    "the overview's trial conversion is the API's");
  check(figures.active_trials >= 1 && figures.paying_payers >= 1 && figures.past_due_payers >= 1 &&
        figures.trial_conversion.converted >= 1, `the seed shows in the figures: ${JSON.stringify(figures)}`);
  checkEqual(await page.locator('figure.chart svg').count(), 3, 'three charts, drawn as inline SVG');
  await checkAccessible(page, 'the overview');
  await screenshots(page, 'overview');
  void data;
}

async function searchPayers(page, data) {
  await visit(page, '#/payers', 'Payers');
  await page.getByLabel('Search by external id, email or payer id').fill('acct_trial_1');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('main .summary', { hasText: 'acct_trial_1' }).waitFor();
  checkEqual(await page.locator('main tbody tr a').allTextContents(), ['Grace Hopper'], 'the search by external id finds the payer');
  await page.getByLabel('Search by external id, email or payer id').fill('edsger@example.com');
  await page.keyboard.press('Enter');
  await page.locator('main .summary', { hasText: 'edsger@example.com' }).waitFor();
  checkEqual(await page.locator('main tbody tr a').allTextContents(), ['Edsger Dijkstra'], 'the search by email finds the payer');

  await visit(page, '#/payers', 'Payers');
  const listed = await page.locator('main tbody tr a').allTextContents();
  check(listed.includes(markup), `the payer named with markup is listed as text: ${JSON.stringify(listed)}`);
  await checkAccessible(page, 'the payers list');
  await screenshots(page, 'payers');
}

async function payerPage(page, data) {
  await visit(page, `#/payers/${data.converted.id}`, 'Edsger Dijkstra');
  const events = (await api('GET', `/v1/events?payer_id=${data.converted.id}&limit=100`)).data;
  check(events.length >= 5, 'the converted payer has events');
  checkEqual(await page.locator('.timeline li.event').evaluateAll((all) => all.map((li) => li.dataset.eventId)),
    events.map((e) => e.id), "the payer's events in the API's order, newest first");
  const attempts = (await api('GET', `/v1/payment_attempts?payer_id=${data.converted.id}`)).data;
  checkEqual(await page.locator('.timeline li.attempt').count(), attempts.length, 'its payment attempts are in the timeline');
  const first = page.locator('.timeline li.event').first();
  await first.locator('summary').click();
  const shown = JSON.parse(await first.locator('pre').textContent());
  checkEqual(shown.id, events[0].id, "an event's payload unfolds");
  await checkAccessible(page, "a payer's page");
  await screenshots(page, 'payer');

  await visit(page, `#/payers/${data.declined.id}`, 'Barbara Liskov');
  const failed = page.locator('.timeline li.attempt', { hasText: 'Payment failed' });
  check((await failed.count()) >= 1, "the declined card's attempt shows as failed");
  checkEqual(await page.locator('main tbody tr', { hasText: 'Pro' }).locator('.badge').first().textContent(), 'past_due',
    'the declined payer is past due');
  await screenshots(page, 'payer-declined');
}

async function markupAsText(page, data, dialogs) {
  await visit(page, `#/payers/${data.hostile.id}`, markup);
  checkEqual((await page.locator('main h1').textContent()).trim(), markup, 'the name with markup is shown as text');
  const event = page.locator('.timeline li.event').last();
  await event.locator('summary').click();
  check((await event.locator('pre').textContent()).includes(markup), 'an event payload with markup shows it as text');
  checkEqual(await page.locator('main script').count(), 0, 'no script element came from data');
  checkEqual(dialogs.length, 0, `no alert fired: ${JSON.stringify(dialogs)}`);
  await screenshots(page, 'payer-markup');
}

async function extendAndCancel(page, data) {
  const before = await currentItem(data.trial.id);
  check(before.is_free_trial, 'the trial payer is in a trial');
  await visit(page, `#/payers/${data.trial.id}`, 'Grace Hopper');
  const row = page.locator('main tbody tr', { hasText: 'Pro' });
  const newEnd = Math.floor((before.trial_end + 3 * day) / 60000) * 60000;
  const extended = await confirm(page, row, 'Extend trial…', 'Extend the trial of Pro?', async (dialog) => {
    await dialog.getByLabel('New trial end (UTC)').fill(new Date(newEnd).toISOString().slice(0, 16));
  });
  check(extended.includes('extended'), `the extension is reported: ${extended}`);
  checkEqual((await currentItem(data.trial.id)).trial_end, newEnd, 'the trial end moved (read through the API)');

  // A refused change shows the API's message and changes nothing.
  await row.getByRole('button', { name: 'Extend trial…' }).click();
  const dialog = page.locator('dialog#confirm');
  await dialog.getByLabel('New trial end (UTC)').fill(new Date(newEnd - day).toISOString().slice(0, 16));
  await dialog.locator('#confirm-ok').click();
  await dialog.locator('#confirm-error', { hasText: 'invalid_extend_to' }).waitFor();
  await screenshots(page, 'dialog-refused');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  checkEqual((await currentItem(data.trial.id)).trial_end, newEnd, 'a refused extension changes nothing');

  // Cancel with the keyboard alone.
  await row.getByRole('button', { name: 'Cancel…' }).focus();
  await page.keyboard.press('Enter');
  await dialog.waitFor();
  await page.keyboard.press('Tab');
  checkEqual(await page.evaluate(() => document.activeElement.textContent), 'Cancel at period end', 'Tab reaches the confirmation');
  const drawn = await nextPage(page);
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });
  await drawn();
  check((await statusText(page)).includes('canceled'), 'the cancel is reported');
  checkEqual((await currentItem(data.trial.id)).status, 'canceled', 'the cancel took effect (read through the API)');
}

async function csrfRefused(page, data) {
  const item = await currentItem(data.second.id);
  const refused = await page.evaluate(async (id) => {
    const response = await fetch(`/v1/subscription_items/${id}`, { method: 'DELETE', credentials: 'same-origin' });
    return [response.status, (await response.json()).error.code];
  }, item.id);
  checkEqual(refused, [403, 'csrf_token_missing'], 'a change with the session cookie but without X-CSRF-Token is refused');
  checkEqual((await currentItem(data.second.id)).status, item.status, 'and changes nothing');
}

async function endNow(page, data) {
  await visit(page, `#/payers/${data.second.id}`, 'Alan Turing');
  const row = page.locator('main tbody tr', { hasText: 'Pro' });
  const ended = await confirm(page, row, 'End now…', 'End Pro now?');
  checkEqual(ended, 'Pro has ended.', 'end now is reported');
  checkEqual((await currentItem(data.second.id)).plan.slug, 'free', 'the payer is on the free plan at once (read through the API)');
  checkEqual(await page.locator('main tbody tr', { hasText: 'Pro' }).count(), 0, 'the ended item is gone from the live items');
}

async function webhooks(page, data, receiver) {
  await eventually(async () => (await api('GET', `/v1/webhook_endpoints/${data.endpoint.id}`)).failing_since !== null,
    'the endpoint at the failing receiver is failing');
  await visit(page, '#/webhooks', 'Webhook endpoints');
  const row = page.locator('main tbody tr', { hasText: receiver.url });
  checkEqual((await row.locator('.badge').textContent()).trim(), 'failing', 'the endpoint shows as failing');
  await checkAccessible(page, 'the webhook endpoints');
  await screenshots(page, 'webhooks');

  await row.getByRole('link').click();
  await page.locator('main h1', { hasText: receiver.url }).waitFor();
  await page.locator('main .page:not([aria-busy])').waitFor();
  // Every delivery has had its first attempt (the next one waits an hour:
  // --webhook-retry-schedule): the log stops growing.
  const attempts = async () => (await api('GET', `/v1/webhook_endpoints/${data.endpoint.id}/attempts`)).data.length;
  let logged = -1;
  await eventually(async () => {
    const before = await attempts();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    logged = await attempts();
    return logged === before && logged > 0;
  }, 'the first attempts are over', 30);
  await visit(page, `#/webhooks/${data.endpoint.id}`, receiver.url);
  checkEqual(await page.locator('main tbody tr').count(), logged, 'the attempt log lists every attempt');
  const requestsBefore = receiver.requests();
  // Since before the test clock's payer began: its events carry their simulated times.
  const since = new Date(data.clock.frozen_time - day).toISOString().slice(0, 16);
  const recovered = await confirm(page, page.locator('main'), 'Recover…', 'Recover missed deliveries?',
    (dialog) => dialog.getByLabel('Since (UTC)').fill(since));
  const queued = Number((recovered.match(/^(\d+) deliveries queued\.$/) || [])[1]);
  check(queued >= logged, `recover queues every missed delivery: ${recovered}`);
  await eventually(async () => (await attempts()) === Math.min(100, logged + queued),
    'the recovered deliveries are attempted at once (read through the API)', 30);
  check(receiver.requests() >= requestsBefore + queued, 'the receiver was called for each');
  await visit(page, `#/webhooks/${data.endpoint.id}`, receiver.url);
  const numbers = await page.locator('main td[data-label="Attempt"]').allTextContents();
  check(numbers.filter((n) => n === '2').length >= 1, "the log shows deliveries' second attempts");
  const newest = async () => (await api('GET', `/v1/webhook_endpoints/${data.endpoint.id}/attempts`)).data[0];
  const lastBefore = await newest();
  const firstRow = page.locator('main tbody tr').first();
  const eventId = (await firstRow.locator('code').first().textContent()).trim();
  const resent = await confirm(page, firstRow, 'Resend…', `Resend ${(await firstRow.locator('strong').first().textContent()).trim()}?`);
  checkEqual(resent, `The event ${eventId} is queued for delivery.`, 'resend is reported');
  await eventually(async () => {
    const last = await newest();
    return last.event_id === eventId && last.attempted_at > lastBefore.attempted_at;
  }, 'the resent event is attempted anew (read through the API)', 20);
  const rotated = await confirm(page, page.locator('main'), 'Rotate secret…', 'Rotate the signing secret?');
  check(/^New secret \(shown once\): whsec_\S+$/.test(rotated), `the new secret is shown once: ${rotated}`);
  check((await api('GET', `/v1/webhook_endpoints/${data.endpoint.id}`)).previous_secret_expires_at > 0,
    'the previous secret is kept for the overlap (read through the API)');
  await checkAccessible(page, 'a webhook endpoint');
  await screenshots(page, 'webhook-endpoint');

  const disabled = await confirm(page, page.locator('main'), 'Disable…', 'Disable the endpoint?');
  check(disabled.includes('disabled'), `disable is reported: ${disabled}`);
  check((await api('GET', `/v1/webhook_endpoints/${data.endpoint.id}`)).disabled, 'the endpoint is disabled (read through the API)');
  await confirm(page, page.locator('main'), 'Enable…', 'Enable the endpoint?');
  check(!(await api('GET', `/v1/webhook_endpoints/${data.endpoint.id}`)).disabled, 'the endpoint is enabled again');
}

async function catalogPage(page) {
  await visit(page, '#/catalog', 'Catalog');
  const catalog = await api('GET', '/v1/catalog');
  checkEqual(await page.locator('main section.plan h3 code').allTextContents(), catalog.plans.map((p) => p.slug),
    'every plan of the catalog, in its order');
  const reloaded = await confirm(page, page.locator('main'), 'Reload the catalog…', 'Reload the catalog?');
  check(reloaded.startsWith('The catalog is reloaded'), `the reload is reported: ${reloaded}`);
  await checkAccessible(page, 'the catalog');
  await screenshots(page, 'catalog');
}

async function testClocks(page, data) {
  await visit(page, '#/test-clocks', 'Test clocks');
  const row = page.locator('main tbody tr', { hasText: data.clock.id });
  await row.waitFor();
  const clock = await api('GET', `/v1/test_clocks/${data.clock.id}`);
  const to = Math.floor((clock.frozen_time + 2 * day) / 60000) * 60000;
  const advanced = await confirm(page, row, 'Advance…', 'Advance conversion?', async (dialog) => {
    await dialog.getByLabel('Advance to (UTC)').fill(new Date(to).toISOString().slice(0, 16));
  });
  check(advanced.startsWith('The clock is now at'), `the advance is reported: ${advanced}`);
  checkEqual((await api('GET', `/v1/test_clocks/${data.clock.id}`)).frozen_time, to, 'the clock moved (read through the API)');
  const created = await confirm(page, page.locator('main'), 'Create a test clock…', 'Create a test clock?', async (dialog) => {
    await dialog.getByLabel('Name (optional)').fill('from the console');
  });
  check(/^Test clock clock_\S+ created\.$/.test(created), `the creation is reported: ${created}`);
  await page.locator('main tbody tr', { hasText: 'from the console' }).waitFor();
  await checkAccessible(page, 'the test clocks');
  await screenshots(page, 'test-clocks');
}

async function expiredSession(browser, folder) {
  // The shortest session there is, on a server whose wall clock this test steps.
  const shiftFile = path.join(folder, 'short-clock-shift');
  fs.writeFileSync(shiftFile, '0');
  const short = await startRecur(path.join(folder, 'short.db'), ['--console-session-ttl', '1m'],
    { LD_PRELOAD: shiftLibrary, RECUR_TEST_CLOCK_SHIFT_FILE: shiftFile });
  const saved = recur;
  recur = short.origin;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(`${recur}/console#/webhooks`);
    await page.locator('main h1', { hasText: 'Sign in' }).waitFor();
    await signIn(page);
    await page.locator('main h1', { hasText: 'Webhook endpoints' }).waitFor();
    // This server has no test clock: its page is not in the navigation.
    await page.locator('#nav a[data-nav="test-clocks"]').waitFor({ state: 'hidden' });
    fs.writeFileSync(shiftFile, String(61 * 1000));
    await page.locator('#nav a', { hasText: 'Catalog' }).click();
    await page.locator('#sign-in-error', { hasText: 'session has ended' }).waitFor();
    check(await page.locator('#nav').isHidden(), 'an expired session returns to sign-in');
    await screenshots(page, 'session-expired');
  } finally {
    await context.close();
    recur = saved;
    await stopProcess(short.child);
  }
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'recur-console-'));
fs.mkdirSync(artifacts, { recursive: true });
for (const old of fs.readdirSync(artifacts)) {
  if (old.startsWith('console-')) fs.rmSync(path.join(artifacts, old));
}
const receiver = await failingReceiver();
let server;
let browser;
let failed = false;
let step = '';
try {
  // Every server here is on 127.0.0.1: no other host name resolves, so nothing Chromium does on
  // its own (updates, safe browsing) leaves the machine.
  browser = await chromium.launch({
    executablePath: process.env.RECUR_CHROMIUM || '/usr/bin/chromium',
    args: ['--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
  const shiftFile = path.join(folder, 'clock-shift');
  fs.writeFileSync(shiftFile, '0');
  server = await startRecur(path.join(folder, 'recur.db'), [],
    { LD_PRELOAD: shiftLibrary, RECUR_TEST_CLOCK_SHIFT_FILE: shiftFile });
  recur = server.origin;
  const data = await seed(receiver, shiftFile);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  const errors = [];
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => {
    // A refused request is logged by Chromium; the checks above expect each refusal.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  for (const [name, run] of [
    ['sign in and out', () => signInAndOut(page)],
    ['skip link and keyboard', () => skipLinkAndKeyboard(page)],
    ['search payers', () => searchPayers(page, data)],
    ["a payer's page", () => payerPage(page, data)],
    ['markup as text', () => markupAsText(page, data, dialogs)],
    ['extend and cancel', () => extendAndCancel(page, data)],
    ['a change without the CSRF token', () => csrfRefused(page, data)],
    ['end now', () => endNow(page, data)],
    ['webhooks', () => webhooks(page, data, receiver)],
    ['test clocks', () => testClocks(page, data)],
    ['overview', () => overview(page, data)],
    ['catalog', () => catalogPage(page)],
  ]) {
    step = name;
    try {
      await run();
    } catch (error) {
      await page.screenshot({ path: path.join(artifacts, 'console-failure.png'), fullPage: true }).catch(() => {});
      throw error;
    }
  }
  checkEqual(errors, [], 'no script errors on any page');
  await context.close();
  await stopProcess(server.child);
  server = null;
  step = 'an expired session';
  await expiredSession(browser, folder);
} catch (error) {
  failed = true;
  console.error(`in "${step}": ` + (error.stack || String(error)));
} finally {
  if (browser) await browser.close();
  if (server) await stopProcess(server.child);
  receiver.server.close();
  fs.rmSync(folder, { recursive: true, force: true });
}
console.log(JSON.stringify({ checks, seconds: (Date.now() - started) / 1000, artifacts }));
process.exit(failed ? 1 : 0);
