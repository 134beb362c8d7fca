import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
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

  // Exact steps, in the order a run reaches them: the first commit's manifest rename (before
  // and after), fsyncs of segments, version records and tables, the rename of a later commit,
  // a plain segment write, and a truncation while the next process recovers.
  const KILL_POINTS: Array<[string, number, 'before' | 'after']> = [
    ['renameSync', 1, 'before'],
    ['renameSync', 1, 'after'],
    ['fdatasyncSync', 1, 'after'],
    ['fdatasyncSync', 3, 'before'],
    ['renameSync', 4, 'before'],
    ['fdatasyncSync', 9, 'after'],
    ['renameSync', 4, 'after'],
    ['writeSync', 20, 'after'],
    ['renameSync', 2, 'after'],
    ['truncateSync', 1, 'before'],
    ['fdatasyncSync', 14, 'before'],
  ];

  it('survives SIGKILL at exact steps of commits, clean-ups and recovery; committed lines read back byte for byte', async () => {
    const commits: Array<{ from: number; to: number; sha: string }> = [];
    let size = 0;
    for (const [i, [fn, nth, when]] of KILL_POINTS.entries()) {
      const child = new Child(['killpoint', dir, String(i + 1), fn, String(nth), when]);
      await child.exited;
      assert.equal(child.proc.signalCode, 'SIGKILL', `kill point ${fn} #${nth} ${when} was reached: ${child.lines.join('; ')}`);
      for (const l of child.lines) {
        const [word, from, to, sha] = l.split(' ');
        if (word === 'committed') commits.push({ from: Number(from), to: Number(to), sha: sha! });
      }
      const reported = commits.length > 0 ? commits[commits.length - 1]!.to : size;
      const store = Store.open(dir, { segmentBytes: CRASH_SEGMENT_BYTES });
      try {
        const ds = store.dataset(CRASH_DATASET);
        // The commit in flight at the kill may have become durable, nothing else.
        assert.ok(ds.committedSize >= reported, `${fn} #${nth} ${when}: ${ds.committedSize} versions survive, ${reported} were reported committed`);
        for (const c of commits) {
          const h = createHash('sha1');
          for (const line of ds.readLines(c.from - 1, { latestOnly: false, limit: c.to - c.from })) h.update(line + '\n');
          assert.equal(h.digest('hex'), c.sha, `${fn} #${nth} ${when}: versions [${c.from}, ${c.to}) read back as committed`);
        }
        const ix = ds.index('group', groupKeys);
        verifyAgainstLog(ds, ix);
        const before = ds.size;
        const r = ds.write(crashWorkload(prng(i + 500)));
        if (r.written > 0) assert.equal(r.versions[0]!['_updated'], before);
        ds.commit();
        verifyAgainstLog(ds, ix);
        size = ds.committedSize;
        commits.push({ from: before, to: size, sha: linesSha(ds, before, size) });
      } finally {
        store.close();
      }
    }
  });
});

function linesSha(ds: ReturnType<Store['dataset']>, from: number, to: number): string {
  const h = createHash('sha1');
  for (const line of ds.readLines(from - 1, { latestOnly: false, limit: to - from })) h.update(line + '\n');
  return h.digest('hex');
}
