// Verifies a signed webhook with the npm packages svix and standardwebhooks, the libraries Clerk
// and Standard Webhooks receivers use, for tests/e2e/webhooks_interop_test.cc.
// stdin: {"secret": "whsec_...", "headers": {...}, "body": "..."}. Prints the verified payload
// (JSON) on stdout and exits 0 when BOTH libraries accept the message; otherwise prints the
// reason on stderr and exits 1. The packages are loaded from $RECUR_NODE_MODULES.
import { createRequire } from 'node:module';
import path from 'node:path';

const modules = process.env.RECUR_NODE_MODULES;
if (!modules) {
  process.stderr.write('RECUR_NODE_MODULES is not set (a node_modules folder)\n');
  process.exit(1);
}
const require = createRequire(path.join(path.resolve(modules), 'noop.js'));

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

try {
  const { secret, headers, body } = JSON.parse(await readStdin());
  const svix = require('svix');
  const standard = require('standardwebhooks');
  const fromSvix = new svix.Webhook(secret).verify(body, headers);
  const fromStandard = new standard.Webhook(secret).verify(body, headers);
  if (JSON.stringify(fromSvix) !== JSON.stringify(fromStandard)) {
    throw new Error('the two libraries read different payloads');
  }
  process.stdout.write(JSON.stringify(fromSvix) + '\n');
} catch (error) {
  process.stderr.write(`verify_webhook: ${error.name}: ${error.message}\n`);
  process.exitCode = 1;
}
