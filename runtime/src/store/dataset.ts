/**
 * A dataset: an append-only log of entity versions with change detection, a primary index
 * (`_id` → latest version) and lazily maintained secondary indexes, stored in one folder.
 *
 * On-disk format (one folder per dataset; names.ts maps the id to the folder name):
 *
 *   manifest.json        the commit record, replaced atomically (tmp, fsync, rename, fsync
 *                        dir): dataset id, committed version count and log bytes, log
 *                        segments, the id-map tables, each index's tables and the last
 *                        `_updated` it reflects, live-entity count, last `_ts`, `populated`, `meta`
 *   log-NNNNNN.jsonl     log segments: one line per version in `_updated` order. A line is the
 *                        version's canonical JSON (sorted keys, metadata keys in their sorted
 *                        places), exactly what readLines() serves; a leading space marks the
 *                        lines with floats or big integers, which need the exact reader
 *                        (record.ts); all others are JSON.parse plus transit decoding
 *   versions.bin         16 bytes per `_updated`: line offset, `_previous` and deleted flag
 *                        (log.ts), for version(n), read(since) and latest-only filtering
 *   id-N.sst             id-map tables: `_id` → latest `_updated`, deleted, line offset and
 *                        length, `_hash` (idmap.ts); sorted, immutable (table.ts)
 *   ix-<key>-N.sst       secondary index tables (join-index.ts)
 *
 * The id map and each index are LSM trees in miniature (tableset.ts): changes collect in a
 * memtable, each commit writes them as a new sorted table, and tables of similar size are
 * merged (fan-out 8), so a million ids written in a hundred commits live in about ten files.
 *
 * Durability: nothing the manifest does not name is committed. Pending log lines go to the
 * segment files at the end of each write() (no fsync); commit fsyncs the segments, appends
 * and fsyncs the version records, writes and fsyncs new tables, fsyncs the folder, and then
 * replaces the manifest. A process killed at any moment leaves the previous manifest or the
 * new one; opening cuts the log files back to the committed lengths and deletes files the
 * manifest does not name. Committed bytes are never rewritten.
 *
 * Writing: each version's line is serialised straight into the log's staging buffer and its
 * content hashed in place (encoder.ts, md5.ts); an unchanged version's bytes are dropped.
 *
 * Cold open reads the manifest and lists the folder; tables are opened on first use.
 * latest(id) probes the id-map tables newest first (bloom filter once a table is in use,
 * then one 4 KiB block, searched by interpolating the key hash) and reads the line;
 * version(n) reads a record and a line; read(since) reads records and lines after `since`,
 * plus a pass over the records after `since` to find superseded versions (a version is
 * superseded when a later record names it as `_previous`). An index lookup reads one block
 * per table.
 *
 * Visibility: write() results are pending until commit(). latest(), version(), size,
 * liveIds(), countLive() and index lookups see pending writes; read() and readLines() serve
 * committed versions only unless `includePending` is set (readers outside the writing pipe
 * must not see a run that may still be rolled back). liveIds() is a snapshot as of its first
 * step.
 */
import { isAscii } from 'node:buffer';
import * as fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Entity, Value } from '../values/types.js';
import { atomicWriteJson, FdCache, fsyncDir, readJsonFile } from './files.js';
import { IdMap } from './idmap.js';
import { IndexImpl, type IndexSource, type IndexState, type JoinIndex } from './join-index.js';
import { deletedOf, previousOf, VersionLog, VERSIONS_FILE, type LogState } from './log.js';
import { indexFileKey } from './names.js';
import type { LineEncoder } from './encoder.js';
import { FILTERED_KEY, lineText, parseLine, validateEntity } from './record.js';
import type { CommitPlan, TableRef } from './tableset.js';

