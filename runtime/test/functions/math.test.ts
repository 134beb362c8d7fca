/**
 * Math functions: every documented example of dtl-functions-math.rst, plus edge cases.
 * Results are compared as canonical transit JSON so types count: `2` is an integer, `2.0`
 * a float, `"~f2"` a decimal.
 */
import assert from 'node:assert/strict';
import { MATH } from '../../src/functions/math.js';
import type { FnContext, FunctionImpl } from '../../src/functions/types.js';
import { Decimal } from '../../src/values/decimal.js';
import { writeCanonical } from '../../src/values/json.js';
import { Float, type Value } from '../../src/values/types.js';
import { testContext } from '../helpers.js';

const cx = testContext();
const F = (x: number): Float => new Float(x);
const D = (s: string): Decimal => Decimal.parse(s)!;
const list = (...xs: Value[]): Value[] => xs;

function call(name: string, ...args: Array<Value | undefined>): Value {
  const fn = MATH[name] as FunctionImpl | undefined;
  assert.ok(fn, `MATH has ${name}`);
  return (fn as unknown as (cx: FnContext, ...a: Array<Value | undefined>) => Value)(cx, ...args);
}

/** Asserts the transit JSON of `["name", ...args]`. */
function check(expected: string, name: string, ...args: Array<Value | undefined>): void {
  assert.equal(writeCanonical(call(name, ...args)), expected, `[${name}, ${args.map((a) => (a === undefined ? 'undefined' : writeCanonical(a))).join(', ')}]`);
}

function approx(actual: Value, expected: number[]): void {
  assert.ok(Array.isArray(actual));
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) => {
    assert.ok(a instanceof Float, 'float result');
    assert.ok(Math.abs(a.value - expected[i]!) < 1e-7, `${a.value} ≈ ${expected[i]}`);
  });
}

