/**
 * JSON text exactly as Python's `json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`
 * writes it, plus sesam-py's HTML escaping of `<`, `>` and `&`: the format of sesam-py's
 * expected-output files, so `dtl test --update` writes byte-identical files.
 */
import { pyFloatRepr } from '@dtl/runtime/functions/json';
import { compareCodePoints } from '@dtl/runtime/values/compare';

/** A number as Python's json.dumps writes it: ints as ints, floats as repr (5e-05, 1e+16). */
export function pyNumber(n: number): string {
  if (Number.isInteger(n) && !Object.is(n, -0)) {
    // Python keeps ints as ints; JSON.parse gave us a number that was written without a point.
    return String(n);
  }
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(n);
}

function pyString(s: string): string {
  // Python escapes the same control characters JSON.stringify does, but writes \u007f raw
  // and uses lower-case hex; JSON.stringify already matches for everything we need.
  return JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16));
}

export function pyDumps(v: unknown, indent = 2, level = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyString(v);
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => pad + pyDumps(x, indent, level + 1)).join(',\n') + '\n' + end + ']';
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort(compareCodePoints);
  if (keys.length === 0) return '{}';
  return '{\n' + keys.map((k) => pad + pyString(k) + ': ' + pyDumps(obj[k], indent, level + 1)).join(',\n') + '\n' + end + '}';
}

/** The expected-file text sesam-py's `update` writes. */
export function expectedFileText(entities: unknown[]): string {
  return (
    pyDumps(entities)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026') + '\n'
  );
}

/** Compact sorted-key JSON, used as a sort key (Python's json.dumps(sort_keys=True)). */
export function sortedJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v === 'number' ? pyNumber(v) : JSON.stringify(v ?? null);
  if (Array.isArray(v)) return '[' + v.map(sortedJson).join(', ') + ']';
  const obj = v as Record<string, unknown>;
  return '{' + Object.keys(obj).sort(compareCodePoints).map((k) => JSON.stringify(k) + ': ' + sortedJson(obj[k])).join(', ') + '}';
}
