/**
 * sesam-py compatible tests: `expected/<name>.test.json` specs and the expected files they name,
 * compared the way `sesam verify` does (spec/config-catalog.md §4.3–4.5): `_` keys stripped at
 * every level (except `_id`, and `_deleted` when true), blacklisted paths removed, deletes
 * ignored unless expected, the current output's numbers fixed as sesam-py fixes them, both
 * sides sorted, then compared as indented sorted-key JSON. Values are Python's (pyjson.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compareLists, expectedFileText, fixNumbers, isPyDict, pyCompare, pyDumps, sortedJson, type PyDict, type PyValue } from './pyjson.js';
import { JsonFileError, parseJsonFile } from '../syntax/data-file.js';

export interface TestSpec {
  /** The spec's name: its file name without .test.json. */
  readonly name: string;
  readonly pipe: string;
  /** Expected-output file, absolute. */
  readonly file: string;
  readonly endpoint: string;
  readonly stage: string;
  readonly blacklist: readonly string[];
  readonly ignore: boolean;
  readonly ignoreDeletes: boolean;
  readonly fieldsToSortBy: readonly string[];
  /** Query parameters of the publisher request (xml and other raw endpoints; they bind to `_B`). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** The spec file, absolute (for a test that is only an expected file, where its spec would be). */
  readonly specFile: string;
  /** The test is an expected/<pipe>.json without a spec. */
  readonly implied?: boolean;
}

export class SpecError extends Error {}

/** Every expected/*.test.json (top level only, as sesam-py's glob), in name order. */
export function loadSpecs(root: string): TestSpec[] {
  const dir = path.join(root, 'expected');
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.test.json') && fs.statSync(path.join(dir, n)).isFile())
    .sort()
    .map((n) => readSpec(root, path.join(dir, n)));
}

