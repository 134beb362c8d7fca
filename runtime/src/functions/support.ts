/**
 * Shared value-shape helpers for function implementations: list coercion, first values,
 * map-style application with silent dropping, first occurrences by DTL equality.
 */
import { valueKey } from '../values/compare.js';
import type { Value } from '../values/types.js';

/** null → [], scalar → [scalar], list → itself. */
export function toList(v: Value | undefined): Value[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** The first value of a list, or the value itself; undefined for null or []. */
export function firstValue(v: Value | undefined): Value | undefined {
  if (Array.isArray(v)) return v.length > 0 ? v[0] : undefined;
  return v === null ? undefined : v;
}

/** The first value as a string argument, or undefined. */
export function strArg(v: Value | undefined): string | undefined {
  const x = firstValue(v);
  return typeof x === 'string' ? x : undefined;
}

/** The first value as an integer argument (floats do not count), or undefined. */
export function intArg(v: Value | undefined): number | bigint | undefined {
  const x = firstValue(v);
  if (typeof x === 'number') return Number.isInteger(x) ? x : undefined;
  if (typeof x === 'bigint') return x;
  return undefined;
}

/** An integer argument as an index: bigints are far outside any list, so a JS number does. */
export function indexArg(v: Value | undefined): number | undefined {
  const x = intArg(v);
  return typeof x === 'bigint' ? Number(x) : x;
}

/**
 * Map-style application: a list maps element-wise, dropping elements the function rejects
 * (returns undefined); a single value maps to the result or null when rejected; null stays null.
 */
export function mapValues(v: Value | undefined, f: (x: Value) => Value | undefined): Value {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (let i = 0; i < v.length; i++) {
      const r = f(v[i]!);
      if (r !== undefined) out.push(r);
    }
    return out;
  }
  const r = f(v);
  return r === undefined ? null : r;
}

/**
 * Cast-style application with a DEFAULT: a value that fails the cast is replaced by
 * default(value) when a default is given, otherwise dropped. null inputs are skipped.
 */
export function castValues(v: Value | undefined, cast: (x: Value) => Value | undefined, fallback: ((x: Value) => Value) | undefined): Value {
  if (v === null || v === undefined) return null;
  const one = (x: Value): Value | undefined => {
    if (x === null) return undefined;
    const r = cast(x);
    if (r !== undefined) return r;
    return fallback ? fallback(x) : undefined;
  };
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (const x of v) {
      const r = one(x);
      if (r !== undefined) out.push(r);
    }
    return out;
  }
  const r = one(v);
  return r === undefined ? null : r;
}

/** The first occurrence of each value, by DTL equality of `key(x)` (default: the value itself). */
export function firstOccurrences(values: readonly Value[], key: (x: Value) => Value = (x) => x): Value[] {
  const seen = new Set<string>();
  const out: Value[] = [];
  for (const x of values) {
    const k = valueKey(key(x));
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(x);
  }
  return out;
}
