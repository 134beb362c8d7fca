/**
 * Sources the local runtime runs: dataset, embedded, empty, json and csv (local files or
 * http(s) through a system:url), union_datasets and merge_datasets. (http_endpoint pipes are
 * fed by the receiver API or `dtl push`, not pumped.)
 *
 * A source read yields entities and records how far it got, so the pipe's state can be
 * committed after the sink; `full` reads see everything the source has (the sink then does
 * deletion tracking).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Dataset, Store } from '../store/index.js';
import { parseJson, STORED } from '../values/json.js';
import { isDict, setProp, type Dict, type Entity, type Value } from '../values/types.js';
import { parseJsonValues } from './json-stream.js';
import type { WrittenVersions } from './written-cache.js';
import type { ManifestSource, ManifestSystem } from './manifest.js';
import { systemUrl } from './system-url.js';

export interface SourceState {
  /** Per dataset: the last `_updated` consumed (continuation). */
  since: Record<string, number>;
  /** For file sources: what the file looked like when last read completely. */
  fileStamp?: string;
  /** For json sources with supports_since over a local JSON-lines file: bytes consumed. */
  fileOffset?: number;
  /** Fingerprint of the bytes just before `fileOffset` (detects a rewritten file). */
  fileCheck?: string;
}

export interface SourceRead {
  /** Reads everything the source has (not a continuation). */
  readonly full: boolean;
  /** The entities, in order, in chunks (an async step per entity would cost more than a transform). */
  readonly entities: AsyncIterable<Entity[]>;
  /** The state to commit after everything read so far has reached the sink. */
  progress(): SourceState;
  /** True when the read was skipped because nothing changed (no deletion tracking then). */
  skipped?(): boolean;
}

export interface SourceEnv {
  readonly store: Store;
  readonly written?: WrittenVersions;
  readonly projectRoot: string;
  readonly systems: ReadonlyMap<string, ManifestSystem>;
  readonly pipeId: string;
}

export class SourceError extends Error {}

export function openSource(src: ManifestSource, env: SourceEnv, state: SourceState): SourceRead | undefined {
  switch (src.type) {
    case 'dataset':
      return datasetSource(src, env, state);
    case 'embedded':
      return onceSource(state, async function* () {
        const v = parseJson(src.embedded ?? '[]', STORED);
        yield (Array.isArray(v) ? v : [v]).map((e) => checkEntity(e, env.pipeId, 'embedded source'));
      });
    case 'empty':
      return onceSource(state, async function* () {});
    case 'json':
    case 'csv':
      return fileOrUrlSource(src, env, state);
    case 'union_datasets':
      return unionSource(src, env, state);
    case 'merge_datasets':
      return mergeSource(src, env, state);
    case 'http_endpoint':
      return undefined;
  }
  throw new SourceError(`Pipe '${env.pipeId}': the ${src.type} source is not supported by the local runtime.`);
}

/**
 * Source entities must be objects. They may lack `_id` (the docs' getting-started config has
 * embedded entities that DTL gives an `_id`); the pipe fails later if nothing sets one. An
 * `_id` that is there must be a string.
 */
function checkEntity(v: Value, pipeId: string, where: string): Entity {
  if (!isDict(v)) throw new SourceError(`Pipe '${pipeId}': the ${where} produced ${Array.isArray(v) ? 'a list' : JSON.stringify(v)} where an entity (an object) was expected.`);
  const id = v['_id'];
  if (id !== undefined && typeof id !== 'string') throw new SourceError(`Pipe '${pipeId}': an entity from the ${where} has an "_id" that is not a string (${JSON.stringify(id)}).`);
  return v;
}

