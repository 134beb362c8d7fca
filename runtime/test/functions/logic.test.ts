import assert from 'node:assert/strict';
import { LOGIC } from '../../src/functions/logic.js';
import type { Lambda } from '../../src/functions/types.js';
import { Decimal } from '../../src/values/decimal.js';
import { path } from '../../src/values/path.js';
import { DateTime, DateValue, Float, NI, URI } from '../../src/values/types.js';
import { functionCaller, testContext } from '../helpers.js';

const cx = testContext();
const G = functionCaller(LOGIC, cx);
const http = new URI('http://www.example.org/');

describe('functions/logic', () => {
  describe('all / any', () => {
    it('documented examples', () => {
      assert.equal(G('all')(undefined, [1, 2, 3]), true);
      assert.equal(G('all')((x) => G('gt')(x, 2), [4, 5, 6]), true);
      assert.equal(G('all')((x) => G('lt')(x, 2), [1, 3, 5]), false);
      assert.equal(G('any')(undefined, [1, 2, 3]), true);
      assert.equal(G('any')((x) => G('gt')(x, 5), [4, 6, 8]), true);
      assert.equal(G('any')((x) => G('lt')(x, 2), [6, 7, 8]), false);
    });
    it('truthiness and empty inputs', () => {
      assert.equal(G('all')(undefined, [0, '', [false]]), true);
      assert.equal(G('all')(undefined, [1, []]), false);
      assert.equal(G('all')(undefined, null), true);
      assert.equal(G('all')(undefined, []), true);
      assert.equal(G('any')(undefined, []), false);
      assert.equal(G('any')(undefined, [null, false, []]), false);
      assert.equal(G('any')(undefined, 'x'), true);
    });
  });

  describe('and / or / not', () => {
    const s = { age: 30, gender: 'male', category: 'C' };
    it('documented examples', () => {
      assert.equal(G('and')(G('gt')(path(s, ['age']), 26), G('eq')(path(s, ['gender']), 'male')), true);
      assert.equal(G('and')(G('gt')(path({ age: 20 }, ['age']), 26), true), false);
      assert.equal(G('or')(G('eq')(path(s, ['category']), 'A'), G('eq')(path(s, ['category']), 'B')), false);
      assert.equal(G('or')(G('eq')(path({ category: 'B' }, ['category']), 'A'), G('eq')(path({ category: 'B' }, ['category']), 'B')), true);
      assert.equal(G('not')(G('or')(G('eq')(path(s, ['category']), 'A'), G('eq')(path(s, ['category']), 'B'))), true);
    });
    it('truthiness; not is the negation of and', () => {
      assert.equal(G('and')(1, 0, ''), true);
      assert.equal(G('and')(1, []), false);
      assert.equal(G('or')(null, false, []), false);
      assert.equal(G('or')(null, [null]), true);
      assert.equal(G('not')(true, false), true);
      assert.equal(G('not')(true, 1), false);
      assert.equal(G('not')(null), true);
    });
  });

  describe('boolean', () => {
    it('documented examples', () => {
      assert.equal(G('boolean')(undefined, 'false'), false);
      assert.equal(G('boolean')(undefined, null), null);
      assert.deepEqual(G('boolean')(undefined, ['true', http, 'True', false, 1234]), [true, true, false]);
      assert.deepEqual(G('boolean')(() => false, ['true', http, '124.4', 'FALSE']), [true, false, false, false]);
      assert.deepEqual(G('boolean')(() => 'n/a', ['true', http, '124.4']), [true, 'n/a', 'n/a']);
      // ["string", "_."] as the default: the URI becomes its text.
      const str: Lambda = (x) => String(x);
      assert.deepEqual(G('boolean')(str, ['true', http, 'False']), [true, 'http://www.example.org/', false]);
    });
    it('edge cases', () => {
      assert.equal(G('boolean')(undefined, 1), null);
      assert.equal(G('boolean')(undefined, ' true'), null);
      assert.deepEqual(G('boolean')(undefined, [null, 'TRUE']), [true]);
    });
  });

  describe('is-boolean', () => {
    it('documented examples', () => {
      assert.equal(G('is-boolean')(false), true);
      assert.equal(G('is-boolean')('True'), false);
      assert.equal(G('is-boolean')([true, '12345']), true);
      assert.equal(G('is-boolean')(['12345', true]), false);
      assert.equal(G('is-boolean')([G('boolean')(undefined, 'FALSE'), 1234]), true);
    });
    it('null and [] are not booleans', () => {
      assert.equal(G('is-boolean')(null), false);
      assert.equal(G('is-boolean')([]), false);
      assert.equal(G('is-boolean')(0), false);
    });
  });

  describe('eq / neq', () => {
    it('documented examples', () => {
      assert.equal(G('eq')(path({ age: 42 }, ['age']), 42), true);
      assert.equal(G('eq')(path({ age: 41 }, ['age']), 42), false);
      assert.equal(G('eq')(path({ hobbies: ['soccer', 'tennis'] }, ['hobbies']), ['soccer', 'tennis']), true);
      assert.equal(G('eq')(path({ hobbies: ['tennis', 'soccer'] }, ['hobbies']), ['soccer', 'tennis']), false);
      assert.equal(G('eq')(path({ hobbies: ['soccer'] }, ['hobbies']), ['soccer', 'tennis']), false);
      assert.equal(G('neq')(path({ age: 42 }, ['age']), 42), false);
      assert.equal(G('neq')(path({ age: 43 }, ['age']), 42), true);
    });
    it('list coercion: null ≡ [], x ≡ [x]', () => {
      assert.equal(G('eq')(null, []), true);
      assert.equal(G('eq')('a', ['a']), true);
      assert.equal(G('eq')(null, [null]), false);
      assert.equal(G('eq')([['a']], ['a']), false);
      assert.equal(G('neq')(null, null), false);
    });
    it('numbers compare across int/float/decimal, other types exactly', () => {
      assert.equal(G('eq')(1, new Float(1)), true);
      assert.equal(G('eq')(new Decimal(150, -2), new Float(1.5)), true);
      assert.equal(G('eq')(2n ** 64n, 2n ** 64n), true);
      assert.equal(G('eq')(1, '1'), false);
      assert.equal(G('eq')(1, true), false);
      assert.equal(G('eq')(new NI('a:b'), 'a:b'), false);
      assert.equal(G('eq')(new NI('a:b'), new NI('a:b')), true);
      assert.equal(G('eq')({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), true);
    });
  });

  describe('gt / gte / lt / lte', () => {
    it('documented examples', () => {
      assert.equal(G('gt')(path({ age: 43 }, ['age']), 42), true);
      assert.equal(G('gt')(path({ age: 42 }, ['age']), 42), false);
      assert.equal(G('gte')(path({ age: 42 }, ['age']), 42), true);
      assert.equal(G('gte')(path({ age: 41 }, ['age']), 42), false);
      assert.equal(G('lt')(path({ age: 41 }, ['age']), 42), true);
      assert.equal(G('lt')(path({ age: 42 }, ['age']), 42), false);
      assert.equal(G('lte')(path({ age: 42 }, ['age']), 42), true);
      assert.equal(G('lte')(path({ age: 43 }, ['age']), 42), false);
    });
    it('first values only', () => {
      assert.equal(G('gt')([5, 1], [4, 100]), true);
      assert.equal(G('lt')([1, 100], 2), true);
    });
    it('null, empty or missing sides are false for every operator', () => {
      for (const op of ['gt', 'gte', 'lt', 'lte']) {
        assert.equal(G(op)(null, 1), false, op);
        assert.equal(G(op)(1, null), false, op);
        assert.equal(G(op)([], 1), false, op);
        assert.equal(G(op)(path({}, ['age']), 42), false, op);
        assert.equal(G(op)([null], [null]), false, op);
      }
    });
    it('incomparable types are false for every operator', () => {
      for (const op of ['gt', 'gte', 'lt', 'lte']) {
        assert.equal(G(op)('10', 5), false, op);
        assert.equal(G(op)(5, '10'), false, op);
        assert.equal(G(op)(true, 0), false, op);
        assert.equal(G(op)(new DateTime(0n), 0), false, op);
        assert.equal(G(op)(new Float(NaN), 1), false, op);
      }
    });
    it('comparable types', () => {
      assert.equal(G('gt')(new Float(2.5), 2), true);
      assert.equal(G('lt')(new Decimal(1999, -3), 2), true);
      assert.equal(G('gte')(new Decimal(200, -2), 2), true);
      assert.equal(G('gt')(2n ** 64n, 9007199254740991), true);
      assert.equal(G('gt')('b', 'a'), true);
      assert.equal(G('lt')('B', 'a'), true);
      assert.equal(G('lt')('\uffff', '😀'), true);
      assert.equal(G('gt')(true, false), true);
      assert.equal(G('lt')(new DateValue(2015, 7, 28), new DateTime(1438076760000000000n)), true);
      assert.equal(G('gt')(new DateTime(2n), new DateTime(1n)), true);
      assert.equal(G('lt')(new URI('a'), new URI('b')), true);
      assert.equal(G('lt')([[1, 2]], [[1, 3]]), true);
    });
  });

  it('the table has the 13 functions of this file', () => {
    assert.equal(Object.keys(LOGIC).length, 13);
  });
});