export interface WriteResult {
  /** Versions appended (deletions included). */
  written: number;
  /** Entities that appended nothing: same hash as the latest version, or a `_filtered` entity with nothing to delete. */
  unchanged: number;
  /** Of the versions written, how many are deletions. */
  deleted: number;
  /**
   * The versions appended, with metadata; nested values are shared with the input entities.
   * Empty when the write was asked not to return versions.
   */
  versions: Entity[];
}

export interface WriteOptions {
  /**
   * Whether to build `versions` (default true). Callers that only need the counts pass false:
   * building an entity per version is a good part of the cost of a write.
   */
  returnVersions?: boolean;
}

export interface ReadOptions {
  /** Skip versions superseded by a later version of the same `_id` (default true). */
  latestOnly?: boolean;
  /** At most this many versions. */
  limit?: number;
  /** Include deleted versions (default true). */
  includeDeleted?: boolean;
  /** Also serve pending (uncommitted) versions (default false). */
  includePending?: boolean;
}

export interface DatasetOptions {
  /** A log segment is closed once it reaches this many bytes. */
  segmentBytes: number;
}

interface Manifest {
  format: 1;
  id: string;
  log: LogState;
  ids: TableRef[];
  indexes: Record<string, IndexState>;
  nextFile: number;
  lastTs: number;
  live: number;
  populated: boolean;
  meta: Record<string, unknown>;
  /** A UUID given when the dataset is created (Sesam's dataset generation); older folders lack it. */
  generation?: string;
}

export const MANIFEST_FILE = 'manifest.json';
const READ_CHUNK = 4096;
const SUPERSEDED_CHUNK = 65536;
/** Files the store creates; anything else in a dataset folder is left alone. */
const STORE_FILE = /^(?:log-\d+\.jsonl|.*\.sst|versions\.bin|.*\.tmp-.*)$/;

/** One version as scans yield it; the object is reused between steps. */
interface ScanItem {
  u: number;
  meta: number;
  entity: Entity;
}

export class Dataset {
  /** Persisted with the next commit (Sesam's "populated" flag). */
  populated = false;
  /** Small JSON for callers, persisted with the next commit. */
  meta: Record<string, unknown> = {};
  /**
   * Sesam's dataset generation: a UUID given at creation, so readers can tell a dataset that
   * was deleted and created again from the one they knew. Undefined for datasets created
   * before the store recorded it.
   */
  readonly generation: string | undefined;

  private readonly log: VersionLog;
  private readonly ids: IdMap;
  private readonly indexes = new Map<string, IndexImpl>();
  private readonly source: IndexSource;
  private indexStates: Record<string, IndexState> = {};
  private nextFile = 1;
  private lastTs = 0;
  private live = 0;
  private committedLive = 0;
  private committedPopulated = false;
  private committedMetaJson = '{}';
  private onDisk: boolean;
  private dirExists: boolean;
  private closed = false;

  /** Use `Store.dataset(id)`. */
  constructor(
    readonly id: string,
    private readonly dir: string,
    private readonly fds: FdCache,
    options: DatasetOptions,
  ) {
    const m = readJsonFile<Manifest>(path.join(dir, MANIFEST_FILE));
    let logState: LogState = { count: 0, bytes: 0, segments: [] };
    let idRefs: TableRef[] = [];
    if (m !== undefined) {
      if (m.format !== 1) throw new Error(`${dir}: unknown dataset format ${String(m.format)}`);
      if (m.id !== id) throw new Error(`${dir} holds dataset ${JSON.stringify(m.id)}, not ${JSON.stringify(id)}`);
      logState = m.log;
      idRefs = m.ids;
      this.indexStates = m.indexes;
      this.nextFile = m.nextFile;
      this.lastTs = m.lastTs;
      this.live = this.committedLive = m.live;
      this.populated = this.committedPopulated = m.populated;
      this.committedMetaJson = JSON.stringify(m.meta);
      this.meta = m.meta;
    }
    this.generation = m === undefined ? randomUUID() : m.generation;
    this.onDisk = m !== undefined;
    this.dirExists = fs.existsSync(dir);
    this.log = new VersionLog(dir, fds, logState, options.segmentBytes);
    this.ids = new IdMap(dir, fds, idRefs, () => this.newFile('id'));
    if (m !== undefined) this.log.recover();
    if (this.dirExists) this.collectGarbage();
    const log = this.log;
    this.source = {
      get size() {
        return log.size;
      },
      scanLatest: (after, end) => this.scan(after, end, true, true),
      meta: (u) => log.meta(u),
      version: (u) => this.decodedVersion?.(u) ?? parseLine(log.line(u)),
    };
  }

