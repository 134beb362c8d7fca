/**
 * What compiled pipe modules import as `rt`: value constructors, path steps, truthiness and
 * equality, the transforms library and the small control-flow helpers codegen relies on.
 * Keep this surface small and fast: it is on the hot path of every compiled rule.
 */
import { Bytes, Typed, isDict, setProp, type Dict, type Value } from '../values/types.js';
import { valueKey, valuesEqual } from '../values/compare.js';
import { implementationOf } from '../functions/index.js';
import type { FnContext, FunctionImpl } from '../functions/types.js';

export { Float, NI, URI, UUID, DateTime, DateValue } from '../values/types.js';
export { Decimal } from '../values/decimal.js';
export { step, stepNs } from '../values/path.js';
export { truthy } from '../values/compare.js';
export { add, addDefault, copy, copyAll, remove, rename, merge, makeNi, createChild, compilePattern, compilePatterns } from '../functions/transforms.js';

/** Returned by a rule when `discard` stops it: nothing is emitted. */
export const DISCARD: unique symbol = Symbol('discard');

/** Returned by a rule when `filter` stops it: the target, marked for deletion downstream. */
export class Filtered {
  constructor(readonly target: Dict) {}
}

export function filtered(T: Dict): Filtered {
  return new Filtered(T);
}

/** `fail!` and `trip!`: stop the pump run with a message (trip also trips the circuit breaker). */
export class DtlFailure extends Error {
  constructor(message: string, readonly trip: boolean) {
    super(message);
  }
}

export function messageOf(v: Value): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function sleep(seconds: Value): void {
  const s = typeof seconds === 'number' ? seconds : 0;
  if (s > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, s * 1000);
}

export function hasOwn(d: Dict, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(d, k);
}

/** `eq` outside hops: both sides coerced to lists and compared exactly (order and length). */
export function eq(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  const la = a === null || a === undefined ? EMPTY : Array.isArray(a) ? a : [a];
  const lb = b === null || b === undefined ? EMPTY : Array.isArray(b) ? b : [b];
  if (la.length !== lb.length) return false;
  for (let i = 0; i < la.length; i++) if (!valuesEqual(la[i], lb[i])) return false;
  return true;
}

const EMPTY: Value[] = [];

/** Any common value (join semantics); nulls never match. */
export function intersects(a: Value | undefined, b: Value | undefined): boolean {
  const la = a === null || a === undefined ? EMPTY : Array.isArray(a) ? a : [a];
  const lb = b === null || b === undefined ? EMPTY : Array.isArray(b) ? b : [b];
  if (la.length === 0 || lb.length === 0) return false;
  const keys = new Set<string>();
  for (const x of la) if (x !== null) keys.add(valueKey(x));
  for (const y of lb) if (y !== null && keys.has(valueKey(y))) return true;
  return false;
}

/** `apply`: run a rule on each value (a list maps; filtered and discarded results are dropped). */
export function applyRule(values: Value, rule: (x: Value, parent: unknown) => unknown, parent: unknown): Value {
  if (values === null || values === undefined) return null;
  if (Array.isArray(values)) {
    const out: Value[] = [];
    for (let i = 0; i < values.length; i++) {
      const r = rule(values[i]!, parent);
      if (r !== DISCARD && !(r instanceof Filtered)) out.push(r as Value);
    }
    return out;
  }
  const r = rule(values, parent);
  return r === DISCARD || r instanceof Filtered ? null : (r as Value);
}

/** `coalesce-args`: the first argument that is not null, evaluated lazily. */
export function coalesceArgs(...thunks: (() => Value)[]): Value {
  for (const t of thunks) {
    const v = t();
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** `create`: queue every dict for emission after the target. */
export function create(out: Value[] | null, values: Value): void {
  if (!out) return;
  if (Array.isArray(values)) {
    for (const v of values) if (v !== null) out.push(v);
  } else if (values !== null) out.push(values);
}

export function lookupEntity(cx: FnContext, dataset: Value, id: Value): Value {
  if (typeof dataset !== 'string') return null;
  const ids = Array.isArray(id) ? id : [id];
  const found: Value[] = [];
  for (const x of ids) {
    if (typeof x !== 'string') continue;
    const e = cx.lookupEntity(dataset, x);
    if (e) found.push(e);
  }
  if (!Array.isArray(id)) return found[0] ?? null;
  return found;
}

/** The implementation of a library function; compiled modules resolve these once. */
export function fn(name: string): FunctionImpl {
  const f = implementationOf(name);
  if (!f) throw new Error(`The DTL function '${name}' is not implemented by this runtime.`);
  return f;
}

/** Constants are shared by every entity a compiled rule sees: freeze them. */
export function freeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !(v instanceof Typed) && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Array.isArray(v) ? v : Object.values(v as object)) freeze(x);
  }
  return v;
}

export function bytesFromBase64(b64: string): Bytes {
  return new Bytes(new Uint8Array(Buffer.from(b64, 'base64')));
}

export function dictFromEntries(entries: [string, Value][]): Dict {
  const d: Dict = {};
  for (const [k, v] of entries) setProp(d, k, v);
  return d;
}

export { isDict };
