/**
 * Dictionary functions: dict, has-key, is-dict, items, key-values, keys, values, path,
 * apply-ns, strip-ns. (`apply` and `apply-hops` are compiled inline.)
 */
import { path as walkPath, pathNs } from '../values/path.js';
import { isDict, setProp, type Dict, type Value } from '../values/types.js';
import { firstValue, mapValues, toList } from './support.js';
import type { FnContext, FunctionTable } from './types.js';

/** A `[key, value]` pair with a string key, or undefined. */
function asPair(x: Value): [string, Value] | undefined {
  if (!Array.isArray(x) || x.length !== 2 || typeof x[0] !== 'string') return undefined;
  return [x[0], x[1]!];
}

/**
 * dict() → {}; dict(ITEMS) → from `[key, value]` pairs (anything else in ITEMS is ignored);
 * dict(K1, V1, K2, V2, …) → from the pairs. Last key wins. Keys must be strings (the entity
 * model only has string keys): a pair with another key is skipped. An odd trailing argument
 * (not a valid call; the checker rejects it) is ignored.
 */
function dict(_cx: FnContext, ...args: Value[]): Value {
  const out: Dict = {};
  if (args.length === 1) {
    for (const x of toList(args[0])) {
      const p = asPair(x);
      if (p) setProp(out, p[0], p[1]);
    }
    return out;
  }
  for (let i = 0; i + 1 < args.length; i += 2) {
    const k = args[i];
    if (typeof k === 'string') setProp(out, k, args[i + 1] === undefined ? null : args[i + 1]!);
  }
  return out;
}

// Only the first value of VALUES is looked at (docs); a non-dict there gives null. A KEY that
// is not a string cannot be a key of a dict, so the answer for a dict is false.
function hasKey(_cx: FnContext, key: Value, values: Value): Value {
  const d = firstValue(values);
  if (!isDict(d)) return null;
  const k = firstValue(key);
  return typeof k === 'string' && Object.prototype.hasOwnProperty.call(d, k);
}

function isDictFn(_cx: FnContext, values: Value): Value {
  return isDict(firstValue(values));
}

function items(_cx: FnContext, dicts: Value): Value {
  const out: Value[] = [];
  for (const d of toList(dicts)) if (isDict(d)) for (const k of Object.keys(d)) out.push([k, d[k]!]);
  return out;
}

/**
 * `{"key": k, "value": v}` per pair of every dict, in one list. The docs show a single dict
 * with a single key giving a single dict, so a non-list input that yields exactly one pair
 * returns that one dict; everything else is a list.
 */
function keyValues(_cx: FnContext, dicts: Value): Value {
  const out: Value[] = [];
  for (const d of toList(dicts)) if (isDict(d)) for (const k of Object.keys(d)) out.push({ key: k, value: d[k]! });
  if (!Array.isArray(dicts) && out.length === 1) return out[0]!;
  return out;
}

function keys(_cx: FnContext, dicts: Value): Value {
  const out: Value[] = [];
  for (const d of toList(dicts)) if (isDict(d)) out.push(...Object.keys(d));
  return out;
}

function values(_cx: FnContext, dicts: Value): Value {
  const out: Value[] = [];
  for (const d of toList(dicts)) if (isDict(d)) for (const k of Object.keys(d)) out.push(d[k]!);
  return out;
}

/**
 * path(PROPERTY_PATH, VALUES): PROPERTY_PATH is a string or a list whose non-string items are
 * ignored (an empty path returns VALUES itself). Namespace-aware when the pipe has namespaced
 * identifiers.
 */
function pathFn(cx: FnContext, pathSpec: Value, values: Value): Value {
  const steps: string[] = [];
  for (const p of toList(pathSpec)) if (typeof p === 'string') steps.push(p);
  return cx.namespaced ? pathNs(values, steps, cx.propertyNamespace) : walkPath(values, steps);
}

// ------------------------------------------------------------------------------ namespaces

