/**
 * List functions. Inputs are list-coerced (null → [], scalar → [scalar]) unless the docs say
 * a non-list passes through (`first`, `last`, `nth`, `sorted`); ordering is the documented
 * mixed-type order (compareValues) and sorting is stable; set-like operations key values
 * with valueKey, so 1, 1.0 and 1.00 are the same value. Index arguments follow Python
 * (`insert`, `slice` and `nth` accept negative indexes counted from the end).
 */
import { compareValues, truthy, valueKey } from '../values/compare.js';
import { add, asNum, type Num } from '../values/numeric.js';
import { getProp, isDict, normInt, setProp, type Dict, type Value } from '../values/types.js';
import { encodeTop } from './json.js';
import { firstOccurrences, indexArg, intArg, mapValues, toList } from './support.js';
import type { FnContext, FunctionTable, Lambda } from './types.js';

// ------------------------------------------------------------------------------ argument helpers

/** Lambda results may come from compiled code; treat a stray undefined as null. */
function call(f: Lambda, x: Value): Value {
  const r = f(x);
  return r === undefined ? null : r;
}

// ------------------------------------------------------------------------------ building lists

// Arguments are spliced one level: lists contribute their elements, null nothing
// (docs: `["combine", null]` → `[]`, `["combine", 1, ["list", 2, 3, ["list", 4]]]` → `[1, 2, 3, [4]]`).
function combine(_cx: FnContext, ...values: Value[]): Value {
  const out: Value[] = [];
  for (const v of values) {
    if (Array.isArray(v)) out.push(...v);
    else if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

function list(_cx: FnContext, ...values: Value[]): Value {
  return values.map((v) => (v === undefined ? null : v));
}

// One level only, into a new list; non-list items are kept as they are.
function flatten(_cx: FnContext, values: Value): Value {
  const out: Value[] = [];
  for (const x of toList(values)) {
    if (Array.isArray(x)) out.push(...x);
    else out.push(x);
  }
  return out;
}

/** Python `range(start, stop, step)`; null when an argument is not an integer or STEP is 0. */
function range(_cx: FnContext, start: Value, stop: Value, step: Value | undefined): Value {
  const a = intArg(start);
  const b = intArg(stop);
  const s = step === undefined ? 1 : intArg(step);
  if (a === undefined || b === undefined || s === undefined) return null;
  if (s === 0 || s === 0n) return null;
  const out: Value[] = [];
  if (typeof a === 'number' && typeof b === 'number' && typeof s === 'number') {
    if (s > 0) for (let i = a; i < b; i += s) out.push(i);
    else for (let i = a; i > b; i += s) out.push(i);
    return out;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  const z = BigInt(s);
  if (z > 0n) for (let i = x; i < y; i += z) out.push(normInt(i));
  else for (let i = x; i > y; i += z) out.push(normInt(i));
  return out;
}

// Python `list.insert`: OBJECT goes in as one element; an index past either end clamps.
function insert(_cx: FnContext, index: Value, values: Value, object: Value): Value {
  const i0 = indexArg(index);
  if (i0 === undefined) return null;
  const out = toList(values).slice();
  const n = out.length;
  let i = i0 < 0 ? i0 + n : i0;
  if (i < 0) i = 0;
  if (i > n) i = n;
  out.splice(i, 0, object === undefined ? null : object);
  return out;
}

// ------------------------------------------------------------------------------ element access

function count(_cx: FnContext, values: Value): Value {
  return toList(values).length;
}

function first(_cx: FnContext, values: Value): Value {
  if (Array.isArray(values)) return values.length > 0 ? values[0]! : null;
  return values === undefined ? null : values;
}

function last(_cx: FnContext, values: Value): Value {
  if (Array.isArray(values)) return values.length > 0 ? values[values.length - 1]! : null;
  return values === undefined ? null : values;
}

// Zero-based; a negative INDEX counts from the end like Python indexing. A non-list VALUES is
// only returned for INDEX 0 (docs); anything out of bounds is null.
function nth(_cx: FnContext, index: Value, values: Value): Value {
  const i = indexArg(index);
  if (i === undefined || values === null || values === undefined) return null;
  if (!Array.isArray(values)) return i === 0 ? values : null;
  const j = i < 0 ? i + values.length : i;
  return j >= 0 && j < values.length ? values[j]! : null;
}

function isEmpty(_cx: FnContext, values: Value): Value {
  return toList(values).length === 0;
}

function isNotEmpty(_cx: FnContext, values: Value): Value {
  return toList(values).length > 0;
}

function isList(_cx: FnContext, values: Value): Value {
  return Array.isArray(values);
}

// `in` is a subset test: every value of VALUES must occur in ITEMS; an empty VALUES is false.
function inFn(_cx: FnContext, values: Value, items: Value): Value {
  const vs = toList(values);
  if (vs.length === 0) return false;
  const keys = new Set(toList(items).map(valueKey));
  for (const v of vs) if (!keys.has(valueKey(v))) return false;
  return true;
}

// ------------------------------------------------------------------------------ reordering

/** Python slice semantics over list-coerced VALUES; null for a non-integer bound or STRIDE 0. */
function slice(_cx: FnContext, start: Value, end: Value | undefined, stride: Value | undefined, values: Value): Value {
  const opt = (v: Value | undefined): number | undefined | null => {
    // Omitted or null means "default" (Python's None); null marks an unusable argument.
    if (v === undefined || v === null) return undefined;
    const i = indexArg(v);
    return i === undefined ? null : i;
  };
  const st = opt(start);
  const en = opt(end);
  const sp = opt(stride);
  if (st === null || en === null || sp === null || sp === 0) return null;
  const xs = toList(values);
  const n = xs.length;
  const step = sp ?? 1;
  const lower = step > 0 ? 0 : -1;
  const upper = step > 0 ? n : n - 1;
  const bound = (i: number | undefined, dflt: number): number => {
    if (i === undefined) return dflt;
    if (i < 0) return Math.max(i + n, lower);
    return Math.min(i, upper);
  };
  const a = bound(st, step > 0 ? lower : upper);
  const b = bound(en, step > 0 ? upper : lower);
  const out: Value[] = [];
  if (step > 0) for (let i = a; i < b; i += step) out.push(xs[i]!);
  else for (let i = a; i > b; i += step) out.push(xs[i]!);
  return out;
}

// A non-list is returned as it is, like `sorted` does (the docs only say "reversed order").
function reversed(_cx: FnContext, values: Value): Value {
  if (!Array.isArray(values)) return values === undefined ? null : values;
  return values.slice().reverse();
}

/** Stable sort by the mixed-type order of the keys; `descending` keeps ties in input order. */
function sortBy(xs: Value[], f: Lambda | undefined, descending: boolean): Value[] {
  const keyed = xs.map((x) => ({ x, k: f ? call(f, x) : x }));
  // Array.prototype.sort is stable; a reversed comparator keeps equal items in input order,
  // which is what Python's sorted(..., reverse=True) does.
  keyed.sort(descending ? (p, q) => compareValues(q.k, p.k) : (p, q) => compareValues(p.k, q.k));
  return keyed.map((p) => p.x);
}

function sorted(_cx: FnContext, f: Lambda | undefined, values: Value): Value {
  if (!Array.isArray(values)) return values === undefined ? null : values;
  return sortBy(values, f, false);
}

function sortedDescending(_cx: FnContext, f: Lambda | undefined, values: Value): Value {
  if (!Array.isArray(values)) return values === undefined ? null : values;
  return sortBy(values, f, true);
}

/** The item with the extreme key; the first one wins a tie (as Python's min/max). */
function extreme(f: Lambda | undefined, values: Value, sign: 1 | -1): Value {
  const xs = toList(values);
  if (xs.length === 0) return null;
  let best = xs[0]!;
  let bestKey = f ? call(f, best) : best;
  for (let i = 1; i < xs.length; i++) {
    const k = f ? call(f, xs[i]!) : xs[i]!;
    if (compareValues(k, bestKey) * sign > 0) {
      best = xs[i]!;
      bestKey = k;
    }
  }
  return best;
}

function max(_cx: FnContext, f: Lambda | undefined, values: Value): Value {
  return extreme(f, values, 1);
}

function min(_cx: FnContext, f: Lambda | undefined, values: Value): Value {
  return extreme(f, values, -1);
}

// ------------------------------------------------------------------------------ per-item functions

function distinct(_cx: FnContext, f: Lambda | undefined, values: Value): Value {
  return firstOccurrences(toList(values), f ? (x) => call(f, x) : undefined);
}

// Map-style: a single value gives one {key, value} dict, a list a list of them (docs).
function enumerate(_cx: FnContext, start: Value | undefined, values: Value): Value {
  const s = start === undefined ? 0 : intArg(start);
  if (s === undefined) return null;
  let i = 0;
  return mapValues(values, (x) => {
    const key = typeof s === 'number' && Number.isSafeInteger(s + i) ? s + i : normInt(BigInt(s) + BigInt(i));
    i++;
    return { key, value: x };
  });
}

function filter(_cx: FnContext, f: Lambda, values: Value): Value {
  return toList(values).filter((x) => truthy(call(f, x)));
}

// Always a list of the results (docs: "construct a new list of the return values"); results
// are kept as they are, nulls included.
function map(_cx: FnContext, f: Lambda, values: Value): Value {
  // A plain loop: this runs per entity in most pipes, where a closure per call shows.
  if (values === null || values === undefined) return [];
  if (!Array.isArray(values)) return [call(f, values)];
  const out: Value[] = new Array<Value>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = call(f, values[i]!);
  return out;
}

/**
 * Map-style over dicts: each dict is rebuilt with KEY_F(key) → VALUE_F(value); pairs whose new
 * key is not a string are dropped and dicts that end up empty are left out (docs). Non-dicts
 * are dropped too.
 */
function mapDict(_cx: FnContext, keyF: Lambda, valueF: Lambda, values: Value): Value {
  return mapValues(values, (x) => {
    if (!isDict(x)) return undefined;
    const out: Dict = {};
    let n = 0;
    for (const k of Object.keys(x)) {
      const nk = call(keyF, k);
      if (typeof nk !== 'string') continue;
      setProp(out, nk, call(valueF, x[k]!));
      n++;
    }
    return n > 0 ? out : undefined;
  });
}

// The values of every dict, mapped, in one flat list (a single dict too, per the docs).
function mapValuesFn(_cx: FnContext, f: Lambda, values: Value): Value {
  const out: Value[] = [];
  for (const x of toList(values)) {
    if (!isDict(x)) continue;
    for (const k of Object.keys(x)) out.push(call(f, x[k]!));
  }
  return out;
}

// ------------------------------------------------------------------------------ grouping

/** `[[key, [VALUE_F(item)…]], …]` in first-seen key order. */
function group(_cx: FnContext, keyF: Lambda, valueF: Lambda, values: Value): Value {
  const groups = new Map<string, [Value, Value[]]>();
  for (const x of toList(values)) {
    const k = call(keyF, x);
    const id = valueKey(k);
    let g = groups.get(id);
    if (!g) {
      g = [k, []];
      groups.set(id, g);
    }
    g[1].push(call(valueF, x));
  }
  return Array.from(groups.values(), ([k, vs]) => [k, vs]);
}

/**
 * A dict from string key to the items with that key. The key is the transit JSON of
 * KEY_F(item) (as `json-transit` writes it: `3` → "3", "A" → "\"A\""), or STRING_F(key) when
 * STRING_F is given and yields a string (otherwise its transit JSON). Without KEY_F the item
 * itself is the key.
 */
function groupBy(_cx: FnContext, keyF: Lambda | undefined, stringF: Lambda | undefined, values: Value): Value {
  const out: Dict = {};
  for (const x of toList(values)) {
    const k = keyF ? call(keyF, x) : x;
    let s: Value = k;
    if (stringF) s = call(stringF, k);
    const key = typeof s === 'string' && stringF ? s : encodeTop(s, 'transit');
    const existing = getProp(out, key);
    if (Array.isArray(existing)) existing.push(x);
    else setProp(out, key, [x]);
  }
  return out;
}

// ------------------------------------------------------------------------------ sum

// Numbers only (booleans are not numbers); types promote as in arithmetic and decimals keep
// their scale. An empty sum is the integer 0.
function sum(_cx: FnContext, values: Value): Value {
  let total: Num = 0;
  const list = toList(values);
  for (let i = 0; i < list.length; i++) {
    const n = asNum(list[i]);
    if (n === undefined) continue;
    const r = add(total, n);
    if (r !== undefined) total = r;
  }
  return total;
}

export const LISTS: FunctionTable = {
  'combine': combine,
  'count': count,
  'distinct': distinct,
  'enumerate': enumerate,
  'filter': filter,
  'first': first,
  'flatten': flatten,
  'group': group,
  'group-by': groupBy,
  'in': inFn,
  'insert': insert,
  'is-empty': isEmpty,
  'is-list': isList,
  'is-not-empty': isNotEmpty,
  'last': last,
  'list': list,
  'map': map,
  'map-dict': mapDict,
  'map-values': mapValuesFn,
  'max': max,
  'min': min,
  'nth': nth,
  'range': range,
  'reversed': reversed,
  'slice': slice,
  'sorted': sorted,
  'sorted-descending': sortedDescending,
  'sum': sum,
};
