/**
 * A stack of sorted tables for one key space (the id map, or one secondary index): an LSM
 * tree in miniature. Lookups consult the tables newest first; every commit adds the flushed
 * memtable as a new table, and tables of similar size are merged (size-tiered, fan-out 8)
 * so that a million keys written in 100 commits live in a handful of files and each entry is
 * rewritten only two or three times.
 *
 * Committed tables are the ones the manifest lists. Pending tables (memtable spills during a
 * large write or index build, and merge outputs) become committed only when the manifest
 * naming them has been written; until then a crash or a rollback just deletes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FdCache } from './files.js';
import { KEY_SEPARATOR, maxKeyLength, writeKeyFast } from './keys.js';
import { sortByLanes } from './sort.js';
import { mergeTables, TableReader, TableWriter } from './table.js';

export interface TableRef {
  file: string;
  count: number;
}

/** The outcome of the merge policy for a commit, applied once the manifest is durable. */
export interface CommitPlan {
  readonly tables: TableReader[];
  readonly created: string[];
  readonly obsolete: string[];
}

const FANOUT = 8;
const LEVEL_BASE = 4096;
const MAX_TABLES = 24;

function level(count: number): number {
  let l = 0;
  for (let c = LEVEL_BASE; c < count; c *= FANOUT) l++;
  return l;
}

/**
 * Entries to write as one sorted table: parallel hash lanes, keys packed into one buffer,
 * and fixed-width values (one Buffer per key would cost more than the rest of a flush).
 */
export class EntryBatch {
  n = 0;
  readonly sa: Uint32Array;
  readonly sb: Uint32Array;
  readonly values: Buffer;
  /** Key i is keys[keyOff[i], keyOff[i + 1]). */
  readonly keyOff: Uint32Array;
  keys: Buffer;
  private keyEnd = 0;

  constructor(readonly capacity: number, readonly valueSize: number) {
    this.sa = new Uint32Array(capacity);
    this.sb = new Uint32Array(capacity);
    this.values = Buffer.alloc(capacity * valueSize);
    this.keyOff = new Uint32Array(capacity + 1);
    this.keys = Buffer.allocUnsafe(Math.max(1024, capacity * 24));
  }

  /** Adds an entry whose key is `first` (and, for composite keys, 0xFF and `second`); returns its index. */
  add(sa: number, sb: number, first: string, second?: string): number {
    const i = this.n++;
    this.sa[i] = sa;
    this.sb[i] = sb;
    const need = maxKeyLength(first) + (second === undefined ? 0 : 1 + maxKeyLength(second));
    if (this.keyEnd + need > this.keys.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.keys.length * 2, this.keyEnd + need));
      this.keys.copy(bigger, 0, 0, this.keyEnd);
      this.keys = bigger;
    }
    this.keyOff[i] = this.keyEnd;
    let o = this.keyEnd + writeKeyFast(first, this.keys, this.keyEnd);
    if (second !== undefined) {
      this.keys[o++] = KEY_SEPARATOR;
      o += writeKeyFast(second, this.keys, o);
    }
    this.keyEnd = o;
    this.keyOff[i + 1] = o;
    return i;
  }

  /** The permutation that puts the batch in table order. */
  order(): Uint32Array {
    const k = this.keys;
    const off = this.keyOff;
    return sortByLanes(this.sa, this.sb, this.n, (i, j) => k.compare(k, off[j]!, off[j + 1]!, off[i]!, off[i + 1]!));
  }

  /** The batch encoded like a table's data region, in table order (to scan a memtable like a table). */
  encode(): Buffer {
    const order = this.order();
    const vs = this.valueSize;
    const out = Buffer.allocUnsafe(this.n * (12 + vs) + this.keyEnd);
    let o = 0;
    for (let r = 0; r < this.n; r++) {
      const i = order[r]!;
      const ks = this.keyOff[i]!;
      const kl = this.keyOff[i + 1]! - ks;
      out.writeUInt32LE(this.sa[i]!, o);
      out.writeUInt32LE(this.sb[i]!, o + 4);
      out.writeUInt32LE(kl, o + 8);
      this.keys.copy(out, o + 12, ks, ks + kl);
      o += 12 + kl;
      this.values.copy(out, o, i * vs, (i + 1) * vs);
      o += vs;
    }
    return out;
  }
}

