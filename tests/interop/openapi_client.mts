// A client of `recur serve` typed by docs/openapi.json: openapi-typescript turns the document
// into `recur-api.d.ts` beside this file, and openapi-fetch makes the calls. Compiled with tsc
// --strict, it checks that the document yields a usable client; run, that the client works
// against a real server. Creates a payer, reads it back, and prints what it read as JSON.
// Usage: node openapi_client.mjs BASE_URL SECRET_KEY
import createClient from 'openapi-fetch';
import type { components, paths } from './recur-api.js';

type Payer = components['schemas']['Payer'];

const [baseUrl, secretKey] = process.argv.slice(2);
const recur = createClient<paths>({
  baseUrl,
  headers: { Authorization: `Bearer ${secretKey}` },
});

const created = await recur.POST('/v1/payers', {
  body: { external_id: 'user_ts', type: 'user', email: 'ts@example.com', name: 'Type Script' },
});
if (created.error !== undefined) throw new Error(`create: ${created.error.error.code}`);
const id: string = created.data.id;

const read = await recur.GET('/v1/payers/{id}', { params: { path: { id } } });
if (read.error !== undefined) throw new Error(`read: ${read.error.error.message}`);
const payer: Payer = read.data;

const missing = await recur.GET('/v1/payers/{id}', { params: { path: { id: 'cpayer_none' } } });
const missingCode: string | undefined = missing.error?.error.code;

process.stdout.write(
  JSON.stringify({
    id: payer.id,
    external_id: payer.external_id,
    type: payer.type,
    created_at: payer.created_at,
    missing_status: missing.response.status,
    missing_code: missingCode,
  }) + '\n',
);
