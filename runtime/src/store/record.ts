/**
 * Entity ⇄ stored record line.
 *
 * A stored line is the canonical JSON of the version (sorted keys, compact, transit
 * encoded), metadata included, so an HTTP layer can stream it as is. Because every root key
 * that starts with `_` is dropped on write except `_id` and `_deleted`, the metadata keys
 * (`_deleted _hash _id _previous _ts _updated`, in sorted order) always form one contiguous
 * run between the data keys that sort before `_` and those that sort after it. A version is
 * therefore assembled from three strings computed once per entity: the head (data keys
 * before `_`), the metadata run, and the tail (data keys after `_`).
 *
 * Lines whose JSON holds floats or big integers start with a space: only those go through
 * the exact (slow) parser; everything else is JSON.parse plus transit decoding.
 *
 * Dataset.write does not build these strings: encoder.ts writes the same bytes straight into
 * the log and hashes them in place. `prepareEntity`, `recordLine` and `versionEntity` are the
 * plain string rendering of the layout, kept as the reference the encoder is tested against.
 */
import * as crypto from 'node:crypto';
import { parseJson, STORED } from '../values/json.js';
import { getProp, isDict, setProp, type Dict, type Entity, type Value } from '../values/types.js';
import { canonical, inexact, isSorted, quoteKey, quoteString } from './canonical.js';
import { decodeStored } from './decode.js';

/** An incoming entity, serialised, before change detection decides on it. */
export interface Prepared {
  readonly entity: Dict;
  readonly id: string;
  /** The content's `_deleted` (true for `_filtered` entities, which can only become deletes). */
  readonly deleted: boolean;
  readonly filtered: boolean;
  /** Root keys, sorted: [0, headKeys) are data keys before `_`, [tailKeys, end) data keys after. */
  readonly keys: string[];
  readonly headKeys: number;
  readonly tailKeys: number;
  /**
   * The canonical content: data keys before `_`, `"_deleted":…,"_id":…`, data keys after.
   * `headEnd` is where `"_deleted"` starts, `idStart` where `"_id"` starts, `tailStart` where
   * the data keys after `_id` start.
   */
  readonly content: string;
  readonly headEnd: number;
  readonly idStart: number;
  readonly tailStart: number;
  readonly hash: string;
  readonly inexact: boolean;
}

/** Checks what write() requires before anything is written; throws naming the position. */
export function validateEntity(value: unknown, position: number): void {
  if (!isDict(value)) throw new Error(`entity at position ${position} is not a dict`);
  const id = getProp(value, '_id');
  if (typeof id !== 'string') {
    throw new Error(`entity at position ${position} has no string _id (got ${id === undefined ? 'none' : canonicalOrType(id)})`);
  }
}

/** Marks an entity as a `filter` tombstone: the dataset sink deletes what it replaces. */
export const FILTERED_KEY = '_filtered';

/** Serialises and hashes one validated entity; throws naming its position on unstorable values. */
export function prepareEntity(e: Dict, position: number): Prepared {
  const id = e['_id'] as string;
  const filtered = e[FILTERED_KEY] === true;
  const deleted = filtered || e['_deleted'] === true;
  // Root keys in canonical order; the `_` keys (dropped, or written as metadata) sort
  // between the data keys before `_` and those after it.
  const keys = Object.keys(e);
  if (!isSorted(keys)) keys.sort();
  const n = keys.length;
  inexact.seen = false;
  let c = '{';
  let i = 0;
  try {
    for (; i < n && keys[i]! < '_'; i++) c += quoteKey(keys[i]!) + ':' + canonical(e[keys[i]!]) + ',';
    const headKeys = i;
    while (i < n && keys[i]!.charCodeAt(0) === 95) i++;
    const tailKeys = i;
    const headEnd = c.length;
    c += deleted ? '"_deleted":true,' : '"_deleted":false,';
    const idStart = c.length;
    c += '"_id":' + quoteString(id);
    const tailStart = c.length;
    for (; i < n; i++) c += ',' + quoteKey(keys[i]!) + ':' + canonical(e[keys[i]!]);
    c += '}';
    // Hashing flattens the string once; the record line is then cut from it.
    const hash = crypto.hash('md5', c);
    return { entity: e, id, deleted, filtered, keys, headKeys, tailKeys, content: c, headEnd, idStart, tailStart, hash, inexact: inexact.seen };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`entity at position ${position} (_id ${JSON.stringify(id)}): property ${JSON.stringify(keys[i])}: ${msg}`);
  }
}

function canonicalOrType(v: Value): string {
  try {
    return canonical(v);
  } catch {
    return typeof v;
  }
}

/** The stored line of a version (without the newline). */
export function recordLine(p: Prepared, previous: number | null, ts: number, updated: number): string {
  const c = p.content;
  // `_hash` goes between `_deleted` and `_id`; `_previous`, `_ts`, `_updated` after `_id`.
  return (
    (p.inexact ? ' ' : '') +
    c.slice(0, p.headEnd) +
    (p.deleted ? '"_deleted":true,"_hash":"' : '"_deleted":false,"_hash":"') +
    p.hash +
    '",' +
    c.slice(p.idStart, p.tailStart) +
    ',"_previous":' +
    (previous === null ? 'null' : String(previous)) +
    ',"_ts":' +
    String(ts) +
    ',"_updated":' +
    String(updated) +
    c.slice(p.tailStart)
  );
}

/** The version as an entity (sharing the incoming entity's nested values), keys in stored order. */
export function versionEntity(p: Prepared, previous: number | null, ts: number, updated: number): Entity {
  const e = p.entity;
  const v: Dict = {};
  const keys = p.keys;
  for (let i = 0; i < p.headKeys; i++) setProp(v, keys[i]!, e[keys[i]!]!);
  v['_deleted'] = p.deleted;
  v['_hash'] = p.hash;
  v['_id'] = p.id;
  v['_previous'] = previous;
  v['_ts'] = ts;
  v['_updated'] = updated;
  for (let i = p.tailKeys; i < keys.length; i++) setProp(v, keys[i]!, e[keys[i]!]!);
  return v;
}

/**
 * Parses a stored line back into an entity with every typed value restored. `_id` is always
 * a string, even when it looks like a transit value (`~:…`), so it is taken from the plain
 * JSON parse, before transit decoding.
 */
export function parseLine(line: string): Entity {
  if (line.charCodeAt(0) === 32) {
    const text = line.slice(1);
    const id = (JSON.parse(text) as Dict)['_id'] as string;
    const e = parseJson(text, STORED) as Dict;
    e['_id'] = id;
    return e;
  }
  const e = JSON.parse(line) as Dict;
  if (line.includes('"~')) {
    const id = e['_id'] as string;
    decodeStored(e);
    e['_id'] = id;
  }
  return e;
}

/** The line as served to readers: the exact-reader marker is not part of the JSON. */
export function lineText(line: string): string {
  return line.charCodeAt(0) === 32 ? line.slice(1) : line;
}
