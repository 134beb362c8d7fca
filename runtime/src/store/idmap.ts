/**
 * The primary index: `_id` → its latest version (`_updated`, deleted flag, `_hash`).
 *
 * Recent changes live in a memtable (below); committed state lives in sorted tables
 * (tableset.ts). Change detection on write needs the latest hash, so it is stored here and a
 * write never reads the log. A lookup of a new id is answered by the tables' bloom filters,
 * an existing id costs one 4 KiB block read per table that may hold it.
 *
 * Table value (36 bytes): [(_updated × 2 + deleted) f64][line offset f64][line length u32]
 * [md5 16 bytes]. With the line's place at hand, latest(id) reads the line directly.
 */
import type { FdCache } from './files.js';
import { hashLaneB, hashString } from './hash.js';
import { decodeKey } from './keys.js';
import { MergeCursor, TableScanner } from './table.js';
import { EntryBatch, TableSet, type CommitPlan, type TableRef } from './tableset.js';

export interface IdState {
  /** `_updated` of the latest version. */
  readonly u: number;
  /** Whether the latest version is deleted. */
  readonly d: boolean;
  /** Logical log offset and byte length (without newline) of its line. */
  readonly o: number;
  readonly l: number;
}

const VALUE_SIZE = 36;
/** Pending ids kept in memory before they are spilled to a pending table. */
const SPILL_AT = 200_000;

function decodeValue(buf: Buffer, at: number): IdState {
  const m = buf.readDoubleLE(at);
  return { u: Math.floor(m / 2), d: m % 2 === 1, o: buf.readDoubleLE(at + 8), l: buf.readUInt32LE(at + 16) };
}

/**
 * The memtable keeps no object per id: entry e (from 1) holds an id, its two hash lanes and
 * its latest state in parallel typed arrays, found through an open-addressing table of
 * entry numbers probed by lane A. The lanes computed on a miss also serve the bloom filters
 * of the tables and, at commit, the sorted table the memtable becomes. Entry 0 holds the
 * result of the last table lookup.
 *
 * A write batch can be undone (`undoBatch`): changed entries keep their previous state in an
 * undo log, and new entries are removed newest first, which is safe with linear probing
 * since an entry's probe path only crosses entries added before it.
 */
export class IdMap {
  private ids: string[] = [''];
  private n = 1;
  private laneA: Int32Array = new Int32Array(1024);
  private laneB: Int32Array = new Int32Array(1024);
  /** Per entry: `_updated` × 2 + deleted, line offset, line length, md5 as four LE words. */
  private meta: Float64Array = new Float64Array(1024);
  private off: Float64Array = new Float64Array(1024);
  private len: Float64Array = new Float64Array(1024);
  private hash: Int32Array = new Int32Array(4096);
  /** Open addressing: entry number per cell, 0 for empty. */
  private cells: Int32Array = new Int32Array(2048);
  /** The last `find` that missed the memtable: its id, lanes and the empty cell it ended on. */
  private missId: string | undefined;
  private missA = 0;
  private missB = 0;
  private missCell = 0;
  /** Undo log of the batch: entries changed (with their previous state), and the entry count before it. */
  private undoEntry: number[] = [];
  private undoMeta: number[] = [];
  private undoHash: number[] = [];
  private batchStart = 1;
  readonly tables: TableSet;

  constructor(dir: string, fds: FdCache, refs: readonly TableRef[], newFileName: () => string) {
    this.tables = new TableSet(dir, fds, refs, VALUE_SIZE, newFileName);
  }

  get(id: string): IdState | undefined {
    const s = this.find(id);
    return s < 0 ? undefined : this.state(s);
  }