function readSpec(root: string, specFile: string): TestSpec {
  let raw: unknown;
  try {
    raw = parseJsonFile(fs.readFileSync(specFile, 'utf8'), specFile);
  } catch (e) {
    throw new SpecError(e instanceof JsonFileError ? `Test spec is not valid JSON: ${e.message}` : `${specFile}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SpecError(`${specFile}: a test spec must be a JSON object ({} is fine)`);
  const o = raw as Record<string, unknown>;
  const name = path.basename(specFile).slice(0, -'.test.json'.length);
  const str = (k: string, d: string): string => (typeof o[k] === 'string' ? (o[k] as string) : d);
  return {
    name,
    pipe: str('pipe', name),
    file: expectedPath(root, str('file', `${name}.json`)),
    endpoint: str('endpoint', 'json'),
    stage: str('stage', 'sink'),
    blacklist: Array.isArray(o.blacklist) ? o.blacklist.filter((x): x is string => typeof x === 'string') : [],
    ignore: o.ignore === true,
    ignoreDeletes: o.ignore_deletes === undefined || o.ignore_deletes === true,
    fieldsToSortBy: Array.isArray(o.fields_to_sort_by) ? o.fields_to_sort_by.filter((x): x is string => typeof x === 'string') : ['_id'],
    parameters: typeof o.parameters === 'object' && o.parameters !== null && !Array.isArray(o.parameters) ? (o.parameters as Record<string, unknown>) : {},
    specFile,
  };
}

/**
 * A spec's `file`, resolved as sesam-py does relative to the project folder: under expected/
 * unless it already starts with `expected/` (an absolute path stays as it is).
 */
export function expectedPath(root: string, file: string): string {
  const normal = file.split(path.sep).join('/');
  return normal.startsWith('expected/') ? path.resolve(root, file) : path.resolve(root, 'expected', file);
}

/** Python fnmatch as a RegExp (`*` crosses dots); sesam-py rewrites `[].` to `.*.`. */
function fnmatchRegExp(pattern: string): RegExp {
  const p = pattern.replace(/\[\]\./g, '.*.');
  let src = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') src += '[\\s\\S]*';
    else if (c === '?') src += '[\\s\\S]';
    else if (c === '[') {
      const close = p.indexOf(']', i + 2);
      if (close < 0) src += '\\[';
      else {
        let body = p.slice(i + 1, close);
        if (body.startsWith('!')) body = '^' + body.slice(1);
        src += '[' + body.replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else src += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp('^' + src + '$');
}

/**
 * Removes blacklisted paths and `_` keys (except `_id`, and `_deleted: true`) at every level.
 * The path joins keys with dots (list positions add nothing); sesam-py turns `\.` in the joined
 * path into `.` before matching.
 */
export function filterEntity(v: PyValue, blacklist: readonly RegExp[], prefix: readonly string[] = []): PyValue {
  if (Array.isArray(v)) return v.map((x) => filterEntity(x, blacklist, prefix));
  if (!isPyDict(v)) return v;
  const out: PyDict = {};
  for (const [k, x] of Object.entries(v)) {
    const p = [...prefix, k];
    const joined = p.join('.').replace(/\\\./g, '.');
    if (blacklist.some((b) => b.test(joined))) continue;
    if (k.startsWith('_') && k !== '_id' && !(k === '_deleted' && x === true)) continue;
    if (k === '__proto__') Object.defineProperty(out, k, { value: filterEntity(x, blacklist, p), enumerable: true, writable: true, configurable: true });
    else out[k] = filterEntity(x, blacklist, p);
  }
  return out;
}

function field(e: PyValue, name: string): PyValue {
  return isPyDict(e) && Object.prototype.hasOwnProperty.call(e, name) ? e[name]! : null;
}

/** sesam-py's sort key: each fields_to_sort_by value (a dict as sorted-key JSON), then the whole entity's JSON. */
function sortKey(e: PyValue, fields: readonly string[]): PyValue[] {
  const key: PyValue[] = fields.map((f) => {
    const v = field(e, f);
    return isPyDict(v) ? sortedJson(v) : v;
  });
  key.push(sortedJson(e));
  return key;
}

/** Sorts as Python's sorted() with that key; throws IncomparableError where Python raises TypeError. */
export function sortEntities(list: readonly PyValue[], fields: readonly string[]): PyValue[] {
  const keyed = list.map((e) => ({ e, k: sortKey(e, fields) }));
  keyed.sort((a, b) => compareLists(a.k, b.k));
  return keyed.map((x) => x.e);
}

/** Python's `==` for ids (`in` never raises, unlike `<`). */
function pyEquals(a: PyValue, b: PyValue): boolean {
  try {
    return pyCompare(a, b) === 0;
  } catch {
    return false;
  }
}

const isDeleted = (e: PyValue): boolean => field(e, '_deleted') === true;

export interface Comparison {
  readonly ok: boolean;
  readonly message: string;
  readonly diff: string;
}

/** sesam-py's verify of one json spec: expected as read, current filtered, fixed and sorted. */
export function compareOutputs(expected: readonly PyValue[], current: readonly PyValue[], spec: TestSpec): Comparison {
  const exp = sortEntities(expected, spec.fieldsToSortBy);
  const bl = spec.blacklist.map(fnmatchRegExp);
  let cur = current.map((e) => filterEntity(e, bl));
  if (spec.ignoreDeletes) {
    const expectedDeletes = expected.filter(isDeleted).map((e) => field(e, '_id'));
    cur = cur.filter((e) => !isDeleted(e) || expectedDeletes.some((id) => pyEquals(id, field(e, '_id'))));
  }
  cur = sortEntities(cur.map(fixNumbers), spec.fieldsToSortBy);
  const a = pyDumps(exp);
  const b = pyDumps(cur);
  if (exp.length !== cur.length) return { ok: false, message: `Length mismatch: expected ${exp.length} entities, got ${cur.length}`, diff: unifiedDiff(a, b, spec.file, 'current output') };
  if (a !== b) return { ok: false, message: 'Content mismatch', diff: unifiedDiff(a, b, spec.file, 'current output') };
  return { ok: true, message: '', diff: '' };
}

/** The expected file sesam-py's update writes for one json spec. */
export function expectedText(current: readonly PyValue[], spec: TestSpec): string {
  const bl = spec.blacklist.map(fnmatchRegExp);
  let out = current.map((e) => fixNumbers(filterEntity(e, bl)));
  if (spec.ignoreDeletes) out = out.filter((e) => !isDeleted(e));
  return expectedFileText(sortEntities(out, spec.fieldsToSortBy));
}

/**
 * A unified diff (3 lines of context, `@@ -l,n +l,n @@` hunk headers, removals before
 * additions) of two texts, by longest common subsequence of lines.
 */
export function unifiedDiff(a: string, b: string, nameA: string, nameB: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const dp: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) dp[i]![j] = x[i] === y[j] ? dp[i + 1]![j + 1]! + 1 : Math.max(dp[i + 1]![j]!, dp[i]![j + 1]!);
  // Each op remembers the line it stands at in a and in b (0-based), for the hunk headers.
  const ops: { t: ' ' | '-' | '+'; s: string; ai: number; bi: number }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push({ t: ' ', s: x[i]!, ai: i++, bi: j++ });
    } else if (i < n && (j >= m || dp[i + 1]![j]! >= dp[i]![j + 1]!)) ops.push({ t: '-', s: x[i]!, ai: i++, bi: j });
    else ops.push({ t: '+', s: y[j]!, ai: i, bi: j++ });
  }
  const out = [`--- ${nameA}`, `+++ ${nameB}`];
  const ctx = 3;
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.t === ' ') {
      k++;
      continue;
    }
    const start = Math.max(0, k - ctx);
    let end = k;
    while (end < ops.length) {
      if (ops[end]!.t !== ' ') {
        end++;
        continue;
      }
      let run = 0;
      while (end + run < ops.length && ops[end + run]!.t === ' ') run++;
      if (end + run >= ops.length || run > 2 * ctx) {
        end = Math.min(ops.length, end + ctx);
        break;
      }
      end += run;
    }
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    const range = (at: number, len: number): string => `${len === 0 ? at : at + 1},${len}`;
    out.push(`@@ -${range(hunk[0]!.ai, aLen)} +${range(hunk[0]!.bi, bLen)} @@`);
    for (const o of hunk) out.push(o.t + o.s);
    k = end;
  }
  return out.join('\n');
}
