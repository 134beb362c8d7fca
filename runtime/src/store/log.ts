/**
 * The version log: JSON-line segment files plus `versions.bin`, a fixed-width table with one
 * 16-byte record per `_updated`: [logical byte offset of the line f64][(_previous + 1) × 2 +
 * deleted f64]. Segments are contiguous in one logical byte space; the manifest lists each
 * segment's logical start and the committed byte and version counts.
 *
 * Pending lines are written to the segment files as each batch ends (without fsync), beyond
 * the committed length; pending records stay in memory until commit. Commit fsyncs the
 * segments, appends and fsyncs the records, and only then does the manifest move the
 * committed lengths. Opening truncates whatever lies beyond them, so a crash at any moment
 * leaves exactly the last commit, and committed bytes are never rewritten.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineEncoder } from './encoder.js';
import { FdCache, isCode, preadBuffer, preadFully, pwriteFully } from './files.js';

export interface SegmentRef {
  file: string;
  /** Logical offset of the segment's first byte. */
  start: number;
}

export interface LogState {
  count: number;
  bytes: number;
  segments: SegmentRef[];
}

export const VERSIONS_FILE = 'versions.bin';
const RECORD = 16;
const STAGE_LIMIT = 4 << 20;

function segmentName(n: number): string {
  return `log-${String(n).padStart(6, '0')}.jsonl`;
}

/** Decoded second field of a version record. */
export function previousOf(meta: number): number {
  return Math.floor(meta / 2) - 1;
}

export function deletedOf(meta: number): boolean {
  return meta % 2 === 1;
}

/** A mark to undo a failed write batch. */
export interface LogMark {
  count: number;
  bytes: number;
  segments: number;
}

export class VersionLog {
  private committed: LogState;
  private segments: SegmentRef[];
  private count: number;
  private bytes: number;
  /** Logical offset up to which pending bytes have reached the segment files. */
  private written: number;
  private pendOff = new Float64Array(1024);
  private pendMeta = new Float64Array(1024);
  private readonly enc = new LineEncoder();
  private writeFd: number | undefined;
  private writeFile = '';
  private readonly dirty = new Set<string>();

  constructor(
    private readonly dir: string,
    private readonly fds: FdCache,
    state: LogState,
    private readonly segmentBytes: number,
  ) {
    this.committed = { count: state.count, bytes: state.bytes, segments: state.segments.map((s) => ({ ...s })) };
    this.segments = this.committed.segments.map((s) => ({ ...s }));
    this.count = state.count;
    this.bytes = state.bytes;
    this.written = state.bytes;
  }

