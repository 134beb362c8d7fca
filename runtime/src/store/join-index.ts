/**
 * Secondary (join) indexes: index key → ids of the latest, non-deleted versions yielding it.
 *
 * An index is a key space of composite keys `valueKey(key) 0xFF id` (see keys.ts), ordered by
 * (hash of the index key, hash of the id, bytes), with a one-byte value: 1 = present,
 * 0 = tombstone (the pair went away; it shadows older tables until a merge reaches the oldest
 * table). A lookup finds all entries of one index key with one block read per table whose
 * bloom filter admits the key.
 *
 * The index is maintained lazily: it remembers the last `_updated` it has seen and, on
 * lookup, catches up over the newer versions, latest only. For each changed entity the keys
 * it had in the version the index last saw (found by following `_previous` back past that
 * point) are removed and the keys of its latest version added, so key changes and deletions
 * are exact. Changes accumulate in a memtable that commit persists as a table.
 */
import { valueKey } from '../values/compare.js';
import type { Entity, Value } from '../values/types.js';
import type { FdCache } from './files.js';
import { hashString } from './hash.js';
import { decodeKey, encodeKey, KEY_SEPARATOR } from './keys.js';
import { deletedOf, previousOf } from './log.js';
import { EntryBatch, TableSet, type CommitPlan, type TableRef } from './tableset.js';

export interface JoinIndex {
  /** `_id`s of latest non-deleted versions having any of these keys (no duplicates, any order). */
  lookup(keys: Value[]): string[];
  /** Brings the index up to the dataset's last version now (lookups do so on their own). */
  catchUp(): void;
  /**
   * Builds a never-built index from pairs the caller already has (a full run's hash join),
   * saving the scan and the key function calls: `feed` must call `add` once per (index key,
   * id) pair of the latest non-deleted versions up to version `end`, the dataset's last.
   * Returns false, and does nothing, when the index is not fresh or `end` is not the last.
   */
  seed(end: number, feed: (add: (key: Value, id: string) => void) => void): boolean;
}

/** What an index needs from its dataset. */
export interface IndexSource {
  /** Number of versions, pending included. */
  readonly size: number;
  /** Latest-only scan of versions (after, end]: version number, record field, the version. */
  scanLatest(after: number, end: number): Iterable<{ u: number; meta: number; entity: Entity }>;
  /** The record field (previous, deleted) of a version. */
  meta(u: number): number;
  /** One version (from memory when the dataset's owner keeps it decoded, else parsed). */
  version(u: number): Entity;
}

/** How an index is recorded in the manifest. */
export interface IndexState {
  /** File name prefix (`ix-<file>-<n>.sst`). */
  file: string;
  /** The last `_updated` reflected by the committed tables. */
  seen: number;
  tables: TableRef[];
}

const PRESENT = 1;
const SPILL_AT = 250_000;
/** Catch-ups over more versions than this write table batches directly. */
const BULK_CATCH_UP = 20_000;
const BULK_SPILL_AT = 2_000_000;
const NONE: readonly string[] = [];

export class IndexImpl implements JoinIndex {
  private seen: number;
  private readonly tables: TableSet;
  /** index key → (id → present) changes not yet in a table. */
  private mem = new Map<string, Map<string, boolean>>();
  private memCount = 0;

  constructor(
    readonly name: string,
    private persisted: IndexState,
    private keys: (e: Entity) => Value[],
    private readonly src: IndexSource,
    dir: string,
    fds: FdCache,
    newFileName: () => string,
  ) {
    this.seen = persisted.seen;
    this.tables = new TableSet(dir, fds, persisted.tables, 1, newFileName, (buf, vs) => buf[vs] !== PRESENT);
  }

  /** A later `index(name, fn)` call may bring a fresh closure for the same key function. */
  setKeyFunction(keys: (e: Entity) => Value[]): void {
    this.keys = keys;
  }

  lookup(keys: Value[]): string[] {
    this.catchUp();
    const out: string[] = [];
    const found = new Set<string>();
    const done = new Set<string>();
    for (const k of keys) {
      if (k === null || k === undefined) continue;
      const vk = valueKey(k);
      if (done.has(vk)) continue;
      done.add(vk);
      this.lookupOne(vk, found, out);
    }
    return out;
  }

  private lookupOne(vk: string, found: Set<string>, out: string[]): void {
    // Newest layer first; the first word on an (key, id) pair is the truth.
    const decided = new Set<string>();
    const m = this.mem.get(vk);
    if (m) {
      for (const [id, present] of m) {
        decided.add(id);
        if (present && !found.has(id)) {
          found.add(id);
          out.push(id);
        }
      }
    }
    const layers = this.tables.layers();
    if (layers.length === 0) return;
    const sa = hashString(vk);
    const prefix = encodeKey(vk);
    const plen = prefix.length;
    for (const t of layers) {
      t.scanGroup(sa, -1, (buf, ks, ke, vs) => {
        if (ke - ks <= plen || buf[ks + plen] !== KEY_SEPARATOR || buf.compare(prefix, 0, plen, ks, ks + plen) !== 0) return;
        const id = decodeKey(buf, ks + plen + 1, ke);
        if (decided.has(id)) return;
        decided.add(id);
        if (buf[vs] === PRESENT && !found.has(id)) {
          found.add(id);
          out.push(id);
        }
      });
    }
  }

