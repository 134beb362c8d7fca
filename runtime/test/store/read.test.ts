import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { storeFixture } from './store-helpers.js';

const ids = (it: Iterable<Record<string, unknown>>): unknown[] => [...it].map((e) => `${String(e['_id'])}@${String(e['_updated'])}`);

describe('store: reading, commit and rollback', () => {
  const fx = storeFixture('read', 'orders');

  it('latestOnly skips versions superseded anywhere later; all versions on request', () => {
    fx.ds.write([{ _id: 'a', v: 1 }, { _id: 'b', v: 1 }, { _id: 'a', v: 2 }, { _id: 'c', v: 1 }, { _id: 'b', _deleted: true }]);
    fx.ds.commit();
    assert.deepEqual(ids(fx.ds.read(-1)), ['a@2', 'c@3', 'b@4']);
    assert.deepEqual(ids(fx.ds.read(-1, { latestOnly: false })), ['a@0', 'b@1', 'a@2', 'c@3', 'b@4']);
    assert.deepEqual(ids(fx.ds.read(-1, { includeDeleted: false })), ['a@2', 'c@3']);
    assert.deepEqual(ids(fx.ds.read(-1, { latestOnly: false, includeDeleted: false })), ['a@0', 'b@1', 'a@2', 'c@3']);
  });

  it('since is exclusive: versions strictly after it, -1 for the start', () => {
    fx.ds.write([{ _id: 'a', v: 1 }, { _id: 'b', v: 1 }, { _id: 'c', v: 1 }, { _id: 'a', v: 2 }]);
    fx.ds.commit();
    assert.deepEqual(ids(fx.ds.read(0)), ['b@1', 'c@2', 'a@3']);
    assert.deepEqual(ids(fx.ds.read(2)), ['a@3']);
    assert.deepEqual(ids(fx.ds.read(3)), []);
    assert.deepEqual(ids(fx.ds.read(100)), []);
    assert.deepEqual(ids(fx.ds.read(-1, { limit: 2 })), ['b@1', 'c@2']);
    assert.deepEqual(ids(fx.ds.read(-1, { limit: 0 })), []);
    assert.deepEqual(ids(fx.ds.read(-1, { latestOnly: false, limit: 1 })), ['a@0']);
    assert.deepEqual([...fx.ds.readLines(1)].map((l) => JSON.parse(l)._updated), [2, 3]);
  });

  it('version(n) and latest(id) see pending writes; read() serves committed data unless asked', () => {
    fx.ds.write([{ _id: 'a', v: 1 }]);
    fx.ds.commit();
    fx.ds.write([{ _id: 'a', v: 2 }, { _id: 'b', v: 1 }]);
    assert.equal(fx.ds.size, 3);
    assert.equal(fx.ds.committedSize, 1);
    assert.equal(fx.ds.latest('a')!['v'], 2);
    assert.equal(fx.ds.version(2)!['_id'], 'b');
    assert.equal(fx.ds.version(3), undefined);
    assert.equal(fx.ds.version(-1), undefined);
    assert.deepEqual(ids(fx.ds.read(-1)), ['a@0']);
    assert.deepEqual(ids(fx.ds.read(-1, { includePending: true })), ['a@1', 'b@2']);
    assert.equal(fx.ds.countLive(), 2);
    assert.deepEqual([...fx.ds.liveIds()].sort(), ['a', 'b']);
  });

  it('commit survives a reopen; pending writes do not', () => {
    fx.ds.write([{ _id: 'a', v: 1 }, { _id: 'b', v: 1 }]);
    fx.ds.commit();
    fx.ds.write([{ _id: 'a', v: 2 }, { _id: 'c', v: 1 }]);
    fx.reopen();
    assert.equal(fx.ds.size, 2);
    assert.equal(fx.ds.latest('a')!['v'], 1);
    assert.equal(fx.ds.latest('c'), undefined);
    assert.equal(fx.ds.countLive(), 2);
    // Writing resumes at the committed end.
    const r = fx.ds.write([{ _id: 'a', v: 3 }]);
    assert.equal(r.versions[0]!['_updated'], 2);
    assert.equal(r.versions[0]!['_previous'], 0);
    fx.ds.commit();
    fx.reopen();
    assert.deepEqual(ids(fx.ds.read(-1, { latestOnly: false })), ['a@0', 'b@1', 'a@2']);
  });

  it('rollback drops pending writes, populated and meta changes', () => {
    fx.ds.write([{ _id: 'a', v: 1 }]);
    fx.ds.populated = true;
    fx.ds.meta = { offset: 1 };
    fx.ds.commit();
    fx.ds.write([{ _id: 'a', v: 2 }, { _id: 'b', v: 1 }]);
    fx.ds.populated = false;
    fx.ds.meta['offset'] = 2;
    fx.ds.rollback();
    assert.equal(fx.ds.size, 1);
    assert.equal(fx.ds.latest('a')!['v'], 1);
    assert.equal(fx.ds.latest('b'), undefined);
    assert.equal(fx.ds.countLive(), 1);
    assert.equal(fx.ds.populated, true);
    assert.deepEqual(fx.ds.meta, { offset: 1 });
    // The same version numbers are reused after a rollback.
    assert.equal(fx.ds.write([{ _id: 'b', v: 9 }]).versions[0]!['_updated'], 1);
    fx.ds.commit();
    fx.reopen();
    assert.deepEqual(ids(fx.ds.read(-1)), ['a@0', 'b@1']);
    assert.equal(fx.ds.populated, true);
    assert.deepEqual(fx.ds.meta, { offset: 1 });
  });

  it('persists populated and meta with a commit (even without writes)', () => {
    assert.equal(fx.ds.populated, false);
    fx.ds.populated = true;
    fx.ds.meta['since'] = '42';
    fx.ds.commit();
    assert.ok(fx.store.exists('orders'));
    fx.reopen();
    assert.equal(fx.ds.populated, true);
    assert.deepEqual(fx.ds.meta, { since: '42' });
    assert.equal(fx.ds.size, 0);
  });

  it('liveIds() is a snapshot that survives later commits and table merges', () => {
    for (let c = 0; c < 10; c++) {
      fx.ds.write(Array.from({ length: 20 }, (_, i) => ({ _id: `k${c * 20 + i}`, c })));
      fx.ds.commit();
    }
    fx.ds.write([{ _id: 'k0', _deleted: true }, { _id: 'pending', v: 1 }]);
    const expected = [...Array(200).keys()].map((i) => `k${i}`).filter((k) => k !== 'k0').concat('pending').sort();
    const it = fx.ds.liveIds()[Symbol.iterator]();
    const got = [it.next().value as string];
    for (let c = 0; c < 30; c++) {
      fx.ds.write([{ _id: `k${c}`, _deleted: true }, { _id: `new${c}` }]);
      fx.ds.commit();
    }
    for (let r = it.next(); !r.done; r = it.next()) got.push(r.value);
    assert.deepEqual(got.sort(), expected);
    assert.equal(fx.ds.countLive(), 200 - 30 + 30 + 1);
  });

  it('reads across many commits, table merges and log segments', () => {
    fx.reopen({ segmentBytes: 4096 });
    const expected = new Map<string, number>();
    let u = 0;
    for (let c = 0; c < 60; c++) {
      const batch = [];
      for (let i = 0; i < 25; i++) batch.push({ _id: `id${(c * 17 + i * 31) % 300}`, c, i });
      for (const v of fx.ds.write(batch).versions) expected.set(v['_id'] as string, v['_updated'] as number);
      u += batch.length;
      fx.ds.commit();
    }
    assert.equal(fx.ds.size, u);
    const files = datasetFiles(fx.dir);
    assert.ok(files.filter((f) => f.startsWith('log-')).length > 5, 'several segments');
    fx.reopen();
    for (const [id, upd] of expected) assert.equal(fx.ds.latest(id)!['_updated'], upd, id);
    assert.deepEqual([...fx.ds.read(-1)].map((e) => e['_updated']), [...expected.values()].sort((a, b) => a - b));
    assert.equal([...fx.ds.read(-1, { latestOnly: false })].length, u);
    assert.equal(fx.ds.countLive(), expected.size);
  });
});

function datasetFiles(root: string): string[] {
  const d = path.join(root, 'datasets');
  return fs.readdirSync(d).flatMap((name) => fs.readdirSync(path.join(d, name)));
}
