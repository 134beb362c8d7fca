/**
 * The DTL transforms that change the target entity: add, add-if (its value part), default,
 * copy, remove, rename, merge, merge-union, make-ni, create-child. Control-flow transforms
 * (if, case, case-eq, filter, discard, fail!, sleep!, trip!, comment) and create are compiled
 * inline. With namespaced identifiers on, names written get the pipe's property namespace,
 * `_id` values the identity namespace, and unqualified names read match every namespace
 * (docs: namespaces; `::x` means exactly `x`, `:x` means `x` in the current namespace).
 */
import { NI, getProp, isDict, setProp, type Dict, type Value } from '../values/types.js';
import { valueKey } from '../values/compare.js';
import type { FnContext } from './types.js';
import { globToRegExp } from './strings.js';

/** A compiled wildcard pattern (`*` any run, `?` one character, whole-name match). */
export interface Pattern {
  readonly text: string;
  /** With namespaces: the namespace part (before the last colon), if the pattern has one. */
  readonly ns?: RegExp;
  /** With namespaces: a `:x` pattern, whose namespace is the pipe's property namespace. */
  readonly current?: boolean;
  readonly id: RegExp;
  /** The whole name, for pipes without namespaces. */
  readonly whole: RegExp;
}

/**
 * With namespaces on, `::x` is exactly `x` (no namespace) and `::ns:x` exactly `ns:x`; `:x`
 * is `x` in the current property namespace; an unqualified pattern matches in every
 * namespace (docs: namespaces, NI escape syntax).
 */
export function compilePattern(text: string): Pattern {
  const whole = globToRegExp(text);
  if (text.startsWith('::')) {
    const exact = text.slice(2);
    const colon = exact.lastIndexOf(':');
    const ns = colon < 0 ? /^$/ : globToRegExp(exact.slice(0, colon));
    return { text, ns, id: globToRegExp(exact.slice(colon + 1)), whole: globToRegExp(exact) };
  }
  if (text.startsWith(':')) return { text, current: true, id: globToRegExp(text.slice(1)), whole };
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { text, id: whole, whole };
  return { text, ns: globToRegExp(text.slice(0, colon)), id: globToRegExp(text.slice(colon + 1)), whole };
}

