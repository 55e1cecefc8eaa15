// Validates an OpenAPI document with the npm package @apidevtools/swagger-parser: the document
// against the OpenAPI 3.1 schema, and every $ref resolved. Prints the number of paths on
// success; otherwise the reason on stderr, exit status 1. The package is loaded from
// $RECUR_NODE_MODULES. Usage: node validate_openapi.mjs DOCUMENT
import { createRequire } from 'node:module';
import path from 'node:path';

const modules = process.env.RECUR_NODE_MODULES;
if (!modules) {
  process.stderr.write('RECUR_NODE_MODULES is not set (a node_modules folder)\n');
  process.exit(1);
}
const require = createRequire(path.join(path.resolve(modules), 'noop.js'));
const SwaggerParser = require('@apidevtools/swagger-parser');

try {
  const api = await SwaggerParser.validate(process.argv[2]);
  process.stdout.write(`valid: ${Object.keys(api.paths).length} paths\n`);
} catch (error) {
  process.stderr.write(`validate_openapi: ${error.message}\n`);
  process.exitCode = 1;
}
