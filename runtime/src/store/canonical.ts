/**
 * A faster twin of `writeCanonical` (values/json.ts) as strings, for `prepareEntity`
 * (record.ts); the dataset write path now serialises to bytes instead (encoder.ts). It produces byte-identical text (sorted keys, compact, transit
 * encoding, floats that read back as floats) and, in the same pass, notes whether the text
 * holds floats or big integers, i.e. whether the stored record needs the exact reader.
 *
 * The speed comes from not calling JSON.stringify for every key and plain string: keys are
 * memoised, and strings without characters that need escaping are quoted by concatenation.
 */
import { floatJson } from '../values/json.js';
import { Float, Typed, type Dict, type Value } from '../values/types.js';

/** Set when the last serialisation met a Float or a bigint; reset by the caller. */
export const inexact = { seen: false };

const keyCache = new Map<string, string>();
const KEY_CACHE_LIMIT = 50_000;

/** JSON.stringify escapes quotes, backslashes, controls and lone surrogates; the rest is raw. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

export function quoteString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

export function quoteKey(k: string): string {
  let q = keyCache.get(k);
  if (q === undefined) {
    q = quoteString(k);
    if (keyCache.size < KEY_CACHE_LIMIT) keyCache.set(k, q);
  }
  return q;
}

/** Canonical text of one value; sets `inexact.seen` for floats and bigints. */
export function canonical(v: Value | undefined): string {
  switch (typeof v) {
    case 'string':
      return quoteString(v);
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`cannot store the non-finite number ${v} (use a Float)`);
      return String(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      inexact.seen = true;
      return v.toString();
    case 'undefined':
      return 'null';
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    const n = v.length;
    if (n === 0) return '[]';
    let out = '[' + canonical(v[0]);
    for (let i = 1; i < n; i++) out += ',' + canonical(v[i]);
    return out + ']';
  }
  if (v instanceof Typed) {
    if (v instanceof Float) {
      inexact.seen = true;
      return floatJson(v.value);
    }
    const j = v.toJSON();
    return typeof j === 'string' ? quoteString(j) : JSON.stringify(j);
  }
  return canonicalDict(v as Dict);
}

function canonicalDict(d: Dict): string {
  const keys = Object.keys(d);
  const n = keys.length;
  if (n === 0) return '{}';
  if (!isSorted(keys)) keys.sort();
  let k = keys[0]!;
  let out = '{' + quoteKey(k) + ':' + canonical(d[k]);
  for (let i = 1; i < n; i++) {
    k = keys[i]!;
    out += ',' + quoteKey(k) + ':' + canonical(d[k]);
  }
  return out + '}';
}

export function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}
