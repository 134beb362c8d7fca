/**
 * Child process for the store's process-level tests; the tests run it with `node` (mocha
 * does not pick it up: it is not a `.test.js` file).
 *
 *   hold <dir>            open the store, print "locked", wait to be killed
 *   pending <dir>         commit one batch, write a second one without committing, print
 *                         "ready", wait to be killed
 *   writer <dir> <seed>   write and commit batches forever, printing "committed <n>" after
 *                         each commit (n = committed versions), until killed
 */
import { Store } from '../../src/store/index.js';
import { crashWorkload, CRASH_DATASET, CRASH_SEGMENT_BYTES, groupKeys, prng } from './store-helpers.js';

const [mode, dir, seedText] = process.argv.slice(2);
if (!mode || !dir) throw new Error('usage: store-child.js hold|pending|writer <dir> [seed]');

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
} else {
  throw new Error(`unknown mode ${mode}`);
}
