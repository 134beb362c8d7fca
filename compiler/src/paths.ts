/**
 * Where the compiler's files are, found the same way whether this code runs from
 * `dist/src/**` or from the single-file CLI bundle `dist/dtl-cli.mjs`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function packageRoot(from: string, name: string): string {
  let dir = path.dirname(from);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Cannot find the ${name} package above ${from}`);
    dir = up;
  }
}

/** The compiler package folder (holds package.json, schemas/, dist/). */
export const COMPILER_ROOT = packageRoot(fileURLToPath(import.meta.url), '@dtl/compiler');
export const SCHEMA_DIR = path.join(COMPILER_ROOT, 'schemas');
/** The validators `npm run build` compiles ahead of time from the schemas. */
export const PRECOMPILED_VALIDATORS = path.join(COMPILER_ROOT, 'dist', 'generated', 'schema-validators.js');

/** The runtime's compiled sources (`runtime/dist/src`), which generated code imports. */
export const RUNTIME_DIST = path.dirname(path.dirname(fileURLToPath(import.meta.resolve('@dtl/runtime/values/types'))));

export function runtimeModuleUrl(rel: string): string {
  return pathToFileURL(path.join(RUNTIME_DIST, rel)).href;
}

export function compilerVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(COMPILER_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
