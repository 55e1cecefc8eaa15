// Checks Recur's webhook payloads against Clerk's published schema for their type
// (clerk-billing-webhooks.json, Clerk's billing webhooks in OpenAPI 3.0) with a JSON Schema
// validator (ajv). OpenAPI 3.0's `nullable: true` is read as "this schema, or null": each such
// schema becomes anyOf [the schema without it, {type: null}] before it is compiled.
// The payloads are read from every *.jsonl file of the folders given, one JSON object a line:
//  - lines of `recur simulate scenario --json --payloads`: each event's `payload`;
//  - exchanges the end-to-end tests recorded (tests/e2e/exchange_recorder.h): the events of
//    every answer of GET /v1/events (each an envelope with `id` and `payer_id` added).
// Every payload must validate; each failure names its type, the JSON pointer and the rule, with
// one event id or file where it was met. Exit status 1 when one fails or none was found, else 0
// with a count per type. The packages are loaded from $RECUR_NODE_MODULES.
// Usage: node validate_clerk_events.mjs SCHEMA FOLDER...
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const modules = process.env.RECUR_NODE_MODULES;
if (!modules) {
  process.stderr.write('RECUR_NODE_MODULES is not set (a node_modules folder)\n');
  process.exit(1);
}
const require = createRequire(path.join(path.resolve(modules), 'noop.js'));
const Ajv = require('ajv').default;

const [schemaPath, ...folders] = process.argv.slice(2);
if (!schemaPath || folders.length === 0) {
  process.stderr.write('usage: node validate_clerk_events.mjs SCHEMA FOLDER...\n');
  process.exit(2);
}

// OpenAPI 3.0's nullable as JSON Schema: {..., nullable: true} -> anyOf [{...}, {type: null}].
function withNullables(schema) {
  if (Array.isArray(schema)) return schema.map(withNullables);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key !== 'nullable' && key !== 'example' && key !== 'examples') out[key] = withNullables(value);
  }
  return schema.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

const document = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
ajv.addFormat('int32', { type: 'number', validate: Number.isInteger });
ajv.addFormat('double', { type: 'number', validate: Number.isFinite });
ajv.addSchema({ $id: 'clerk', components: withNullables(document.components) });
const validators = new Map();
for (const [type, hook] of Object.entries(document['x-webhooks'])) {
  const schema = hook.post.requestBody.content['application/json'].schema;
  const rewritten = JSON.parse(
    JSON.stringify(withNullables(schema)).replaceAll('"#/components/', '"clerk#/components/'),
  );
  validators.set(type, ajv.compile(rewritten));
}

const counts = new Map(); // type -> payloads checked
const failures = new Map(); // message -> where first met
function check(payload, where) {
  const validate = validators.get(payload.type);
  if (!validate) {
    failures.set(`${payload.type}: no schema for this type`, where);
    return;
  }
  counts.set(payload.type, (counts.get(payload.type) ?? 0) + 1);
  if (validate(payload)) return;
  for (const error of validate.errors) {
    const message = `${payload.type}: ${error.instancePath || '/'}: ${error.message}`;
    if (!failures.has(message)) failures.set(message, where);
  }
}

for (const folder of folders) {
  if (!fs.existsSync(folder)) continue;
  for (const name of fs.readdirSync(folder).filter((file) => file.endsWith('.jsonl')).sort()) {
    const file = path.join(folder, name);
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line);
      if (entry.payload !== undefined) {
        check(entry.payload, `${name}: ${entry.id}`);
      } else if (
        entry.method === 'GET' &&
        entry.status === 200 &&
        /^\/v1\/events(\?|$)/.test(entry.target ?? '')
      ) {
        const body = JSON.parse(entry.response_body);
        for (const event of body.data) check(event, `${entry.test}: ${event.id}`);
      }
    }
  }
}

for (const [type, count] of [...counts].sort()) process.stdout.write(`${type}: ${count}\n`);
if (failures.size > 0) {
  for (const [message, where] of failures) process.stdout.write(`INVALID ${message} (${where})\n`);
  process.exit(1);
}
if (counts.size === 0) {
  process.stdout.write('no payloads found\n');
  process.exit(1);
}
