import assert from 'node:assert/strict';
import { intersects } from '../../src/compiled/index.js';
import { HashJoinTable } from '../../src/engine/hash-join.js';
import { sortInHopsOrder } from '../../src/engine/hops.js';
import { Decimal } from '../../src/values/decimal.js';
import type { Entity, Value } from '../../src/values/types.js';
import { prng } from '../store/store-helpers.js';

describe('engine: the in-memory hash join of full runs', () => {
  const KEYS: Value[] = ['a', 'b', 'c', '\u0001odd', 1, 2, Decimal.parse('1.0')!, Decimal.parse('2.50')!, true, null];

  function randomKeys(rnd: (n: number) => number): Value {
    switch (rnd(4)) {
      case 0:
        return null;
      case 1:
        return KEYS[rnd(KEYS.length)]!;
      default:
        // Lists, with repeats and nulls.
        return Array.from({ length: rnd(5) }, () => KEYS[rnd(KEYS.length)]!);
    }
  }

  it('answers every lookup like a scan that intersects the join values, in hops order', () => {
    const rnd = prng(11);
    const entities: Entity[] = Array.from({ length: 3000 }, (_, i) => ({ _id: `id${rnd(100_000)}-${i}`, k: randomKeys(rnd) }));
    const inner = (e: Entity): Value => e['k'] ?? null;
    const table = HashJoinTable.build(entities, inner);
    const probes: Value[][] = [...KEYS.map((k) => [k]), ['a', 'b'], ['a', 'a'], [1, Decimal.parse('1.00')!], ['zzz'], [2, 'c', true]];
    for (const keys of probes) {
      const expected = sortInHopsOrder(entities.filter((e) => intersects(inner(e), keys)));
      const got = table.lookup(keys);
      assert.deepEqual(got.map((e) => e['_id']), expected.map((e) => e['_id']), `keys ${JSON.stringify(keys)}`);
    }
  });

  it('a lookup result is a copy: changing it leaves the table alone', () => {
    const table = HashJoinTable.build([{ _id: 'x', k: 'a' }, { _id: 'y', k: 'a' }], (e) => e['k'] ?? null);
    const first = table.lookup(['a']) as Entity[];
    first.length = 0;
    assert.equal(table.lookup(['a']).length, 2);
  });
});
