/**
 * Decimal and numeric-tower semantics, checked against Python's `decimal` module (context
 * precision 28, ROUND_HALF_EVEN). Expected strings below were produced with CPython 3.
 */
import assert from 'node:assert/strict';
import { Decimal, decAdd, decCompare, decDiv, decIsIntegral, decMul, decQuantize, decRem, decSub, decTruncate } from '../../src/values/decimal.js';
import { add, div, mod, mul, pow, sub, type Num } from '../../src/values/numeric.js';
import { Float } from '../../src/values/types.js';

function d(text: string): Decimal {
  const v = Decimal.parse(text);
  assert.ok(v, `parse ${text}`);
  return v;
}

/** The Python str() of a numeric result, with a type prefix so types are checked too. */
function show(v: Num | undefined): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' || typeof v === 'bigint') return 'int:' + v.toString();
  if (v instanceof Float) return 'float:' + v.toString();
  return 'dec:' + v.toString();
}

describe('values/decimal', () => {
  describe('str() like Python', () => {
    const cases: Array<[string, string]> = [
      ['83.90', '83.90'],
      ['100', '100'],
      ['1E+2', '1E+2'],
      ['1e2', '1E+2'],
      ['0.000001', '0.000001'],
      ['0.0000001', '1E-7'],
      ['1E-7', '1E-7'],
      ['-0.5', '-0.5'],
      ['.5', '0.5'],
      ['123.4500', '123.4500'],
      ['007', '7'],
      ['00.50', '0.50'],
      ['-0.50', '-0.50'],
      ['0.00', '0.00'],
      ['1.', '1'],
      ['123456789012345.6', '123456789012345.6'],
      ['1234567890123456.7', '1234567890123456.7'],
      ['-12.5e1', '-125'],
      // Construction is exact: no rounding to the 28-digit context (Python keeps every digit).
      ['1234567890123456789012345678901234', '1234567890123456789012345678901234'],
      ['1114893643900847453783830640.0', '1114893643900847453783830640.0'],
    ];
    for (const [input, expected] of cases) {
      it(`${input} → ${expected}`, () => assert.equal(d(input).toString(), expected));
    }
    it('rejects non-numbers', () => {
      for (const s of ['', 'abc', '1.2.3', '1e', '--1', 'NaN', 'Infinity', '.', '-', '-.', '1.2-', '+-1.5']) assert.equal(Decimal.parse(s), undefined, s);
    });
    it('toPlainString expands exponents (the string function)', () => {
      assert.equal(d('1E-3').toPlainString(), '0.001');
      assert.equal(d('1E+2').toPlainString(), '100');
      assert.equal(d('1.50').toPlainString(), '1.50');
    });
    it('keeps coefficient and exponent on the fast path', () => {
      const v = d('-22.10');
      assert.equal(v.coef, -2210);
      assert.equal(v.exp, -2);
      assert.equal(v.tag, 'decimal');
      assert.equal(d('0.050').exp, -3);
    });
    it('toJSON is the ~f transit form', () => {
      assert.equal(d('1.50').toJSON(), '~f1.50');
    });
  });

  describe('arithmetic keeps scale', () => {
    it('73.50 + 10.40 = 83.90', () => assert.equal(decAdd(d('73.50'), d('10.40')).toString(), '83.90'));
    it('2 * 22.10 = 44.20', () => assert.equal(decMul(d('2'), d('22.10')).toString(), '44.20'));
    it('22.10 * 2 - 4.20 = 40.00', () => assert.equal(decSub(decMul(d('22.10'), d('2')), d('4.20')).toString(), '40.00'));
    it('1.10 - 1.1 = 0.00', () => assert.equal(decSub(d('1.10'), d('1.1')).toString(), '0.00'));
    it('1.5 * 1.5 = 2.25', () => assert.equal(decMul(d('1.5'), d('1.5')).toString(), '2.25'));
    it('0.1 + 0.2 = 0.3 exactly', () => assert.equal(decAdd(d('0.1'), d('0.2')).toString(), '0.3'));
    it('results round to 28 significant digits', () => {
      assert.equal(decAdd(d('1E+30'), d('1E-30')).toString(), '1.000000000000000000000000000E+30');
      assert.equal(decAdd(d('9999999999999999999999999999'), d('1')).toString(), '1.000000000000000000000000000E+28');
      assert.equal(decMul(d('123456789012345678901234567890'), d('1')).toString(), '1.234567890123456789012345679E+29');
    });
  });

  describe('division like Python', () => {
    const cases: Array<[string, string, string]> = [
      ['10', '20', '0.5'],
      ['1', '3', '0.3333333333333333333333333333'],
      ['2', '3', '0.6666666666666666666666666667'],
      ['1', '7', '0.1428571428571428571428571429'],
      ['22', '7', '3.142857142857142857142857143'],
      ['2', '2', '1'],
      ['100', '4', '25'],
      ['1.00', '2', '0.50'],
      ['1.0', '0.1', '10'],
      ['-7', '2', '-3.5'],
      ['1E+2', '3', '33.33333333333333333333333333'],
      ['0', '5', '0'],
      ['0.00', '5', '0.00'],
      ['1', '8', '0.125'],
      ['5E-10', '2', '2.5E-10'],
    ];
    for (const [a, b, expected] of cases) {
      it(`${a} / ${b} = ${expected}`, () => assert.equal(decDiv(d(a), d(b))?.toString(), expected));
    }
    it('division by zero is undefined', () => {
      assert.equal(decDiv(d('1'), d('0')), undefined);
      assert.equal(decDiv(d('0'), d('0.0')), undefined);
    });
  });

  describe('remainder like Python', () => {
    it('sign follows the dividend', () => {
      assert.equal(decRem(d('-7'), d('3'))?.toString(), '-1');
      assert.equal(decRem(d('7'), d('-3'))?.toString(), '1');
      assert.equal(decRem(d('7.5'), d('2'))?.toString(), '1.5');
    });
    it('by zero is undefined', () => assert.equal(decRem(d('7'), d('0')), undefined));
    it('an integer quotient beyond 28 digits is undefined (DivisionImpossible)', () => {
      assert.equal(decRem(d('-5E29'), d('0.445')), undefined);
      assert.equal(decRem(d('3'), d('-3.4656E+29'))?.toString(), '3');
    });
  });

  describe('negative zero keeps its sign, as in Python', () => {
    // Each expectation is what Python 3's decimal module prints.
    it('parsing and printing', () => {
      for (const t of ['-0.0', '-0', '-0.00', '-0E+3']) assert.equal(d(t).toString(), t);
      assert.equal(d('-0.0').toPlainString(), '-0.0');
      assert.equal(d('-0').toPlainString(), '-0');
      assert.equal(d('-0.0').toJSON(), '~f-0.0');
    });
    it('arithmetic', () => {
      assert.equal(decAdd(d('-0.0'), d('0.0')).toString(), '0.0');
      assert.equal(decAdd(d('-0.0'), d('-0.00')).toString(), '-0.00');
      assert.equal(decSub(d('-0.0'), d('0.0')).toString(), '-0.0');
      assert.equal(decSub(d('0.0'), d('0.0')).toString(), '0.0');
      assert.equal(decMul(d('-0.0'), d('5')).toString(), '-0.0');
      assert.equal(decMul(d('0.0'), d('-5')).toString(), '-0.0');
      assert.equal(decDiv(d('-0.00'), d('3'))?.toString(), '-0.00');
      assert.equal(decDiv(d('0'), d('-3'))?.toString(), '-0');
      assert.equal(decRem(d('-4'), d('2'))?.toString(), '-0');
      assert.equal(decRem(d('4'), d('-2'))?.toString(), '0');
      assert.equal(decQuantize(d('-0.004'), 2, 'half-even').toString(), '-0.00');
      assert.equal(decQuantize(d('-0.004'), 2, 'ceil').toString(), '-0.00');
      assert.equal(decCompare(d('-0.0'), d('0')), 0);
    });
  });

  describe('quantize', () => {
    const cases: Array<[string, number, string, string, string]> = [
      // value, digits, half-even, ceil, floor
      ['2.345', 2, '2.34', '2.35', '2.34'],
      ['2.355', 2, '2.36', '2.36', '2.35'],
      ['-2.5', 0, '-2', '-2', '-3'],
      ['2.5', 0, '2', '3', '2'],
      ['3.5', 0, '4', '4', '3'],
      ['2.299', 2, '2.30', '2.30', '2.29'],
      ['-2.225', 2, '-2.22', '-2.22', '-2.23'],
      ['1234.5', -2, '1.2E+3', '1.3E+3', '1.2E+3'],
      ['2.2', 3, '2.200', '2.200', '2.200'],
    ];
    for (const [v, digits, he, ce, fl] of cases) {
      it(`${v} at ${digits}`, () => {
        assert.equal(decQuantize(d(v), digits, 'half-even').toString(), he);
        assert.equal(decQuantize(d(v), digits, 'ceil').toString(), ce);
        assert.equal(decQuantize(d(v), digits, 'floor').toString(), fl);
      });
    }
  });

  it('quantize of a tiny value needs no huge powers of ten', () => {
    assert.equal(decQuantize(d('1E-999999'), 0, 'ceil').toString(), '1');
    assert.equal(decQuantize(d('1E-999999'), 0, 'floor').toString(), '0');
    assert.equal(decQuantize(d('-1E-999999'), 0, 'floor').toString(), '-1');
    assert.equal(decQuantize(d('-1E-999999'), 2, 'half-even').toString(), '-0.00');
    assert.equal(decQuantize(d('0.004'), 2, 'half-even').toString(), '0.00');
    assert.equal(decQuantize(d('0.006'), 2, 'half-even').toString(), '0.01');
  });

  it('exponents far apart need no huge powers of ten (as Python, which never builds them)', () => {
    // Expectations at ±999999 are CPython's. ±999999999 is past Python's Emax (which addition
    // here does not enforce); those cases check that no 10^1999999998 is built, which exceeds
    // the largest bigint and throws.
    assert.equal(decAdd(d('1E+999999'), d('1E-999999')).toString(), '1.000000000000000000000000000E+999999');
    assert.equal(decSub(d('1.5'), d('-1E-999999')).toString(), '1.500000000000000000000000000');
    assert.equal(decAdd(d('0E+999999'), d('-1E-999999')).toString(), '-1E-999999');
    assert.equal(decAdd(d('-0E-999999'), d('-0E+999999')).toString(), '-0E-999999');
    assert.equal(decAdd(d('7'), d('0E-999999')).toString(), '7.000000000000000000000000000');
    assert.equal(decAdd(d('1E+999999999'), d('-1E-999999999')).toString(), '1.000000000000000000000000000E+999999999');
    assert.equal(decCompare(d('1E+999999999'), d('2E-999999999')), 1);
    assert.equal(decCompare(d('-1E+999999999'), d('-2E-999999999')), -1);
    assert.equal(decCompare(d('0E+999999999'), d('-0E-999999999')), 0);
    assert.equal(decRem(d('7E-999999'), d('5'))?.toString(), '7E-999999');
    assert.equal(decRem(d('5'), d('1' + '0'.repeat(40) + 'E-38'))?.toString(), '5.000000000000000000000000000');
    assert.equal(decRem(d('5'), d('7E-999999')), undefined); // DivisionImpossible
    assert.equal(decRem(d('1E+999999999'), d('7')), undefined);
    assert.equal(decIsIntegral(d('1E-999999999')), false);
    assert.equal(decIsIntegral(d('0E-999999999')), true);
  });

  describe('conversions', () => {
    it('fromFloat uses the Python repr (Decimal(str(f)))', () => {
      const cases: Array<[number, string]> = [
        [2.0, '2.0'],
        [2.2, '2.2'],
        [1e16, '1E+16'],
        [1e-5, '0.00001'],
        [0.1 + 0.2, '0.30000000000000004'],
        [1e22, '1E+22'],
        [-1.5, '-1.5'],
        [123456789.125, '123456789.125'],
        [5e-324, '5E-324'],
        [100, '100.0'],
      ];
      for (const [f, s] of cases) assert.equal(Decimal.fromFloat(f)?.toString(), s, String(f));
      assert.equal(Decimal.fromFloat(Infinity), undefined);
      assert.equal(Decimal.fromFloat(NaN), undefined);
    });
    it('truncate, integral, compare, toNumber', () => {
      assert.equal(decTruncate(d('-2.7')), -2);
      assert.equal(decTruncate(d('1E+20')), 100000000000000000000n);
      assert.equal(decIsIntegral(d('4.00')), true);
      assert.equal(decIsIntegral(d('4.01')), false);
      assert.equal(decCompare(d('1.50'), d('1.5')), 0);
      assert.equal(decCompare(d('-1'), d('0.001')), -1);
      assert.equal(d('1E+2').toNumber(), 100);
      assert.equal(d('-0.25').toNumber(), -0.25);
    });
  });
});

