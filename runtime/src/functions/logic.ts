/**
 * Boolean logic, booleans and comparisons.
 *
 * `and`/`or`/`not` here are the eager forms over evaluated arguments (codegen compiles the
 * short-circuiting ones inline); all of them judge by DTL truthiness (only false, null and []
 * are false).
 *
 * Comparisons: `eq`/`neq` list-coerce both sides and compare the lists exactly (order and
 * length matter, 1 equals 1.0). `gt`/`gte`/`lt`/`lte` compare the FIRST value of each side and
 * are false when either side is null or empty, or when the two first values are not of
 * comparable types. Comparable means the same rank of the mixed-type order: numbers with
 * numbers (int, float, decimal), dates/datetimes with each other, strings with strings (by
 * code point), booleans with booleans, UUIDs, NIs, URIs, bytes, lists and dicts each with
 * their own kind — ordered as `sorted` orders them. A NaN float compares false with anything.
 */
import { compareValues, rankOf, truthy, valuesEqual } from '../values/compare.js';
import { Float, type Value } from '../values/types.js';
import { castValues, firstValue, toList } from './support.js';
import type { FnContext, FunctionTable, Lambda } from './types.js';

// ------------------------------------------------------------------------------ boolean logic

function and(_cx: FnContext, ...args: Value[]): Value {
  for (const a of args) if (!truthy(a)) return false;
  return true;
}

function or(_cx: FnContext, ...args: Value[]): Value {
  for (const a of args) if (truthy(a)) return true;
  return false;
}

// The negation of `and` over all arguments (docs: "behaves like and, but returns the inverse").
function not(cx: FnContext, ...args: Value[]): Value {
  return !and(cx, ...args);
}

// Vacuous truth: `all` of nothing is true and `any` of nothing is false (Python all/any).
function all(_cx: FnContext, f: Lambda | undefined, values: Value): Value {
  for (const x of toList(values)) if (!truthy(f ? f(x) : x)) return false;
  return true;
}

function any(_cx: FnContext, f: Lambda | undefined, values: Value): Value {
  for (const x of toList(values)) if (truthy(f ? f(x) : x)) return true;
  return false;
}

// ------------------------------------------------------------------------------ booleans

/** Booleans pass; strings "true"/"false" in any case convert; everything else fails. */
function castBoolean(x: Value): Value | undefined {
  if (typeof x === 'boolean') return x;
  if (typeof x === 'string') {
    const s = x.toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return undefined;
}

function boolean(_cx: FnContext, fallback: Lambda | undefined, values: Value): Value {
  return castValues(values, castBoolean, fallback);
}

function isBoolean(_cx: FnContext, values: Value): Value {
  return typeof firstValue(values) === 'boolean';
}

// ------------------------------------------------------------------------------ comparisons

/** `eq` as a comparison: both sides list-coerced, then compared element by element. */
export function eqValues(a: Value | undefined, b: Value | undefined): boolean {
  const x = toList(a);
  const y = toList(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!valuesEqual(x[i], y[i])) return false;
  return true;
}

function eq(_cx: FnContext, a: Value, b: Value): Value {
  return eqValues(a, b);
}

function neq(_cx: FnContext, a: Value, b: Value): Value {
  return !eqValues(a, b);
}

/** Order of the first values, or undefined when they cannot be compared (see the header). */
export function compareFirst(a: Value | undefined, b: Value | undefined): number | undefined {
  const x = firstValue(a);
  const y = firstValue(b);
  if (x === undefined || y === undefined || x === null || y === null) return undefined;
  if (rankOf(x) !== rankOf(y)) return undefined;
  if ((x instanceof Float && Number.isNaN(x.value)) || (y instanceof Float && Number.isNaN(y.value))) return undefined;
  return compareValues(x, y);
}

function gt(_cx: FnContext, a: Value, b: Value): Value {
  const c = compareFirst(a, b);
  return c !== undefined && c > 0;
}

function gte(_cx: FnContext, a: Value, b: Value): Value {
  const c = compareFirst(a, b);
  return c !== undefined && c >= 0;
}

function lt(_cx: FnContext, a: Value, b: Value): Value {
  const c = compareFirst(a, b);
  return c !== undefined && c < 0;
}

function lte(_cx: FnContext, a: Value, b: Value): Value {
  const c = compareFirst(a, b);
  return c !== undefined && c <= 0;
}

export const LOGIC: FunctionTable = {
  'all': all,
  'any': any,
  'and': and,
  'or': or,
  'not': not,
  'boolean': boolean,
  'is-boolean': isBoolean,
  'eq': eq,
  'neq': neq,
  'gt': gt,
  'gte': gte,
  'lt': lt,
  'lte': lte,
};
