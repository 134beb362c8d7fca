/**
 * Number casts and tests: every documented example of dtl-functions-numbers.rst, plus edge
 * cases. Compared as canonical transit JSON so types count.
 */
import assert from 'node:assert/strict';
import { NUMBERS } from '../../src/functions/numbers.js';
import type { FnContext, FunctionImpl, Lambda } from '../../src/functions/types.js';
import { Decimal } from '../../src/values/decimal.js';
import { writeCanonical } from '../../src/values/json.js';
import { Float, URI, type Value } from '../../src/values/types.js';
import { testContext } from '../helpers.js';

const cx = testContext();
const F = (x: number): Float => new Float(x);
const D = (s: string): Decimal => Decimal.parse(s)!;
const list = (...xs: Value[]): Value[] => xs;
const uri = new URI('http://www.example.org/');
/** A DEFAULT that evaluates to a constant, like `["boolean", false]` or `["string", "n/a"]`. */
const constant = (v: Value): Lambda => () => v;
/** `["string", "_."]` for the values used here. */
const asString: Lambda = (x) => (x instanceof URI ? x.value : typeof x === 'string' ? x : writeCanonical(x));

function call(name: string, ...args: Array<Value | Lambda | undefined>): Value {
  const fn = NUMBERS[name] as FunctionImpl | undefined;
  assert.ok(fn, `NUMBERS has ${name}`);
  return (fn as unknown as (cx: FnContext, ...a: Array<Value | Lambda | undefined>) => Value)(cx, ...args);
}

function check(expected: string, name: string, ...args: Array<Value | Lambda | undefined>): void {
  assert.equal(writeCanonical(call(name, ...args)), expected);
}