  /**
   * Set by an owner that keeps the versions it wrote decoded in memory: index builds take
   * versions from it instead of parsing their lines. Must return exactly what parsing would.
   */
  decodedVersion: ((updated: number) => Entity | undefined) | undefined;

  /** Number of versions, committed and pending: the next `_updated`. */
  get size(): number {
    return this.log.size;
  }

  get committedSize(): number {
    return this.log.committedSize;
  }

  /** Whether the dataset has been committed, or has pending versions. */
  get exists(): boolean {
    return this.onDisk || this.log.size > 0;
  }

  // ------------------------------------------------------------------ writing

  /** Appends the versions that change something (Sesam dataset sink semantics); pending until commit. */
  write(entities: Entity[], opts: WriteOptions = {}): WriteResult {
    this.check();
    if (!Array.isArray(entities)) throw new TypeError(`dataset ${this.id}: write expects a list of entities`);
    // Malformed entities reject the batch before anything changes; an unstorable value
    // found while serialising (a non-finite number) undoes the batch below.
    for (let i = 0; i < entities.length; i++) validateEntity(entities[i], i);
    if (entities.length === 0) return { written: 0, unchanged: 0, deleted: 0, versions: [] };
    this.ensureDir();
    const wantVersions = opts.returnVersions !== false;
    const log = this.log;
    const ids = this.ids;
    const enc = log.encoder;
    const mark = log.mark();
    ids.beginBatch();
    const liveBefore = this.live;
    const origin = performance.timeOrigin;
    const versions: Entity[] = [];
    let written = 0;
    let unchanged = 0;
    let deleted = 0;
    try {
      for (let i = 0; i < entities.length; i++) {
        const e = entities[i]!;
        const id = e['_id'] as string;
        const filtered = e[FILTERED_KEY] === true;
        const del = filtered || e['_deleted'] === true;
        const cur = ids.find(id);
        const curDeleted = cur >= 0 && ids.deletedOf(cur);
        // A filtered entity that is absent or already deleted changes nothing: skip the encoding.
        if (filtered && (cur < 0 || curDeleted)) {
          unchanged++;
          continue;
        }
        const prev = cur < 0 ? -1 : ids.updatedOf(cur);
        const u = log.size;
        const now = Math.floor((origin + performance.now()) * 1000);
        const ts = now > this.lastTs ? now : this.lastTs + 1;
        const o = log.byteSize;
        // The line is serialised (and its content hashed) in place; an unchanged one is dropped.
        const start = log.beginLine();
        enc.record(e, i, id, del, prev, ts, u);
        if (!filtered && cur >= 0 && ids.hashEquals(cur, enc.hash)) {
          log.discardLine(start);
          unchanged++;
          continue;
        }
        this.lastTs = ts;
        const l = log.endLine(start, prev, del);
        ids.put(id, cur, u, del, o, l, enc.hash);
        const wasLive = cur >= 0 && !curDeleted;
        if (wasLive !== !del) this.live += wasLive ? -1 : 1;
        if (del) deleted++;
        written++;
        if (wantVersions) versions.push(versionOf(enc, id, del, prev, ts, u));
      }
      log.endBatch();
    } catch (e) {
      log.revert(mark);
      ids.undoBatch();
      this.live = liveBefore;
      throw e;
    }
    ids.spillIfLarge();
    return { written, unchanged, deleted, versions };
  }

