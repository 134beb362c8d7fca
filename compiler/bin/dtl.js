#!/usr/bin/env node
// Prefer the single-file bundle `npm run build` writes; fall back to the module tree.
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/dtl-cli.mjs', import.meta.url);
const { main } = await import(existsSync(bundled) ? bundled.href : '../dist/src/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
