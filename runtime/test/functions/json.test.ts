import assert from 'node:assert/strict';
import { JSON_FUNCTIONS, pyFloatRepr, pyJson } from '../../src/functions/json.js';
import { compareCodePoints, compareStrings } from '../../src/values/compare.js';
import { Decimal } from '../../src/values/decimal.js';
import { Bytes, DateTime, Float, NI, URI, UUID, type Value } from '../../src/values/types.js';
import { functionCaller, testContext } from '../helpers.js';

const cx = testContext();
const J = functionCaller(JSON_FUNCTIONS, cx);
const isUri = (v: Value): boolean => v instanceof URI;
const mixed = (): Value => ['abc', [1, 2, 3], { b: 2, a: 1 }, new URI('http://www.example.org/'), new Float(124.4), 12345];

describe('functions/json', () => {
  describe('json', () => {
    it('documented examples', () => {
      assert.equal(J('json')(1), '1');
      assert.equal(J('json')('hello'), '"hello"');
      // The docs print the URI element without JSON quotes; we follow them (see json.ts).
      assert.deepEqual(J('json')(mixed()), ['"abc"', '[1, 2, 3]', '{"a": 1, "b": 2}', 'http://www.example.org/', '124.4', '12345']);
    });
    it('nested values: no transit, decimals as numbers, ASCII escapes, sorted keys', () => {
      assert.deepEqual(
        J('json')([{ z: new NI('a:b'), y: new Decimal(150, -2), x: new Float(1), w: new DateTime(0n), v: 'ø\u0001', u: true, t: null }]),
        ['{"t": null, "u": true, "v": "\\u00f8\\u0001", "w": "1970-01-01T00:00:00Z", "x": 1.0, "y": 1.50, "z": "a:b"}'],
      );
    });
    it('null → null; typed values at the top level are their bare text', () => {
      assert.equal(J('json')(null), null);
      assert.deepEqual(J('json')([null]), ['null']);
      assert.equal(J('json')(new NI('a:b')), 'a:b');
      assert.equal(J('json')(new Decimal(150, -2)), '1.50');
      assert.equal(J('json')(new Float(1)), '1.0');
      assert.equal(J('json')(2n ** 64n), '18446744073709551616');
      assert.deepEqual(J('json')([new Float(NaN), new Float(-Infinity)]), ['NaN', '-Infinity']);
      assert.equal(J('json')({}), '{}');
      assert.deepEqual(J('json')([[]]), ['[]']);
    });
  });

  describe('json-transit', () => {
    it('documented examples', () => {
      assert.equal(J('json-transit')(1), '1');
      assert.equal(J('json-transit')('hello'), '"hello"');
      assert.deepEqual(J('json-transit')(mixed()), ['"abc"', '[1, 2, 3]', '{"a": 1, "b": 2}', '~rhttp://www.example.org/', '124.4', '12345']);
    });
    it('nested typed values are transit strings', () => {
      const u = new UUID('9f598f65-eea5-4906-a8f5-82f6d8e69726');
      assert.deepEqual(J('json-transit')([[new NI('a:b'), new Decimal(150, -2), new Float(2), new Bytes(new Uint8Array([97])), u]]), [
        '["~:a:b", "~f1.50", 2.0, "~bYQ==", "~u9f598f65-eea5-4906-a8f5-82f6d8e69726"]',
      ]);
      assert.equal(J('json-transit')(new Decimal(150, -2)), '~f1.50');
    });
  });

  describe('json-parse', () => {
    it('documented examples', () => {
      assert.equal(J('json-parse')(undefined, '1'), 1);
      assert.equal(J('json-parse')(undefined, '"hello"'), 'hello');
      assert.equal(isUri(J('json-parse')(undefined, '"~rhttp://www.example.org/"')), false);
      assert.deepEqual(J('json-parse')(undefined, '{"a": 1, "b": 2}'), { a: 1, b: 2 });
      assert.equal(J('json-parse')(undefined, 'hello'), null);
      assert.deepEqual(J('json-parse')(undefined, ['hello', '123', 'null', '"abc"', '"~rhttp://example.org/"']), [123, null, 'abc', '~rhttp://example.org/']);
      assert.equal(J('json-parse')(() => 'no-value', 'hello'), 'no-value');
      assert.equal(J('json-parse')(() => 'no-value', 'null'), null);
    });
    it('numbers: exact integers, decimals keep their scale', () => {
      assert.deepEqual(J('json-parse')(undefined, '[1.50, 18446744073709551616, -0, 1e3]'), [new Decimal(150, -2), 2n ** 64n, 0, Decimal.parse('1e3')!]);
      assert.deepEqual(J('json-parse')(undefined, 'NaN'), new Float(NaN));
    });
    it('no transit decoding anywhere; python-like leniency and strictness', () => {
      assert.deepEqual(J('json-parse')(undefined, '{"a": ["~:x:y", {"~t": "~f1"}]}'), { a: ['~:x:y', { '~t': '~f1' }] });
      assert.deepEqual(J('json-parse')(undefined, ' \n[ ] '), []);
      assert.deepEqual(J('json-parse')(undefined, '{"a":1,"a":2}'), { a: 2 });
      assert.deepEqual(J('json-parse')(undefined, '"a\\"b\\u00e5"'), 'a"bå');
      for (const bad of ['', '[1,]', '{"a" 1}', '01', '"\n"', '[1] x', "{'a': 1}", 'tru']) {
        assert.equal(J('json-parse')(undefined, bad), null, bad);
      }
    });
    it('non-strings fail like invalid text', () => {
      assert.deepEqual(J('json-parse')(undefined, [1, '2', new URI('3')]), [2]);
      assert.deepEqual(J('json-parse')((x) => x, [1, '2']), [1, 2]);
      assert.equal(J('json-parse')(undefined, null), null);
    });
    it('__proto__ keys are plain data', () => {
      const d = J('json-parse')(undefined, '{"__proto__": 1}') as Record<string, Value>;
      assert.deepEqual(Object.keys(d), ['__proto__']);
    });
  });

  describe('json-transit-parse', () => {
    it('documented examples', () => {
      assert.equal(J('json-transit-parse')(undefined, '1'), 1);
      assert.equal(J('json-transit-parse')(undefined, '"hello"'), 'hello');
      assert.equal(isUri(J('json-transit-parse')(undefined, '"~rhttp://www.example.org/"')), true);
      assert.equal(J('json-transit-parse')(undefined, 'hello'), null);
      assert.deepEqual(J('json-transit-parse')(undefined, ['hello', '123', 'null', '"abc"', '"~rhttp://example.org/"']), [123, null, 'abc', new URI('http://example.org/')]);
      // The DTL literal "~rhttp://example.org/" is itself a URI; either way it is not JSON text.
      assert.equal(J('json-transit-parse')(() => 'no-value', new URI('http://example.org/')), 'no-value');
      assert.equal(J('json-transit-parse')(() => 'no-value', '~rhttp://example.org/'), 'no-value');
      assert.equal(isUri(J('json-transit-parse')(() => 'no-value', '"~rhttp://example.org/"')), true);
    });
    it('round-trips json-transit output of nested values', () => {
      const v: Value = [new NI('a:b'), new Decimal(150, -2), new Float(2), { k: new DateTime(5n) }];
      const text = J('json-transit')([v]) as Value[];
      assert.deepEqual(J('json-transit-parse')(undefined, text[0]!), v);
    });
  });

  describe('writer helpers', () => {
    it('pyFloatRepr matches Python repr', () => {
      const cases: [number, string][] = [
        [124.4, '124.4'], [1, '1.0'], [-0, '-0.0'], [1e16, '1e+16'], [1e15, '1000000000000000.0'],
        [0.0001, '0.0001'], [0.00001, '1e-05'], [1.5e-7, '1.5e-07'], [1e300, '1e+300'], [0.1 + 0.2, '0.30000000000000004'],
        [Infinity, 'inf'], [-Infinity, '-inf'], [NaN, 'nan'], [123456789012345680000, '1.2345678901234568e+20'],
      ];
      for (const [x, s] of cases) assert.equal(pyFloatRepr(x), s, String(x));
    });
    it('pyJson escapes like Python ensure_ascii and sorts keys by code point', () => {
      assert.equal(pyJson('\u007f\u0000\t"\\/😀', 'plain'), '"\\u007f\\u0000\\t\\"\\\\/\\ud83d\\ude00"');
      assert.equal(pyJson({ '\uffff': 1, '😀': 2, a: 3 }, 'plain'), '{"a": 3, "\\uffff": 1, "\\ud83d\\ude00": 2}');
      assert.ok(compareCodePoints('\uffff', '😀') < 0);
      assert.equal(pyJson({ a: [new URI('x:y'), new Bytes(new Uint8Array([1]))] }, 'plain'), '{"a": ["x:y", "AQ=="]}');
    });
  });

  it('compareStrings (the fast code-point order) agrees with walking code points', () => {
    const alphabet = ['a', 'b', '\u00e9', '\ud7ff', '\ue000', '\uff71', '\uffff', '\ud840\udc00', '\ud83d\ude00', '\ud800', '\udc00'];
    let seed = 7;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const word = (): string => Array.from({ length: rnd(4) }, () => alphabet[rnd(alphabet.length)]!).join('');
    for (let i = 0; i < 5000; i++) {
      const a = word();
      const b = rnd(4) === 0 ? a : word();
      assert.equal(compareStrings(a, b), compareCodePoints(a, b), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  });

  it('the table has all 4 functions', () => {
    assert.equal(Object.keys(JSON_FUNCTIONS).length, 4);
  });
});
