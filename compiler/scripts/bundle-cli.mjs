// Bundles the dtl CLI into one file (compiler/dist/dtl-cli.mjs). Loading chevrotain, ajv and
// the compiler as hundreds of separate ES modules costs over half a second at every start;
// one bundled file loads in a fraction of that. The runtime stays external: compiled pipes
// import it too, and both must share one copy of its classes.
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
await esbuild.build({
  entryPoints: [`${root}/dist/src/cli/main.js`],
  outfile: `${root}/dist/dtl-cli.mjs`,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['esbuild', '@dtl/runtime', '@dtl/runtime/*'],
  logLevel: 'warning',
  legalComments: 'none',
});
