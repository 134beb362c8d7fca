/**
 * Immutable sorted table files: the on-disk runs of the id map and of secondary indexes.
 *
 * Layout (all integers little-endian):
 *
 *   data blocks     each: entries [laneA u32][laneB u32][keyLen u32][key bytes][value: valueSize
 *                   bytes], sorted by (laneA, laneB, key bytes), then the entries' offsets in
 *                   the block (u32 each) and their count (u32), so that a lookup binary-searches
 *                   a block instead of decoding it; a block is closed once it reaches ~4 KiB
 *   block index     per block [first laneA u32][first laneB u32][file offset f64]
 *   bloom filter    bits over laneA (double hashing, LevelDB style)
 *   footer (64 B)   magic, count, valueSize, blockCount, indexOffset, bloomOffset, bloomBytes, k
 *
 * A lookup reads the footer once, the block index once and, when the table is asked often,
 * the bloom filter; then one block per probe (cached): no scan, and nothing proportional to
 * the table's entries is kept in memory. Tables are written once, fsynced, and only then
 * referenced from the dataset manifest, so a crash can leave unreferenced files
 * (garbage-collected on open) but never a referenced torn one.
 */
import * as fs from 'node:fs';
import { FdCache, preadBuffer, pwriteFully } from './files.js';
import { encodeKey } from './keys.js';

const MAGIC = 'DSTBL002';
const FOOTER_SIZE = 64;
const BLOCK_SIZE = 4096;
const ENTRY_HEADER = 12;
// 16+ bits per key and 8 probes: ~0.05% false positives. Every false positive costs a block
// read, and a bulk load of new ids asks every table about every id.
const BLOOM_BITS_PER_KEY = 16;
const BLOOM_K = 8;
const BLOOM_AFTER_PROBES = 8;
const WRITE_BUFFER = 1 << 20;
const SCAN_CHUNK = 1 << 20;

function bloomBytesFor(count: number): number {
  // A power of two so a probe is a mask, not a division.
  let bits = 64;
  while (bits < count * BLOOM_BITS_PER_KEY) bits *= 2;
  return bits / 8;
}

function u32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

function putU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v;
  b[p + 1] = v >>> 8;
  b[p + 2] = v >>> 16;
  b[p + 3] = v >>> 24;
}

const EMPTY = Buffer.alloc(0);

/** Whether the entry at p sorts before lanes (sa, sb). */
function entryBefore(buf: Buffer, p: number, sa: number, sb: number): boolean {
  const a = u32(buf, p);
  return a < sa || (a === sa && u32(buf, p + 4) < sb);
}

/** Whether buf[at, at + len) is `encodeKey(id)` (keys.ts); ASCII ids are compared in place. */
function keyIs(buf: Buffer, at: number, len: number, id: string): boolean {
  const n = id.length;
  let i = 0;
  if (len === n) {
    for (; i < n; i++) {
      const c = id.charCodeAt(i);
      if (c >= 0x80) break;
      if (buf[at + i] !== c) return false;
    }
    if (i === n) return true;
  } else {
    while (i < n && id.charCodeAt(i) < 0x80) i++;
    if (i === n) return false;
  }
  const key = encodeKey(id);
  return key.length === len && buf.compare(key, 0, len, at, at + len) === 0;
}

/** Streams sorted entries into a table file. */
export class TableWriter {
  private readonly fd: number;
  private buf = Buffer.allocUnsafe(WRITE_BUFFER);
  private used = 0;
  private flushed = 0;
  private count = 0;
  private blockStart = -1;
  /** Offsets (within the block) of the open block's entries. */
  private blockEntries: number[] = [];
  private readonly blockSa: number[] = [];
  private readonly blockSb: number[] = [];
  private readonly blockOff: number[] = [];
  private readonly bloom: Uint8Array;
  private readonly bloomMask: number;

  constructor(readonly file: string, private readonly valueSize: number, expectedCount: number) {
    this.fd = fs.openSync(file, 'w');
    this.bloom = new Uint8Array(bloomBytesFor(expectedCount));
    this.bloomMask = this.bloom.length * 8 - 1;
  }