/** Chunks of entities from a plain iterator. */
export function* chunks<T>(items: Iterable<T>, size = CHUNK): Generator<T[]> {
  let chunk: T[] = [];
  for (const x of items) {
    chunk.push(x);
    if (chunk.length >= size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

const CHUNK = 2000;

function onceSource(state: SourceState, gen: () => AsyncGenerator<Entity[]>): SourceRead {
  return { full: true, entities: gen(), progress: () => ({ ...state }) };
}

function datasetSource(src: ManifestSource, env: SourceEnv, state: SourceState): SourceRead {
  const id = src.dataset!;
  const cfg = src.config;
  const supportsSince = cfg.supports_since !== false;
  const latestOnly = cfg.include_previous_versions !== true;
  const start = supportsSince ? state.since[id] ?? -1 : -1;
  let last = start;
  const ds = env.store.exists(id) ? env.store.dataset(id) : undefined;
  return {
    full: start < 0,
    entities: (async function* () {
      if (!ds) return;
      const cached = env.written?.read(ds, start, latestOnly, true);
      for (const chunk of chunks(cached ?? ds.read(start, { latestOnly }))) {
        last = chunk[chunk.length - 1]!['_updated'] as number;
        yield chunk;
      }
    })(),
    progress: () => ({ ...state, since: { ...state.since, [id]: supportsSince ? last : -1 } }),
  };
}

/** The URL or path a json/csv source reads (see system-url.ts); `url` alone without a system. */
export function resolveLocation(src: ManifestSource, env: SourceEnv): string {
  const sysId = src.config.system;
  const rel = typeof src.config.url === 'string' ? src.config.url : '';
  if (typeof sysId !== 'string') return rel;
  const sys = env.systems.get(sysId);
  if (!sys) throw new SourceError(`Pipe '${env.pipeId}': unknown system '${sysId}'.`);
  return systemUrl(sys, rel) ?? rel;
}

/** The body of an http(s) source URL. */
async function fetchLocation(location: string, env: SourceEnv): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(location);
  } catch (e) {
    throw new SourceError(`Pipe '${env.pipeId}': cannot fetch ${location}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok) throw new SourceError(`Pipe '${env.pipeId}': ${location} answered ${res.status} ${res.statusText}.`);
  return Buffer.from(await res.arrayBuffer());
}

function localFile(location: string, projectRoot: string): string {
  return location.startsWith('file:') ? new URL(location, 'file://' + projectRoot + '/').pathname : path.resolve(projectRoot, location);
}

/** How much of a local file before the continuation point is fingerprinted. */
const TAIL_CHECK = 4096;

function tailCheck(fd: number, offset: number): string {
  const len = Math.min(TAIL_CHECK, offset);
  const buf = Buffer.alloc(len);
  fs.readSync(fd, buf, 0, len, offset - len);
  return createHash('sha1').update(buf).digest('hex');
}

/**
 * json and csv sources. A local file that has not changed since the last complete read is
 * skipped. A json source with `supports_since: true` over a local JSON-lines file continues
 * where it stopped (the since marker is the byte offset, checked against a fingerprint of the
 * bytes before it), so a feed that only grows is read incrementally, like a log.
 */
function fileOrUrlSource(src: ManifestSource, env: SourceEnv, state: SourceState): SourceRead {
  const location = resolveLocation(src, env);
  const local = !/^https?:/i.test(location);
  const file = local ? localFile(location, env.projectRoot) : '';
  let stamp: string | undefined;
  let complete = false;
  let skipped = false;
  let offset = 0;
  let nextOffset: number | undefined;
  let nextCheck: string | undefined;
  let full = true;
  if (local && fs.existsSync(file)) {
    const st = fs.statSync(file);
    stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    if (state.fileStamp === stamp) skipped = true;
    else if (src.type === 'json' && src.config.supports_since === true && state.fileOffset !== undefined && state.fileOffset <= st.size) {
      const fd = fs.openSync(file, 'r');
      try {
        if (tailCheck(fd, state.fileOffset) === state.fileCheck) {
          offset = state.fileOffset;
          full = false;
        }
      } finally {
        fs.closeSync(fd);
      }
    }
  }
  return {
    full,
    skipped: () => skipped,
    entities: (async function* () {
      if (skipped) return;
      let data: Buffer;
      if (local) {
        if (!fs.existsSync(file)) throw new SourceError(`Pipe '${env.pipeId}': the source file ${file} does not exist.`);
        const fd = fs.openSync(file, 'r');
        try {
          const size = fs.fstatSync(fd).size;
          data = Buffer.alloc(size - offset);
          let read = 0;
          while (read < data.length) {
            const n = fs.readSync(fd, data, read, data.length - read, offset + read);
            if (n === 0) break;
            read += n;
          }
          // Only complete lines count: a writer may be appending right now.
          const follows = src.type === 'json' && src.config.supports_since === true && data[0] !== 0x5b;
          const end = follows ? data.lastIndexOf(10) + 1 || data.length : data.length;
          data = data.subarray(0, end);
          nextOffset = offset + end;
          nextCheck = tailCheck(fd, nextOffset);
        } finally {
          fs.closeSync(fd);
        }
      } else {
        data = await fetchLocation(location, env);
      }
      const entities = src.type === 'csv' ? csvEntities(data, src, env) : jsonEntities(data, env, location);
      yield* chunks(entities);
      complete = true;
    })(),
    progress: () => (complete ? { ...state, fileStamp: stamp, fileOffset: nextOffset, fileCheck: nextCheck } : { ...state }),
  };
}

function* jsonEntities(data: Buffer, env: SourceEnv, location: string): Generator<Entity> {
  try {
    for (const v of parseJsonValues(data)) {
      if (Array.isArray(v)) {
        for (const x of v) yield checkEntity(x, env.pipeId, `json source (${location})`);
      } else yield checkEntity(v, env.pipeId, `json source (${location})`);
    }
  } catch (e) {
    if (e instanceof SourceError) throw e;
    throw new SourceError(`Pipe '${env.pipeId}': ${location} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function* csvEntities(data: Buffer, src: ManifestSource, env: SourceEnv): Generator<Entity> {
  const cfg = src.config;
  const delimiter = typeof cfg.delimiter === 'string' ? cfg.delimiter : cfg.dialect === 'excel_tab' ? '\t' : ',';
  const hasHeader = cfg.has_header !== false;
  const fieldNames = Array.isArray(cfg.field_names) ? (cfg.field_names as string[]) : undefined;
  let rows: string[][];
  try {
    rows = parseCsv(data, { delimiter, bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new SourceError(`Pipe '${env.pipeId}': the CSV data is malformed: ${e instanceof Error ? e.message : String(e)}`);
  }
  let header: string[] | undefined = fieldNames;
  let first = 0;
  if (hasHeader) {
    if (!header) header = rows[0];
    first = 1;
  }
  if (!header) throw new SourceError(`Pipe '${env.pipeId}': the csv source needs a header row or "field_names".`);
  const pk = cfg.primary_key;
  const keys = typeof pk === 'string' ? [pk] : Array.isArray(pk) ? (pk as string[]) : [];
  if (keys.length === 0) throw new SourceError(`Pipe '${env.pipeId}': the csv source needs "primary_key".`);
  const preserveEmpty = cfg.preserve_empty_strings === true;
  for (let r = first; r < rows.length; r++) {
    const row = rows[r]!;
    const e: Dict = {};
    header.forEach((h, i) => {
      const v = row[i];
      if (v === undefined || (v === '' && !preserveEmpty)) return;
      setProp(e, h, v);
    });
    const idParts = keys.map((k) => e[k]);
    if (idParts.some((p) => typeof p !== 'string')) throw new SourceError(`Pipe '${env.pipeId}': CSV row ${r + 1} has no value for the primary key ${keys.join(', ')}.`);
    e['_id'] = idParts.join(':');
    yield e;
  }
}

function unionSource(src: ManifestSource, env: SourceEnv, state: SourceState): SourceRead {
  const ids = Array.isArray(src.config.datasets) ? (src.config.datasets as string[]) : [];
  const prefix = src.config.prefix_ids !== false;
  const latestOnly = src.config.include_previous_versions !== true;
  const since = { ...state.since };
  const full = ids.every((d) => (state.since[d] ?? -1) < 0);
  return {
    full,
    entities: (async function* () {
      for (const id of ids) {
        if (!env.store.exists(id)) continue;
        const ds = env.store.dataset(id);
        for (const chunk of chunks(ds.read(since[id] ?? -1, { latestOnly }))) {
          since[id] = chunk[chunk.length - 1]!['_updated'] as number;
          yield prefix ? chunk.map((e) => ({ ...e, _id: `${id}:${e['_id'] as string}` })) : chunk;
        }
      }
    })(),
    progress: () => ({ ...state, since: { ...since } }),
  };
}

function mergeSource(src: ManifestSource, env: SourceEnv, state: SourceState): SourceRead {
  const ids = Array.isArray(src.config.datasets) ? (src.config.datasets as string[]) : [];
  const strategy = src.config.strategy === 'all' ? 'all' : 'latest';
  const since = { ...state.since };
  const full = ids.every((d) => (state.since[d] ?? -1) < 0);
  return {
    full,
    entities: (async function* () {
      // Changed ids across the datasets, then one merged entity per id.
      const changed: { id: string; ts: number }[] = [];
      const seen = new Set<string>();
      const datasets = ids.filter((d) => env.store.exists(d)).map((d) => [d, env.store.dataset(d)] as [string, Dataset]);
      for (const [d, ds] of datasets) {
        for (const e of ds.read(since[d] ?? -1, { latestOnly: true })) {
          since[d] = e['_updated'] as number;
          const id = e['_id'] as string;
          if (!seen.has(id)) {
            seen.add(id);
            changed.push({ id, ts: e['_ts'] as number });
          }
        }
      }
      changed.sort((a, b) => a.ts - b.ts);
      const out: Entity[] = [];
      for (const { id } of changed) {
        const versions = datasets.map(([d, ds]) => [d, ds.latest(id)] as const).filter((x): x is readonly [string, Entity] => x[1] !== undefined);
        if (strategy === 'latest') {
          const newest = versions.reduce((a, b) => ((b[1]['_ts'] as number) > (a[1]['_ts'] as number) ? b : a));
          out.push(newest[1]);
        } else {
          const merged: Dict = { _id: id };
          for (const [d, e] of versions) merged[d] = e;
          merged['_deleted'] = versions.every(([, e]) => e['_deleted'] === true);
          out.push(merged);
        }
      }
      yield* chunks(out);
    })(),
    progress: () => ({ ...state, since: { ...since } }),
  };
}
