import assert from 'node:assert/strict';
import { SETS } from '../../src/functions/sets.js';
import { Decimal } from '../../src/values/decimal.js';
import { Float, NI } from '../../src/values/types.js';
import { functionCaller, testContext } from '../helpers.js';

const cx = testContext();
const T = functionCaller(SETS, cx);

describe('functions/sets', () => {
  describe('difference', () => {
    it('documented examples', () => {
      assert.deepEqual(T('difference')(['A', 'B'], ['B']), ['A']);
      assert.deepEqual(T('difference')('A', ['B', 'C']), ['A']);
      assert.deepEqual(T('difference')(['A', 'B', 'C', 'D'], ['A', 'B', 'E']), ['C', 'D']);
      assert.deepEqual(T('difference')(['D', 'A', 'D', 'E', 'B'], ['A', 'F', 'F', 'B', 'C']), ['D', 'D', 'E']);
    });
    it('null sides and typed equality', () => {
      assert.deepEqual(T('difference')(null, ['a']), []);
      assert.deepEqual(T('difference')(['a', null], null), ['a', null]);
      assert.deepEqual(T('difference')([1, 2, new Float(3)], [new Decimal(100, -2), 3]), [2]);
      assert.deepEqual(T('difference')([new NI('a:b'), 'a:b'], [new NI('a:b')]), ['a:b']);
    });
  });

  describe('intersection', () => {
    it('documented examples', () => {
      assert.deepEqual(T('intersection')(['A', 'B'], ['B', 'C']), ['B']);
      assert.deepEqual(T('intersection')('B', ['B', 'C']), ['B']);
      assert.deepEqual(T('intersection')('A', ['B', 'C']), []);
      assert.deepEqual(T('intersection')(['B', 'C', 'B', 'D', 'A'], ['A', 'F', 'F', 'B', 'E', 'B', 'C']), ['B', 'C', 'B', 'A']);
    });
    it('dicts compare by content', () => {
      assert.deepEqual(T('intersection')([{ a: 1, b: 2 }, { a: 2 }], [{ b: 2, a: 1 }]), [{ a: 1, b: 2 }]);
      assert.deepEqual(T('intersection')([null], [null]), [null]);
    });
  });

  describe('intersects', () => {
    it('documented examples', () => {
      assert.equal(T('intersects')(['A', 'B'], ['B', 'C']), true);
      assert.equal(T('intersects')('B', ['B', 'C']), true);
      assert.equal(T('intersects')('A', ['B', 'C']), false);
    });
    it('empty sides never intersect', () => {
      assert.equal(T('intersects')(null, null), false);
      assert.equal(T('intersects')([], ['a']), false);
      assert.equal(T('intersects')(1, new Float(1)), true);
    });
  });

  describe('union', () => {
    it('documented examples', () => {
      assert.deepEqual(T('union')(['A', 'B'], ['B', 'C']), ['A', 'B', 'C']);
      assert.deepEqual(T('union')('A', ['B', 'C']), ['A', 'B', 'C']);
      assert.deepEqual(T('union')(['B', 'C', 'B', 'D', 'A'], ['A', 'F', 'F', 'B', 'E', 'B', 'C']), ['B', 'C', 'D', 'A', 'F', 'E']);
    });
    it('null sides; the first of equal numbers wins', () => {
      assert.deepEqual(T('union')(null, null), []);
      assert.deepEqual(T('union')(null, 'a'), ['a']);
      assert.deepEqual(T('union')([new Decimal(10, -1)], [1, 2]), [new Decimal(10, -1), 2]);
    });
  });

  it('the table has all 4 functions', () => {
    assert.equal(Object.keys(SETS).length, 4);
  });
});
