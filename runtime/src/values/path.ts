/**
 * Path navigation (`_S.orders.amount`): a step applied to a list applies to every element,
 * list-valued properties are spliced one level, missing keys and nulls contribute nothing.
 * A single value in gives a single value out; a list in gives a list out.
 */
import { isDict, Typed, type Dict, type Value } from './types.js';

export function step(v: Value | undefined, key: string): Value {
  if (v === null || v === undefined || typeof v !== 'object') return null;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (let i = 0; i < v.length; i++) {
      const e = v[i];
      if (!isDict(e)) continue;
      const x = Object.prototype.hasOwnProperty.call(e, key) ? e[key] : undefined;
      if (x === undefined || x === null) continue;
      if (Array.isArray(x)) {
        for (let j = 0; j < x.length; j++) out.push(x[j]!);
      } else out.push(x);
    }
    return out;
  }
  if (v instanceof Typed) return null;
  const x = Object.prototype.hasOwnProperty.call(v, key) ? (v as Dict)[key] : undefined;
  return x === undefined ? null : x;
}

export function path(v: Value | undefined, keys: readonly string[]): Value {
  let cur: Value = v === undefined ? null : v;
  for (let i = 0; i < keys.length; i++) cur = step(cur, keys[i]!);
  return cur;
}

/**
 * Namespace-aware step (pipes with namespaced identifiers): an unqualified name matches that
 * identifier in every namespace and the matches are unioned; `::name` means exactly `name`;
 * `:name` means `name` in the pipe's property namespace.
 */
export function stepNs(v: Value | undefined, key: string, propertyNs: string): Value {
  if (key.startsWith('::')) return step(v, key.slice(2));
  if (key.startsWith(':')) return step(v, propertyNs + key);
  if (key.includes(':')) return step(v, key);
  if (v === null || v === undefined || typeof v !== 'object' || v instanceof Typed) return null;
  const items = Array.isArray(v) ? v : [v];
  const out: Value[] = [];
  let single: Value | undefined;
  let count = 0;
  for (const e of items) {
    if (!isDict(e)) continue;
    for (const k in e) {
      if (k !== key && !(k.endsWith(':' + key) && k.lastIndexOf(':') === k.length - key.length - 1)) continue;
      const x = e[k];
      if (x === undefined || x === null) continue;
      count++;
      single = x;
      if (Array.isArray(x)) out.push(...x);
      else out.push(x);
    }
  }
  if (!Array.isArray(v) && count === 1) return single!;
  if (!Array.isArray(v) && count === 0) return null;
  return out;
}

export function pathNs(v: Value | undefined, keys: readonly string[], propertyNs: string): Value {
  let cur: Value = v === undefined ? null : v;
  for (let i = 0; i < keys.length; i++) cur = stepNs(cur, keys[i]!, propertyNs);
  return cur;
}
