// Compiles the config JSON Schemas to standalone validator code at build time, so `dtl check`
// does not spend a second compiling them at every start. Run by `npm run build` after tsc.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { ENTITY_SCHEMA_IDS, PRECOMPILED, createAjv } from '../dist/src/config/schemas.js';

const ajv = createAjv({ code: { source: true, esm: true } });
let code = standaloneCode.default(ajv, ENTITY_SCHEMA_IDS);
// Standalone ESM output still `require`s ajv's small runtime helpers; turn those into imports.
const imports = [];
code = code.replace(/require\("(ajv\/dist\/runtime\/[a-z0-9]+)"\)/gi, (_m, mod) => {
  const name = `__ajv_rt${imports.length}`;
  imports.push(`import ${name} from "${mod}.js";`);
  return `{ default: ${name}.default ?? ${name} }`;
});
if (/\brequire\(/.test(code)) throw new Error('precompile-schemas: the generated validators still call require()');
fs.mkdirSync(new URL('.', PRECOMPILED), { recursive: true });
fs.writeFileSync(fileURLToPath(PRECOMPILED), imports.join('\n') + '\n' + code.replace(/^"use strict";/, ''));