  private get position(): number {
    return this.flushed + this.used;
  }

  private ensure(n: number): void {
    if (this.used + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private flush(): void {
    if (this.used === 0) return;
    pwriteFully(this.fd, this.buf, 0, this.used, this.flushed);
    this.flushed += this.used;
    this.used = 0;
  }

  private closeBlock(): void {
    const n = this.blockEntries.length;
    this.ensure(4 * n + 4);
    const b = this.buf;
    let o = this.used;
    for (let i = 0; i < n; i++, o += 4) putU32(b, o, this.blockEntries[i]!);
    putU32(b, o, n);
    this.used = o + 4;
    this.blockEntries = [];
  }

  private startEntry(sa: number, sb: number): void {
    let pos = this.position;
    if (this.blockStart < 0 || pos - this.blockStart >= BLOCK_SIZE) {
      if (this.blockStart >= 0) this.closeBlock();
      pos = this.position;
      this.blockStart = pos;
      this.blockSa.push(sa);
      this.blockSb.push(sb);
      this.blockOff.push(pos);
    }
    this.blockEntries.push(pos - this.blockStart);
    let h = sa;
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    for (let i = 0; i < BLOOM_K; i++) {
      const bit = h & this.bloomMask;
      this.bloom[bit >>> 3]! |= 1 << (bit & 7);
      h = (h + delta) >>> 0;
    }
    this.count++;
  }

  /** Adds an entry from its parts (key = keys[keyStart, keyEnd)); entries must arrive in table order. */
  add(sa: number, sb: number, keys: Buffer, keyStart: number, keyEnd: number, values: Uint8Array, valueStart: number): void {
    const kl = keyEnd - keyStart;
    const vs = this.valueSize;
    this.startEntry(sa, sb);
    this.ensure(ENTRY_HEADER + kl + vs);
    const b = this.buf;
    let o = this.used;
    putU32(b, o, sa);
    putU32(b, o + 4, sb);
    putU32(b, o + 8, kl);
    o += ENTRY_HEADER;
    // Keys and values are short: a loop beats a native copy call.
    for (let i = 0; i < kl; i++) b[o + i] = keys[keyStart + i]!;
    o += kl;
    for (let i = 0; i < vs; i++) b[o + i] = values[valueStart + i]!;
    this.used = o + vs;
  }

  /** Copies an encoded entry verbatim (merges). */
  addRaw(sa: number, sb: number, src: Buffer, start: number, end: number): void {
    this.startEntry(sa, sb);
    const n = end - start;
    this.ensure(n);
    const b = this.buf;
    const o = this.used;
    if (n <= 32) for (let i = 0; i < n; i++) b[o + i] = src[start + i]!;
    else src.copy(b, o, start, end);
    this.used = o + n;
  }

  /** Writes index, bloom and footer, fsyncs and closes; returns the entry count. */
  finish(): number {
    if (this.blockStart >= 0) this.closeBlock();
    const indexOffset = this.position;
    const nBlocks = this.blockOff.length;
    this.ensure(nBlocks * 16);
    for (let i = 0; i < nBlocks; i++) {
      const o = this.used + i * 16;
      this.buf.writeUInt32LE(this.blockSa[i]!, o);
      this.buf.writeUInt32LE(this.blockSb[i]!, o + 4);
      this.buf.writeDoubleLE(this.blockOff[i]!, o + 8);
    }
    this.used += nBlocks * 16;
    const bloomOffset = this.position;
    this.flush();
    pwriteFully(this.fd, this.bloom, 0, this.bloom.length, bloomOffset);
    this.flushed += this.bloom.length;
    const footer = Buffer.alloc(FOOTER_SIZE);
    footer.write(MAGIC, 0, 'latin1');
    footer.writeDoubleLE(this.count, 8);
    footer.writeUInt32LE(this.valueSize, 16);
    footer.writeUInt32LE(nBlocks, 20);
    footer.writeDoubleLE(indexOffset, 24);
    footer.writeDoubleLE(bloomOffset, 32);
    footer.writeUInt32LE(this.bloom.length, 40);
    footer.writeUInt32LE(BLOOM_K, 44);
    pwriteFully(this.fd, footer, 0, FOOTER_SIZE, this.flushed);
    fs.fdatasyncSync(this.fd);
    fs.closeSync(this.fd);
    return this.count;
  }

  /** Closes and deletes a half-written table. */
  abort(): void {
    try {
      fs.closeSync(this.fd);
    } finally {
      fs.rmSync(this.file, { force: true });
    }
  }
}

/** Called for each entry of a group scan: the buffer, key start/end, and value start; true stops. */
export type EntryVisitor = (buf: Buffer, keyStart: number, keyEnd: number, valueStart: number) => boolean | void;

interface Footer {
  nBlocks: number;
  indexOffset: number;
  bloomBytes: number;
  bloomK: number;
}

/** Block boundaries of a table: block i is [off[i], off[i + 1]), the last ends at `end`. */
interface BlockIndex {
  sa: Uint32Array;
  sb: Uint32Array;
  off: Float64Array;
  end: number;
}

/**
 * Lookups in one table file. Nothing is read until the first lookup (a cold open of a
 * dataset opens no table files); then the footer, the block index and, once the table is
 * asked often enough, the bloom filter.
 */
export class TableReader {
  private footer: Footer | undefined;
  private index: BlockIndex | undefined;
  private bloom: Uint8Array | undefined;
  private bloomMask = 0;
  private bloomK = 0;
  private probes = 0;
  private readonly cacheKey: number;

  /** `count` and `valueSize` come from the manifest or the writer; the footer must agree. */
  constructor(
    readonly file: string,
    private readonly fds: FdCache,
    readonly count: number,
    readonly valueSize: number,
  ) {
    this.cacheKey = fds.blocks.tableKey();
  }

  private get f(): Footer {
    return (this.footer ??= this.readFooter());
  }

  private readFooter(): Footer {
    const fd = this.fds.get(this.file);
    const size = fs.fstatSync(fd).size;
    if (size < FOOTER_SIZE) throw new Error(`${this.file}: not a table (too short)`);
    const footer = preadBuffer(fd, size - FOOTER_SIZE, FOOTER_SIZE);
    if (footer.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${this.file}: not a table (bad magic)`);
    if (footer.readDoubleLE(8) !== this.count || footer.readUInt32LE(16) !== this.valueSize) {
      throw new Error(`${this.file}: table does not match the manifest (count or value size)`);
    }
    // The bloom filter (its offset is at 32) directly follows the block index.
    return { nBlocks: footer.readUInt32LE(20), indexOffset: footer.readDoubleLE(24), bloomBytes: footer.readUInt32LE(40), bloomK: footer.readUInt32LE(44) };
  }

  /** The block index, read on first use so that opening many tables is cheap. */
  blockIndex(): BlockIndex {
    if (this.index) return this.index;
    const f = this.f;
    const n = f.nBlocks;
    const buf = preadBuffer(this.fds.get(this.file), f.indexOffset, n * 16);
    const sa = new Uint32Array(n);
    const sb = new Uint32Array(n);
    const off = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sa[i] = u32(buf, i * 16);
      sb[i] = u32(buf, i * 16 + 4);
      off[i] = buf.readDoubleLE(i * 16 + 8);
    }
    return (this.index = { sa, sb, off, end: f.indexOffset });
  }

  /**
   * Whether the table may hold keys with lane A `sa`. The bloom filter (2 MiB per million
   * keys) is only read once the table has been asked often enough for it to pay off: a
   * few lookups after a cold open are cheaper as direct block reads.
   */
  mayContain(sa: number): boolean {
    let bloom = this.bloom;
    if (bloom === undefined) {
      if (++this.probes < BLOOM_AFTER_PROBES) return true;
      const f = this.f;
      bloom = this.bloom = preadBuffer(this.fds.get(this.file), f.indexOffset + f.nBlocks * 16, f.bloomBytes);
      this.bloomMask = f.bloomBytes * 8 - 1;
      this.bloomK = f.bloomK;
    }
    let h = sa;
    const delta = ((h >>> 17) | (h << 15)) >>> 0;
    for (let i = 0; i < this.bloomK; i++) {
      const bit = h & this.bloomMask;
      if ((bloom[bit >>> 3]! & (1 << (bit & 7))) === 0) return false;
      h = (h + delta) >>> 0;
    }
    return true;
  }

  /** The first block that can hold an entry ≥ (sa, sb): the last one starting strictly before it. */
  private startBlock(ix: BlockIndex, sa: number, sb: number): number {
    const bsa = ix.sa;
    const bsb = ix.sb;
    let lo = 0;
    let hi = bsa.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const a = bsa[mid]!;
      if (a < sa || (a === sa && bsb[mid]! < sb)) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  private readBlock(ix: BlockIndex, block: number): Buffer {
    const key = this.cacheKey + block;
    const cached = this.fds.blocks.get(key);
    if (cached !== undefined) return cached;
    const start = ix.off[block]!;
    const end = block + 1 < ix.off.length ? ix.off[block + 1]! : ix.end;
    const buf = preadBuffer(this.fds.get(this.file), start, end - start);
    this.fds.blocks.set(key, buf);
    return buf;
  }

  /**
   * Visits entries with lane A `sa` (and lane B `sb` unless it is -1) in table order. Returns
   * early when the visitor returns true.
   */
  scanGroup(sa: number, sb: number, visit: EntryVisitor): void {
    if (this.count === 0 || !this.mayContain(sa)) return;
    const ix = this.blockIndex();
    const wantB = sb >= 0;
    const sbMin = wantB ? sb : 0;
    let first = true;
    for (let block = this.startBlock(ix, sa, sbMin); block < ix.off.length; block++) {
      const buf = this.readBlock(ix, block);
      const n = u32(buf, buf.length - 4);
      const offs = buf.length - 4 - 4 * n;
      // In the first block, binary-search the first entry ≥ (sa, sbMin); later blocks start there.
      let i = 0;
      if (first) {
        let hi = n;
        while (i < hi) {
          const mid = (i + hi) >>> 1;
          const p = u32(buf, offs + 4 * mid);
          const a = u32(buf, p);
          if (a < sa || (a === sa && u32(buf, p + 4) < sbMin)) i = mid + 1;
          else hi = mid;
        }
        first = false;
      }
      for (; i < n; i++) {
        const p = u32(buf, offs + 4 * i);
        const a = u32(buf, p);
        if (a !== sa) return;
        const kl = u32(buf, p + 8);
        if (wantB) {
          const b = u32(buf, p + 4);
          if (b > sb) return;
          if (b !== sb) continue;
        }
        if (visit(buf, p + ENTRY_HEADER, p + ENTRY_HEADER + kl, p + ENTRY_HEADER + kl) === true) return;
      }
    }
  }

  /** Where the value of the last successful `find` is: block buffer and offset. */
  foundBlock: Buffer = EMPTY;
  foundAt = 0;

  /**
   * Looks up the entry keyed `encodeKey(id)` with lanes (sa, sb), without consulting the
   * bloom filter (the caller does) and without allocating: on a hit, sets `foundBlock` and
   * `foundAt` and returns true.
   */
  find(sa: number, sb: number, id: string): boolean {
    if (this.count === 0) return false;
    const ix = this.blockIndex();
    let first = true;
    for (let block = this.startBlock(ix, sa, sb); block < ix.off.length; block++) {
      const buf = this.readBlock(ix, block);
      const n = u32(buf, buf.length - 4);
      const offs = buf.length - 4 - 4 * n;
      let i = 0;
      if (first) {
        // Lanes are uniform hashes: interpolating between the block's first lane A and the
        // next block's lands within an entry or two of the target (fewer cache misses than a
        // binary search, which dominate lookups in tables far larger than the CPU caches).
        const lo = ix.sa[block]!;
        const hi = block + 1 < ix.sa.length ? ix.sa[block + 1]! : 0x100000000;
        i = hi > lo ? Math.min(n - 1, Math.floor(((sa - lo) / (hi - lo)) * n)) : 0;
        if (i < 0) i = 0;
        // Step back to the first entry ≥ (sa, sb), or forward to it.
        while (i > 0 && !entryBefore(buf, u32(buf, offs + 4 * (i - 1)), sa, sb)) i--;
        while (i < n && entryBefore(buf, u32(buf, offs + 4 * i), sa, sb)) i++;
        first = false;
      }
      for (; i < n; i++) {
        const p = u32(buf, offs + 4 * i);
        if (u32(buf, p) !== sa || u32(buf, p + 4) !== sb) return false;
        const kl = u32(buf, p + 8);
        if (keyIs(buf, p + ENTRY_HEADER, kl, id)) {
          this.foundBlock = buf;
          this.foundAt = p + ENTRY_HEADER + kl;
          return true;
        }
      }
    }
    return false;
  }

  /** The value bytes stored for exactly this key, or undefined. */
  get(sa: number, sb: number, key: Buffer): Buffer | undefined {
    let found: Buffer | undefined;
    this.scanGroup(sa, sb, (buf, ks, ke, vs) => {
      if (ke - ks === key.length && buf.compare(key, 0, key.length, ks, ke) === 0) {
        found = buf.subarray(vs, vs + this.valueSize);
        return true;
      }
      return false;
    });
    return found;
  }

  /** A sequential scanner; with `ownFd` it reads through its own descriptor, which keeps a
   * snapshot readable even if a merge deletes the file meanwhile (close it when done). */
  scanner(ownFd = false): TableScanner {
    const ix = this.blockIndex();
    return new TableScanner(ownFd ? fs.openSync(this.file, 'r') : this.fds.get(this.file), ix.off, ix.end, this.valueSize, ownFd);
  }
}

/**
 * Sequential reader of a table's entries, in order (merges and full listings). It reads
 * whole blocks, about a megabyte at a time; a memtable can be scanned the same way from a
 * buffer holding its entries in table order (one block without a trailer).
 */
export class TableScanner {
  buf: Buffer = Buffer.allocUnsafe(0);
  /** Fields of the current entry (valid while `done` is false). */
  sa = 0;
  sb = 0;
  keyStart = 0;
  keyEnd = 0;
  entryStart = 0;
  entryEnd = 0;
  done = false;
  /** Next block to load, and where the loaded blocks' entry regions are. */
  private nextBlock = 0;
  private regions: number[] = [];
  private region = 0;
  private regionEnd = 0;

  /** A table file's blocks (`blockOff`, the last ending at `dataEnd`), or a buffer of entries. */
  constructor(
    private readonly source: number | Buffer,
    private readonly blockOff: Float64Array | undefined,
    private readonly dataEnd: number,
    private readonly valueSize: number,
    private readonly ownsFd = false,
  ) {
    if (typeof source === 'number') this.loadBlocks();
    else {
      this.buf = source;
      this.regions = [0, source.length];
    }
    this.enterRegion(0);
  }

  /** Loads the next run of whole blocks and records each block's entry region. */
  private loadBlocks(): boolean {
    const off = this.blockOff!;
    const nb = off.length;
    if (this.nextBlock >= nb) return false;
    const first = this.nextBlock;
    const start = off[first]!;
    let last = first;
    while (last + 1 < nb && off[last + 1]! - start < SCAN_CHUNK) last++;
    const end = last + 1 < nb ? off[last + 1]! : this.dataEnd;
    this.buf = preadBuffer(this.source as number, start, end - start);
    const regions: number[] = [];
    for (let b = first; b <= last; b++) {
      const bs = off[b]! - start;
      const be = (b + 1 < nb ? off[b + 1]! : this.dataEnd) - start;
      const n = u32(this.buf, be - 4);
      regions.push(bs, be - 4 - 4 * n);
    }
    this.regions = regions;
    this.nextBlock = last + 1;
    return true;
  }

  private enterRegion(r: number): void {
    for (;;) {
      if (r >= this.regions.length) {
        if (typeof this.source === 'number' && this.loadBlocks()) {
          r = 0;
          continue;
        }
        this.done = true;
        return;
      }
      if (this.regions[r]! < this.regions[r + 1]!) break;
      r += 2;
    }
    this.region = r;
    this.regionEnd = this.regions[r + 1]!;
    this.decode(this.regions[r]!);
  }

  private decode(p: number): void {
    const b = this.buf;
    const kl = u32(b, p + 8);
    this.sa = u32(b, p);
    this.sb = u32(b, p + 4);
    this.entryStart = p;
    this.keyStart = p + ENTRY_HEADER;
    this.keyEnd = this.keyStart + kl;
    this.entryEnd = this.keyEnd + this.valueSize;
  }

  next(): void {
    if (this.entryEnd < this.regionEnd) this.decode(this.entryEnd);
    else this.enterRegion(this.region + 2);
  }

  get valueStart(): number {
    return this.keyEnd;
  }

  /** Releases a descriptor the scanner owns. */
  close(): void {
    if (this.ownsFd && typeof this.source === 'number') fs.closeSync(this.source);
  }
}

/** Orders the current entries of two scanners (lanes, then key bytes). */
export function compareScanners(x: TableScanner, y: TableScanner): number {
  if (x.sa !== y.sa) return x.sa < y.sa ? -1 : 1;
  if (x.sb !== y.sb) return x.sb < y.sb ? -1 : 1;
  return x.buf.compare(y.buf, y.keyStart, y.keyEnd, x.keyStart, x.keyEnd);
}

/**
 * Merged iteration over scanners (oldest first): each `next()` returns the scanner holding
 * the next key, the newest one when several hold it (valid until the following call). A
 * stateful cursor rather than a generator: merges move millions of entries.
 */
export class MergeCursor {
  private last: TableScanner | undefined;
  private lastTies = false;

  constructor(private readonly scanners: TableScanner[]) {}

  next(): TableScanner | undefined {
    const scanners = this.scanners;
    const k = scanners.length;
    const prev = this.last;
    if (prev !== undefined) {
      if (this.lastTies) {
        for (let i = 0; i < k; i++) {
          const s = scanners[i]!;
          if (s !== prev && !s.done && compareScanners(s, prev) === 0) s.next();
        }
      }
      prev.next();
    }
    // Newest first, keeping the first minimum, so the newest input wins ties.
    let best: TableScanner | undefined;
    let ties = false;
    for (let i = k - 1; i >= 0; i--) {
      const s = scanners[i]!;
      if (s.done) continue;
      if (best === undefined) best = s;
      else if (s.sa !== best.sa ? s.sa < best.sa : s.sb !== best.sb ? s.sb < best.sb : (ties = true) && compareScanners(s, best) < 0) best = s;
    }
    this.last = best;
    this.lastTies = ties;
    return best;
  }
}

/**
 * Merges tables (oldest first) into one: for equal keys the newest entry wins; `drop` can
 * discard winning entries (tombstones, when nothing older remains to be shadowed).
 */
export function mergeTables(inputs: TableReader[], out: string, valueSize: number, drop?: (buf: Buffer, valueStart: number) => boolean): number {
  const writer = new TableWriter(out, valueSize, inputs.reduce((n, t) => n + t.count, 0));
  try {
    const cursor = new MergeCursor(inputs.map((t) => t.scanner()));
    for (let w = cursor.next(); w !== undefined; w = cursor.next()) {
      if (!drop || !drop(w.buf, w.valueStart)) writer.addRaw(w.sa, w.sb, w.buf, w.entryStart, w.entryEnd);
    }
    return writer.finish();
  } catch (e) {
    writer.abort();
    throw e;
  }
}
