/**
 * The data folder: an exclusive lock and one sub-folder per dataset.
 *
 *   <dir>/LOCK                  the process that has the folder open: pid, start time, boot id (lock.ts)
 *   <dir>/datasets/<name>/      one dataset (dataset.ts; <name> from names.ts)
 *   <dir>/datasets/.trash-*     datasets being deleted (renamed away first, so a deletion
 *                               is atomic; removed again on the next open if interrupted)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset, MANIFEST_FILE } from './dataset.js';
import { FdCache, fsyncDir, readJsonFile } from './files.js';
import { DirLock } from './lock.js';
import { idFileName } from './names.js';

export interface StoreOptions {
  /** Log segment size (default 1 GiB); small values exercise segment rollover in tests. */
  segmentBytes?: number;
  /** Read-only file descriptors kept open (default 200). */
  maxOpenFiles?: number;
}

const DATASETS = 'datasets';
const TRASH_PREFIX = '.trash-';
/** How many ids exists() remembers as missing before it starts over. */
const MISSING_LIMIT = 10_000;
let trashCounter = 0;

export class Store {
  private readonly datasets = new Map<string, Dataset>();
  /** Ids exists() found without a dataset (see there). */
  private readonly missing = new Set<string>();
  private readonly fds: FdCache;
  private readonly root: string;
  private closed = false;

  private constructor(
    readonly dir: string,
    private readonly lock: DirLock,
    private readonly options: Required<StoreOptions>,
  ) {
    this.root = path.join(dir, DATASETS);
    this.fds = new FdCache(options.maxOpenFiles);
  }

  /** Opens (creating it if needed) a data folder and takes its lock. */
  static open(dir: string, options: StoreOptions = {}): Store {
    fs.mkdirSync(dir, { recursive: true });
    const lock = DirLock.acquire(dir);
    try {
      const store = new Store(dir, lock, { segmentBytes: options.segmentBytes ?? 1 << 30, maxOpenFiles: options.maxOpenFiles ?? 200 });
      fs.mkdirSync(store.root, { recursive: true });
      for (const name of fs.readdirSync(store.root)) {
        if (name.startsWith(TRASH_PREFIX)) fs.rmSync(path.join(store.root, name), { recursive: true, force: true });
      }
      return store;
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** The dataset with this id (the same instance for the same id); created on first commit. */
  dataset(id: string): Dataset {
    this.check();
    this.missing.delete(id);
    if (typeof id !== 'string' || id === '') throw new Error(`dataset id must be a non-empty string, got ${JSON.stringify(id)}`);
    let ds = this.datasets.get(id);
    if (!ds) {
      ds = new Dataset(id, path.join(this.root, idFileName(id)), this.fds, { segmentBytes: this.options.segmentBytes });
      this.datasets.set(id, ds);
    }
    return ds;
  }

  /** Ids of datasets that have been committed (or have pending writes in this process). */
  datasetIds(): string[] {
    this.check();
    const ids = new Set<string>();
    for (const name of fs.readdirSync(this.root)) {
      if (name.startsWith('.')) continue;
      const m = readJsonFile<{ id?: unknown }>(path.join(this.root, name, MANIFEST_FILE));
      if (m && typeof m.id === 'string') ids.add(m.id);
    }
    for (const [id, ds] of this.datasets) if (ds.exists) ids.add(id);
    return [...ids].sort();
  }

  /**
   * Whether the dataset has been committed or has pending writes. Asked per hops lookup, so a
   * missing dataset is remembered (the store's lock keeps other writers out, and dataset()
   * forgets it); ids from outside (HTTP requests) must not create instances, so the memory of
   * missing ids is bounded.
   */
  exists(id: string): boolean {
    this.check();
    if (typeof id !== 'string' || id === '') return false;
    const ds = this.datasets.get(id);
    if (ds) return ds.exists;
    if (this.missing.has(id)) return false;
    if (fs.existsSync(path.join(this.root, idFileName(id), MANIFEST_FILE))) return true;
    if (this.missing.size >= MISSING_LIMIT) this.missing.clear();
    this.missing.add(id);
    return false;
  }

  /** Removes a dataset and everything in it (pending writes included). */
  deleteDataset(id: string): void {
    this.check();
    const ds = this.datasets.get(id);
    if (ds) {
      ds.close();
      this.datasets.delete(id);
    }
    const dir = path.join(this.root, idFileName(id));
    if (!fs.existsSync(dir)) return;
    this.fds.evictUnder(dir);
    const trash = path.join(this.root, `${TRASH_PREFIX}${process.pid}-${++trashCounter}`);
    fs.renameSync(dir, trash);
    fsyncDir(this.root);
    fs.rmSync(trash, { recursive: true, force: true });
  }

  /** Drops pending writes of every dataset, closes files and releases the lock. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const ds of this.datasets.values()) ds.close();
      this.datasets.clear();
      this.fds.closeAll();
    } finally {
      this.lock.release();
    }
  }

  private check(): void {
    if (this.closed) throw new Error(`store ${this.dir} is closed`);
  }
}