interface NsConfig {
  /** null: do not add a namespace. */
  property: string | null;
  identity: string | null;
  skipUnderscore: boolean;
  skipDollar: boolean;
  recursive: boolean;
}

function nsConfig(cx: FnContext, config: Value): NsConfig | undefined {
  const c = firstValue(config);
  if (typeof c === 'string') {
    return { property: c, identity: c, skipUnderscore: true, skipDollar: true, recursive: true };
  }
  if (!isDict(c)) return undefined;
  const ns = (k: string, dflt: string): string | null | undefined => {
    if (!Object.prototype.hasOwnProperty.call(c, k)) return dflt;
    const v = c[k];
    return v === null || typeof v === 'string' ? v : undefined;
  };
  const flag = (k: string, dflt: boolean): boolean => {
    if (!Object.prototype.hasOwnProperty.call(c, k)) return dflt;
    const v = c[k];
    return v === null || v === undefined ? dflt : v !== false;
  };
  const property = ns('property_namespace', cx.propertyNamespace);
  const identity = ns('identity_namespace', cx.identityNamespace);
  if (property === undefined || identity === undefined) return undefined;
  return {
    property,
    identity,
    skipUnderscore: flag('skip_underscore', true),
    skipDollar: flag('skip_dollar', true),
    recursive: flag('recursive', true),
  };
}

/**
 * Adds namespaces like the `add_namespaces` pipe feature: keys without a colon get
 * `<property_namespace>:`; a string `_id` value gets `<identity_namespace>:` (always, even if
 * it contains a colon — ids may); `_`/`$` keys are left as they are, value included, unless
 * the skip flags are off. With `recursive`, nested dicts (also inside lists) get the same
 * treatment, `_id` rule included.
 */
function addNs(d: Dict, c: NsConfig): Dict {
  const out: Dict = {};
  for (const k of Object.keys(d)) {
    let v: Value = d[k] ?? null;
    if (k === '_id' && typeof v === 'string' && c.identity !== null) v = c.identity + ':' + v;
    const skipped = (c.skipUnderscore && k.startsWith('_')) || (c.skipDollar && k.startsWith('$'));
    if (skipped) {
      setProp(out, k, v);
      continue;
    }
    if (c.recursive) v = addNsDeep(v, c);
    setProp(out, k.includes(':') || c.property === null ? k : c.property + ':' + k, v);
  }
  return out;
}

function addNsDeep(v: Value, c: NsConfig): Value {
  if (isDict(v)) return addNs(v, c);
  if (Array.isArray(v)) return v.map((x) => addNsDeep(x, c));
  return v;
}

// Map-style over dicts; non-dicts are dropped (a single one gives null), as is an unusable
// config (neither a string nor a dict, or a namespace that is neither a string nor null).
function applyNs(cx: FnContext, config: Value, values: Value): Value {
  const c = nsConfig(cx, config);
  if (!c) return null;
  return mapValues(values, (x) => (isDict(x) ? addNs(x, c) : undefined));
}

/**
 * Removes the namespace from every key, recursively (into nested dicts and lists): the text
 * after the last colon is the identifier, as in namespace-aware wildcards. Only keys change —
 * the docs speak of keys only, so `_id` and NI values stay as they are. When two keys collapse
 * to the same name the later one (in key order) wins.
 */
function stripNsDeep(v: Value): Value {
  if (Array.isArray(v)) return v.map(stripNsDeep);
  if (!isDict(v)) return v;
  const out: Dict = {};
  for (const k of Object.keys(v)) setProp(out, k.slice(k.lastIndexOf(':') + 1), stripNsDeep(v[k]!));
  return out;
}

function stripNs(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => (isDict(x) ? (stripNsDeep(x) as Dict) : undefined));
}

export const DICTIONARIES: FunctionTable = {
  'dict': dict,
  'has-key': hasKey,
  'is-dict': isDictFn,
  'items': items,
  'key-values': keyValues,
  'keys': keys,
  'values': values,
  'path': pathFn,
  'apply-ns': applyNs,
  'strip-ns': stripNs,
};