describe('functions/math', () => {
  describe('documented examples', () => {
    it('-', () => {
      check('0', '-', 1, list(1, 2, 3));
      check('-2', '-', 10, 12);
    });
    it('*', () => {
      check('4', '*', 2, list(2, 4, 6));
      check('200', '*', 10, 20);
      check('4.6', '*', list(F(2.3), 14), 2);
    });
    it('/ (int / int is a decimal)', () => {
      check('"~f0.5"', '/', 2, list(4, 6, 8));
      check('"~f0.5"', '/', 10, 20);
      check('"~f-1.5"', '/', list(-3, 10, 100), 2);
      check('"~f-1.5"', '/', list(3, 8), list(-2, 6));
      check('null', '/', 5, 0);
    });
    it('%', () => {
      check('0', '%', 2, list(2, 5, 6));
      check('2', '%', 5, 3);
      check('2', '%', list(5, 8, 9), 3);
      check('2', '%', list(5, 8, 9), list(3, F(-2.3)));
    });
    it('^', () => {
      check('4', '^', 2, list(2, 5, 6));
      check('25', '^', 5, 2);
      check('8', '^', list(2, 8, 9), 3);
      check('8', '^', list(2, 8, 9), list(3, F(-2.3)));
    });
    it('+', () => {
      check('13', '+', 10, 3);
      check('20', '+', 10, list(10, 20, 30));
    });
    it('abs', () => {
      check('[2,4,6]', 'abs', list(-2, 4, -6));
      check('2', 'abs', 2);
      check('2.23', 'abs', F(-2.23));
    });
    it('ceil', () => {
      check('[3,5,6]', 'ceil', undefined, list(F(2.2), F(4.778), 6));
      check('[2.2,4.8,6]', 'ceil', 1, list(F(2.2), F(4.778), 6));
      // Documented "2.30": the float literal 2.299 gives the float 2.3 (floats have no scale);
      // the decimal 2.299 gives the decimal 2.30 (below).
      check('2.3', 'ceil', 2, F(2.299));
      check('3', 'ceil', undefined, F(2.299));
    });
    it('cos', () => {
      approx(call('cos', list(0, F(3.14159265))), [1, -1]);
      check('1.0', 'cos', F(0));
    });
    it('divide', () => {
      check('["~f1","~f2","~f3"]', 'divide', 2, list(2, 4, 6));
      check('"~f2"', 'divide', 10, 20);
      check('"~f1.5"', 'divide', list(2, 8), 3);
    });
    it('floor', () => {
      check('[2,4,6]', 'floor', undefined, list(F(2.2), F(4.778), 6));
      check('[2.2,4.7,6]', 'floor', 1, list(F(2.2), F(4.778), 6));
      check('2.29', 'floor', 2, F(2.299));
      check('2', 'floor', undefined, F(2.299));
    });
    it('minus', () => {
      check('[0,1,2]', 'minus', 1, list(1, 2, 3));
      check('2', 'minus', 10, 12);
    });
    it('mod', () => {
      check('[0,1,0]', 'mod', 2, list(2, 5, 6));
      check('2', 'mod', 3, 5);
    });
    it('multiply', () => {
      check('[4,8,12]', 'multiply', 2, list(2, 4, 6));
      check('200', 'multiply', 10, 20);
      check('4.6', 'multiply', F(2.3), 2);
    });
    it('plus', () => {
      check('[11,12,13]', 'plus', 10, list(1, 2, 3));
      check('20', 'plus', 10, 10);
    });
    it('pow', () => {
      check('[4,25,36]', 'pow', 2, list(2, 5, 6));
      check('1000', 'pow', 3, 10);
    });
    it('round', () => {
      check('[2,4,4]', 'round', undefined, list(F(2.2), F(3.5), F(4.5)));
      check('[2.2,4.8,6]', 'round', 1, list(F(2.2), F(4.778), 6));
      check('2.3', 'round', 2, F(2.299));
      // The docs say 3, a typo (spec §5.20): 2.299 rounds to 2 by any rule.
      check('2', 'round', undefined, F(2.299));
      check('-4', 'round', undefined, F(-4.5));
      check('-4', 'round', undefined, F(-3.5));
    });
    it('sin', () => {
      approx(call('sin', list(0, F(3.14159265))), [0, 0]);
      check('0.0', 'sin', F(0));
    });
    it('sqrt', () => {
      check('[2.0,3.0,4.0]', 'sqrt', list(4, 9, 16));
      check('null', 'sqrt', -2);
      check('3.0', 'sqrt', F(9));
    });
    it('tan', () => {
      approx(call('tan', list(0, F(3.14159265))), [0, 0]);
    });
  });

  describe('symbolic operators', () => {
    it('null, empty and non-numeric sides give null', () => {
      for (const op of ['+', '-', '*', '/', '%', '^']) {
        check('null', op, null, 1);
        check('null', op, 1, null);
        check('null', op, list(), 1);
        check('null', op, 'a', 1);
        check('null', op, list('a', 1), 1);
        check('null', op, true, 1);
        check('null', op, 1, { a: 1 });
      }
    });
    it('% by zero gives null', () => {
      check('null', '%', 5, 0);
      check('null', '%', F(5), F(0));
      check('null', '%', D('5'), D('0.0'));
    });
    it('type promotion', () => {
      check('3.5', '+', 1, F(2.5));
      check('"~f83.90"', '+', D('73.50'), D('10.40'));
      check('"~f44.20"', '*', 2, D('22.10'));
      check('"~f40.00"', '-', call('*', D('22.10'), 2), D('4.20'));
      check('"~f3.50"', '+', F(2), D('1.50'));
      check('"~f0.3333333333333333333333333333"', '/', 1, 3);
      check('"~f1"', '/', 2, 2);
      check('"~f0.50"', '/', D('1.00'), 2);
      check('0.5', '/', F(1), 2);
    });
    it('negative numbers: Python floor modulo for ints and floats', () => {
      check('2', '%', -7, 3);
      check('-2', '%', 7, -3);
      check('"~f-1"', '%', D('-7'), 3);
      check('1.0', '%', F(-5), F(3));
    });
    it('big integers stay exact', () => {
      check('18014398509481982', '+', 9007199254740991, 9007199254740991);
      check('1267650600228229401496703205376', '^', 2, 100);
      check('-12345678901234567890123', '-', 0, 12345678901234567890123n);
    });
    it('powers that are not real numbers give null', () => {
      check('null', '^', -8, F(1 / 3));
      check('null', '^', 0, -1);
      check('0.5', '^', 2, -1);
    });
  });

  describe('named map-style functions', () => {
    it('operand order is reversed: ["minus", 1, X] is X − 1', () => {
      check('[9,19]', 'minus', 1, list(10, 20));
      check('["~f5","~f10"]', 'divide', 2, list(10, 20));
      check('[1,0]', 'mod', 2, list(5, 4));
      check('[8,27]', 'pow', 3, list(2, 3));
    });
    it('the operand is the first value of a list', () => {
      check('[11,12]', 'plus', list(10, 100), list(1, 2));
    });
    it('non-numeric values are dropped; a scalar one gives null', () => {
      check('[2,3]', 'plus', 1, list(1, 'a', null, true, 2, { a: 1 }));
      check('null', 'plus', 1, 'a');
      check('null', 'plus', 1, null);
      check('[]', 'plus', 1, list());
    });
    it('an unusable operand makes every value unusable', () => {
      check('[]', 'plus', 'a', list(1, 2));
      check('null', 'plus', null, 1);
      check('[]', 'divide', 0, list(1, 2));
      check('null', 'mod', 0, 5);
    });
    it('decimals keep scale, floats stay floats', () => {
      check('["~f11.50","~f3"]', 'plus', 1, list(D('10.50'), D('2')));
      check('[2.5,"~f3.0"]', 'multiply', F(0.5), list(5, D('6')));
    });
  });

  describe('abs, trigonometry and roots', () => {
    it('abs keeps the type', () => {
      check('["~f1.50",2.0,12345678901234567890123]', 'abs', list(D('-1.50'), F(-2), -12345678901234567890123n));
      check('[]', 'abs', list('x', true));
    });
    it('results are floats, NaN/∞ give null', () => {
      check('[1.0,1.0]', 'cos', list(0, 'x', F(0)));
      check('null', 'tan', F(Infinity));
      check('2.0', 'sqrt', D('4.00'));
      check('null', 'sqrt', 10n ** 400n);
      check('[1.4142135623730951]', 'sqrt', list(2, -1));
    });
  });

  describe('ceil, floor and round', () => {
    it('DIGITS absent, null or 0 gives integers', () => {
      check('[3,-2,2]', 'ceil', 0, list(F(2.2), F(-2.5), D('1.01')));
      check('[2,-3,1]', 'floor', null, list(F(2.2), F(-2.5), D('1.01')));
      check('[2,-2,2,0]', 'round', undefined, list(F(2.5), F(-2.5), D('1.50'), F(-0.4)));
    });
    it('decimals keep the requested scale', () => {
      check('"~f2.30"', 'ceil', 2, D('2.299'));
      check('"~f2.29"', 'floor', 2, D('2.299'));
      check('"~f2.30"', 'round', 2, D('2.299'));
      check('"~f2.200"', 'round', 3, D('2.2'));
      check('"~f-2.22"', 'round', 2, D('-2.225'));
      check('"~f-2.23"', 'floor', 2, D('-2.225'));
    });
    it('round is half-to-even at every scale', () => {
      check('[0,2,2,4,-2]', 'round', undefined, list(F(0.5), F(1.5), F(2.5), F(3.5), F(-2.5)));
      check('["~f2.34","~f2.36"]', 'round', 2, list(D('2.345'), D('2.355')));
      // Floats round by their decimal repr (Python's round(2.675, 2) says 2.67).
      check('2.68', 'round', 2, F(2.675));
    });
    it('floats are rounded by their repr, without binary noise', () => {
      check('2.2', 'ceil', 1, F(2.2));
      check('0.3', 'round', 2, F(0.1 + 0.2));
      check('1.0', 'floor', 2, F(1));
    });
    it('negative DIGITS round to tens, hundreds, … keeping the type', () => {
      check('1200', 'round', -2, 1234);
      check('1300', 'ceil', -2, 1234);
      check('1200.0', 'round', -2, F(1234.5));
      check('"~f1.2E+3"', 'round', -2, D('1234.5'));
    });
    it('integers pass through with DIGITS > 0', () => {
      check('[6,-7,12345678901234567890123]', 'round', 2, list(6, -7, 12345678901234567890123n));
    });
    it('huge floats become big integers', () => {
      check('1000000000000000000000', 'ceil', undefined, F(1e21));
      check('-1000000000000000000000', 'round', undefined, F(-1e21));
    });
    it('unusable DIGITS or values are dropped', () => {
      check('[]', 'round', 'a', list(F(1.5)));
      check('[]', 'round', F(1.5), list(F(1.5)));
      check('[]', 'round', 1001, list(F(1.5)));
      check('[]', 'round', 10n ** 20n, list(F(1.5)));
      check('[1.5,0]', 'round', 1000, list(F(1.5), 0));
      check('[0,0.0]', 'round', -1000, list(1234, F(1e300)));
      check('null', 'round', undefined, 'x');
      check('[]', 'ceil', undefined, list(F(NaN), F(Infinity), true));
    });
    it('decimal results beyond 28 digits are dropped (Python InvalidOperation)', () => {
      check('null', 'round', 2, D('123456789012345678901234567.891'));
      check('null', 'round', 2, D('1E+999999'));
      check('[1,0]', 'ceil', undefined, list(D('1E-999999'), D('-1E-999999')));
      check('"~f-0.00"', 'round', 2, D('-1E-999999'));
      check('"~f12345678901234567890123456.79"', 'round', 2, D('12345678901234567890123456.789'));
    });
    it('no negative zero', () => {
      const r = call('ceil', undefined, F(-0.5));
      assert.ok(Object.is(r, 0));
    });
  });
});