describe('functions/numbers', () => {
  describe('decimal', () => {
    it('documented examples', () => {
      check('"~f1.0"', 'decimal', undefined, '1.0');
      check('["~f1.0","~f2.2"]', 'decimal', undefined, list('1.0', uri, F(2.2), 'one'));
      check('["~f1.0","~f2.1",false,"~f124.4",false]', 'decimal', constant(false), list('1.0', F(2.1), uri, '124.4', 'FALSE'));
      check('["~f1.0","~f2.0","n/a","~f124.4"]', 'decimal', constant('n/a'), list('1.0', F(2.0), uri, '124.4'));
      check('["~f1.0","~f2.0","http://www.example.org/","~f2.5"]', 'decimal', asString, list('1.0', F(2.0), uri, '2.5'));
    });
    it('edge cases', () => {
      check('null', 'decimal', undefined, null);
      check('[]', 'decimal', undefined, list());
      check('["~f1"]', 'decimal', constant(0), list(null, 1)); // nulls are skipped, not defaulted
      check('null', 'decimal', undefined, 'abc');
      check('null', 'decimal', undefined, true);
      check('["~f12345678901234567890123","~f-3","~f1.50","~f1E+2","~f1000"]', 'decimal', undefined, list(12345678901234567890123n, -3, D('1.50'), '1e2', ' 1_000 '));
      check('["~f0.30000000000000004","~f1E+16"]', 'decimal', undefined, list(F(0.1 + 0.2), F(1e16)));
      check('[]', 'decimal', undefined, list('NaN', 'Infinity', '1__0', '_1', F(NaN)));
      // Long decimal text keeps every digit.
      check('"~f1.2345678901234567890123456789012345"', 'decimal', undefined, '1.2345678901234567890123456789012345');
    });
  });

  describe('float', () => {
    it('documented examples', () => {
      check('1.0', 'float', undefined, '1.0');
      check('[1.0,2.2]', 'float', undefined, list('1.0', uri, F(2.2), 'one'));
      check('[1.0,2.1,false,124.4,false]', 'float', constant(false), list('1.0', F(2.1), uri, '124.4', 'FALSE'));
      check('[1.0,2.0,"n/a",124.4]', 'float', constant('n/a'), list('1.0', F(2.0), uri, '124.4'));
      check('[1.0,2.0,"http://www.example.org/",2.5]', 'float', asString, list('1.0', F(2.0), uri, '2.5'));
    });
    it('edge cases', () => {
      check('null', 'float', undefined, null);
      check('[3.0,1.5,0.5,-100.0,1e+21]', 'float', undefined, list(3, D('1.50'), '.5', ' -1e2 ', 10n ** 21n));
      // Non-finite results cannot be stored: rejected.
      check('[]', 'float', undefined, list('nan', 'inf', '1e400', 10n ** 400n, true, '0x10'));
    });
  });

  describe('hex', () => {
    it('documented examples', () => {
      check('"0x01"', 'hex', 1);
      check('"0x00ff"', 'hex', 255);
      check('"0xff"', 'hex', -1);
      // The docs print "0x1" in the list example; single values print "0x01" (spec §5.20).
      check('["0x01","0x3039"]', 'hex', list(1, uri, F(124.4), 12345));
    });
    it('two\'s complement at minimal whole-byte width', () => {
      check('["0x00","0x7f","0x0080","0x80","0xff7f","0x7fff","0x008000","0xff00"]', 'hex', list(0, 127, 128, -128, -129, 32767, 32768, -256));
      check('"0x0100000000000000000000"', 'hex', 2n ** 80n);
      check('"0xff00000000000000000000"', 'hex', -(2n ** 80n));
    });
    it('only integers', () => {
      check('[]', 'hex', list('12', D('1'), true, F(1)));
      check('null', 'hex', null);
    });
  });

  describe('integer', () => {
    it('documented examples', () => {
      check('1', 'integer', undefined, '1');
      check('[1,124,12345]', 'integer', undefined, list('1', uri, F(124.4), 12345));
      check('[1,0,0,12345]', 'integer', constant(0), list('1', uri, '10^2', 12345));
      check('[1,"n/a","n/a",12345]', 'integer', constant('n/a'), list('1', uri, '10^2', 12345));
      check('[1,"http://www.example.org/","10^2",12345]', 'integer', asString, list('1', uri, '10^2', 12345));
      check('255', 'integer', undefined, '0x00ff');
      check('-1', 'integer', undefined, '0xff');
    });
    it('hex strings are two\'s complement at the written width', () => {
      check('[1,-8,8,-128,128,-1,255]', 'integer', undefined, list('0x1', '0x8', '0x08', '0x80', '0x0080', '0xFFFF', '0X00FF'));
      check('[]', 'integer', undefined, list('0x', '0xg1', '-0x1', '0x 1'));
    });
    it('round-trips with hex', () => {
      for (const n of [0, 1, -1, 127, 128, -128, -129, 65535, -65536, 2n ** 70n, -(2n ** 70n) - 1n]) {
        const h = NUMBERS.hex as unknown as (cx: FnContext, v: Value) => Value;
        assert.equal(writeCanonical(call('integer', undefined, h(cx, n))), writeCanonical(n));
      }
    });
    it('truncates floats and decimals toward zero', () => {
      check('[2,-2,2,-2,0]', 'integer', undefined, list(F(2.9), F(-2.9), D('2.9'), D('-2.9'), F(-0.5)));
      check('1000000000000000000000', 'integer', undefined, F(1e21));
      check('100', 'integer', undefined, D('1E+2'));
    });
    it('strings: Python int() syntax', () => {
      check('[7,5,-3,1000,123456789012345678901234567890]', 'integer', undefined, list('007', ' +5 ', '-3', '1_000', '123456789012345678901234567890'));
      check('[]', 'integer', undefined, list('1.0', '1e3', '', ' ', 'one', '1_', '1__0'));
    });
    it('booleans and other types fail', () => {
      check('[]', 'integer', undefined, list(true, false, { a: 1 }, list(1), F(NaN), F(Infinity)));
      check('null', 'integer', undefined, true);
      check('[0,0]', 'integer', constant(0), list(true, F(NaN)));
    });
  });

  describe('is-decimal / is-float / is-integer', () => {
    it('documented examples', () => {
      check('false', 'is-decimal', F(1.0));
      check('true', 'is-decimal', call('decimal', undefined, '1.23'));
      check('false', 'is-decimal', 1);
      check('false', 'is-decimal', list(F(1.0), '12345'));
      check('false', 'is-decimal', list('1.0', F(2.0)));
      check('true', 'is-decimal', list(call('decimal', undefined, '-1.0'), 1234));

      check('true', 'is-float', F(1.0));
      check('false', 'is-float', call('decimal', undefined, '1.23'));
      check('false', 'is-float', 1);
      check('true', 'is-float', list(F(1.0), '12345'));
      check('false', 'is-float', list('1.0', F(2.0)));
      check('false', 'is-float', list(call('decimal', undefined, '-1.0'), F(123.4)));

      check('true', 'is-integer', 1);
      check('false', 'is-integer', '1');
      check('true', 'is-integer', list(1, '12345'));
      check('false', 'is-integer', list('1', 2));
      check('true', 'is-integer', list(call('integer', undefined, '1'), 2));
    });
    it('edge cases', () => {
      for (const name of ['is-decimal', 'is-float', 'is-integer']) {
        check('false', name, null);
        check('false', name, list());
        check('false', name, list(null, 1));
      }
      check('false', 'is-integer', true);
      check('true', 'is-integer', 2n ** 64n);
      check('false', 'is-integer', F(1));
    });
  });
});
