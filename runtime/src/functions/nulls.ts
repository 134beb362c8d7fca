/**
 * Null functions. DTL has several notions of "null": `is-null` (and `if-null`) look only at
 * the first element of a list, so `[]`, `[null]` and `[null, 123]` are all null; `coalesce`
 * skips null elements; `coalesce-args` skips null arguments but keeps `[]`.
 */
import { truthy } from '../values/compare.js';
import type { Value } from '../values/types.js';
import { toList } from './support.js';
import type { FnContext, FunctionTable, Lambda } from './types.js';

/** null, [] or a list whose first element is null (docs: is-null). */
export function isNullValue(v: Value | undefined): boolean {
  if (v === null || v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0 || v[0] === null || v[0] === undefined;
  return false;
}

// The first non-null element of VALUES; with FUNCTION, the first element for which it is
// truthy. Null when there is none.
function coalesce(_cx: FnContext, f: Lambda | undefined, values: Value): Value {
  for (const x of toList(values)) {
    if (f ? truthy(f(x)) : x !== null) return x;
  }
  return null;
}

/**
 * Eager form of `coalesce-args` (codegen normally compiles the lazy one inline): the first
 * argument that is not null. `[]` is a value, not null (docs).
 */
function coalesceArgs(_cx: FnContext, ...values: Value[]): Value {
  for (const v of values) if (v !== null && v !== undefined) return v;
  return null;
}

function ifNull(_cx: FnContext, value: Value, fallback: Value): Value {
  if (isNullValue(value)) return fallback === undefined ? null : fallback;
  return value;
}

function isNull(_cx: FnContext, values: Value): Value {
  return isNullValue(values);
}

function isNotNull(_cx: FnContext, values: Value): Value {
  return !isNullValue(values);
}

export const NULLS: FunctionTable = {
  'coalesce': coalesce,
  'coalesce-args': coalesceArgs,
  'if-null': ifNull,
  'is-not-null': isNotNull,
  'is-null': isNull,
};
