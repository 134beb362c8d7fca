/**
 * Misc functions: hash128, is-changed, tuples, completeness. (`literal` and `comment` are
 * compiled inline; `lookup-entity` is provided by the runtime.)
 */
import { Bytes, isDict, normInt, type Entity, type Value } from '../values/types.js';
import { intArg } from './support.js';
import { eqValues } from './logic.js';
import { firstValue, mapValues, toList } from './support.js';
import type { FnContext, FunctionTable, Lambda } from './types.js';

// ------------------------------------------------------------------------------ hash128

const M64 = 0xffffffffffffffffn;
const C1 = 0x87c37b91114253d5n;
const C2 = 0x4cf5ad432745937fn;

function rotl64(x: bigint, r: bigint): bigint {
  return ((x << r) | (x >> (64n - r))) & M64;
}

function fmix64(k: bigint): bigint {
  k ^= k >> 33n;
  k = (k * 0xff51afd7ed558ccdn) & M64;
  k ^= k >> 33n;
  k = (k * 0xc4ceb9fe1a85ec53n) & M64;
  k ^= k >> 33n;
  return k;
}

/**
 * MurmurHash3 x64_128 of `data`, returned as the unsigned 128-bit integer h2·2^64 + h1 — the
 * little-endian reading of the digest, which is what Python's `mmh3.hash128` returns.
 */
export function murmur3x64_128(data: Uint8Array, seed: number): bigint {
  const len = data.length;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let h1 = BigInt(seed >>> 0);
  let h2 = h1;
  const nblocks = Math.floor(len / 16);
  for (let i = 0; i < nblocks; i++) {
    let k1 = view.getBigUint64(i * 16, true);
    let k2 = view.getBigUint64(i * 16 + 8, true);
    k1 = (k1 * C1) & M64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & M64;
    h1 ^= k1;
    h1 = rotl64(h1, 27n);
    h1 = (h1 + h2) & M64;
    h1 = (h1 * 5n + 0x52dce729n) & M64;
    k2 = (k2 * C2) & M64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & M64;
    h2 ^= k2;
    h2 = rotl64(h2, 31n);
    h2 = (h2 + h1) & M64;
    h2 = (h2 * 5n + 0x38495ab5n) & M64;
  }
  const tail = nblocks * 16;
  const rest = len & 15;
  let k1 = 0n;
  let k2 = 0n;
  for (let i = rest - 1; i >= 8; i--) k2 |= BigInt(data[tail + i]!) << BigInt((i - 8) * 8);
  if (rest > 8) {
    k2 = (k2 * C2) & M64;
    k2 = rotl64(k2, 33n);
    k2 = (k2 * C1) & M64;
    h2 ^= k2;
  }
  for (let i = Math.min(rest, 8) - 1; i >= 0; i--) k1 |= BigInt(data[tail + i]!) << BigInt(i * 8);
  if (rest > 0) {
    k1 = (k1 * C1) & M64;
    k1 = rotl64(k1, 31n);
    k1 = (k1 * C2) & M64;
    h1 ^= k1;
  }
  const n = BigInt(len);
  h1 ^= n;
  h2 ^= n;
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  h1 = fmix64(h1);
  h2 = fmix64(h2);
  h1 = (h1 + h2) & M64;
  h2 = (h2 + h1) & M64;
  return (h2 << 64n) | h1;
}

/**
 * hash128(ALGORITHM, SEED?, VALUES): map-style over strings (UTF-8) and bytes; other values are
 * dropped. Only "murmur3" exists; another ALGORITHM or a non-integer SEED gives null. The seed
 * is taken modulo 2^32, as mmh3 reads it as a C unsigned int.
 */
function hash128(_cx: FnContext, algorithm: Value, seed: Value | undefined, values: Value): Value {
  if (firstValue(algorithm) !== 'murmur3') return null;
  let s = 0;
  if (seed !== undefined) {
    const x = intArg(seed);
    if (x === undefined) return null;
    s = Number(BigInt.asUintN(32, BigInt(x)));
  }
  return mapValues(values, (x) => {
    if (typeof x === 'string') return normInt(murmur3x64_128(new Uint8Array(Buffer.from(x, 'utf8')), s));
    if (x instanceof Bytes) return normInt(murmur3x64_128(x.data, s));
    return undefined;
  });
}

// ------------------------------------------------------------------------------ is-changed

function isDeleted(v: Value | undefined): boolean {
  return isDict(v) && v['_deleted'] === true;
}

/**
 * The semantics of `is-changed`: null when there is no previous version (or it is unknown,
 * e.g. on a non-dataset source); true when either version is deleted; otherwise whether F
 * differs between the two, compared like `eq` (list-coerced, exact), so null and [] are not a
 * change.
 */
export function isChanged(previous: Entity | null | undefined, current: Value, f: Lambda): boolean | null {
  if (previous === null || previous === undefined) return null;
  if (isDeleted(current) || isDeleted(previous)) return true;
  return !eqValues(f(current), f(previous));
}

/**
 * Registered as `is-changed(cx, F, CURRENT)`: the catalog signature is just F, and the compiler
 * supplies CURRENT — the current source entity — as an extra trailing argument (F is compiled
 * with `_` as its parameter, so this function can evaluate it for both versions). The previous
 * version comes from `cx.previousSource()`.
 */
function isChangedFn(cx: FnContext, f: Lambda, current: Value): Value {
  return isChanged(cx.previousSource(), current === undefined ? null : current, f);
}

// ------------------------------------------------------------------------------ tuples

/** The cartesian product of the list-coerced arguments, nulls ignored; no arguments → []. */
function tuples(_cx: FnContext, ...values: Value[]): Value {
  if (values.length === 0) return [];
  let acc: Value[][] = [[]];
  for (const v of values) {
    const xs = toList(v).filter((x) => x !== null);
    const next: Value[][] = [];
    for (const t of acc) for (const x of xs) next.push([...t, x]);
    acc = next;
    if (acc.length === 0) break;
  }
  return acc;
}

// ------------------------------------------------------------------------------ completeness

function completeness(cx: FnContext, via: Value, dataset: Value): Value {
  const v = firstValue(via);
  const d = firstValue(dataset);
  if (typeof v !== 'string' || typeof d !== 'string') return null;
  return cx.completeness(v, d);
}

export const MISC: FunctionTable = {
  'hash128': hash128,
  'is-changed': isChangedFn,
  'tuples': tuples,
  'completeness': completeness,
};
