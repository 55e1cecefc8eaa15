// A webhook consumer as Clerk and Standard Webhooks users write one, for
// tests/e2e/webhooks_node_receiver_test.cc: an HTTP server on 127.0.0.1 that verifies every
// delivery with the npm packages svix and standardwebhooks (loaded from $RECUR_NODE_MODULES).
// Usage: node webhook_receiver.mjs SECRET_FILE
// Listens on a free port and prints `listening <port>` on stdout. SECRET_FILE holds the
// endpoint secret (whsec_...); it is read at every request, so it may be written after the
// start. Every POST is answered 204 when BOTH libraries accept its raw body and headers, else
// 400, and makes one JSON line on stdout:
// {"webhook_id", "verified_by_svix", "verified_by_standardwebhooks", "payload", "error"?}
// where payload is the body parsed as JSON (null if it is not JSON) and error says why a
// library refused. Other methods are answered 405 and print nothing.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

const modules = process.env.RECUR_NODE_MODULES;
const secretFile = process.argv[2];
if (!modules || !secretFile) {
  process.stderr.write('usage: RECUR_NODE_MODULES=DIR node webhook_receiver.mjs SECRET_FILE\n');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'noop.js'));
const svix = require('svix');
const standardwebhooks = require('standardwebhooks');

// Whether `verify` accepts the delivery, with the reason when it does not.
function check(verify) {
  try {
    verify();
    return { verified: true };
  } catch (error) {
    return { verified: false, reason: `${error.name}: ${error.message}` };
  }
}

function parseOrNull(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function readSecret() {
  try {
    return readFileSync(secretFile, 'utf8').trim();
  } catch {
    return '';
  }
}

function receive(body, headers) {
  const secret = readSecret();
  const fromSvix = secret
    ? check(() => new svix.Webhook(secret).verify(body, headers))
    : { verified: false, reason: `no secret in ${secretFile}` };
  const fromStandard = secret
    ? check(() => new standardwebhooks.Webhook(secret).verify(body, headers))
    : { verified: false, reason: `no secret in ${secretFile}` };
  const line = {
    webhook_id: headers['webhook-id'] ?? null,
    verified_by_svix: fromSvix.verified,
    verified_by_standardwebhooks: fromStandard.verified,
    payload: parseOrNull(body),
  };
  const reasons = [fromSvix, fromStandard].filter((r) => !r.verified).map((r) => r.reason);
  if (reasons.length > 0) line.error = [...new Set(reasons)].join('; ');
  process.stdout.write(JSON.stringify(line) + '\n');
  return fromSvix.verified && fromStandard.verified;
}

const server = http.createServer((request, response) => {
  if (request.method !== 'POST') {
    response.writeHead(405).end();
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const accepted = receive(Buffer.concat(chunks).toString('utf8'), request.headers);
    response.writeHead(accepted ? 204 : 400).end();
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