  /**
   * The entry holding the latest state of `id`, or -1 when it has none: a memtable entry
   * (> 0), or 0 for a state found in the tables (valid until the next lookup).
   */
  find(id: string): number {
    const sa = hashString(id);
    const sb = hashLaneB;
    const a = sa | 0;
    const b = sb | 0;
    const cells = this.cells;
    const mask = cells.length - 1;
    let c = a & mask;
    for (let e = cells[c]!; e !== 0; e = cells[c]!) {
      if (this.laneA[e] === a && this.laneB[e] === b && this.ids[e] === id) return e;
      c = (c + 1) & mask;
    }
    this.missId = id;
    this.missA = a;
    this.missB = b;
    this.missCell = c;
    const layers = this.tables.layers();
    for (let i = 0; i < layers.length; i++) {
      const t = layers[i]!;
      if (!t.mayContain(sa) || !t.find(sa, sb, id)) continue;
      const v = t.foundBlock;
      const at = t.foundAt;
      this.meta[0] = v.readDoubleLE(at);
      this.off[0] = v.readDoubleLE(at + 8);
      this.len[0] = v.readUInt32LE(at + 16);
      for (let k = 0; k < 4; k++) this.hash[k] = v.readInt32LE(at + 20 + 4 * k);
      return 0;
    }
    return -1;
  }

  /** `_updated` of the state in entry `e`. */
  updatedOf(e: number): number {
    return Math.floor(this.meta[e]! / 2);
  }

  deletedOf(e: number): boolean {
    return this.meta[e]! % 2 === 1;
  }

  /** Whether entry `e` holds the md5 `h` (four words, as md5.ts leaves them). */
  hashEquals(e: number, h: Int32Array): boolean {
    const w = this.hash;
    const at = e * 4;
    return w[at] === h[0] && w[at + 1] === h[1] && w[at + 2] === h[2] && w[at + 3] === h[3];
  }

  /** The state in entry `e` as an object. */
  state(e: number): IdState {
    const m = this.meta[e]!;
    return { u: Math.floor(m / 2), d: m % 2 === 1, o: this.off[e]!, l: this.len[e]! };
  }

  /** Records a change; `current` must be what `find(id)` returned just before. */
  put(id: string, current: number, u: number, deleted: boolean, o: number, l: number, h: Int32Array): void {
    let e = current;
    if (e > 0) {
      // Keep what this batch replaces, once per entry is enough but repeats are harmless.
      this.undoEntry.push(e);
      this.undoMeta.push(this.meta[e]!, this.off[e]!, this.len[e]!);
      const w = this.hash;
      this.undoHash.push(w[e * 4]!, w[e * 4 + 1]!, w[e * 4 + 2]!, w[e * 4 + 3]!);
    } else {
      if (this.missId !== id) this.find(id);
      e = this.n++;
      if (e === this.meta.length) this.grow();
      this.ids.push(id);
      this.laneA[e] = this.missA;
      this.laneB[e] = this.missB;
      this.cells[this.missCell] = e;
      this.missId = undefined;
      if (this.n * 2 > this.cells.length) this.rehash(this.cells.length * 2);
    }
    this.meta[e] = u * 2 + (deleted ? 1 : 0);
    this.off[e] = o;
    this.len[e] = l;
    const w = this.hash;
    w[e * 4] = h[0]!;
    w[e * 4 + 1] = h[1]!;
    w[e * 4 + 2] = h[2]!;
    w[e * 4 + 3] = h[3]!;
  }

  /** Starts a write batch that `undoBatch` can take back. */
  beginBatch(): void {
    this.batchStart = this.n;
    this.undoEntry.length = 0;
    this.undoMeta.length = 0;
    this.undoHash.length = 0;
  }

  /** Takes back every `put` since `beginBatch`. */
  undoBatch(): void {
    for (let i = this.undoEntry.length - 1; i >= 0; i--) {
      const e = this.undoEntry[i]!;
      this.meta[e] = this.undoMeta[i * 3]!;
      this.off[e] = this.undoMeta[i * 3 + 1]!;
      this.len[e] = this.undoMeta[i * 3 + 2]!;
      for (let k = 0; k < 4; k++) this.hash[e * 4 + k] = this.undoHash[i * 4 + k]!;
    }
    const mask = this.cells.length - 1;
    while (this.n > this.batchStart) {
      const e = --this.n;
      let c = this.laneA[e]! & mask;
      while (this.cells[c] !== e) c = (c + 1) & mask;
      this.cells[c] = 0;
      this.ids.pop();
    }
    this.missId = undefined;
    this.beginBatch();
  }

