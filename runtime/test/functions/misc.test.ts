import assert from 'node:assert/strict';
import { MISC, isChanged, murmur3x64_128 } from '../../src/functions/misc.js';
import type { FnContext, Lambda } from '../../src/functions/types.js';
import { path } from '../../src/values/path.js';
import { Bytes, DateTime, type Entity, type Value } from '../../src/values/types.js';
import { functionCaller, testContext } from '../helpers.js';

type Arg = Value | Lambda | undefined;
const fnIn = (cx: FnContext, name: string): ((...args: Arg[]) => Value) => functionCaller(MISC, cx)(name);
const cx = testContext();
const M = (name: string) => fnIn(cx, name);

const ABC = 79267961763742113019008347020647561319n;
const DEF = 114697464648834432121201791580882983835n;

describe('functions/misc', () => {
  describe('hash128', () => {
    it('documented examples', () => {
      assert.equal(M('hash128')('murmur3', undefined, 'abc'), ABC);
      // The docs print [[…, …]]; the extra nesting is a doc slip (spec §2.14): a flat list.
      assert.deepEqual(M('hash128')('murmur3', undefined, ['abc', 123, 'def']), [ABC, DEF]);
    });
    it('MurmurHash3 x64_128 reference values (little-endian digest as an integer)', () => {
      const te = new TextEncoder();
      // Digest 6c1b07bc7bbc4be347939ac4a93c437a for the fox sentence (43 bytes: blocks + tail).
      assert.equal(murmur3x64_128(te.encode('The quick brown fox jumps over the lazy dog'), 0), 162514929770263185971448983895935490924n);
      assert.equal(murmur3x64_128(new Uint8Array(0), 0), 0n);
    });
    it('bytes hash like their UTF-8 string; seeds change the hash', () => {
      assert.equal(M('hash128')('murmur3', undefined, new Bytes(new Uint8Array(Buffer.from('abc')))), ABC);
      assert.equal(M('hash128')('murmur3', 0, 'abc'), ABC);
      assert.notEqual(M('hash128')('murmur3', 1, 'abc'), ABC);
      assert.equal(M('hash128')('murmur3', 2n ** 32n + 1n, 'abc'), M('hash128')('murmur3', 1, 'abc'));
    });
    it('bad arguments and other types', () => {
      assert.equal(M('hash128')('md5', undefined, 'abc'), null);
      assert.equal(M('hash128')('murmur3', 'x', 'abc'), null);
      assert.equal(M('hash128')('murmur3', undefined, 123), null);
      assert.equal(M('hash128')('murmur3', undefined, null), null);
      assert.equal(M('hash128')('murmur3', undefined, ''), 0);
    });
  });

  describe('is-changed', () => {
    const name: Lambda = (x) => path(x, ['name']);
    const hw: Lambda = (x) => [path(x, ['height']), path(x, ['width'])];
    const span: Lambda = (x) => {
      const e = path(x, ['end']);
      const s = path(x, ['start']);
      return typeof e === 'number' && typeof s === 'number' ? e - s : null;
    };
    const withPrevious = (prev: Entity | null | undefined) => fnIn(testContext({ previousSource: () => prev }), 'is-changed');
    it('documented examples', () => {
      const cur = { _id: '1', name: 'b', height: 1, width: 2, start: 1, end: 5 };
      assert.equal(withPrevious({ _id: '1', name: 'a', height: 1, width: 2, start: 1, end: 5 })(name, cur), true);
      assert.equal(withPrevious({ _id: '1', name: 'b', height: 1, width: 2, start: 1, end: 5 })(name, cur), false);
      assert.equal(withPrevious({ _id: '1', name: 'b', height: 1, width: 3 })(hw, cur), true);
      assert.equal(withPrevious({ _id: '1', name: 'x', height: 1, width: 2 })(hw, cur), false);
      assert.equal(withPrevious({ _id: '1', start: 2, end: 6 })(span, cur), false);
      assert.equal(withPrevious({ _id: '1', start: 2, end: 7 })(span, cur), true);
    });
    it('no previous version (or unknown) → null; deleted versions → true', () => {
      const cur = { _id: '1', name: 'a' };
      assert.equal(withPrevious(undefined)(name, cur), null);
      assert.equal(withPrevious(null)(name, cur), null);
      assert.equal(withPrevious({ _id: '1', name: 'a', _deleted: true })(name, cur), true);
      assert.equal(withPrevious({ _id: '1', name: 'a' })(name, { ...cur, _deleted: true }), true);
      assert.equal(withPrevious({ _id: '1', name: 'a', _deleted: false })(name, cur), false);
    });
    it('compares like eq: null and [] are the same, 1 and 1.0 too', () => {
      assert.equal(isChanged({ _id: '1' }, { _id: '1', tags: [] }, (x) => path(x, ['tags'])), false);
      assert.equal(isChanged({ _id: '1', n: ['a'] }, { _id: '1', n: 'a' }, (x) => path(x, ['n'])), false);
    });
  });

  describe('tuples', () => {
    it('documented examples', () => {
      assert.deepEqual(M('tuples')(), []);
      assert.deepEqual(M('tuples')('a', 'b', 'c'), [['a', 'b', 'c']]);
      assert.deepEqual(M('tuples')([1, 2], 3), [[1, 3], [2, 3]]);
      assert.deepEqual(M('tuples')([1, 2], [3, null, 4, 5]), [[1, 3], [1, 4], [1, 5], [2, 3], [2, 4], [2, 5]]);
    });
    it('an empty or null argument empties the product', () => {
      assert.deepEqual(M('tuples')([1, 2], null), []);
      assert.deepEqual(M('tuples')([], 1), []);
      assert.deepEqual(M('tuples')([[1], { a: 1 }]), [[[1]], [{ a: 1 }]]);
    });
  });

  describe('completeness', () => {
    it('documented examples', () => {
      const t = new DateTime(1438069560000000000n);
      const c = testContext({ completeness: (via, ds) => (via === 'pipe1' && ds === 'pipe1' ? t : null) });
      assert.equal(fnIn(c, 'completeness')('pipe1', 'pipe1'), t);
      assert.equal(fnIn(c, 'completeness')('pipe-that-doesnt-have-pipe1-upstream', 'pipe1'), null);
    });
    it('non-string arguments → null', () => {
      assert.equal(M('completeness')(1, 'x'), null);
      assert.equal(M('completeness')('x', null), null);
    });
  });

  it('the table has the 4 functions of this file', () => {
    assert.deepEqual(Object.keys(MISC).sort(), ['completeness', 'hash128', 'is-changed', 'tuples']);
  });
});