  /** Makes every pending change durable and visible, atomically. */
  commit(): void {
    this.check();
    const metaJson = JSON.stringify(this.meta) ?? '{}';
    const changedIndexes = [...this.indexes.values()].filter((ix) => ix.hasChanges);
    const dataChanged = this.log.hasPending || this.ids.memSize > 0 || this.ids.tables.hasPending;
    const flagsChanged = metaJson !== this.committedMetaJson || this.populated !== this.committedPopulated;
    if (!dataChanged && changedIndexes.length === 0 && !flagsChanged) return;
    this.ensureDir();
    const logState = this.log.prepareCommit();
    const idPlan = this.ids.planCommit();
    const ixPlans: Array<[IndexImpl, CommitPlan]> = [];
    const abort = (): void => {
      this.ids.tables.abortCommit(idPlan);
      for (const [ix, plan] of ixPlans) ix.abortCommit(plan);
    };
    const indexes = { ...this.indexStates };
    const newStates = new Map<IndexImpl, IndexState>();
    try {
      for (const ix of changedIndexes) {
        const plan = ix.planCommit();
        ixPlans.push([ix, plan]);
        const st = ix.stateFor(plan);
        indexes[ix.name] = st;
        newStates.set(ix, st);
      }
      const manifest: Manifest = {
        format: 1,
        id: this.id,
        log: logState,
        ids: this.ids.tables.refsOf(idPlan),
        indexes,
        nextFile: this.nextFile,
        lastTs: this.lastTs,
        live: this.live,
        populated: this.populated,
        meta: JSON.parse(metaJson) as Record<string, unknown>,
        ...(this.generation === undefined ? {} : { generation: this.generation }),
      };
      // New segment and table files must be reachable before the manifest names them.
      fsyncDir(this.dir);
      atomicWriteJson(path.join(this.dir, MANIFEST_FILE), manifest);
    } catch (e) {
      abort();
      throw e;
    }
    this.log.applyCommit(logState);
    this.ids.tables.applyCommit(idPlan);
    for (const [ix, plan] of ixPlans) ix.applyCommit(plan, newStates.get(ix)!);
    this.indexStates = indexes;
    this.committedLive = this.live;
    this.committedMetaJson = metaJson;
    this.committedPopulated = this.populated;
    this.onDisk = true;
  }

  /** The populated flag as last committed (what readers outside the running pipe may rely on). */
  get committedPopulatedFlag(): boolean {
    return this.committedPopulated;
  }

  /** Drops pending writes (and uncommitted changes to `populated` and `meta`). */
  rollback(): void {
    this.check();
    this.discardPending();
  }

  private discardPending(): void {
    this.log.rollback();
    this.ids.rollback();
    for (const ix of this.indexes.values()) ix.rollback();
    this.live = this.committedLive;
    this.populated = this.committedPopulated;
    this.meta = JSON.parse(this.committedMetaJson) as Record<string, unknown>;
  }

  // ------------------------------------------------------------------ reading

  /** The latest version of `_id` (possibly deleted), pending writes included. */
  latest(id: string): Entity | undefined {
    this.check();
    const st = this.ids.get(id);
    return st === undefined ? undefined : parseLine(this.log.text(st.o, st.l));
  }

  /** The version with this `_updated`, pending writes included. */
  version(updated: number): Entity | undefined {
    this.check();
    if (!Number.isSafeInteger(updated) || updated < 0 || updated >= this.log.size) return undefined;
    return parseLine(this.log.line(updated));
  }

  /** Versions with `_updated` > since (-1: from the start), in `_updated` order. */
  read(since: number, opts: ReadOptions = {}): Generator<Entity> {
    return this.readAs(since, opts, parseLine, true);
  }

  /** Like read(), as the stored JSON text of each version. */
  readLines(since: number, opts: ReadOptions = {}): Generator<string> {
    return this.readAs(since, opts, lineText, false);
  }

