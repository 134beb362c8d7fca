/**
 * String functions. Python semantics where the docs lean on them: lengths, slices and
 * padding count code points (Python `str` indexes code points, JS strings UTF-16 units);
 * the default strip/split whitespace is Python's `str.isspace` set.
 */
import { Decimal } from '../values/decimal.js';
import { Bytes, DateTime, Float, Typed, isDict, type Value } from '../values/types.js';
import { plainText, pyFloatRepr, pyJson } from './json.js';

import { firstValue, indexArg, intArg, mapValues, strArg, toList } from './support.js';
import type { FnContext, FunctionTable } from './types.js';

/** Python's whitespace (`str.isspace`), the default set for strip/lstrip/rstrip/split. */
const PY_WHITESPACE = new Set<number>([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

/** True when a string has astral characters, i.e. code points ≠ UTF-16 units. */
function hasSurrogates(s: string): boolean {
  return /[\ud800-\udfff]/.test(s);
}

export function codePointLength(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// ------------------------------------------------------------------------------ concat, join

// Every argument is list-coerced and its strings concatenated; anything else is ignored
// (docs: `["concat", 123, 3.14]` → `""`).
function concat(_cx: FnContext, ...values: Value[]): Value {
  let out = '';
  for (const v of values) for (const x of toList(v)) if (typeof x === 'string') out += x;
  return out;
}

function join(_cx: FnContext, separator: Value, values: Value): Value {
  const sep = strArg(separator);
  if (sep === undefined) return null;
  const parts: string[] = [];
  for (const x of toList(values)) if (typeof x === 'string') parts.push(x);
  return parts.join(sep);
}

function isString(_cx: FnContext, values: Value): Value {
  return typeof firstValue(values) === 'string';
}

function length(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => (typeof x === 'string' ? codePointLength(x) : undefined));
}

function lower(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => (typeof x === 'string' ? x.toLowerCase() : undefined));
}

function upper(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => (typeof x === 'string' ? x.toUpperCase() : undefined));
}

// ------------------------------------------------------------------------------ padding

function justify(width: Value, fill: Value, values: Value, left: boolean): Value {
  const w = intArg(width);
  const f = strArg(fill);
  // Docs: a non-integer WIDTH or a FILL that is not exactly one character gives null.
  if (w === undefined || f === undefined || codePointLength(f) !== 1) return null;
  if (typeof w === 'bigint') {
    // Beyond 2^53 characters no string can be padded; a huge negative width pads nothing.
    return w < 0n ? mapValues(values, (x) => (typeof x === 'string' ? x : undefined)) : null;
  }
  return mapValues(values, (x) => {
    if (typeof x !== 'string') return undefined;
    const n = codePointLength(x);
    if (n >= w) return x;
    const pad = f.repeat(w - n);
    return left ? x + pad : pad + x;
  });
}

function ljust(_cx: FnContext, width: Value, fill: Value, values: Value): Value {
  return justify(width, fill, values, true);
}

function rjust(_cx: FnContext, width: Value, fill: Value, values: Value): Value {
  return justify(width, fill, values, false);
}

// ------------------------------------------------------------------------------ strip

/**
 * The character set of a strip function: omitted or null → whitespace (Python's `None`);
 * undefined result → an unusable CHARACTERS argument.
 */
function stripSet(chars: Value | undefined): Set<number> | undefined {
  if (chars === undefined || chars === null) return PY_WHITESPACE;
  const s = strArg(chars);
  if (s === undefined) return undefined;
  const set = new Set<number>();
  for (const c of s) set.add(c.codePointAt(0)!);
  return set;
}

function stripOne(s: string, set: Set<number>, left: boolean, right: boolean): string {
  let start = 0;
  let end = s.length;
  if (left) {
    while (start < end) {
      const c = s.codePointAt(start)!;
      if (!set.has(c)) break;
      start += c > 0xffff ? 2 : 1;
    }
  }
  if (right) {
    while (end > start) {
      let c = s.charCodeAt(end - 1);
      let size = 1;
      if (c >= 0xdc00 && c <= 0xdfff && end - 2 >= start) {
        const hi = s.charCodeAt(end - 2);
        if (hi >= 0xd800 && hi <= 0xdbff) {
          c = (hi - 0xd800) * 0x400 + (c - 0xdc00) + 0x10000;
          size = 2;
        }
      }
      if (!set.has(c)) break;
      end -= size;
    }
  }
  return s.slice(start, end);
}

function strip(chars: Value | undefined, values: Value, left: boolean, right: boolean): Value {
  const set = stripSet(chars);
  if (set === undefined) return null;
  return mapValues(values, (x) => (typeof x === 'string' ? stripOne(x, set, left, right) : undefined));
}

function lstripFn(_cx: FnContext, chars: Value | undefined, values: Value): Value {
  return strip(chars, values, true, false);
}

function rstripFn(_cx: FnContext, chars: Value | undefined, values: Value): Value {
  return strip(chars, values, false, true);
}

function stripFn(_cx: FnContext, chars: Value | undefined, values: Value): Value {
  return strip(chars, values, true, true);
}

// ------------------------------------------------------------------------------ matches

/** Glob → anchored regex: only `*` and `?` are special (the docs name just those two). */
export function globToRegExp(pattern: string): RegExp {
  let re = '^';
  for (const c of pattern) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
  }
  // `s`: wildcards also match newlines (Python's fnmatch does); `u`: `?` is one code point.
  return new RegExp(re + '$', 'su');
}

