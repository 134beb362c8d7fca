/**
 * Child process for the store's process-level tests; the tests run it with `node` (mocha
 * does not pick it up: it is not a `.test.js` file).
 *
 *   hold <dir>            open the store, print "locked", wait to be killed
 *   pending <dir>         commit one batch, write a second one without committing, print
 *                         "ready", wait to be killed
 *   writer <dir> <seed>   write and commit batches forever, printing "committed <n>" after
 *                         each commit (n = committed versions), until killed
 *   killpoint <dir> <seed> <fs function> <n> before|after
 *                         SIGKILLs itself at the n-th call of that node:fs function (counted
 *                         from Store.open on, recovery included), while writing a fixed
 *                         number of batches (for seeds 1, 5, 9, … one of them big enough
 *                         for a bulk index catch-up); prints "committed <from> <to> <sha1 of the lines>" after
 *                         each commit, and "done" when the kill point was never reached
 */
import { createHash } from 'node:crypto';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { Store } from '../../src/store/index.js';
import type { Entity } from '../../src/values/types.js';
import { crashWorkload, CRASH_DATASET, CRASH_SEGMENT_BYTES, groupKeys, prng } from './store-helpers.js';

const [mode, dir, seedText, killFn, killNth, killWhen] = process.argv.slice(2);
if (!mode || !dir) throw new Error('usage: store-child.js hold|pending|writer|killpoint <dir> [seed] [fs function n before|after]');
/** Versions of one bulk batch: more than an index catches up in its memtable (BULK_CATCH_UP in join-index.ts). */
const BULK = 21_000;

/**
 * Wraps every node:fs function the store changes files with, so that the process dies at an
 * exact step of a commit, a recovery or a clean-up. The store imports node:fs as an ES module
 * namespace; syncBuiltinESMExports carries the wrappers over to it.
 */
function armKillPoint(fn: string, nth: number, when: string): void {
  const fs = createRequire(import.meta.url)('node:fs') as Record<string, unknown>;
  const original = fs[fn];
  if (typeof original !== 'function') throw new Error(`node:fs has no function ${fn}`);
  let calls = 0;
  fs[fn] = function (this: unknown, ...args: unknown[]): unknown {
    const hit = ++calls === nth;
    if (hit && when === 'before') process.kill(process.pid, 'SIGKILL');
    const result: unknown = original.apply(this, args);
    if (hit) process.kill(process.pid, 'SIGKILL');
    return result;
  };
  syncBuiltinESMExports();
}

function waitForever(): void {
  setInterval(() => undefined, 1 << 30);
}

if (mode === 'hold') {
  Store.open(dir);
  process.stdout.write('locked\n');
  waitForever();
} else if (mode === 'pending') {
  const store = Store.open(dir);
  const ds = store.dataset('pending');
  ds.write([{ _id: 'a', v: 1 }, { _id: 'b', v: 1 }]);
  ds.commit();
  ds.write([{ _id: 'a', v: 2 }, { _id: 'c', v: 1 }]);
  process.stdout.write('ready\n');
  waitForever();
} else if (mode === 'writer') {
  const store = Store.open(dir, { segmentBytes: CRASH_SEGMENT_BYTES });
  const ds = store.dataset(CRASH_DATASET);
  const ix = ds.index('group', groupKeys);
  const rnd = prng(Number(seedText ?? 1));
  for (let round = 0; ; round++) {
    ds.write(crashWorkload(rnd));
    // Keep the index busy so that its tables are part of many commits too.
    if (round % 2 === 0) ix.lookup(['g1']);
    ds.commit();
    process.stdout.write(`committed ${ds.committedSize}\n`);
  }
} else if (mode === 'killpoint') {
  armKillPoint(killFn!, Number(killNth), killWhen!);
  const store = Store.open(dir, { segmentBytes: CRASH_SEGMENT_BYTES });
  const ds = store.dataset(CRASH_DATASET);
  const ix = ds.index('group', groupKeys);
  const seed = Number(seedText);
  const rnd = prng(seed);
  for (let round = 0; round < 8; round++) {
    let batch: Entity[] = crashWorkload(rnd);
    if (round === 3 && seed % 4 === 1) batch = Array.from({ length: BULK }, (_, i) => ({ _id: `bulk${i}`, group: 'g' + ((i + seed) % 12), v: seed }));
    ds.write(batch);
    // Every other round catches the index up, so index tables are part of many commits.
    if (round % 2 === 0) ix.lookup(['g1']);
    if (round === 5) ds.rollback();
    else {
      const from = ds.committedSize;
      ds.commit();
      const h = createHash('sha1');
      for (const line of ds.readLines(from - 1, { latestOnly: false })) h.update(line + '\n');
      process.stdout.write(`committed ${from} ${ds.committedSize} ${h.digest('hex')}\n`);
    }
  }
  process.stdout.write('done\n');
  process.exit(0);
} else {
  throw new Error(`unknown mode ${mode}`);
}