  /**
   * read() and readLines(): what scan() does, in one generator (each generator level costs
   * a resumption per version). With `slices`, a chunk of ASCII lines is decoded in one go and
   * lines are slices of it: for lines that are parsed and dropped, not for lines handed out
   * (a slice keeps the whole chunk's text alive).
   */
  private *readAs<T>(since: number, opts: ReadOptions, convert: (line: string) => T, slices: boolean): Generator<T> {
    this.check();
    const limit = opts.limit ?? Infinity;
    if (limit <= 0) return;
    const end = (opts.includePending ? this.log.size : this.log.committedSize) - 1;
    const first = Math.max(Math.floor(since), -1) + 1;
    if (first > end) return;
    const includeDeleted = opts.includeDeleted ?? true;
    const superseded = opts.latestOnly ?? true ? this.supersededIn(first, end) : undefined;
    const offs = new Float64Array(READ_CHUNK + 1);
    const metas = new Float64Array(READ_CHUNK);
    let count = 0;
    for (let a = first; a <= end; a += READ_CHUNK) {
      const n = Math.min(READ_CHUNK, end - a + 1);
      this.log.load(a, n, offs, metas);
      const base = offs[0]!;
      const buf = this.log.readBytes(base, offs[n]!);
      // Decoding ASCII as latin1 is a plain copy, twice as fast as the UTF-8 decoder.
      const ascii = isAscii(buf);
      const text = slices && ascii ? buf.toString('latin1') : undefined;
      const encoding = ascii ? 'latin1' : 'utf8';
      for (let i = 0; i < n; i++) {
        const k = a + i - first;
        if (superseded !== undefined && (superseded[k >>> 3]! & (1 << (k & 7))) !== 0) continue;
        if (!includeDeleted && deletedOf(metas[i]!)) continue;
        const from = offs[i]! - base;
        const to = offs[i + 1]! - base - 1;
        yield convert(text !== undefined ? text.slice(from, to) : buf.toString(encoding, from, to));
        if (++count >= limit) return;
      }
    }
  }

  /**
   * Versions (after, end] in order. With `latestOnly`, versions that a later version in the
   * same range names as `_previous` are skipped: since `_previous` always points back, every
   * successor of a version in the range is in the range too.
   */
  private *scan(after: number, end: number, latestOnly: boolean, includeDeleted: boolean): Generator<ScanItem> {
    const first = after + 1;
    if (first > end) return;
    const superseded = latestOnly ? this.supersededIn(first, end) : undefined;
    const offs = new Float64Array(READ_CHUNK + 1);
    const metas = new Float64Array(READ_CHUNK);
    const item: ScanItem = { u: 0, meta: 0, entity: {} };
    const decoded = this.decodedVersion;
    for (let a = first; a <= end; a += READ_CHUNK) {
      const n = Math.min(READ_CHUNK, end - a + 1);
      this.log.load(a, n, offs, metas);
      const base = offs[0]!;
      // Read only when some version of the chunk is not held decoded by the owner.
      let buf: Buffer | undefined;
      let encoding: 'latin1' | 'utf8' = 'utf8';
      for (let i = 0; i < n; i++) {
        const k = a + i - first;
        if (superseded !== undefined && (superseded[k >>> 3]! & (1 << (k & 7))) !== 0) continue;
        const meta = metas[i]!;
        if (!includeDeleted && deletedOf(meta)) continue;
        const u = a + i;
        let e = decoded?.(u);
        if (e === undefined) {
          if (buf === undefined) {
            buf = this.log.readBytes(base, offs[n]!);
            // Decoding ASCII as latin1 is a plain copy, twice as fast as the UTF-8 decoder.
            encoding = isAscii(buf) ? 'latin1' : 'utf8';
          }
          e = parseLine(buf.toString(encoding, offs[i]! - base, offs[i + 1]! - base - 1));
        }
        item.u = u;
        item.meta = meta;
        item.entity = e;
        yield item;
      }
    }
  }

