// Receipts (GET /v1/payment_attempts/{id}/receipt, GET /v1/statements/{id}/receipt) in headless
// Chromium, against a real `recur serve` (sandbox gateway, a temporary SQLite database, the
// shipped plans, --merchant-name) that this script starts on loopback. The browser opens them
// with the payer's session, as a payer's own browser would. For a paid attempt's receipt and a
// statement's page (a declined conversion, then a retry that paid) it checks, at a desktop
// width (1280 px) and a phone's (375 px): what the page shows; that a payer named
// <script>alert(1)</script> is shown as text and runs nothing; that the page asks for nothing
// besides itself and breaks no rule of its Content-Security-Policy; and that nothing scrolls
// sideways. It writes screenshots at both widths, and of the print layout, to ARTIFACTS_DIR.
//
// Usage: node receipts_test.mjs RECUR_BINARY SOURCE_DIR ARTIFACTS_DIR
// Environment: RECUR_NODE_MODULES (with playwright-core), RECUR_CHROMIUM (default
// /usr/bin/chromium, Debian's package).
// Exits 0 when every check holds; else prints the failed check and exits 1.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { startRecur as startServe, stopProcess } from './recur_serve.mjs';

const require = createRequire(path.join(path.resolve(process.env.RECUR_NODE_MODULES), 'noop.js'));
const { chromium } = require('playwright-core');

const [binary, sourceDir, artifacts] = process.argv.slice(2);
if (!binary || !sourceDir || !artifacts) {
  console.error('usage: node receipts_test.mjs RECUR_BINARY SOURCE_DIR ARTIFACTS_DIR');
  process.exit(2);
}
const secretKey = 'sk_test_receipts0123456789abcdefghijklmno';
const merchant = 'Acme Software & Co';
const hostileName = '<script>alert(1)</script>';
const day = 86_400_000;

let checks = 0;
function check(condition, what) {
  if (!condition) throw new Error('check failed: ' + what);
  checks += 1;
}

function startRecur(database) {
  return startServe({ binary, sourceDir, database, secretKey, args: ['--merchant-name', merchant] });
}


