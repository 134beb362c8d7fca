import assert from 'node:assert/strict';
import { WrittenVersions } from '../../src/engine/written-cache.js';
import type { Entity } from '../../src/values/types.js';
import { prng, storeFixture } from '../store/store-helpers.js';

describe('engine: the cache of written versions answers reads like the store', () => {
  const fx = storeFixture('written', 'things');

  const ids = (list: readonly Entity[]): string[] => list.map((e) => `${e['_id'] as string}@${e['_updated'] as number}`);

  function compare(cache: WrittenVersions, since: number): void {
    for (const latestOnly of [false, true]) {
      for (const includeDeleted of [false, true]) {
        const fromCache = cache.read(fx.ds, since, latestOnly, includeDeleted);
        assert.ok(fromCache, 'the cache covers a dataset it saw from empty');
        const fromStore = [...fx.ds.read(since, { latestOnly, includeDeleted })];
        assert.deepEqual(ids(fromCache), ids(fromStore), `since ${since}, latestOnly ${latestOnly}, includeDeleted ${includeDeleted}`);
      }
    }
  }

  it('random batches with repeated ids, deletions and rolled-back batches', () => {
    const cache = new WrittenVersions();
    const rnd = prng(7);
    for (let batch = 0; batch < 60; batch++) {
      const entities: Entity[] = [];
      for (let i = 0; i < 1 + rnd(12); i++) {
        // Few ids, so most batches supersede versions, sometimes within the batch itself.
        entities.push({ _id: `e${rnd(15)}`, v: rnd(4), ...(rnd(5) === 0 ? { _deleted: true } : {}) });
      }
      const r = fx.ds.write(entities, { returnVersions: true });
      cache.record(fx.ds, r.versions);
      // Reads see committed versions only, even while a batch is pending.
      compare(cache, -1);
      if (rnd(4) === 0) {
        // A failed batch: its version numbers are reused by the next one.
        fx.ds.rollback();
        cache.rollback(fx.ds);
      } else fx.ds.commit();
      compare(cache, -1);
      compare(cache, rnd(Math.max(1, fx.ds.committedSize)));
    }
    assert.ok(fx.ds.committedSize > 100);
  });

  it('does not answer for a dataset that held versions before it was first seen', () => {
    fx.ds.write([{ _id: 'old' }]);
    fx.ds.commit();
    const cache = new WrittenVersions();
    cache.record(fx.ds, fx.ds.write([{ _id: 'new' }], { returnVersions: true }).versions);
    fx.ds.commit();
    assert.equal(cache.read(fx.ds, -1, true, false), undefined);
  });
});
