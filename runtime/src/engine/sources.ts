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
import { TextDecoder } from 'node:util';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Dataset, Store } from '../store/index.js';
import { parseJson, STORED } from '../values/json.js';
import { isDict, setProp, type Dict, type Entity, type Value } from '../values/types.js';
import { firstValueByte, parseJsonValues } from './json-stream.js';
import type { WrittenVersions } from './written-cache.js';
import type { ManifestSource, ManifestSystem } from './manifest.js';
import { compareValues } from '../values/compare.js';
import { HttpTransportError, UrlSystemError, httpRequest, requestHeaders, systemUrl, type UrlSystem } from './system-url.js';
import { decodeSingleByte, decoderLabel, pythonCodec } from './text-codecs.js';
import { retryFor, retryWait, type RetrySettings } from './retry.js';

export interface SourceState {
  /** Per dataset: the last `_updated` consumed (continuation). */
  since: Record<string, number>;
  /** For file sources: what the file looked like when last read completely. */
  fileStamp?: string;
  /** For json sources with supports_since over a local JSON-lines file: bytes consumed. */
  fileOffset?: number;
  /** Fingerprint of sampled blocks of the file before `fileOffset` (detects a rewritten file). */
  fileCheck?: string;
  /** For http(s) json sources with supports_since: the since marker (the latest `_updated` read). */
  urlSince?: string;
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
  /**
   * Set when the pump reads: a failed read of a json or csv source is then retried as the
   * pump's retry properties and the system's retry_strategy say (retry.ts). Without it (a
   * preview, `dtl test`) the first read error is the answer.
   */
  readonly pump?: SourcePump;
}

export interface SourcePump {
  /** The retry properties set on the pipe's pump. */
  readonly retry?: RetrySettings;
  /** True once the run has been asked to stop: a wait before retrying a read ends early. */
  readonly stopRequested?: () => boolean;
  readonly log: (msg: string) => void;
}

export class SourceError extends Error {}

/** A local file a pipe reads that is not there (a moved bundle looks for files where they were). */
export class MissingSourceFileError extends SourceError {
  constructor(pipeId: string, readonly file: string, message = `Pipe '${pipeId}': the source file ${file} does not exist.`) {
    super(message);
  }
}

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

/** A read error: a read that may be tried again (retry.ts). */
export interface ReadFailure {
  /** The HTTP status; undefined when no answer came, and for a local file. */
  readonly status?: number;
  /** What went wrong, for the log. */
  readonly reason: string;
  /** What the run fails with when no retry is left. */
  readonly error: Error;
}

export type ReadAttempt<T> = { readonly value: T } | { readonly failure: ReadFailure };

/**
 * The value of a read, which is tried again after a read error as long as the pump's
 * max_read_retries (or the system's retry_strategy for the failure's status) allows, waiting
 * read_retry_delay seconds before each retry. Without retries left the run fails with the
 * read's own error, which then also says how many retries were made.
 */
export async function withReadRetries<T>(read: () => Promise<ReadAttempt<T>>, sys: UrlSystem | undefined, env: Pick<SourceEnv, 'pipeId' | 'pump'>): Promise<T> {
  for (let retries = 0; ; retries++) {
    const attempt = await read();
    if ('value' in attempt) return attempt.value;
    const { status, reason, error } = attempt.failure;
    const pump = env.pump;
    const retry = retryFor(pump?.retry, sys?.config.retry_strategy, status);
    if (pump === undefined || retries >= retry.maxReadRetries) {
      if (retries > 0) {
        const note = `after ${retries} read ${retries === 1 ? 'retry' : 'retries'}, max_read_retries is ${retry.maxReadRetries}`;
        error.message = error.message.endsWith('.') ? `${error.message.slice(0, -1)} (${note}).` : `${error.message} (${note})`;
      }
      throw error;
    }
    pump.log(`pipe ${env.pipeId}: read error (${reason}); retry ${retries + 1} of at most ${retry.maxReadRetries} in ${retry.readRetryDelayMs / 1000} s (read_retry_delay)`);
    if (!(await retryWait(retry.readRetryDelayMs, pump.stopRequested))) throw new SourceError(`Pipe '${env.pipeId}': stopped while waiting to retry a failed read (${reason})`);
  }
}

/** One GET of an http(s) source URL: its body, or the read error. */
async function fetchLocation(location: string, sys: UrlSystem | undefined, config: Readonly<Record<string, unknown>>, env: Pick<SourceEnv, 'pipeId'>): Promise<ReadAttempt<Buffer>> {
  let res;
  try {
    res = await httpRequest(sys, location, { method: 'GET', headers: requestHeaders(sys, config) });
  } catch (e) {
    if (!(e instanceof HttpTransportError || e instanceof UrlSystemError)) throw e;
    const reason = `cannot fetch ${location}: ${e.message}`;
    const error = new SourceError(`Pipe '${env.pipeId}': ${reason}`);
    // A system the runtime cannot use (its authentication) fails the same way every time.
    if (e instanceof UrlSystemError) throw error;
    return { failure: { reason, error } };
  }
  if (res.status < 200 || res.status >= 300) {
    const reason = `${location} answered ${res.status} ${res.statusText}`;
    return { failure: { status: res.status, reason, error: new SourceError(`Pipe '${env.pipeId}': ${reason}.`) } };
  }
  return { value: res.body };
}