  /** Bitset over [first, end]: versions superseded by a later version up to `end`. */
  private supersededIn(first: number, end: number): Uint8Array {
    const bits = new Uint8Array(((end - first + 1) >>> 3) + 1);
    const offs = new Float64Array(SUPERSEDED_CHUNK + 1);
    const metas = new Float64Array(SUPERSEDED_CHUNK);
    for (let a = first; a <= end; a += SUPERSEDED_CHUNK) {
      const n = Math.min(SUPERSEDED_CHUNK, end - a + 1);
      this.log.load(a, n, offs, metas);
      for (let i = 0; i < n; i++) {
        const p = previousOf(metas[i]!);
        if (p >= first) {
          const k = p - first;
          bits[k >>> 3]! |= 1 << (k & 7);
        }
      }
    }
    return bits;
  }

  /** Ids whose latest version (pending writes included) is not deleted; order unspecified. */
  *liveIds(): Generator<string> {
    this.check();
    for (const [id, st] of this.ids.entries()) if (!st.d) yield id;
  }

  /** Number of ids whose latest version is not deleted (pending writes included). */
  countLive(): number {
    this.check();
    return this.live;
  }

  /**
   * Number of ids, deleted ones included (pending writes included). Not kept as a counter:
   * only a dataset sink's circuit breaker factor asks, once per run, so it walks the id map.
   */
  countIds(): number {
    this.check();
    let n = 0;
    for (const entry of this.ids.entries()) if (entry) n++;
    return n;
  }

  /**
   * A secondary index over the latest non-deleted versions. `name` identifies the key
   * function: an index persisted under that name is reused, and caught up lazily.
   */
  index(name: string, keys: (e: Entity) => Value[]): JoinIndex {
    this.check();
    const existing = this.indexes.get(name);
    if (existing) {
      existing.setKeyFunction(keys);
      return existing;
    }
    const st = this.indexStates[name] ?? { file: indexFileKey(name), seen: -1, tables: [] };
    const prefix = `ix-${st.file}`;
    const ix = new IndexImpl(name, st, keys, this.source, this.dir, this.fds, () => this.newFile(prefix));
    this.indexes.set(name, ix);
    return ix;
  }

  // ------------------------------------------------------------------ housekeeping

  /** Store.close / deleteDataset: pending writes are dropped, the instance becomes unusable. */
  close(): void {
    if (this.closed) return;
    try {
      this.discardPending();
    } finally {
      this.log.close();
      this.fds.evictUnder(this.dir);
      this.closed = true;
    }
  }

  private check(): void {
    if (this.closed) throw new Error(`dataset ${JSON.stringify(this.id)} is closed (its store was closed or the dataset was deleted)`);
  }

  private ensureDir(): void {
    if (this.dirExists) return;
    fs.mkdirSync(this.dir, { recursive: true });
    // The folder's own entry must be durable before a manifest inside it can be.
    fsyncDir(path.dirname(this.dir));
    this.dirExists = true;
  }

  private newFile(prefix: string): string {
    return `${prefix}-${this.nextFile++}.sst`;
  }

  /** Deletes files a crashed process left behind: anything of ours the manifest does not name. */
  private collectGarbage(): void {
    const keep = new Set<string>([MANIFEST_FILE, ...this.log.segmentFiles(), ...this.ids.tables.files()]);
    if (this.onDisk) keep.add(VERSIONS_FILE);
    for (const st of Object.values(this.indexStates)) for (const t of st.tables) keep.add(t.file);
    for (const f of fs.readdirSync(this.dir)) {
      if (keep.has(f) || !STORE_FILE.test(f)) continue;
      fs.rmSync(path.join(this.dir, f), { force: true });
    }
  }
}

/** The version the encoder has just written, as `versionEntity` (record.ts) builds it. */
function versionOf(enc: LineEncoder, id: string, deleted: boolean, previous: number, ts: number, updated: number): Entity {
  return enc.shape!.version(enc.rootValues, deleted, enc.hashText(), id, previous < 0 ? null : previous, ts, updated);
}
