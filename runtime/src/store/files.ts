/**
 * Small synchronous file helpers the store is built from: crash-safe JSON files, directory
 * fsync, exact positioned reads, and a bounded cache of read-only descriptors (a store can
 * hold hundreds of table files; opening one per lookup would cost more than the lookup).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

let tmpCounter = 0;

/**
 * Writes JSON so that a crash leaves either the old or the new file, never a torn one:
 * write a temporary file, fsync it, rename it over the target, fsync the directory (the
 * rename itself is only durable once the directory entry is).
 */
export function atomicWriteJson(file: string, value: unknown): void {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error(`atomicWriteJson: ${file}: value is not JSON-serialisable`);
  const tmp = `${file}.tmp-${process.pid}-${++tmpCounter}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
  fsyncDir(path.dirname(file));
}

/** The parsed JSON of a file, or undefined when the file does not exist. */
export function readJsonFile<T>(file: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (isCode(e, 'ENOENT')) return undefined;
    throw e;
  }
  return JSON.parse(text) as T;
}

/** Makes directory entries (created, renamed or removed files) durable. */
export function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (e) {
    // Some platforms (Windows) cannot open directories; their renames are durable anyway.
    if (isCode(e, 'EISDIR') || isCode(e, 'EPERM') || isCode(e, 'EACCES')) return;
    throw e;
  }
  try {
    fs.fsyncSync(fd);
  } catch (e) {
    if (!isCode(e, 'EINVAL') && !isCode(e, 'EPERM')) throw e;
  } finally {
    fs.closeSync(fd);
  }
}

export function isCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === code;
}

export function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch (e) {
    if (!isCode(e, 'ENOENT')) throw e;
  }
}

/** Reads exactly `length` bytes at `position` into `buf` at `offset` (short reads retried). */
export function preadFully(fd: number, buf: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, offset + done, length - done, position + done);
    if (n === 0) throw new Error(`unexpected end of file: wanted ${length} bytes at ${position}, got ${done}`);
    done += n;
  }
}

/** Writes all of `buf[offset, offset+length)` at `position`. */
export function pwriteFully(fd: number, buf: Uint8Array, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    done += fs.writeSync(fd, buf, offset + done, length - done, position + done);
  }
}

/** A fresh buffer with the bytes at [position, position+length) of the file. */
export function preadBuffer(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  preadFully(fd, buf, 0, length, position);
  return buf;
}

/**
 * Read-only file descriptors by path, least recently used closed first. Everything in the
 * store is synchronous, so a descriptor handed out is used before anything can evict it.
 */
export class FdCache {
  private readonly fds = new Map<string, number>();
  /** Table blocks recently read through these descriptors. */
  readonly blocks: BlockCache;

  constructor(private readonly limit = 200, blockCacheBytes = 64 << 20) {
    this.blocks = new BlockCache(blockCacheBytes);
  }

  get(file: string): number {
    const fd = this.fds.get(file);
    if (fd !== undefined) {
      // Re-insert to mark it most recently used (Map keeps insertion order).
      this.fds.delete(file);
      this.fds.set(file, fd);
      return fd;
    }
    if (this.fds.size >= this.limit) {
      const oldest = this.fds.keys().next().value as string;
      this.evict(oldest);
    }
    const opened = fs.openSync(file, 'r');
    this.fds.set(file, opened);
    return opened;
  }

  evict(file: string): void {
    const fd = this.fds.get(file);
    if (fd === undefined) return;
    this.fds.delete(file);
    fs.closeSync(fd);
  }

  /** Closes every descriptor under a directory (before the directory is deleted). */
  evictUnder(dir: string): void {
    const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
    for (const file of [...this.fds.keys()]) if (file.startsWith(prefix)) this.evict(file);
  }

  closeAll(): void {
    for (const fd of this.fds.values()) fs.closeSync(fd);
    this.fds.clear();
    this.blocks.clear();
  }
}

/**
 * Table blocks by (table, block number), first in first out within a byte budget. Writing a
 * batch that updates existing ids, or rewrites them unchanged, looks up each id's block; the
 * blocks of a million ids fit in a few tens of MiB, so repeated passes stop costing a read
 * per entity.
 */
export class BlockCache {
  private readonly map = new Map<number, Buffer>();
  private bytes = 0;
  private nextTable = 1;

  constructor(private readonly limit: number) {}

  /** A key space for one table's blocks (block numbers stay below 2^22). */
  tableKey(): number {
    return this.nextTable++ * 4194304;
  }

  get(key: number): Buffer | undefined {
    return this.map.get(key);
  }

  set(key: number, block: Buffer): void {
    if (block.length > this.limit / 16) return;
    this.map.set(key, block);
    this.bytes += block.length;
    while (this.bytes > this.limit) {
      const oldest = this.map.entries().next().value as [number, Buffer];
      this.map.delete(oldest[0]);
      this.bytes -= oldest[1].length;
    }
  }

  clear(): void {
    this.map.clear();
    this.bytes = 0;
  }
}