/** A failed system call on a local source file is a read error; anything else is a bug, thrown on. */
function fileFailure(e: unknown, file: string): ReadFailure {
  if (!(e instanceof Error) || typeof (e as NodeJS.ErrnoException).syscall !== 'string') throw e;
  return { reason: `cannot read ${file}: ${e.message}`, error: e };
}

function localFile(location: string, projectRoot: string): string {
  return location.startsWith('file:') ? new URL(location, 'file://' + projectRoot + '/').pathname : path.resolve(projectRoot, location);
}

/**
 * One read of the whole of what `location` (as a json or csv source resolves its url) points
 * at: over http(s) a GET with the system's headers, authentication, timeouts and TLS settings,
 * else a local file relative to the project. The bytes, or the read error (a missing file is
 * a MissingSourceFileError). The json_schema transform reads its schema_url this way.
 */
export async function readLocation(location: string, sys: UrlSystem | undefined, env: Pick<SourceEnv, 'pipeId' | 'projectRoot'>): Promise<ReadAttempt<Buffer>> {
  if (/^https?:/i.test(location)) return fetchLocation(location, sys, {}, env);
  const file = localFile(location, env.projectRoot);
  if (!fs.existsSync(file)) return { failure: { reason: `the file ${file} does not exist`, error: new MissingSourceFileError(env.pipeId, file, `Pipe '${env.pipeId}': the file ${file} does not exist.`) } };
  try {
    return { value: fs.readFileSync(file) };
  } catch (e) {
    return { failure: fileFailure(e, file) };
  }
}

/** Block size and count of the sampled fingerprint of a followed file's consumed part. */
const CHECK_BLOCK = 4096;
const CHECK_BLOCKS = 16;

/**
 * A fingerprint of `[0, offset)` of a followed file: its first and last blocks and blocks
 * spread evenly between. Hashing the whole prefix on every run would cost an incremental run
 * more than the run itself on a large feed; the samples catch a replaced, truncated or
 * re-sorted file and edits at its start or end, which is what rewriting a feed does.
 */
function prefixCheck(fd: number, offset: number): string {
  const h = createHash('sha1').update(String(offset));
  const buf = Buffer.alloc(CHECK_BLOCK);
  const last = Math.max(0, offset - CHECK_BLOCK);
  for (let i = 0; i < CHECK_BLOCKS; i++) {
    const at = Math.floor((last * i) / (CHECK_BLOCKS - 1));
    const len = Math.min(CHECK_BLOCK, offset - at);
    const n = fs.readSync(fd, buf, 0, len, at);
    h.update(buf.subarray(0, n));
  }
  return h.digest('hex');
}

/**
 * Where the complete lines of a followed JSON-lines file end. A last line without newline
 * counts when it is a whole JSON value (a file need not end with a newline); otherwise a
 * writer is still appending it and it waits for the next run.
 */
function completeLinesEnd(data: Buffer): { end: number; partial: boolean } {
  const end = data.lastIndexOf(10) + 1;
  const tail = data.subarray(end);
  if (tail.toString('latin1').trim() === '') return { end: data.length, partial: false };
  try {
    JSON.parse(tail.toString('utf8'));
    return { end: data.length, partial: false };
  } catch {
    return { end, partial: true };
  }
}

/** The URL with json pull protocol parameters added (undefined ones left out). */
function withParams(location: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const text = q.toString();
  if (text === '') return location;
  return `${location}${location.includes('?') ? '&' : '?'}${text}`;
}

/**
 * A subset expression as the `subset` request parameter: JSON as Python's json.dumps writes it
 * (", " and ": " separators), which is what the docs' example request carries.
 */
