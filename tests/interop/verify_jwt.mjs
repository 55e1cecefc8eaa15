// Verifies an entitlement token with the npm package jose, an independent JOSE implementation,
// for SigningKeyInterop in domain/entitlements/signing_key_test.cc.
// stdin: {"jwks": {"keys": [...]}, "token": "..."}. On success prints the payload as JSON on
// stdout and exits 0; otherwise prints the reason on stderr and exits 1.
// jose is loaded from $RECUR_NODE_MODULES (a node_modules folder), since ES modules ignore
// NODE_PATH. Its entry point is resolved through jose's package.json "exports".
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

async function loadJose() {
  const modules = process.env.RECUR_NODE_MODULES;
  if (!modules) throw new Error('RECUR_NODE_MODULES is not set (a node_modules folder with jose)');
  const folder = path.resolve(modules);
  const entry = createRequire(path.join(folder, 'noop.js')).resolve('jose');
  if (!entry.startsWith(folder + path.sep)) {
    throw new Error(`jose resolved to ${entry}, outside ${folder}`);
  }
  const module = await import(pathToFileURL(entry).href);
  return module.jwtVerify ? module : module.default;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

try {
  const jose = await loadJose();
  const { jwks, token } = JSON.parse(await readStdin());
  const { payload } = await jose.jwtVerify(token, jose.createLocalJWKSet(jwks), {
    algorithms: ['ES256'],
    typ: 'JWT',
  });
  process.stdout.write(JSON.stringify(payload) + '\n');
} catch (error) {
  process.stderr.write(`verify_jwt: ${error.code ?? error.name}: ${error.message}\n`);
  process.exitCode = 1;
}