let recur = '';
async function api(method, route, body) {
  const response = await fetch(recur + route, {
    method,
    headers: { Authorization: 'Bearer ' + secretKey, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

// A payer on a test clock whose trial's conversion is declined and whose first retry, with
// another card, pays: two attempts on one statement. The payer, its attempts (oldest first) and
// a session of it.
async function payerWithARecoveredConversion() {
  const clock = await api('POST', '/v1/test_clocks', { frozen_time: Date.UTC(2025, 0, 10) });
  const payer = await api('POST', '/v1/payers', {
    external_id: 'receipt_user', type: 'user', email: 'ada.lovelace@example.com', name: hostileName,
    test_clock: clock.id,
  });
  await api('POST', `/v1/payers/${payer.id}/payment_methods`, { token: 'pm_card_chargeCustomerFail' });
  const trial = await api('POST', `/v1/payers/${payer.id}/subscription_items`, { plan: 'pro' });
  await api('POST', `/v1/test_clocks/${clock.id}/advance`, { frozen_time: trial.trial_end + day / 2 });
  await api('POST', `/v1/payers/${payer.id}/payment_methods`, { token: 'pm_card_visa', default: true });
  await api('POST', `/v1/test_clocks/${clock.id}/advance`, { frozen_time: trial.trial_end + 2 * day });
  const attempts = (await api('GET', `/v1/payment_attempts?payer_id=${payer.id}`)).data.reverse();
  check(attempts.length === 2 && attempts[0].status === 'failed' && attempts[1].status === 'paid',
        'a declined conversion, then a retry that paid: ' + JSON.stringify(attempts.map((a) => a.status)));
  const session = await api('POST', `/v1/payers/${payer.id}/sessions`);
  return { payer, attempts, session: session.token };
}

// Opens `route` with the payer's session, at 1280 and 375 px and for print; checks what every
// page must hold and returns the page's visible text.
async function openReceipt(browser, route, session, name) {
  const context = await browser.newContext({
    locale: 'en-US', timezoneId: 'UTC', viewport: { width: 1280, height: 900 },
    extraHTTPHeaders: { Authorization: 'Bearer ' + session },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const requests = [];
  page.on('request', (request) => requests.push(request.url()));
  const problems = [];
  page.on('pageerror', (error) => problems.push(String(error)));
  page.on('console', (message) => problems.push(message.text()));
  page.on('dialog', (dialog) => {
    problems.push('a dialog opened: ' + dialog.message());
    dialog.dismiss();
  });
  try {
    const response = await page.goto(recur + route);
    check(response.status() === 200, `${route} answers 200, not ${response.status()}`);
    check(response.headers()['content-type'] === 'text/html; charset=utf-8', `${route} is HTML`);
    check(response.headers()['content-security-policy'].startsWith("default-src 'none'"),
          `${route} forbids every fetch`);
    const text = await page.locator('body').innerText();
    check(text.includes(merchant), `${name} names the merchant`);
    check(text.includes(hostileName), `${name} shows the payer's name as text`);
    check(await page.locator('script').count() === 0, `${name} holds no script element`);
    for (const [width, height, kind] of [[1280, 900, 'desktop'], [375, 812, 'phone']]) {
      await page.setViewportSize({ width, height });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `${name} does not scroll sideways at ${width} px (by ${overflow} px)`);
      await page.screenshot({ path: path.join(artifacts, `${name}-${kind}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 800, height: 1100 });
    await page.emulateMedia({ media: 'print' });
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    check(background === 'rgb(255, 255, 255)', `${name} prints on white, not ${background}`);
    await page.screenshot({ path: path.join(artifacts, `${name}-print.png`), fullPage: true });
    check(problems.length === 0, `${name}: no script ran, no rule was broken: ${problems.join('\n')}`);
    check(requests.length === 1 && requests[0] === recur + route,
          `${name} asks for nothing besides itself: ${requests.join(', ')}`);
    return text;
  } finally {
    await context.close();
  }
}

async function receiptsOfOnePayer(browser) {
  const { attempts, session } = await payerWithARecoveredConversion();
  const [declined, paid] = attempts;

  const receipt = await openReceipt(browser, `/v1/payment_attempts/${paid.id}/receipt`, session, 'receipt');
  for (const shown of ['Receipt', 'Pro, monthly', '$20.00', 'Visa ending in 4242',
                       'ada.lovelace@example.com', paid.id, paid.statement_id]) {
    check(receipt.includes(shown), `the receipt shows ${shown}`);
  }
  check(!receipt.includes(declined.id), 'the receipt is of the paid attempt only');

  const statement = await openReceipt(browser, `/v1/statements/${paid.statement_id}/receipt`, session,
                                      'statement');
  for (const shown of ['Statement', declined.id, paid.id, 'Failed, not charged', 'Paid', '$20.00']) {
    check(statement.includes(shown), `the statement's page shows ${shown}`);
  }
  check(statement.indexOf(declined.id) < statement.indexOf(paid.id), 'its attempts in the order made');
}

const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'recur-receipts-'));
fs.mkdirSync(artifacts, { recursive: true });
let server;
let browser;
let failed = false;
try {
  // Every server here is on 127.0.0.1: no other host name resolves.
  browser = await chromium.launch({
    executablePath: process.env.RECUR_CHROMIUM || '/usr/bin/chromium',
    args: ['--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'],
  });
  server = await startRecur(path.join(folder, 'recur.db'));
  recur = server.origin;
  await receiptsOfOnePayer(browser);
  console.log(`ok: ${checks} checks; screenshots in ${artifacts}`);
} catch (error) {
  failed = true;
  console.error(error.stack || String(error));
} finally {
  if (browser) await browser.close();
  if (server) await stopProcess(server.child);
  fs.rmSync(folder, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