  /** Cuts files back to the committed state (after a crash) and checks they are all there. */
  recover(): void {
    const segs = this.committed.segments;
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i]!;
      const want = (i + 1 < segs.length ? segs[i + 1]!.start : this.committed.bytes) - s.start;
      truncateTo(path.join(this.dir, s.file), want, `log segment ${s.file}`);
    }
    truncateTo(path.join(this.dir, VERSIONS_FILE), this.committed.count * RECORD, VERSIONS_FILE);
  }

  get size(): number {
    return this.count;
  }

  get committedSize(): number {
    return this.committed.count;
  }

  get hasPending(): boolean {
    return this.count > this.committed.count;
  }

  segmentFiles(): string[] {
    return this.segments.map((s) => s.file);
  }

  // ------------------------------------------------------------------ writing

  /**
   * Starts a line written directly into the staging buffer `encoder` (at its `pos`, which
   * this returns); `endLine` appends it as version `size`, or `discardLine` drops it.
   */
  beginLine(): number {
    const enc = this.enc;
    if (enc.pos >= STAGE_LIMIT) this.flushStage();
    return enc.pos;
  }

  /**
   * Appends the line written since `beginLine` returned `start` as version `size`, visible
   * once `endBatch` ran; returns its byte length (it starts at the log's byte size before).
   */
  endLine(start: number, previous: number, deleted: boolean): number {
    const i = this.count - this.committed.count;
    if (i === this.pendOff.length) this.growPending();
    this.pendOff[i] = this.bytes;
    this.pendMeta[i] = (previous + 1) * 2 + (deleted ? 1 : 0);
    const enc = this.enc;
    const n = enc.pos - start;
    enc.ensure(1);
    enc.buf[enc.pos++] = 10;
    this.bytes += n + 1;
    this.count++;
    return n;
  }

  discardLine(start: number): void {
    this.enc.pos = start;
  }

  /** Where lines are staged (and serialised straight into) until the batch ends. */
  get encoder(): LineEncoder {
    return this.enc;
  }

  private growPending(): void {
    const off = new Float64Array(this.pendOff.length * 2);
    off.set(this.pendOff);
    this.pendOff = off;
    const meta = new Float64Array(this.pendMeta.length * 2);
    meta.set(this.pendMeta);
    this.pendMeta = meta;
  }

  /** Writes staged lines to the segment files (no fsync: that is commit's job). */
  endBatch(): void {
    this.flushStage();
    this.enc.release();
  }

  private flushStage(): void {
    if (this.enc.pos === 0) return;
    let seg = this.segments[this.segments.length - 1];
    // Segments roll over between flushes, so a line never straddles two files.
    if (!seg || (this.written - seg.start >= this.segmentBytes && this.written > seg.start)) {
      const last = this.segments.length === 0 ? 0 : Number(/\d+/.exec(seg!.file)![0]);
      seg = { file: segmentName(last + 1), start: this.written };
      fs.writeFileSync(path.join(this.dir, seg.file), '', { flag: 'wx' });
      this.segments.push(seg);
    }
    const fd = this.fdFor(seg.file);
    const used = this.enc.pos;
    pwriteFully(fd, this.enc.buf, 0, used, this.written - seg.start);
    this.dirty.add(seg.file);
    this.written += used;
    this.enc.pos = 0;
  }

  private fdFor(file: string): number {
    if (this.writeFd !== undefined && this.writeFile === file) return this.writeFd;
    this.closeWriteFd();
    this.writeFd = fs.openSync(path.join(this.dir, file), 'r+');
    this.writeFile = file;
    return this.writeFd;
  }

  private closeWriteFd(): void {
    if (this.writeFd === undefined) return;
    fs.closeSync(this.writeFd);
    this.writeFd = undefined;
    this.writeFile = '';
  }

  mark(): LogMark {
    return { count: this.count, bytes: this.bytes, segments: this.segments.length };
  }

  /** Undoes appends since `m` (a batch that failed half-way). */
  revert(m: LogMark): void {
    this.enc.pos = 0;
    this.enc.release();
    this.count = m.count;
    this.bytes = m.bytes;
    if (this.written > m.bytes) this.written = m.bytes;
    while (this.segments.length > m.segments) this.removeSegment(this.segments.pop()!);
  }

  private removeSegment(s: SegmentRef): void {
    if (this.writeFile === s.file) this.closeWriteFd();
    const file = path.join(this.dir, s.file);
    this.fds.evict(file);
    fs.rmSync(file, { force: true });
    this.dirty.delete(s.file);
  }

  /** Makes pending versions durable (but not yet committed); returns the state to commit. */
  prepareCommit(): LogState {
    this.flushStage();
    for (const f of this.dirty) {
      const fd = f === this.writeFile && this.writeFd !== undefined ? this.writeFd : undefined;
      if (fd !== undefined) fs.fdatasyncSync(fd);
      else {
        const tmp = fs.openSync(path.join(this.dir, f), 'r+');
        try {
          fs.fdatasyncSync(tmp);
        } finally {
          fs.closeSync(tmp);
        }
      }
    }
    const n = this.count - this.committed.count;
    if (n > 0) {
      const buf = Buffer.allocUnsafe(n * RECORD);
      for (let i = 0; i < n; i++) {
        buf.writeDoubleLE(this.pendOff[i]!, i * RECORD);
        buf.writeDoubleLE(this.pendMeta[i]!, i * RECORD + 8);
      }
      const file = path.join(this.dir, VERSIONS_FILE);
      const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT);
      try {
        pwriteFully(fd, buf, 0, buf.length, this.committed.count * RECORD);
        // Data and size are what a reader needs back; other metadata need not be durable.
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    return { count: this.count, bytes: this.bytes, segments: this.segments.map((s) => ({ ...s })) };
  }

  /** After the manifest recording `state` is durable. */
  applyCommit(state: LogState): void {
    this.committed = state;
    this.dirty.clear();
  }

  /** Drops pending versions: files are cut back to the committed lengths. */
  rollback(): void {
    this.enc.pos = 0;
    while (this.segments.length > this.committed.segments.length) this.removeSegment(this.segments.pop()!);
    const last = this.committed.segments[this.committed.segments.length - 1];
    if (last && this.written > this.committed.bytes) {
      this.closeWriteFd();
      fs.truncateSync(path.join(this.dir, last.file), this.committed.bytes - last.start);
    }
    this.count = this.committed.count;
    this.bytes = this.committed.bytes;
    this.written = this.committed.bytes;
    this.dirty.clear();
  }

  close(): void {
    this.closeWriteFd();
  }

  // ------------------------------------------------------------------ reading

  /**
   * Offsets and records of versions [a, a+n): `offs` gets n+1 entries (the last is where
   * version a+n-1 ends, newline included), `metas` n entries.
   */
  load(a: number, n: number, offs: Float64Array, metas: Float64Array): void {
    if (this.enc.pos > 0) throw new Error('version log: read during an unfinished write batch');
    const cc = this.committed.count;
    const end = a + n;
    if (a < cc) {
      const m = Math.min(end, cc) - a;
      // One more record when there is one: its offset is where the last wanted line ends.
      const extra = a + m < cc ? 1 : 0;
      const buf = preadBuffer(this.fds.get(path.join(this.dir, VERSIONS_FILE)), a * RECORD, (m + extra) * RECORD);
      for (let i = 0; i < m; i++) {
        offs[i] = buf.readDoubleLE(i * RECORD);
        metas[i] = buf.readDoubleLE(i * RECORD + 8);
      }
      offs[m] = extra ? buf.readDoubleLE(m * RECORD) : this.committed.bytes;
    }
    for (let k = Math.max(a, cc); k < end; k++) {
      offs[k - a] = this.pendOff[k - cc]!;
      metas[k - a] = this.pendMeta[k - cc]!;
    }
    if (end > cc) offs[n] = end < this.count ? this.pendOff[end - cc]! : this.bytes;
  }

  /** The record field of one version (previous and deleted). */
  meta(u: number): number {
    const cc = this.committed.count;
    if (u >= cc) return this.pendMeta[u - cc]!;
    const buf = preadBuffer(this.fds.get(path.join(this.dir, VERSIONS_FILE)), u * RECORD + 8, 8);
    return buf.readDoubleLE(0);
  }

  /** Bytes [start, end) of the logical log, across segments. */
  readBytes(start: number, end: number): Buffer {
    const out = Buffer.allocUnsafe(end - start);
    const segs = this.segments;
    // The last segment starting at or before `start`.
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[mid]!.start <= start) lo = mid;
      else hi = mid - 1;
    }
    let pos = start;
    for (let i = lo; pos < end; i++) {
      const s = segs[i]!;
      const segEnd = i + 1 < segs.length ? segs[i + 1]!.start : this.bytes;
      const stop = Math.min(end, segEnd);
      preadFully(this.fds.get(path.join(this.dir, s.file)), out, pos - start, stop - pos, pos - s.start);
      pos = stop;
    }
    return out;
  }

  /** Bytes of the logical log, as text (a line found through the id map). */
  text(offset: number, length: number): string {
    if (this.enc.pos > 0) throw new Error('version log: read during an unfinished write batch');
    return this.readBytes(offset, offset + length).toString('utf8');
  }

  /** The byte size of the log, pending lines included. */
  get byteSize(): number {
    return this.bytes;
  }

  /** The stored line of one version (without newline, marker included). */
  line(u: number): string {
    const offs = new Float64Array(2);
    const metas = new Float64Array(1);
    this.load(u, 1, offs, metas);
    const buf = this.readBytes(offs[0]!, offs[1]! - 1);
    return buf.toString('utf8');
  }
}

function truncateTo(file: string, length: number, what: string): void {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (e) {
    if (isCode(e, 'ENOENT') && length === 0) return;
    throw e;
  }
  if (size < length) throw new Error(`dataset is damaged: ${what} has ${size} bytes, the manifest says ${length} were committed (${file})`);
  if (size > length) fs.truncateSync(file, length);
}
