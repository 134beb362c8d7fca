/**
 * The primary index: `_id` → its latest version (`_updated`, deleted flag, `_hash`).
 *
 * Recent changes live in a memtable (a Map); committed state lives in sorted tables
 * (tableset.ts). Change detection on write needs the latest hash, so it is stored here and a
 * write never reads the log. A lookup of a new id is answered by the tables' bloom filters,
 * an existing id costs one 4 KiB block read per table that may hold it.
 *
 * Table value (36 bytes): [(_updated × 2 + deleted) f64][line offset f64][line length u32]
 * [md5 16 bytes]. With the line's place at hand, latest(id) reads the line directly.
 */
import type { FdCache } from './files.js';
import { hashLaneB, hashString } from './hash.js';
import { decodeKey, encodeKey } from './keys.js';
import { MergeCursor, TableScanner } from './table.js';
import { EntryBatch, TableSet, type CommitPlan, type TableRef } from './tableset.js';

export interface IdState {
  /** `_updated` of the latest version. */
  readonly u: number;
  /** Whether the latest version is deleted. */
  readonly d: boolean;
  /** `_hash` (md5 hex) of the latest version. */
  readonly h: string;
  /** Logical log offset and byte length (without newline) of its line. */
  readonly o: number;
  readonly l: number;
}

const VALUE_SIZE = 36;
/** Pending ids kept in memory before they are spilled to a pending table. */
const SPILL_AT = 200_000;

function decodeValue(buf: Buffer, at: number): IdState {
  const m = buf.readDoubleLE(at);
  return { u: Math.floor(m / 2), d: m % 2 === 1, o: buf.readDoubleLE(at + 8), l: buf.readUInt32LE(at + 16), h: buf.toString('hex', at + 20, at + 36) };
}

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE[48 + i < 58 ? 48 + i : 87 + i] = i;
}

/** The 16 bytes of a 32-digit lower-case hex md5 (a native call per value cost more). */
function writeHex16(hex: string, buf: Buffer, at: number): void {
  for (let i = 0; i < 16; i++) buf[at + i] = (HEX_VALUE[hex.charCodeAt(2 * i)]! << 4) | HEX_VALUE[hex.charCodeAt(2 * i + 1)]!;
}

export class IdMap {
  private mem = new Map<string, IdState>();
  readonly tables: TableSet;

  constructor(dir: string, fds: FdCache, refs: readonly TableRef[], newFileName: () => string) {
    this.tables = new TableSet(dir, fds, refs, VALUE_SIZE, newFileName);
  }

  get(id: string): IdState | undefined {
    const m = this.mem.get(id);
    if (m !== undefined) return m;
    const layers = this.tables.layers();
    if (layers.length === 0) return undefined;
    const sa = hashString(id);
    const sb = hashLaneB;
    let key: Buffer | undefined;
    for (let i = 0; i < layers.length; i++) {
      const t = layers[i]!;
      if (!t.mayContain(sa)) continue;
      key ??= encodeKey(id);
      const v = t.get(sa, sb, key);
      if (v !== undefined) return decodeValue(v, 0);
    }
    return undefined;
  }

  /** Records a change; returns the memtable's previous entry for undo. */
  set(id: string, state: IdState): IdState | undefined {
    const old = this.mem.get(id);
    this.mem.set(id, state);
    return old;
  }

  /** Restores a memtable entry saved by `set` (undo of a failed batch). */
  restore(id: string, old: IdState | undefined): void {
    if (old === undefined) this.mem.delete(id);
    else this.mem.set(id, old);
  }

  get memSize(): number {
    return this.mem.size;
  }

  /** Moves the memtable into a pending table once it is large (bounds memory of big writes). */
  spillIfLarge(): void {
    if (this.mem.size >= SPILL_AT) this.flush();
  }

  flush(): void {
    if (this.mem.size === 0) return;
    this.tables.addBatch(this.batch());
    this.mem.clear();
  }

  private batch(): EntryBatch {
    const b = new EntryBatch(this.mem.size, VALUE_SIZE);
    const vals = b.values;
    for (const [id, st] of this.mem) {
      const i = b.add(hashString(id), hashLaneB, id);
      const at = i * VALUE_SIZE;
      vals.writeDoubleLE(st.u * 2 + (st.d ? 1 : 0), at);
      vals.writeDoubleLE(st.o, at + 8);
      vals.writeUInt32LE(st.l, at + 16);
      writeHex16(st.h, vals, at + 20);
    }
    return b;
  }

  planCommit(): CommitPlan {
    this.flush();
    return this.tables.planCommit();
  }

  rollback(): void {
    this.mem.clear();
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
      if (this.mem.size > 0) {
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
