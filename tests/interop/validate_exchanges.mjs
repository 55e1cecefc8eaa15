// Checks real HTTP exchanges against the OpenAPI document with a JSON Schema validator (ajv,
// draft 2020-12, the dialect of OpenAPI 3.1). The exchanges are what the end-to-end tests sent
// to `recur serve` and got back, one JSON object a line in every *.jsonl file of a folder
// (tests/e2e/recur_process.cc writes them when RECUR_E2E_EXCHANGES names the folder):
//   {"test", "method", "target", "request_body", "status", "content_type", "response_headers",
//    "response_body"}
// Every exchange whose path the document describes must be documented: its status among the
// operation's responses, the headers it requires present and valid, and its body valid against
// that response's schema; when the server took
// the request (2xx), the request too (its body, its query parameters). A path the document does
// not describe must have been answered 404 route_not_found (or 405 for a known path asked with
// another method). CORS preflights (OPTIONS) are left out: they are no operation of the
// document. An operation marked "x-ignores-query-parameters" takes any query parameter
// (the health check and the JWKS do not refuse one, as every other operation does). Each failure names the test, the route, the status and the JSON pointer of
// the failing value; the exit status is 1 when there is one. The packages are loaded from
// $RECUR_NODE_MODULES. Usage: node validate_exchanges.mjs DOCUMENT FOLDER
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const modules = process.env.RECUR_NODE_MODULES;
if (!modules) {
  process.stderr.write('RECUR_NODE_MODULES is not set (a node_modules folder)\n');
  process.exit(1);
}
const require = createRequire(path.join(path.resolve(modules), 'noop.js'));
const SwaggerParser = require('@apidevtools/swagger-parser');
const Ajv2020 = require('ajv/dist/2020').default;

const [documentPath, folder] = process.argv.slice(2);
const api = await SwaggerParser.dereference(JSON.parse(fs.readFileSync(documentPath, 'utf8')));

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
const compiled = new Map();
function validator(schema) {
  if (!compiled.has(schema)) compiled.set(schema, ajv.compile(schema));
  return compiled.get(schema);
}

