import assert from 'node:assert/strict';
import { LOGIC } from '../../src/functions/logic.js';
import { NULLS } from '../../src/functions/nulls.js';
import type { Lambda } from '../../src/functions/types.js';
import { path } from '../../src/values/path.js';
import { functionCaller, testContext } from '../helpers.js';

const cx = testContext();
const N = functionCaller(NULLS, cx);
const gt = functionCaller(LOGIC, cx)('gt');

describe('functions/nulls', () => {
  describe('coalesce', () => {
    it('documented examples', () => {
      assert.equal(N('coalesce')(undefined, path({ tags: [null, 'b', 'c'] }, ['tags'])), 'b');
      const expensive: Lambda = (x) => gt(path(x, ['expenses']), 1000);
      const hobbies = [{ n: 'chess', expenses: 10 }, { n: 'golf', expenses: 5000 }, { n: 'sail', expenses: 9000 }];
      assert.deepEqual(N('coalesce')(expensive, hobbies), { n: 'golf', expenses: 5000 });
    });
    it('edge cases', () => {
      assert.equal(N('coalesce')(undefined, null), null);
      assert.equal(N('coalesce')(undefined, []), null);
      assert.equal(N('coalesce')(undefined, [null, null]), null);
      assert.equal(N('coalesce')(undefined, 5), 5);
      assert.deepEqual(N('coalesce')(undefined, [null, [], 1]), []);
      assert.equal(N('coalesce')(() => false, [1, 2]), null);
    });
  });

  describe('coalesce-args', () => {
    it('documented examples', () => {
      const s = { one: null, two: 'second', three: 'third' };
      assert.equal(N('coalesce-args')(path(s, ['one']), path(s, ['two']), path(s, ['three'])), 'second');
      assert.equal(N('coalesce-args')(null, null, 123, 236), 123);
      assert.deepEqual(N('coalesce-args')(null, [], 123, 236), []);
    });
    it('all null or no arguments → null', () => {
      assert.equal(N('coalesce-args')(null, null), null);
      assert.equal(N('coalesce-args')(), null);
      assert.deepEqual(N('coalesce-args')([null], 1), [null]);
    });
  });

  describe('if-null', () => {
    it('documented examples', () => {
      assert.equal(N('if-null')(null, 2), 2);
      assert.equal(N('if-null')(1, 2), 1);
      assert.equal(N('if-null')([null], 2), 2);
      assert.equal(N('if-null')([null, 123], 2), 2);
      assert.deepEqual(N('if-null')([1, '12345'], 2), [1, '12345']);
    });
    it('[] is null; false is not', () => {
      assert.equal(N('if-null')([], 2), 2);
      assert.equal(N('if-null')(false, 2), false);
      assert.equal(N('if-null')(null, null), null);
    });
  });

  describe('is-null / is-not-null', () => {
    it('documented examples', () => {
      assert.equal(N('is-not-null')(null), false);
      assert.equal(N('is-not-null')(1), true);
      assert.equal(N('is-not-null')([]), false);
      assert.equal(N('is-not-null')([null]), false);
      assert.equal(N('is-not-null')([null, 123]), false);
      assert.equal(N('is-not-null')([1, '12345']), true);
      assert.equal(N('is-null')(null), true);
      assert.equal(N('is-null')(1), false);
      assert.equal(N('is-null')([]), true);
      assert.equal(N('is-null')([null]), true);
      assert.equal(N('is-null')([null, 123]), true);
      assert.equal(N('is-null')([1, '12345']), false);
    });
    it('only the first element counts', () => {
      assert.equal(N('is-null')([1, null]), false);
      assert.equal(N('is-null')([[]]), false);
      assert.equal(N('is-null')(''), false);
      assert.equal(N('is-null')({}), false);
    });
  });

  it('the table has all 5 functions', () => {
    assert.equal(Object.keys(NULLS).length, 5);
  });
});
