// A call the document forbids: a number where a payer's external_id must be a string, and a
// type that is neither "user" nor "org". tsc must refuse this file; if it compiled, the
// generated types would not hold the document's constraints.
import createClient from 'openapi-fetch';
import type { paths } from './recur-api.js';

const recur = createClient<paths>({ baseUrl: 'http://127.0.0.1:1' });
await recur.POST('/v1/payers', {
  body: { external_id: 42, type: 'company', email: 'x@example.com' },
});