export function compilePatterns(v: Value | undefined): Pattern[] {
  if (v === null || v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  const out: Pattern[] = [];
  for (const p of list) if (typeof p === 'string') out.push(compilePattern(p));
  return out;
}

function splitName(name: string): [string, string] {
  const i = name.lastIndexOf(':');
  return i < 0 ? ['', name] : [name.slice(0, i), name.slice(i + 1)];
}

/** `currentNs`: the pipe's property namespace when namespaced identifiers are on, else undefined. */
export function matches(p: Pattern, name: string, currentNs: string | undefined): boolean {
  if (currentNs === undefined) return p.whole.test(name);
  const [ns, id] = splitName(name);
  if (p.current) return ns === currentNs && p.id.test(id);
  if (p.ns === undefined) return p.id.test(id);
  return p.ns.test(ns) && p.id.test(id);
}

function anyMatch(ps: readonly Pattern[], name: string, currentNs: string | undefined): boolean {
  for (let i = 0; i < ps.length; i++) if (matches(ps[i]!, name, currentNs)) return true;
  return false;
}

/** The property name a write goes to (namespaced pipes qualify unqualified names). */
function writeName(cx: FnContext, name: string): string {
  if (!cx.namespaced) return name;
  if (name.startsWith('::')) return name.slice(2);
  if (name.startsWith(':')) return cx.propertyNamespace + name;
  if (name.includes(':') || name.startsWith('_') || name.startsWith('$')) return name;
  return cx.propertyNamespace + ':' + name;
}

/** With namespaces on, an `_id` written by DTL is prefixed with the identity namespace. */
function writeValue(cx: FnContext, name: string, v: Value): Value {
  if (!cx.namespaced || name !== '_id' || typeof v !== 'string') return v;
  if (v.startsWith('::')) return v.slice(2);
  return v.includes(':') ? v : cx.identityNamespace + ':' + v;
}

function names(prop: Value): string[] {
  if (typeof prop === 'string') return [prop];
  if (Array.isArray(prop)) return prop.filter((p): p is string => typeof p === 'string');
  return [];
}

export function add(cx: FnContext, T: Dict, prop: Value, value: Value): void {
  for (const n of names(prop)) {
    const name = writeName(cx, n);
    setProp(T, name, writeValue(cx, name, value));
  }
}

export function addDefault(cx: FnContext, T: Dict, prop: Value, value: () => Value): void {
  for (const n of names(prop)) {
    const name = writeName(cx, n);
    if (!Object.prototype.hasOwnProperty.call(T, name)) setProp(T, name, writeValue(cx, name, value()));
  }
}

export function copy(cx: FnContext, S: Value, T: Dict, include: readonly Pattern[], exclude: readonly Pattern[]): void {
  if (!isDict(S)) return;
  const ns = cx.namespaced ? cx.propertyNamespace : undefined;
  for (const k in S) {
    if (!anyMatch(include, k, ns) || (exclude.length > 0 && anyMatch(exclude, k, ns))) continue;
    setProp(T, k, S[k]!);
  }
}

/** `["copy", "*"]` without excludes, the most common statement: a plain shallow copy. */
export function copyAll(S: Value, T: Dict): void {
  if (!isDict(S)) return;
  for (const k in S) setProp(T, k, S[k]!);
}

export function remove(cx: FnContext, T: Dict, patterns: readonly Pattern[]): void {
  const ns = cx.namespaced ? cx.propertyNamespace : undefined;
  for (const k of Object.keys(T)) if (anyMatch(patterns, k, ns)) delete T[k];
}

export function rename(cx: FnContext, S: Value, T: Dict, from: Value, to: Value): void {
  if (!isDict(S) || typeof from !== 'string' || typeof to !== 'string') return;
  if (!cx.namespaced) {
    if (Object.prototype.hasOwnProperty.call(S, from)) setProp(T, to, S[from]!);
    return;
  }
  // A TO with only the identifier part renames the identifier and keeps each namespace;
  // a qualified TO (`ns:x`, `:x` for the current namespace, `::x` for exactly `x`) is one
  // property that collects every value found.
  const single = to.includes(':') || to.startsWith('_') || to.startsWith('$');
  const target = single ? writeName(cx, to) : undefined;
  if (from.includes(':')) {
    const src = from.startsWith('::') ? from.slice(2) : from.startsWith(':') ? cx.propertyNamespace + from : from;
    if (!Object.prototype.hasOwnProperty.call(S, src)) return;
    const ns = splitName(src)[0];
    setProp(T, target ?? (ns ? `${ns}:${to}` : to), S[src]!);
    return;
  }
  const found: [string, Value][] = [];
  for (const k in S) {
    const [ns, id] = splitName(k);
    if (id === from) found.push([ns, S[k]!]);
  }
  if (found.length === 0) return;
  if (target !== undefined) {
    setProp(T, target, found.length === 1 ? found[0]![1] : found.map((f) => f[1]));
    return;
  }
  for (const [ns, v] of found) setProp(T, ns ? `${ns}:${to}` : to, v);
}

function mergeOne(T: Dict, d: Dict, union: boolean): void {
  for (const k in d) {
    if (k.charCodeAt(0) === 95) continue; // root `_` properties are skipped
    const v = d[k]!;
    if (union && Object.prototype.hasOwnProperty.call(T, k)) {
      const cur = T[k]!;
      const list: Value[] = Array.isArray(cur) ? cur.slice() : [cur];
      const seen = new Set(list.map(valueKey));
      for (const x of Array.isArray(v) ? v : [v]) {
        const key = valueKey(x);
        if (!seen.has(key)) {
          seen.add(key);
          list.push(x);
        }
      }
      setProp(T, k, list);
    } else setProp(T, k, v);
  }
}

export function merge(T: Dict, values: Value, union: boolean): void {
  if (isDict(values)) mergeOne(T, values, union);
  else if (Array.isArray(values)) for (const v of values) if (isDict(v)) mergeOne(T, v, union);
}

/**
 * make-ni: string values of FROM become NIs in NAMESPACE, written to TO (default FROM-ni).
 * With namespaces on, the written property keeps the namespace of the property it was read
 * from (docs: `["make-ni", "soccer", "x:referee", "ref"]` writes `x:ref`); a qualified TO
 * collects every value into that one property.
 */
export function makeNi(cx: FnContext, S: Value, T: Dict, namespace: Value, from: Value, to: Value | undefined): void {
  if (!isDict(S) || typeof namespace !== 'string' || typeof from !== 'string') return;
  const convert = (v: Value): Value | undefined => {
    const items = Array.isArray(v) ? v : [v];
    const nis = items.filter((x): x is string => typeof x === 'string').map((x) => `${namespace}:${x}`).sort();
    if (nis.length === 0) return undefined;
    const out = nis.map((t) => new NI(t));
    return Array.isArray(v) ? out : out[0]!;
  };
  const toText = typeof to === 'string' ? to : undefined;
  if (!cx.namespaced) {
    const v = getProp(S, from);
    if (v === undefined) return;
    const r = convert(v);
    if (r !== undefined) setProp(T, toText ?? `${from}-ni`, r);
    return;
  }
  const qualifiedTo = toText !== undefined && toText.includes(':') && !toText.startsWith(':');
  const sources: [string, Value][] = [];
  if (from.includes(':')) {
    if (Object.prototype.hasOwnProperty.call(S, from)) sources.push([from, S[from]!]);
  } else {
    for (const k in S) if (splitName(k)[1] === from) sources.push([k, S[k]!]);
  }
  const collected: Value[] = [];
  for (const [k, v] of sources) {
    const r = convert(v);
    if (r === undefined) continue;
    if (qualifiedTo) {
      collected.push(...(Array.isArray(r) ? r : [r]));
      continue;
    }
    const [ns, id] = splitName(k);
    const targetId = toText ?? `${id}-ni`;
    setProp(T, ns ? `${ns}:${targetId}` : targetId, r);
  }
  if (qualifiedTo && collected.length > 0) setProp(T, toText!, collected.length === 1 ? collected[0]! : collected);
}

/**
 * `idRequired` (the transform's id_required, default true): a value that is not a dict with
 * a string `_id` fails the transform; with false it is ignored (changelog: create-child).
 */
export function createChild(T: Dict, values: Value, idRequired = true): void {
  const add = Array.isArray(values) ? values : [values];
  const cur = T['$children'];
  const list: Value[] = cur === undefined || cur === null ? [] : Array.isArray(cur) ? cur.slice() : [cur];
  const seen = new Set(list.map(valueKey));
  for (const v of add) {
    if (v === null) continue;
    if (!isDict(v) || typeof v['_id'] !== 'string') {
      if (!idRequired) continue;
      const what = isDict(v) ? 'a dict without a string _id' : Array.isArray(v) ? 'a list' : `a ${typeof v === 'object' ? 'typed value' : typeof v}`;
      throw new Error(`create-child was given ${what}, not an entity (set "id_required": false to ignore such values)`);
    }
    const key = valueKey(v);
    if (!seen.has(key)) {
      seen.add(key);
      list.push(v);
    }
  }
  setProp(T, '$children', list);
}

