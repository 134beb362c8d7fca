/**
 * sesam-py compatible tests: `expected/<name>.test.json` specs and `expected/<name>.json`
 * files, compared the way `sesam verify` does (spec/config-catalog.md §4.3–4.5): `_` keys
 * stripped at every level (except `_id`, and `_deleted` when true), blacklisted paths removed,
 * deletes ignored unless expected, numbers normalised, both sides sorted, then compared as
 * indented sorted-key JSON.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expectedFileText, pyDumps, sortedJson } from './pyjson.js';
import { JsonFileError, parseJsonFile } from '../syntax/data-file.js';

export interface TestSpec {
  /** The spec's name (file name without .test.json, or the pipe id). */
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
  /** The spec file, when there is one. */
  readonly specFile?: string;
}

export class SpecError extends Error {}

/** Specs from expected/*.test.json, plus pipes that only have expected/<pipe>.json. */
export function loadSpecs(root: string, pipeIds: ReadonlySet<string>): TestSpec[] {
  const dir = path.join(root, 'expected');
  if (!fs.existsSync(dir)) return [];
  const names = fs.readdirSync(dir).sort();
  const specs: TestSpec[] = [];
  const covered = new Set<string>();
  for (const n of names) {
    if (!n.endsWith('.test.json')) continue;
    const specFile = path.join(dir, n);
    let raw: unknown;
    try {
      raw = parseJsonFile(fs.readFileSync(specFile, 'utf8'), specFile);
    } catch (e) {
      throw new SpecError(e instanceof JsonFileError ? `Test spec is not valid JSON: ${e.message}` : `${specFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SpecError(`${specFile}: a test spec must be a JSON object ({} is fine)`);
    const o = raw as Record<string, unknown>;
    const name = n.slice(0, -'.test.json'.length);
    const str = (k: string, d: string): string => (typeof o[k] === 'string' ? (o[k] as string) : d);
    const spec: TestSpec = {
      name,
      pipe: str('pipe', name),
      file: path.join(dir, str('file', `${name}.json`)),
      endpoint: str('endpoint', 'json'),
      stage: str('stage', 'sink'),
      blacklist: Array.isArray(o.blacklist) ? o.blacklist.filter((x): x is string => typeof x === 'string') : [],
      ignore: o.ignore === true,
      ignoreDeletes: o.ignore_deletes !== false,
      fieldsToSortBy: Array.isArray(o.fields_to_sort_by) ? o.fields_to_sort_by.filter((x): x is string => typeof x === 'string') : ['_id'],
      specFile,
    };
    specs.push(spec);
    covered.add(path.basename(spec.file));
  }
  for (const n of names) {
    if (!n.endsWith('.json') || n.endsWith('.test.json') || covered.has(n)) continue;
    const pipe = n.slice(0, -'.json'.length);
    if (!pipeIds.has(pipe)) continue;
    specs.push({ name: pipe, pipe, file: path.join(dir, n), endpoint: 'json', stage: 'sink', blacklist: [], ignore: false, ignoreDeletes: true, fieldsToSortBy: ['_id'] });
  }
  return specs;
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

/** Removes `_` keys (except `_id`, and `_deleted: true`) at every level and blacklisted paths. */
export function filterEntity(v: unknown, blacklist: readonly RegExp[], prefix = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => filterEntity(x, blacklist, prefix));
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('_') && k !== '_id' && !(k === '_deleted' && x === true)) continue;
    const p = prefix ? `${prefix}.${k}` : k;
    if (blacklist.some((b) => b.test(p))) continue;
    out[k] = filterEntity(x, blacklist, p);
  }
  return out;
}

function sortKey(e: unknown, fields: readonly string[]): string[] {
  const o = (e ?? {}) as Record<string, unknown>;
  return [...fields.map((f) => sortedJson(o[f] ?? null)), sortedJson(e)];
}

export function sortEntities(list: unknown[], fields: readonly string[]): unknown[] {
  const keyed = list.map((e) => ({ e, k: sortKey(e, fields) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i]! < b.k[i]! ? -1 : 1;
    return 0;
  });
  return keyed.map((x) => x.e);
}

/** The current output, prepared as sesam-py prepares it before comparing or writing. */
export function prepareCurrent(current: unknown[], spec: TestSpec, expected: unknown[] | undefined): unknown[] {
  const bl = spec.blacklist.map(fnmatchRegExp);
  let out = current.map((e) => filterEntity(e, bl));
  if (spec.ignoreDeletes) {
    const expectedDeleted = new Set((expected ?? []).filter((e) => (e as Record<string, unknown>)?.['_deleted'] === true).map((e) => (e as Record<string, unknown>)['_id']));
    out = out.filter((e) => (e as Record<string, unknown>)['_deleted'] !== true || expectedDeleted.has((e as Record<string, unknown>)['_id']));
  }
  return sortEntities(out, spec.fieldsToSortBy);
}

export interface Comparison {
  readonly ok: boolean;
  readonly message: string;
  readonly diff: string;
}

export function compareOutputs(expected: unknown[], current: unknown[], spec: TestSpec): Comparison {
  const exp = sortEntities(expected, spec.fieldsToSortBy);
  const cur = prepareCurrent(current, spec, expected);
  const a = pyDumps(exp);
  const b = pyDumps(cur);
  if (exp.length !== cur.length) return { ok: false, message: `Length mismatch: expected ${exp.length} entities, got ${cur.length}`, diff: unifiedDiff(a, b, spec.file, 'current output') };
  if (a !== b) return { ok: false, message: 'Content mismatch', diff: unifiedDiff(a, b, spec.file, 'current output') };
  return { ok: true, message: '', diff: '' };
}

export function expectedText(current: unknown[], spec: TestSpec): string {
  const prepared = prepareCurrent(current, spec, []);
  return expectedFileText(prepared.filter((e) => (e as Record<string, unknown>)['_deleted'] !== true || !spec.ignoreDeletes));
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