export class TableSet {
  private committed: TableReader[];
  private pending: TableReader[] = [];
  private newestFirst: TableReader[] | undefined;

  constructor(
    private readonly dir: string,
    private readonly fds: FdCache,
    refs: readonly TableRef[],
    readonly valueSize: number,
    private readonly newFileName: () => string,
    /** Entries that only exist to shadow older ones; dropped when merging into the oldest table. */
    private readonly isTombstone?: (buf: Buffer, valueStart: number) => boolean,
  ) {
    this.committed = refs.map((r) => new TableReader(path.join(dir, r.file), fds, r.count, valueSize));
  }

  /** Tables newest first (pending before committed), for lookups. */
  layers(): readonly TableReader[] {
    if (!this.newestFirst) this.newestFirst = [...this.committed, ...this.pending].reverse();
    return this.newestFirst;
  }

  /** Tables oldest first, for merged scans. */
  oldestFirst(): readonly TableReader[] {
    return [...this.committed, ...this.pending];
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** Writes a batch as a new (pending, newest) table. */
  addBatch(b: EntryBatch): void {
    if (b.n === 0) return;
    const order = b.order();
    const file = path.join(this.dir, this.newFileName());
    const w = new TableWriter(file, this.valueSize, b.n);
    let count: number;
    try {
      for (let r = 0; r < b.n; r++) {
        const i = order[r]!;
        w.add(b.sa[i]!, b.sb[i]!, b.keys, b.keyOff[i]!, b.keyOff[i + 1]!, b.values, i * this.valueSize);
      }
      count = w.finish();
    } catch (e) {
      w.abort();
      throw e;
    }
    this.pending.push(new TableReader(file, this.fds, count, this.valueSize));
    this.newestFirst = undefined;
  }

  /** Applies the merge policy to committed + pending tables, writing merged tables. */
  planCommit(): CommitPlan {
    const list = [...this.committed, ...this.pending];
    const created: string[] = [];
    const obsolete: string[] = [];
    const merge = (from: number, to: number): void => {
      const inputs = list.slice(from, to);
      const file = path.join(this.dir, this.newFileName());
      const dropTombstones = from === 0 && this.isTombstone ? this.isTombstone : undefined;
      const count = mergeTables(inputs, file, this.valueSize, dropTombstones);
      created.push(file);
      for (const t of inputs) obsolete.push(t.file);
      list.splice(from, to - from, new TableReader(file, this.fds, count, this.valueSize));
    };
    try {
      for (;;) {
        if (list.length === 0) break;
        const l = level(list[list.length - 1]!.count);
        let from = list.length - 1;
        while (from > 0 && level(list[from - 1]!.count) === l) from--;
        if (list.length - from >= FANOUT) {
          merge(from, list.length);
          continue;
        }
        if (list.length > MAX_TABLES) {
          // Too many tables of scattered sizes: merge the cheapest adjacent pair.
          let best = 0;
          for (let i = 1; i + 1 < list.length; i++) {
            if (list[i]!.count + list[i + 1]!.count < list[best]!.count + list[best + 1]!.count) best = i;
          }
          merge(best, best + 2);
          continue;
        }
        break;
      }
    } catch (e) {
      for (const f of created) this.deleteFile(f);
      throw e;
    }
    // Files merged away that were never committed are obsolete immediately too.
    return { tables: list, created, obsolete };
  }

  refsOf(plan: CommitPlan): TableRef[] {
    return plan.tables.map((t) => ({ file: path.basename(t.file), count: t.count }));
  }

  /** After the manifest naming `plan.tables` is durable. */
  applyCommit(plan: CommitPlan): void {
    this.committed = plan.tables;
    this.pending = [];
    this.newestFirst = undefined;
    for (const f of plan.obsolete) this.deleteFile(f);
  }

  /** When the manifest could not be written: the merged files go, the inputs stay. */
  abortCommit(plan: CommitPlan): void {
    for (const f of plan.created) this.deleteFile(f);
  }

  /** Drops pending tables. */
  rollback(): void {
    for (const t of this.pending) this.deleteFile(t.file);
    this.pending = [];
    this.newestFirst = undefined;
  }

  /** Every file this set references, committed or pending (for garbage collection). */
  files(): string[] {
    return [...this.committed, ...this.pending].map((t) => path.basename(t.file));
  }

  private deleteFile(file: string): void {
    this.fds.evict(file);
    fs.rmSync(file, { force: true });
  }
}
