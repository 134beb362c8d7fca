import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store } from '../../src/store/index.js';
import { Child, CRASH_DATASET, CRASH_SEGMENT_BYTES, crashWorkload, groupKeys, prng, removeDir, sleep, tempDir, verifyAgainstLog } from './store-helpers.js';

describe('store: crash safety (kill -9)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = tempDir('crash');
  });
  afterEach(() => {
    removeDir(dir);
  });

  it('a killed process loses its pending writes, and only those', async () => {
    const child = new Child(['pending', dir]);
    try {
      await child.waitFor((l) => l === 'ready');
    } finally {
      await child.kill();
    }
    const dsDir = fs.readdirSync(path.join(dir, 'datasets')).map((n) => path.join(dir, 'datasets', n))[0]!;
    const logBefore = fs.statSync(path.join(dsDir, 'log-000001.jsonl')).size;
    const store = Store.open(dir);
    try {
      const ds = store.dataset('pending');
      assert.equal(ds.size, 2);
      assert.equal(ds.latest('a')!['v'], 1);
      assert.equal(ds.latest('c'), undefined);
      assert.ok(fs.statSync(path.join(dsDir, 'log-000001.jsonl')).size < logBefore, 'the uncommitted tail was cut off');
      ds.write([{ _id: 'c', v: 2 }]);
      ds.commit();
      verifyAgainstLog(ds);
      assert.deepEqual([...ds.read(-1)].map((e) => `${String(e['_id'])}@${String(e['_updated'])}`), ['a@0', 'b@1', 'c@2']);
    } finally {
      store.close();
    }
  });

  it('survives SIGKILL at random moments: nothing committed is lost, nothing torn is seen', async () => {
    const rnd = prng(20240601);
    let reported = 0;
    for (let round = 0; round < 5; round++) {
      const child = new Child(['writer', dir, String(round + 1)]);
      let lastReport = reported;
      try {
        // Let it commit at least once after its start, then kill it at a random moment.
        await child.waitFor((l) => l.startsWith('committed ') && Number(l.slice(10)) > reported);
        await sleep(20 + rnd(400));
      } finally {
        await child.kill();
      }
      for (const l of child.lines) if (l.startsWith('committed ')) lastReport = Math.max(lastReport, Number(l.slice(10)));
      reported = lastReport;

      const store = Store.open(dir, { segmentBytes: CRASH_SEGMENT_BYTES });
      try {
        const ds = store.dataset(CRASH_DATASET);
        assert.ok(ds.committedSize >= reported, `round ${round}: ${ds.committedSize} versions survive, ${reported} were reported committed`);
        const ix = ds.index('group', groupKeys);
        verifyAgainstLog(ds, ix);
        // Writing continues where the last commit ended.
        const before = ds.size;
        const r = ds.write(crashWorkload(prng(round + 100)));
        if (r.written > 0) assert.equal(r.versions[0]!['_updated'], before);
        ds.commit();
        verifyAgainstLog(ds, ix);
        reported = ds.committedSize;
      } finally {
        store.close();
      }
    }
    assert.ok(reported > 0);
  });
});