  private grow(): void {
    const n = this.meta.length * 2;
    const grow64 = (a: Float64Array): Float64Array => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    const grow32 = (a: Int32Array, m: number): Int32Array => {
      const b = new Int32Array(n * m);
      b.set(a);
      return b;
    };
    this.meta = grow64(this.meta);
    this.off = grow64(this.off);
    this.len = grow64(this.len);
    this.hash = grow32(this.hash, 4);
    this.laneA = grow32(this.laneA, 1);
    this.laneB = grow32(this.laneB, 1);
  }

  private rehash(size: number): void {
    const cells = new Int32Array(size);
    const mask = size - 1;
    for (let e = 1; e < this.n; e++) {
      let c = this.laneA[e]! & mask;
      while (cells[c] !== 0) c = (c + 1) & mask;
      cells[c] = e;
    }
    this.cells = cells;
    this.missId = undefined;
  }

  get memSize(): number {
    return this.n - 1;
  }

  /** Moves the memtable into a pending table once it is large (bounds memory of big writes). */
  spillIfLarge(): void {
    if (this.n - 1 >= SPILL_AT) this.flush();
  }

  flush(): void {
    if (this.n === 1) return;
    this.tables.addBatch(this.batch());
    this.clearMem();
  }

  private clearMem(): void {
    this.ids = [''];
    this.n = 1;
    this.missId = undefined;
    if (this.meta.length > 1 << 16) {
      this.meta = new Float64Array(1024);
      this.off = new Float64Array(1024);
      this.len = new Float64Array(1024);
      this.hash = new Int32Array(4096);
      this.laneA = new Int32Array(1024);
      this.laneB = new Int32Array(1024);
      this.cells = new Int32Array(2048);
    } else this.cells.fill(0);
    this.beginBatch();
  }

  private batch(): EntryBatch {
    const b = new EntryBatch(this.n - 1, VALUE_SIZE);
    const vals = b.values;
    const hash = this.hash;
    for (let e = 1; e < this.n; e++) {
      const i = b.add(this.laneA[e]! >>> 0, this.laneB[e]! >>> 0, this.ids[e]!);
      const at = i * VALUE_SIZE;
      vals.writeDoubleLE(this.meta[e]!, at);
      vals.writeDoubleLE(this.off[e]!, at + 8);
      vals.writeUInt32LE(this.len[e]!, at + 16);
      for (let k = 0; k < 4; k++) vals.writeInt32LE(hash[e * 4 + k]!, at + 20 + 4 * k);
    }
    return b;
  }

  planCommit(): CommitPlan {
    this.flush();
    return this.tables.planCommit();
  }

  rollback(): void {
    this.clearMem();
    this.tables.rollback();
  }

  /**
   * Every id with its latest state, newest layer winning; order unspecified. A snapshot as
   * of the first step: the tables are read through descriptors of its own, so commits and
   * merges meanwhile do not disturb it.
   */
  *entries(): Generator<[string, IdState]> {
    const scanners: TableScanner[] = [];
    try {
      for (const t of this.tables.oldestFirst()) scanners.push(t.scanner(true));
      if (this.n > 1) {
        const buf = this.batch().encode();
        scanners.push(new TableScanner(buf, undefined, buf.length, VALUE_SIZE));
      }
      const cursor = new MergeCursor(scanners);
      for (let s = cursor.next(); s !== undefined; s = cursor.next()) {
        yield [decodeKey(s.buf, s.keyStart, s.keyEnd), decodeValue(s.buf, s.valueStart)];
      }
    } finally {
      for (const s of scanners) s.close();
    }
  }
}
