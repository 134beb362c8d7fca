/**
 * Bytes functions: every documented example of dtl-functions-bytes.rst, plus edge cases.
 */
import assert from 'node:assert/strict';
import { BYTES } from '../../src/functions/bytes.js';
import type { FnContext, FunctionImpl } from '../../src/functions/types.js';
import { writeCanonical } from '../../src/values/json.js';
import { decodeTransitString } from '../../src/values/transit.js';
import { Bytes, Float, URI, type Value } from '../../src/values/types.js';
import { testContext } from '../helpers.js';

const cx = testContext();
const list = (...xs: Value[]): Value[] => xs;
/** A `"~b…"` literal as the compiler decodes it. */
const lit = (s: string): Value => decodeTransitString(s);

function call(name: string, ...args: Value[]): Value {
  const fn = BYTES[name] as FunctionImpl | undefined;
  assert.ok(fn, `BYTES has ${name}`);
  return (fn as unknown as (cx: FnContext, ...a: Value[]) => Value)(cx, ...args);
}

function check(expected: string, name: string, ...args: Value[]): void {
  assert.equal(writeCanonical(call(name, ...args)), expected);
}

describe('functions/bytes', () => {
  describe('documented examples', () => {
    it('base64-decode', () => {
      // The docs print "~babc" for the single value: the transit form of b"abc" is "~bYWJj" (spec §5.20).
      check('"~bYWJj"', 'base64-decode', 'YWJj');
      assert.equal((call('base64-decode', 'YWJj') as Bytes).toString(), 'abc');
      check('["~bYWJj","~bZGVm"]', 'base64-decode', list(1, 'YWJj', 2, 'ZGVm', 3));
    });
    it('base64-encode', () => {
      check('"YWJj"', 'base64-encode', call('bytes', 'abc'));
      check('["YWJj","ZGVm"]', 'base64-encode', list(1, call('bytes', 'abc'), 2, call('bytes', 'def'), 3));
    });
    it('bytes', () => {
      check('"~bYWJj"', 'bytes', 'abc');
    });
    it('is-bytes', () => {
      check('true', 'is-bytes', call('bytes', 'abc'));
      check('true', 'is-bytes', lit('~bYWJj'));
      check('false', 'is-bytes', 'some-string');
      check('true', 'is-bytes', list(lit('~bYWJj'), '12345'));
      check('false', 'is-bytes', list('12345', lit('~bYWJj')));
    });
  });

  describe('edge cases', () => {
    it('null and empty lists', () => {
      for (const name of ['base64-decode', 'base64-encode', 'bytes']) {
        check('null', name, null);
        check('[]', name, list());
      }
      check('false', 'is-bytes', null);
      check('false', 'is-bytes', list());
    });
    it('base64-decode: invalid base64 is dropped, whitespace ignored', () => {
      check('[]', 'base64-decode', list('hello', 'YWJ', 'YW=j', 'YWJj=', '@@@@', 'YWJj\u0000'));
      check('"~bYWJjZGVm"', 'base64-decode', 'YWJj\nZGVm\n');
      check('["~b","~bYQ==","~bYWI="]', 'base64-decode', list('', 'YQ==', 'YWI='));
      check('null', 'base64-decode', call('bytes', 'YWJj')); // bytes are not strings
      check('null', 'base64-decode', new URI('YWJj'));
    });
    it('base64-encode: bytes only', () => {
      check('[]', 'base64-encode', list('abc', 1, new Float(1), true));
      check('"AP8="', 'base64-encode', new Bytes(new Uint8Array([0, 255])));
      check('""', 'base64-encode', new Bytes(new Uint8Array(0)));
    });
    it('bytes: UTF-8, bytes pass through, other types dropped', () => {
      check('"~bw6XimIM="', 'bytes', 'å☃');
      check('"~b8J+YgA=="', 'bytes', '😀');
      check('["~bYWJj"]', 'bytes', list(1, true, call('bytes', 'abc'), new URI('x')));
      check('null', 'bytes', '\uD800'); // a lone surrogate cannot be UTF-8 encoded
    });
    it('round trip', () => {
      const s = 'Grüße, 世界';
      const enc = call('base64-encode', call('bytes', s));
      assert.equal((call('base64-decode', enc) as Bytes).toString(), s);
    });
  });
});
