/**
 * Math functions (docs: dtl-functions-math.rst).
 *
 * Two families:
 * - the symbolic "natural order" operators `+ - * / % ^` take the FIRST value of each argument
 *   and return one number, or null when either side is null, empty or not a number, or the
 *   operation is undefined (division by zero, a non-real power);
 * - the named functions are map-style with the operand FIRST: `["minus", 1, X]` is X − 1,
 *   applied to each value of X; values that are not numbers (booleans included) are dropped.
 *
 * Result types follow the numeric tower in values/numeric.ts (int < float < decimal,
 * int / int → decimal), so decimals keep their scale (73.50 + 10.40 = 83.90).
 */
import { Decimal, decQuantize, decTruncate } from '../values/decimal.js';
import { add, asNum, div, mod, mul, negate, numToFloat, pow, sub, type Num } from '../values/numeric.js';
import { Float, normInt, type Value } from '../values/types.js';
import { firstValue, mapValues } from './support.js';
import type { FnContext, FunctionTable } from './types.js';

type BinOp = (a: Num, b: Num) => Num | undefined;

/** Python's decimal context precision: quantize fails beyond it (InvalidOperation). */
const PRECISION = 28;

/** The symbolic operators: first values, one result, null when anything is unusable. */
function symbolic(op: BinOp) {
  return (_cx: FnContext, left: Value | undefined, right: Value | undefined): Value => {
    const a = asNum(firstValue(left));
    const b = asNum(firstValue(right));
    if (a === undefined || b === undefined) return null;
    return op(a, b) ?? null;
  };
}

/**
 * The named map-style operators: the operand comes first in the call but is the right-hand
 * side of the operation (`["minus", 1, X]` computes X − 1, `["divide", 2, X]` X / 2).
 */
function named(op: BinOp) {
  // mapValues spelled out: these run per entity, where a closure per call shows.
  return (_cx: FnContext, operand: Value | undefined, values: Value | undefined): Value => {
    const b = asNum(firstValue(operand));
    if (values === null || values === undefined) return null;
    if (!Array.isArray(values)) {
      const a = asNum(values);
      // An unusable operand makes every value unusable: null for a scalar, dropped from lists.
      return a === undefined || b === undefined ? null : (op(a, b) ?? null);
    }
    const out: Value[] = [];
    if (b === undefined) return out;
    for (let i = 0; i < values.length; i++) {
      const a = asNum(values[i]);
      const r = a === undefined ? undefined : op(a, b);
      if (r !== undefined) out.push(r);
    }
    return out;
  };
}

/** Unary map-style functions; `f` returns undefined to drop a value. */
function unary(f: (a: Num) => Num | undefined) {
  return (_cx: FnContext, values: Value | undefined): Value =>
    mapValues(values, (x) => {
      const a = asNum(x);
      return a === undefined ? undefined : f(a);
    });
}

/** Trigonometry and roots always give floats; ±∞ and NaN (e.g. sqrt(-2), tan(∞)) give null. */
function floatFn(f: (x: number) => number) {
  return unary((a) => {
    const r = f(numToFloat(a));
    return Number.isFinite(r) ? new Float(r) : undefined;
  });
}

function absNum(a: Num): Num {
  if (typeof a === 'number') return Math.abs(a);
  if (typeof a === 'bigint') return normInt(a < 0n ? -a : a);
  if (a instanceof Float) return new Float(Math.abs(a.value));
  return a.sign < 0 ? negate(a) : a;
}

type Mode = 'half-even' | 'ceil' | 'floor';

/** Bound on |DIGITS|: far beyond any double or 28-digit decimal, small enough to compute. */
const MAX_DIGITS = 1000;

/**
 * The DIGITS argument: absent or null means 0; otherwise the first value must be an integer
 * (Python's round(x, 1.5) is a TypeError) within ±1000. Returns undefined when unusable.
 */
function digitsArg(digits: Value | undefined): number | undefined {
  if (digits === undefined || digits === null) return 0;
  const d = firstValue(digits);
  if (d === undefined) return 0;
  if (typeof d === 'number' && Math.abs(d) <= MAX_DIGITS) return d;
  return undefined;
}