describe('values/numeric', () => {
  const i = (n: number | bigint): Num => n;
  const f = (n: number): Num => new Float(n);
  it('int op int stays int, exact beyond 2^53', () => {
    assert.equal(show(add(i(1), i(2))), 'int:3');
    assert.equal(show(mul(i(9007199254740991), i(2))), 'int:18014398509481982');
    assert.equal(show(sub(i(-9007199254740991n * 4n), i(1))), 'int:-36028797018963965');
  });
  it('int / int is a decimal (changelog 2016-10-04)', () => {
    assert.equal(show(div(i(10), i(20))), 'dec:0.5');
    assert.equal(show(div(i(20), i(10))), 'dec:2');
    assert.equal(show(div(i(1), i(0))), 'undefined');
  });
  it('int with float is float; float with decimal is decimal', () => {
    assert.equal(show(mul(f(2.3), i(2))), 'float:4.6');
    assert.equal(show(add(f(2.0), d('1.50'))), 'dec:3.50');
    assert.equal(show(mul(f(2.0), d('1.5'))), 'dec:3.00');
    assert.equal(show(div(f(1), i(0))), 'undefined');
  });
  it('mod is floor-mod for ints and floats (Python), dividend sign for decimals', () => {
    assert.equal(show(mod(i(-7), i(3))), 'int:2');
    assert.equal(show(mod(i(7), i(-3))), 'int:-2');
    assert.equal(show(mod(f(-7), i(3))), 'float:2.0');
    assert.equal(show(mod(d('-7'), i(3))), 'dec:-1');
    assert.equal(show(mod(i(5), i(0))), 'undefined');
  });
  it('pow: exact integer powers, floats otherwise, guarded size', () => {
    assert.equal(show(pow(i(2), i(100))), 'int:1267650600228229401496703205376');
    assert.equal(show(pow(i(2), i(-1))), 'float:0.5');
    assert.equal(show(pow(d('1.1'), i(2))), 'dec:1.21');
    assert.equal(show(pow(i(-8), f(1 / 3))), 'undefined'); // complex in Python
    assert.equal(show(pow(i(0), i(-1))), 'undefined');
    assert.equal(show(pow(i(10), i(10_000_000))), 'undefined');
    assert.equal(show(pow(i(1), i(10_000_000))), 'int:1');
  });
});