function matches(_cx: FnContext, pattern: Value, values: Value): Value {
  const p = strArg(pattern);
  const items = toList(values);
  if (p === undefined || items.length === 0) return false;
  const re = globToRegExp(p);
  for (const x of items) if (typeof x !== 'string' || !re.test(x)) return false;
  return true;
}

// ------------------------------------------------------------------------------ replace

/** All occurrences; an empty OLD inserts NEW between code points, as Python does. */
function replaceAll(s: string, old: string, repl: string): string {
  if (old !== '') return s.split(old).join(repl);
  return repl + Array.from(s).join(repl) + (s.length > 0 ? repl : '');
}

/**
 * replace(OLD, NEW, VALUES) or replace(MAP, VALUES): the compiler passes the arguments as
 * written, so the count tells the overloads apart. MAP entries are applied one after the
 * other in the dict's key order (what a Python loop of `str.replace` does), so a later key
 * also sees text produced by an earlier replacement; non-string MAP values are skipped.
 */
function replace(_cx: FnContext, ...args: Value[]): Value {
  let pairs: [string, string][];
  let values: Value | undefined;
  if (args.length === 3) {
    const old = strArg(args[0]);
    const repl = strArg(args[1]);
    if (old === undefined || repl === undefined) return null;
    pairs = [[old, repl]];
    values = args[2];
  } else if (args.length === 2) {
    const map = firstValue(args[0]);
    if (!isDict(map)) return null;
    pairs = [];
    for (const k of Object.keys(map)) {
      const v = map[k];
      if (typeof v === 'string') pairs.push([k, v]);
    }
    values = args[1];
  } else {
    return null;
  }
  return mapValues(values, (x) => {
    if (typeof x !== 'string') return undefined;
    let s = x;
    for (const [old, repl] of pairs) s = replaceAll(s, old, repl);
    return s;
  });
}

// ------------------------------------------------------------------------------ split

/** Python `str.split()` without a separator: runs of whitespace, no empty strings. */
function splitWhitespace(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (const c of s) {
    if (PY_WHITESPACE.has(c.codePointAt(0)!)) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur !== '') out.push(cur);
  return out;
}

// Always a list: the pieces of every input string, flattened in order (docs:
// `["split", "-", ["list", "a-b", "c-d", "e"]]` → `["a", "b", "c", "d", "e"]`). An empty
// separator splits into code points; no separator splits on whitespace like Python.
function split(_cx: FnContext, separator: Value | undefined, values: Value): Value {
  let sep: string | undefined;
  if (separator !== undefined && separator !== null) {
    sep = strArg(separator);
    if (sep === undefined) return null;
  }
  const out: Value[] = [];
  for (const x of toList(values)) {
    if (typeof x !== 'string') continue;
    if (sep === undefined) out.push(...splitWhitespace(x));
    else if (sep === '') out.push(...Array.from(x));
    else out.push(...x.split(sep));
  }
  return out;
}

// ------------------------------------------------------------------------------ string

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The `string` cast of one value; undefined when it cannot be made a string (bytes that are
 * not UTF-8). Lists and dicts are JSON without transit encoding; typed values their bare text.
 */
export function toStringValue(x: Value): string | undefined {
  switch (typeof x) {
    case 'string':
      return x;
    case 'number':
      return String(x);
    case 'bigint':
      return x.toString();
    case 'boolean':
      // JSON spelling, so a boolean reads the same alone and inside a list (and round-trips
      // through `boolean`, which accepts any case).
      return x ? 'true' : 'false';
  }
  if (x === null) return undefined;
  if (Array.isArray(x)) return pyJson(x, 'plain');
  if (x instanceof Typed) {
    if (x instanceof Float) return pyFloatRepr(x.value);
    // Changelog: `string` writes decimals without an exponent (1E-3 → "0.001").
    if (x instanceof Decimal) return x.toPlainString();
    if (x instanceof Bytes) {
      try {
        return UTF8.decode(x.data);
      } catch {
        return undefined;
      }
    }
    if (x instanceof DateTime) return x.iso();
    return plainText(x);
  }
  return pyJson(x, 'plain');
}

function string(_cx: FnContext, values: Value): Value {
  return mapValues(values, toStringValue);
}

// ------------------------------------------------------------------------------ substring

/** Python slice bounds for a step of 1. */
function clampIndex(i: number, len: number): number {
  if (i < 0) return Math.max(0, i + len);
  return Math.min(i, len);
}

// Python `s[START:END]` over code points; an END that is omitted or null means "to the end".
function substring(_cx: FnContext, start: Value, end: Value | undefined, values: Value): Value {
  const s0 = indexArg(start);
  if (s0 === undefined) return null;
  let e0: number | undefined;
  if (end !== undefined && end !== null) {
    e0 = indexArg(end);
    if (e0 === undefined) return null;
  }
  return mapValues(values, (x) => {
    if (typeof x !== 'string') return undefined;
    if (!hasSurrogates(x)) {
      const a = clampIndex(s0, x.length);
      const b = e0 === undefined ? x.length : clampIndex(e0, x.length);
      return a < b ? x.slice(a, b) : '';
    }
    const cps = Array.from(x);
    const a = clampIndex(s0, cps.length);
    const b = e0 === undefined ? cps.length : clampIndex(e0, cps.length);
    return a < b ? cps.slice(a, b).join('') : '';
  });
}

export const STRINGS: FunctionTable = {
  'concat': concat,
  'is-string': isString,
  'join': join,
  'length': length,
  'ljust': ljust,
  'lower': lower,
  'lstrip': lstripFn,
  'matches': matches,
  'replace': replace,
  'rjust': rjust,
  'rstrip': rstripFn,
  'split': split,
  'string': string,
  'strip': stripFn,
  'substring': substring,
  'upper': upper,
};
