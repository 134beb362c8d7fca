/**
 * Shared pieces of the store tests: temporary folders, a child-process runner, the crash
 * workload, and a consistency check of a dataset against its own log.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareEntity } from '../../src/store/record.js';
import { Store, type Dataset, type JoinIndex, type StoreOptions } from '../../src/store/index.js';
import { Decimal } from '../../src/values/decimal.js';
import { Float, type Entity, type Value } from '../../src/values/types.js';

export const CRASH_DATASET = 'crash:test';
export const CRASH_SEGMENT_BYTES = 32 * 1024;

export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `store-${label}-`));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Deterministic pseudo-random integers in [0, n). */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0 || 1;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

export const groupKeys = (e: Entity): Value[] => [e['group'] ?? null];

/** One batch of the crash writer: updates, deletes and `_filtered` over a small id space. */
export function crashWorkload(rnd: (n: number) => number): Entity[] {
  const batch: Entity[] = [];
  const n = 1 + rnd(200);
  for (let i = 0; i < n; i++) {
    const id = 'e' + rnd(1500);
    const r = rnd(100);
    const group = 'g' + rnd(12);
    if (r < 8) batch.push({ _id: id, _deleted: true, group });
    else if (r < 12) batch.push({ _id: id, _filtered: true, group });
    else batch.push({ _id: id, group, n: rnd(4), price: new Decimal(rnd(10000), -2), f: new Float(rnd(3)), tags: ['t' + rnd(3), { deep: rnd(2) }] });
  }
  return batch;
}

export const CHILD_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'store-child.js');

/** A running child: its output lines so far, and a way to wait for one. */
export class Child {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  private stderr = '';
  private waiters: Array<() => void> = [];
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [CHILD_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let partial = '';
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      this.lines.push(...parts);
      for (const w of this.waiters.splice(0)) w();
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => {
      for (const w of this.waiters.splice(0)) w();
      resolve(code);
    }));
  }

  /** Resolves when a line satisfies `pred`; fails if the child exits first or time runs out. */
  async waitFor(pred: (line: string) => boolean, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find(pred);
      if (hit !== undefined) return hit;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) throw new Error(`child exited (${this.proc.exitCode ?? this.proc.signalCode}): ${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for the child; stderr: ${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Checks a dataset against its own log: contiguous `_updated`, `_previous` chains, hashes
 * that match the content, increasing `_ts`, and latest(), latest-only reads, live ids,
 * countLive() and (optionally) a group index that agree with a replay of the log.
 * Returns the replayed latest versions by id.
 */
export function verifyAgainstLog(ds: Dataset, groupIndex?: JoinIndex): Map<string, Entity> {
  const size = ds.committedSize;
  const all = [...ds.read(-1, { latestOnly: false })];
  assert.equal(all.length, size, 'every committed version is readable');
  const lines = [...ds.readLines(-1, { latestOnly: false })];
  assert.equal(lines.length, size);
  const latest = new Map<string, Entity>();
  let lastTs = -1;
  all.forEach((e, i) => {
    assert.equal(e['_updated'], i, '_updated is contiguous');
    const id = e['_id'];
    assert.equal(typeof id, 'string');
    const before = latest.get(id as string);
    assert.equal(e['_previous'], before ? before['_updated'] : null, `_previous of version ${i}`);
    assert.equal(prepareEntity(e, i).hash, e['_hash'], `_hash of version ${i} matches its content`);
    assert.ok((e['_ts'] as number) > lastTs, '_ts increases');
    lastTs = e['_ts'] as number;
    assert.doesNotThrow(() => JSON.parse(lines[i]!), `line ${i} is JSON`);
    latest.set(id as string, e);
  });
  for (const [id, e] of latest) assert.deepEqual(ds.latest(id), e, `latest(${id})`);
  const latestOnly = [...ds.read(-1)].map((e) => e['_updated']);
  const expected = [...latest.values()].map((e) => e['_updated'] as number).sort((a, b) => a - b);
  assert.deepEqual(latestOnly, expected, 'latest-only read');
  const live = [...latest.values()].filter((e) => e['_deleted'] !== true).map((e) => e['_id'] as string).sort();
  assert.deepEqual([...ds.liveIds()].sort(), live, 'liveIds');
  assert.equal(ds.countLive(), live.length, 'countLive');
  if (groupIndex) {
    const groups = new Map<string, string[]>();
    for (const e of latest.values()) {
      if (e['_deleted'] === true || typeof e['group'] !== 'string') continue;
      const g = groups.get(e['group']) ?? [];
      g.push(e['_id'] as string);
      groups.set(e['group'], g);
    }
    for (let g = 0; g < 12; g++) {
      assert.deepEqual(groupIndex.lookup(['g' + g]).sort(), (groups.get('g' + g) ?? []).sort(), `index lookup g${g}`);
    }
  }
  return latest;
}

/** A store in a fresh temporary folder around each test, with one dataset opened. */
export interface StoreFixture {
  dir: string;
  store: Store;
  ds: Dataset;
  /** Closes and reopens the store (what a restart sees), optionally with other options. */
  reopen(options?: StoreOptions): void;
}

/** Registers mocha hooks that give every test of the enclosing `describe` its own store. */
export function storeFixture(label: string, dataset: string): StoreFixture {
  const fx = {
    reopen(options?: StoreOptions): void {
      fx.store.close();
      fx.store = Store.open(fx.dir, options);
      fx.ds = fx.store.dataset(dataset);
    },
  } as StoreFixture;
  beforeEach(() => {
    fx.dir = tempDir(label);
    fx.store = Store.open(fx.dir);
    fx.ds = fx.store.dataset(dataset);
  });
  afterEach(() => {
    fx.store.close();
    removeDir(fx.dir);
  });
  return fx;
}