function pythonJson(v: unknown): string {
  if (Array.isArray(v)) return '[' + v.map(pythonJson).join(', ') + ']';
  if (v !== null && typeof v === 'object') return '{' + Object.entries(v).map(([k, x]) => pythonJson(k) + ': ' + pythonJson(x)).join(', ') + '}';
  // Python escapes every non-ASCII character by default (ensure_ascii).
  return (JSON.stringify(v) ?? 'null').replace(/[\u0080-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/**
 * json and csv sources. A local file that has not changed since the last complete read is
 * skipped. With `supports_since: true` a json source continues where it stopped: over http(s)
 * it sends the json pull protocol's `since` (the latest `_updated` it has read); over a local
 * JSON-lines file the marker is the byte offset, checked against a fingerprint of the bytes
 * before it, so a feed that only grows is read incrementally, like a log, and a rewritten one
 * is read in full.
 */
function fileOrUrlSource(src: ManifestSource, env: SourceEnv, state: SourceState): SourceRead {
  const location = resolveLocation(src, env);
  const local = !/^https?:/i.test(location);
  const file = local ? localFile(location, env.projectRoot) : '';
  const follows = src.type === 'json' && src.config.supports_since === true;
  // The docs: paging needs supports_since, is_chronological and is_since_comparable (default true).
  const pageSize =
    follows && !local && src.config.is_chronological === true && src.config.is_since_comparable !== false && typeof src.config.page_size === 'number' && src.config.page_size >= 1
      ? src.config.page_size
      : undefined;
  let stamp: string | undefined;
  let complete = false;
  let skipped = false;
  let partial = false;
  let offset = 0;
  let nextOffset: number | undefined;
  let nextCheck: string | undefined;
  let full = true;
  let since: Value | undefined;
  if (local && fs.existsSync(file)) {
    const st = fs.statSync(file);
    stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    if (state.fileStamp === stamp) skipped = true;
    else if (follows && state.fileOffset !== undefined && state.fileOffset <= st.size) {
      const fd = fs.openSync(file, 'r');
      try {
        if (prefixCheck(fd, state.fileOffset) === state.fileCheck) {
          offset = state.fileOffset;
          full = false;
        }
      } finally {
        fs.closeSync(fd);
      }
    }
  } else if (!local && follows && state.urlSince !== undefined) full = false;
  const trackUpdated = (e: Entity): void => {
    const u = e['_updated'];
    if (u === undefined || u === null) return;
    // Without is_chronological the largest marker seen is the safe continuation point.
    if (since === undefined || src.config.is_chronological === true || compareValues(u, since) > 0) since = u;
  };
  /** One try at reading the local file (from `offset`): its bytes, or the read error. */
  const readFile = async (): Promise<ReadAttempt<Buffer>> => {
    if (!fs.existsSync(file)) {
      return { failure: { reason: `the source file ${file} does not exist`, error: new MissingSourceFileError(env.pipeId, file) } };
    }
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      return { failure: fileFailure(e, file) };
    }
    try {
      const size = fs.fstatSync(fd).size;
      let data = Buffer.alloc(size - offset);
      let read = 0;
      while (read < data.length) {
        const n = fs.readSync(fd, data, read, data.length - read, offset + read);
        if (n === 0) break;
        read += n;
      }
      if (follows && !(offset === 0 && data[firstValueByte(data)] === 0x5b)) {
        const lines = completeLinesEnd(data);
        data = data.subarray(0, lines.end);
        partial = lines.partial;
        nextOffset = offset + lines.end;
        nextCheck = prefixCheck(fd, nextOffset);
      }
      return { value: data };
    } catch (e) {
      return { failure: fileFailure(e, file) };
    } finally {
      fs.closeSync(fd);
    }
  };
  const sys = typeof src.config.system === 'string' ? env.systems.get(src.config.system) : undefined;
  return {
    full,
    skipped: () => skipped,
    entities: (async function* () {
      if (skipped) return;
      let data: Buffer;
      if (local) {
        data = await withReadRetries(readFile, sys, env);
      } else {
        const subset = src.type === 'json' && src.config.subset !== undefined && src.config.subset !== null ? pythonJson(src.config.subset) : undefined;
        let cursor = follows ? state.urlSince : undefined;
        for (;;) {
          const url = withParams(location, { since: cursor, limit: pageSize === undefined ? undefined : String(pageSize), subset });
          const body = await withReadRetries(() => fetchLocation(url, sys, src.config, env), sys, env);
          let count = 0;
          for (const chunk of chunks(src.type === 'csv' ? csvEntities(body, src, env, location) : jsonEntities(body, env, location))) {
            if (follows) chunk.forEach(trackUpdated);
            count += chunk.length;
            yield chunk;
          }
          // The docs: with page_size the source requests pages until there is no more data.
          if (pageSize === undefined || count === 0) break;
          const next = since === undefined ? undefined : String(since);
          // A page without `_updated` markers, or one that does not move the marker on, would
          // be asked for again and again.
          if (next === undefined || next === cursor) break;
          cursor = next;
        }
        complete = true;
        return;
      }
      const entities = src.type === 'csv' ? csvEntities(data, src, env, location) : jsonEntities(data, env, location);
      for (const chunk of chunks(entities)) yield chunk;
      complete = true;
    })(),
    progress: () => {
      if (!complete) return { ...state };
      const urlSince = since === undefined ? state.urlSince : String(since);
      // A partial last line is read again next time, so the unchanged file must not be skipped.
      return { ...state, fileStamp: partial ? undefined : stamp, fileOffset: nextOffset, fileCheck: nextCheck, urlSince };
    },
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

/** The text of a CSV file in its configured `encoding`, failing on bad bytes unless `decode_error_strategy` is "replace". */
function decodeCsv(data: Buffer, src: ManifestSource, env: SourceEnv, location: string): string {
  const label = typeof src.config.encoding === 'string' ? src.config.encoding.trim().toLowerCase() : 'utf-8';
  const codec = pythonCodec(label);
  const single = codec === undefined ? undefined : decodeSingleByte(data, codec, src.config.decode_error_strategy === 'replace' ? 'replace' : 'strict');
  if (single !== undefined) {
    if ('text' in single) return single.text;
    throw new SourceError(
      `Pipe '${env.pipeId}': ${location} is not valid ${label} text: byte 0x${data[single.badOffset]!.toString(16)} at offset ${single.badOffset} has no character in it (set "encoding", or "decode_error_strategy": "replace" to replace bad bytes).`,
    );
  }
  const fatal = src.config.decode_error_strategy !== 'replace';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(decoderLabel(label), { fatal });
  } catch {
    throw new SourceError(`Pipe '${env.pipeId}': the csv source's encoding "${String(src.config.encoding)}" is not known.`);
  }
  try {
    return decoder.decode(data);
  } catch {
    throw new SourceError(`Pipe '${env.pipeId}': ${location} is not valid ${label} text (set "encoding", or "decode_error_strategy": "replace" to replace bad bytes).`);
  }
}

/** Delimiters auto_dialect considers, in order of preference on a tie (Python's csv.Sniffer order). */
const SNIFFED = [',', '\t', ';', '|', ':', ' '];

/**
 * Guesses the delimiter from the first lines: the candidate that occurs the same, non-zero
 * number of times (outside quotes) on every sampled line, preferring the most frequent.
 */
function sniffDelimiter(text: string): string | undefined {
  const lines = text.split(/\r?\n/, 21).filter((l) => l.trim() !== '').slice(0, 20);
  let best: { d: string; n: number } | undefined;
  for (const d of SNIFFED) {
    let count = -1;
    for (const line of lines) {
      let n = 0;
      let quoted = false;
      for (const c of line) {
        if (c === '"') quoted = !quoted;
        else if (c === d && !quoted) n++;
      }
      if (count === -1) count = n;
      else if (n !== count) count = 0;
      if (count === 0) break;
    }
    if (count > 0 && (!best || count > best.n)) best = { d, n: count };
  }
  return best?.d;
}

function csvDelimiter(cfg: Readonly<Record<string, unknown>>, text: string): string {
  if (typeof cfg.delimiter === 'string') return cfg.delimiter;
  if (cfg.dialect === 'excel_tab') return '\t';
  if (typeof cfg.dialect === 'string' || cfg.auto_dialect === false) return ',';
  return sniffDelimiter(text) ?? ',';
}

function* csvEntities(data: Buffer, src: ManifestSource, env: SourceEnv, location: string): Generator<Entity> {
  const cfg = src.config;
  const text = decodeCsv(data, src, env, location);
  const delimiter = csvDelimiter(cfg, text);
  const hasHeader = cfg.has_header !== false;
  const fieldNames = Array.isArray(cfg.field_names) ? (cfg.field_names as string[]) : undefined;
  let rows: string[][];
  try {
    rows = parseCsv(text, { delimiter, bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new SourceError(`Pipe '${env.pipeId}': the CSV data in ${location} is malformed: ${e instanceof Error ? e.message : String(e)}`);
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
  // The blacklist filters the whitelist, or every column when there is none.
  const white = Array.isArray(cfg.whitelist) ? new Set(cfg.whitelist as string[]) : undefined;
  const black = Array.isArray(cfg.blacklist) ? new Set(cfg.blacklist as string[]) : undefined;
  const kept = header.map((h) => (white === undefined || white.has(h)) && !black?.has(h));
  const keyColumns = keys.map((k) => header!.indexOf(k));
  for (let r = first; r < rows.length; r++) {
    const row = rows[r]!;
    const e: Dict = {};
    const idParts: string[] = [];
    for (const c of keyColumns) {
      const v = c < 0 ? undefined : row[c];
      if (v === undefined || (v === '' && !preserveEmpty)) {
        throw new SourceError(`Pipe '${env.pipeId}': CSV row ${r + 1} of ${location} has no value for the primary key ${keys.join(', ')}.`);
      }
      idParts.push(v);
    }
    header.forEach((h, i) => {
      const v = row[i];
      if (!kept[i] || v === undefined || (v === '' && !preserveEmpty)) return;
      setProp(e, h, v);
    });
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