  /** Brings the index up to the dataset's last version (pending included). */
  catchUp(): void {
    const end = this.src.size - 1;
    const after = this.seen;
    if (after >= end) return;
    // A big catch-up (an index build) writes its changes straight into table batches:
    // within one catch-up every (key, id) pair changes at most once, so nothing in the
    // batch needs overriding, and the memtable's maps would only cost time and memory.
    let bulk: EntryBatch | undefined;
    let change: (vk: string, id: string, present: boolean) => void = (vk, id, present) => this.change(vk, id, present);
    if (end - after > BULK_CATCH_UP) {
      this.flushMem();
      const capacity = Math.min(BULK_SPILL_AT, 2 * (end - after) + 16);
      bulk = new EntryBatch(capacity, 1);
      change = (vk, id, present) => {
        if (bulk!.n === bulk!.capacity) {
          this.tables.addBatch(bulk!);
          bulk = new EntryBatch(capacity, 1);
        }
        const i = bulk!.add(hashString(vk), hashString(id), vk, id);
        bulk!.values[i] = present ? PRESENT : 0;
      };
    }
    // A fresh build has nothing to remove; otherwise old keys come from the version the
    // index last saw.
    const incremental = after >= 0;
    for (const { meta, entity: e } of this.src.scanLatest(after, end)) {
      const id = e['_id'] as string;
      const newKeys = deletedOf(meta) ? NONE : this.keysOf(e);
      let oldKeys = NONE;
      if (incremental) {
        let p = previousOf(meta);
        while (p > after) p = previousOf(this.src.meta(p));
        if (p >= 0 && !deletedOf(this.src.meta(p))) oldKeys = this.keysOf(this.src.version(p));
      }
      for (const k of oldKeys) if (!newKeys.includes(k)) change(k, id, false);
      for (const k of newKeys) if (!oldKeys.includes(k)) change(k, id, true);
      if (this.memCount >= SPILL_AT) this.flushMem();
    }
    if (bulk) this.tables.addBatch(bulk);
    this.seen = end;
  }

  seed(end: number, feed: (add: (key: Value, id: string) => void) => void): boolean {
    if (this.seen >= 0 || this.memCount > 0 || this.tables.layers().length > 0 || end !== this.src.size - 1) return false;
    const capacity = Math.min(BULK_SPILL_AT, 2 * (end + 1) + 16);
    let batch = new EntryBatch(capacity, 1);
    // Pairs arrive grouped by key: hash each key once.
    let lastKey: Value | undefined;
    let vk = '';
    let sa = 0;
    feed((key, id) => {
      if (key !== lastKey) {
        lastKey = key;
        vk = valueKey(key);
        sa = hashString(vk);
      }
      if (batch.n === batch.capacity) {
        this.tables.addBatch(batch);
        batch = new EntryBatch(capacity, 1);
      }
      batch.values[batch.add(sa, hashString(id), vk, id)] = PRESENT;
    });
    this.tables.addBatch(batch);
    this.seen = end;
    return true;
  }

  private keysOf(e: Entity): readonly string[] {
    const ks = this.keys(e);
    if (!Array.isArray(ks)) throw new Error(`index ${this.name}: the key function returned ${typeof ks}, not a list`);
    const out: string[] = [];
    for (const k of ks) {
      if (k === null || k === undefined) continue;
      const vk = valueKey(k);
      if (!out.includes(vk)) out.push(vk);
    }
    return out;
  }

  private change(vk: string, id: string, present: boolean): void {
    let m = this.mem.get(vk);
    if (!m) {
      m = new Map();
      this.mem.set(vk, m);
    }
    const before = m.size;
    m.set(id, present);
    if (m.size > before) this.memCount++;
  }

  private flushMem(): void {
    if (this.memCount === 0) return;
    const b = new EntryBatch(this.memCount, 1);
    for (const [vk, ids] of this.mem) {
      const sa = hashString(vk);
      for (const [id, present] of ids) {
        const i = b.add(sa, hashString(id), vk, id);
        b.values[i] = present ? PRESENT : 0;
      }
    }
    this.tables.addBatch(b);
    this.mem = new Map();
    this.memCount = 0;
  }

  /** Whether commit has anything to persist for this index. */
  get hasChanges(): boolean {
    return this.memCount > 0 || this.tables.hasPending || this.seen !== this.persisted.seen;
  }

  planCommit(): CommitPlan {
    this.flushMem();
    return this.tables.planCommit();
  }

  stateFor(plan: CommitPlan): IndexState {
    return { file: this.persisted.file, seen: this.seen, tables: this.tables.refsOf(plan) };
  }

  applyCommit(plan: CommitPlan, state: IndexState): void {
    this.tables.applyCommit(plan);
    this.persisted = state;
  }

  abortCommit(plan: CommitPlan): void {
    this.tables.abortCommit(plan);
  }

  /** Back to the committed state; what was caught up since is redone lazily. */
  rollback(): void {
    this.mem = new Map();
    this.memCount = 0;
    this.tables.rollback();
    this.seen = this.persisted.seen;
  }
}
