import assert from 'node:assert/strict';
import { Decimal } from '../../src/values/decimal.js';
import { NI, type Entity, type Value } from '../../src/values/types.js';
import { HashJoinTable } from '../../src/engine/hash-join.js';
import { joinKeys } from '../../src/engine/hops.js';
import { prng, storeFixture } from './store-helpers.js';

const byRef = (e: Entity): Value[] => [e['ref'] ?? null];
const byTags = (e: Entity): Value[] => (Array.isArray(e['tags']) ? e['tags'] : []);
const sorted = (a: string[]): string[] => [...a].sort();

describe('store: secondary indexes', () => {
  const fx = storeFixture('index', 'orders');

  it('finds latest non-deleted versions by key, with set semantics', () => {
    fx.ds.write([
      { _id: 'o1', ref: 'c1' },
      { _id: 'o2', ref: 'c1' },
      { _id: 'o3', ref: 'c2' },
      { _id: 'o4', ref: null },
      { _id: 'o5' },
    ]);
    const ix = fx.ds.index('ref', byRef);
    assert.deepEqual(sorted(ix.lookup(['c1'])), ['o1', 'o2']);
    assert.deepEqual(sorted(ix.lookup(['c1', 'c2', 'c1'])), ['o1', 'o2', 'o3']);
    assert.deepEqual(ix.lookup([null]), [], 'null keys are not indexed');
    assert.deepEqual(ix.lookup(['nope']), []);
    const tags = fx.ds.index('tags', byTags);
    fx.ds.write([{ _id: 't1', tags: ['x', 'y', 'x'] }, { _id: 't2', tags: ['y'] }]);
    assert.deepEqual(sorted(tags.lookup(['x', 'y'])), ['t1', 't2']);
  });

  it('follows key changes, deletes, _filtered and re-creation (pending writes included)', () => {
    const ix = fx.ds.index('ref', byRef);
    fx.ds.write([{ _id: 'o1', ref: 'c1' }, { _id: 'o2', ref: 'c1' }]);
    assert.deepEqual(sorted(ix.lookup(['c1'])), ['o1', 'o2']);
    fx.ds.commit();
    fx.ds.write([{ _id: 'o1', ref: 'c2' }]);
    assert.deepEqual(ix.lookup(['c1']), ['o2']);
    assert.deepEqual(ix.lookup(['c2']), ['o1']);
    fx.ds.write([{ _id: 'o2', ref: 'c1', _deleted: true }]);
    assert.deepEqual(ix.lookup(['c1']), []);
    fx.ds.write([{ _id: 'o1', _filtered: true }]);
    assert.deepEqual(ix.lookup(['c2']), []);
    fx.ds.write([{ _id: 'o1', ref: 'c1' }]);
    assert.deepEqual(ix.lookup(['c1']), ['o1']);
    fx.ds.commit();
    fx.reopen();
    const again = fx.ds.index('ref', byRef);
    assert.deepEqual(again.lookup(['c1']), ['o1']);
    assert.deepEqual(again.lookup(['c2']), []);
  });

  it('several changes of the same entity between lookups remove the right old keys', () => {
    const ix = fx.ds.index('ref', byRef);
    fx.ds.write([{ _id: 'o', ref: 'a' }]);
    fx.ds.commit();
    assert.deepEqual(ix.lookup(['a']), ['o']);
    fx.ds.commit();
    fx.ds.write([{ _id: 'o', ref: 'b' }, { _id: 'o', ref: 'c' }, { _id: 'p', ref: 'a' }, { _id: 'o', ref: 'd' }]);
    fx.ds.commit();
    fx.reopen();
    const back = fx.ds.index('ref', byRef);
    assert.deepEqual(back.lookup(['a']), ['p']);
    assert.deepEqual(back.lookup(['b', 'c']), []);
    assert.deepEqual(back.lookup(['d']), ['o']);
  });

  it('matches keys by value across types (NI, decimal scale), as valueKey does', () => {
    fx.ds.write([{ _id: 'o1', ref: new NI('crm:1') }, { _id: 'o2', ref: Decimal.parse('1.50')! }, { _id: 'o3', ref: 'crm:1' }]);
    const ix = fx.ds.index('ref', byRef);
    assert.deepEqual(ix.lookup([new NI('crm:1')]), ['o1']);
    assert.deepEqual(ix.lookup([Decimal.parse('1.5')!]), ['o2']);
    assert.deepEqual(ix.lookup(['crm:1']), ['o3']);
  });

  it('is persisted under its name, reused and caught up lazily after reopen', () => {
    fx.ds.write([{ _id: 'o1', ref: 'c1' }]);
    let ix = fx.ds.index('ref', byRef);
    assert.deepEqual(ix.lookup(['c1']), ['o1']);
    fx.ds.commit();
    fx.ds.write([{ _id: 'o2', ref: 'c1' }]);
    fx.ds.commit(); // the index was not looked up: it stays behind and catches up later
    fx.reopen();
    let calls = 0;
    ix = fx.ds.index('ref', (e) => {
      calls++;
      return byRef(e);
    });
    assert.deepEqual(sorted(ix.lookup(['c1'])), ['o1', 'o2']);
    assert.equal(calls, 1, 'only the version written after the persisted index was evaluated');
    fx.ds.commit();
    fx.reopen();
    calls = 0;
    ix = fx.ds.index('ref', (e) => {
      calls++;
      return byRef(e);
    });
    assert.deepEqual(sorted(ix.lookup(['c1'])), ['o1', 'o2']);
    assert.equal(calls, 0);
  });

  it('rollback forgets what the index saw of pending writes', () => {
    const ix = fx.ds.index('ref', byRef);
    fx.ds.write([{ _id: 'o1', ref: 'c1' }]);
    fx.ds.commit();
    fx.ds.write([{ _id: 'o1', ref: 'c2' }, { _id: 'o2', ref: 'c1' }]);
    assert.deepEqual(sorted(ix.lookup(['c1'])), ['o2']);
    fx.ds.rollback();
    assert.deepEqual(ix.lookup(['c1']), ['o1']);
    assert.deepEqual(ix.lookup(['c2']), []);
  });

  it('agrees with a brute-force model over random writes, commits, rollbacks and reopens', () => {
    const rnd = prng(7);
    const fn = (e: Entity): Value[] => [e['k'] ?? null, e['k2'] ?? null];
    let ix = fx.ds.index('k', fn);
    let committed = new Map<string, Entity>();
    let model = new Map<string, Entity>();
    for (let step = 0; step < 120; step++) {
      const batch: Entity[] = [];
      for (let i = 0, n = 1 + rnd(40); i < n; i++) {
        const id = 'e' + rnd(60);
        const r = rnd(10);
        if (r === 0) batch.push({ _id: id, _deleted: true, k: 'k' + rnd(5) });
        else if (r === 1) batch.push({ _id: id, _filtered: true });
        else batch.push({ _id: id, k: rnd(4) === 0 ? null : 'k' + rnd(5), k2: 'k' + rnd(8) });
      }
      for (const v of fx.ds.write(batch).versions) model.set(v['_id'] as string, v);
      const action = rnd(10);
      if (action < 5) {
        fx.ds.commit();
        committed = new Map(model);
      } else if (action === 5) {
        fx.ds.rollback();
        model = new Map(committed);
      } else if (action === 6) {
        fx.ds.commit();
        committed = new Map(model);
        fx.reopen();
        ix = fx.ds.index('k', fn);
      }
      if (rnd(3) === 0) continue; // let the index fall behind sometimes
      for (let k = 0; k < 8; k++) {
        const key = 'k' + k;
        const expected = [...model.values()].filter((e) => e['_deleted'] !== true && (e['k'] === key || e['k2'] === key)).map((e) => e['_id'] as string);
        assert.deepEqual(sorted(ix.lookup([key])), sorted(expected), `step ${step} key ${key}`);
      }
    }
  });

  it('builds over many entities written in many commits, and reopens', () => {
    const perCommit = 300;
    const expected = (k: number): number => [...Array(perCommit).keys()].filter((i) => i % 37 === k).length * 10;
    for (let c = 0; c < 10; c++) {
      const batch: Entity[] = [];
      for (let i = 0; i < perCommit; i++) batch.push({ _id: `o${c * 1000 + i}`, ref: `c${i % 37}` });
      fx.ds.write(batch);
      fx.ds.commit();
    }
    const ix = fx.ds.index('ref', byRef);
    assert.equal(ix.lookup(['c5']).length, expected(5));
    fx.ds.commit();
    fx.reopen();
    assert.equal(fx.ds.index('ref', byRef).lookup(['c5', 'c6']).length, expected(5) + expected(6));
  });

  it('a first build seeded from a full run\'s hash join answers like one built by scanning, then and after later changes', () => {
    const rnd = prng(5);
    const KEYS: Value[] = ['a', 'b', 'c', 1, Decimal.parse('1.0')!, Decimal.parse('2.5')!, true, null];
    const keyOf = (): Value => (rnd(3) === 0 ? [KEYS[rnd(KEYS.length)]!, KEYS[rnd(KEYS.length)]!, null] : KEYS[rnd(KEYS.length)]!);
    const inner = (e: Entity): Value => e['k'] ?? null;
    const fn = (e: Entity): Value[] => joinKeys(inner(e));
    const writeRandom = (n: number): void => {
      const batch: Entity[] = [];
      for (let i = 0; i < n; i++) batch.push(rnd(8) === 0 ? { _id: `e${rnd(400)}`, _deleted: true } : { _id: `e${rnd(400)}`, k: keyOf() });
      fx.ds.write(batch);
    };
    writeRandom(600);
    fx.ds.commit();
    const live = [...fx.ds.read(-1, { latestOnly: true, includeDeleted: false })];
    const table = HashJoinTable.build(live, inner);
    const seeded = fx.ds.index('seeded', fn);
    assert.equal(seeded.seed(fx.ds.size - 2, (add) => table.forEachPair(add)), false, 'an end that is not the last version is refused');
    assert.equal(seeded.seed(fx.ds.size - 1, (add) => table.forEachPair(add)), true);
    assert.equal(seeded.seed(fx.ds.size - 1, (add) => table.forEachPair(add)), false, 'only a fresh index is seeded');
    const probes: Value[][] = [...KEYS.map((k) => [k]), ['a', 1], [Decimal.parse('1.00')!], ['zzz']];
    const agree = (when: string): void => {
      // Fetched afresh: after a reopen the indexes come from the committed state.
      const a = fx.ds.index('seeded', fn);
      const b = fx.ds.index('scanned', fn);
      for (const keys of probes) assert.deepEqual(sorted(a.lookup(keys)), sorted(b.lookup(keys)), `${when}: keys ${JSON.stringify(keys)}`);
    };
    agree('seeded');
    assert.ok(seeded.lookup(['a']).length > 0, 'the workload has hits');
    fx.ds.commit();
    fx.reopen();
    writeRandom(200);
    fx.ds.commit();
    agree('after more writes (seeded index caught up incrementally)');
  });
});