// Path templates, those with fewer {parameters} first, so a literal segment wins.
const templates = Object.keys(api.paths)
  .map((template) => ({
    template,
    params: (template.match(/\{/g) ?? []).length,
    regex: new RegExp(
      '^' + template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$',
    ),
  }))
  .sort((a, b) => a.params - b.params);

const failures = new Map(); // message -> tests that met it
const checked = new Map(); // "METHOD template" -> exchanges checked
function fail(exchange, route, where, message) {
  const text = `${route} answered ${exchange.status}: ${where}: ${message}`;
  if (!failures.has(text)) failures.set(text, new Set());
  failures.get(text).add(exchange.test);
}

function schemaErrors(schema, value) {
  const validate = validator(schema);
  if (validate(value)) return [];
  return validate.errors.map(
    (e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`,
  );
}

// A query parameter's text as the value its schema describes.
function queryValue(schema, text) {
  const type = schema.type ?? schema.anyOf?.[0]?.type;
  if (type === 'integer' && /^-?[0-9]+$/.test(text)) return Number(text);
  return text;
}

function checkRequest(exchange, route, operation, url) {
  const declared = new Map();
  for (const parameter of operation.parameters ?? []) {
    if (parameter.in === 'query') declared.set(parameter.name, parameter);
  }
  for (const [name, text] of url.searchParams) {
    const parameter = declared.get(name);
    if (!parameter) {
      if (operation['x-ignores-query-parameters']) continue;
      fail(exchange, route, `request query ${name}`, 'not a parameter of the operation');
      continue;
    }
    for (const e of schemaErrors(parameter.schema, queryValue(parameter.schema, text))) {
      fail(exchange, route, `request query ${name}`, e);
    }
  }
  for (const [name, parameter] of declared) {
    if (parameter.required && !url.searchParams.has(name)) {
      fail(exchange, route, `request query ${name}`, 'required, but absent');
    }
  }
  const body = exchange.request_body ?? '';
  const content = operation.requestBody?.content?.['application/json'];
  if (!content) {
    if (body !== '') fail(exchange, route, 'request body', 'the operation takes no body');
    return;
  }
  let value;
  try {
    value = body === '' ? {} : JSON.parse(body);
  } catch {
    fail(exchange, route, 'request body', 'not JSON');
    return;
  }
  for (const e of schemaErrors(content.schema, value)) fail(exchange, route, 'request body', e);
}

function checkResponse(exchange, route, operation) {
  const response = operation.responses[String(exchange.status)] ?? operation.responses.default;
  if (!response) {
    fail(exchange, route, 'status', 'not among the documented responses');
    return;
  }
  const headers = new Map(
    Object.entries(exchange.response_headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const value = headers.get(name.toLowerCase());
    if (value === undefined) {
      if (header.required) fail(exchange, route, `response header ${name}`, 'required, but absent');
      continue;
    }
    for (const e of schemaErrors(header.schema, queryValue(header.schema, value))) {
      fail(exchange, route, `response header ${name}`, e);
    }
  }
  const content = response.content?.['application/json'];
  if (!content) {
    const textTypes = Object.keys(response.content ?? {});
    if (textTypes.length) {
      // Text of a format of its own (GET /metrics, the components' script, the console's files):
      // only its type is checked here, against each type the response may have.
      if (!textTypes.some((type) => exchange.content_type.startsWith(type))) {
        fail(exchange, route, 'response', `Content-Type ${exchange.content_type}, not ${textTypes.join(' or ')}`);
      }
      return;
    }
    if (exchange.response_body) fail(exchange, route, 'response body', 'documented as empty');
    return;
  }
  if (!exchange.content_type.startsWith('application/json')) {
    fail(exchange, route, 'response', `Content-Type ${exchange.content_type}, not JSON`);
  }
  let body;
  try {
    body = JSON.parse(exchange.response_body);
  } catch {
    fail(exchange, route, 'response body', 'not JSON');
    return;
  }
  for (const e of schemaErrors(content.schema, body)) fail(exchange, route, 'response body', e);
}

function checkUndocumented(exchange, url) {
  const route = `${exchange.method} ${url.pathname}`;
  let code = '';
  try {
    code = JSON.parse(exchange.response_body).error?.code ?? '';
  } catch {}
  const known = templates.some((t) => t.regex.test(url.pathname));
  const expected = known ? [405, 'method_not_allowed'] : [404, 'route_not_found'];
  if (exchange.status !== expected[0] || code !== expected[1]) {
    fail(exchange, route, 'route', `not in the document, yet not answered ${expected.join(' ')}`);
  }
}

let count = 0;
const files = fs.existsSync(folder) ? fs.readdirSync(folder).filter((f) => f.endsWith('.jsonl')) : [];
for (const file of files) {
  for (const line of fs.readFileSync(path.join(folder, file), 'utf8').split('\n')) {
    if (line === '') continue;
    const exchange = JSON.parse(line);
    // A CORS preflight is the browser's question about an operation, answered by the server's
    // CORS rules (http/cors.h), not an operation of the document.
    if (exchange.method === 'OPTIONS') continue;
    count += 1;
    const url = new URL(exchange.target, 'http://recur.invalid');
    const match = templates.find((t) => t.regex.test(url.pathname));
    const operation = match && api.paths[match.template][exchange.method.toLowerCase()];
    if (!operation) {
      checkUndocumented(exchange, url);
      continue;
    }
    const route = `${exchange.method} ${match.template}`;
    checked.set(route, (checked.get(route) ?? 0) + 1);
    if (exchange.status >= 200 && exchange.status < 300) {
      checkRequest(exchange, route, operation, url);
    }
    checkResponse(exchange, route, operation);
  }
}

const operations = [];
for (const [template, item] of Object.entries(api.paths)) {
  for (const method of Object.keys(item)) operations.push(`${method.toUpperCase()} ${template}`);
}
const unexercised = operations.filter((o) => !checked.has(o));
process.stdout.write(
  `${count} exchanges from ${files.length} files; ${checked.size} of ${operations.length} ` +
    `operations exercised\n`,
);
if (unexercised.length > 0) process.stdout.write(`not exercised: ${unexercised.join(', ')}\n`);
if (count === 0) {
  process.stderr.write(`no exchanges in ${folder}: were the end-to-end tests run with ` +
    'RECUR_E2E_EXCHANGES set?\n');
  process.exit(1);
}
for (const [text, tests] of failures) {
  process.stderr.write(`${text}\n    in ${[...tests].slice(0, 3).join(', ')}` +
    `${tests.size > 3 ? ` and ${tests.size - 3} more` : ''}\n`);
}
if (failures.size > 0) {
  process.stderr.write(`${failures.size} mismatches between the document and the server\n`);
  process.exit(1);
}