function digitCount(d: Decimal): number {
  const c = d.coef;
  const s = (typeof c === 'number' ? Math.abs(c) : c < 0n ? -c : c).toString();
  return s.length;
}

/**
 * ceil / floor / round of one number at `digits` places after the point.
 *
 * - digits 0: an integer (documented: "if DIGITS is 0 or not provided, the return value will
 *   be of type integer").
 * - an integer input with digits > 0 is returned unchanged (documented: 6 → 6); with digits
 *   < 0 it is rounded to tens, hundreds, … and stays an integer (Python round(1234, -2)).
 * - a decimal input gives a decimal quantized to that scale, keeping trailing zeros
 *   (2.299 → 2.30), as Python's Decimal.quantize; like quantize it fails (value dropped) when
 *   the result would need more than 28 significant digits.
 * - a float input gives a float. It is rounded by its decimal repr (what the user sees), not
 *   by its binary value: ["round", 2, 2.675] is 2.68, where Python's round() says 2.67, and
 *   ["ceil", 1, 2.2] is 2.2, not the 2.3 that ceil(2.2 * 10) / 10 would give. The documented
 *   "2.30" for the float literal 2.299 is therefore the float 2.3 (a float has no scale).
 */
function roundNum(a: Num, digits: number, mode: Mode): Num | undefined {
  if (typeof a === 'number' || typeof a === 'bigint') {
    if (digits >= 0) return a;
    return decTruncate(decQuantize(Decimal.fromInteger(a), digits, mode));
  }
  if (a instanceof Float) {
    const v = a.value;
    if (!Number.isFinite(v)) return undefined;
    if (digits === 0) {
      if (mode === 'ceil') return toInt(Math.ceil(v));
      if (mode === 'floor') return toInt(Math.floor(v));
      // An integral float is its own integer, exactly as Python's round() gives it: 1e23 is
      // 99999999999999991611392, while its repr would say 10^23.
      if (Number.isInteger(v)) return toInt(v);
    }
    const d = Decimal.fromFloat(v);
    if (!d) return undefined;
    if (digits === 0) return decTruncate(decQuantize(d, 0, mode));
    // Already within the requested scale: nothing to round, and no float noise introduced.
    if (d.exp >= -digits) return a;
    return new Float(decQuantize(d, digits, mode).toNumber());
  }
  // Python's quantize fails when the result needs more than 28 digits; checked before
  // quantizing so that 1E+999999 at 2 places does not build a million-digit coefficient.
  if (digits !== 0 && digitCount(a) + a.exp + digits > PRECISION) return undefined;
  const q = decQuantize(a, digits, mode);
  if (digits === 0) return decTruncate(q);
  return digitCount(q) > PRECISION ? undefined : q;
}

function toInt(v: number): number | bigint {
  // `+ 0` turns Math.ceil(-0.5) = -0 into a plain 0: integers have no negative zero.
  return Number.isSafeInteger(v) ? v + 0 : normInt(BigInt(v));
}

function rounding(mode: Mode) {
  return (_cx: FnContext, digits: Value | undefined, values: Value | undefined): Value => {
    const n = digitsArg(digits);
    return mapValues(values, (x) => {
      const a = asNum(x);
      if (a === undefined || n === undefined) return undefined;
      return roundNum(a, n, mode);
    });
  };
}

export const MATH: FunctionTable = {
  '+': symbolic(add),
  '-': symbolic(sub),
  '*': symbolic(mul),
  '/': symbolic(div),
  '%': symbolic(mod),
  '^': symbolic(pow),
  plus: named(add),
  minus: named(sub),
  multiply: named(mul),
  divide: named(div),
  mod: named(mod),
  pow: named(pow),
  abs: unary(absNum),
  ceil: rounding('ceil'),
  floor: rounding('floor'),
  round: rounding('half-even'),
  sin: floatFn(Math.sin),
  cos: floatFn(Math.cos),
  tan: floatFn(Math.tan),
  sqrt: floatFn(Math.sqrt),
};
