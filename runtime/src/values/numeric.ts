/**
 * Arithmetic across the numeric tower. The result takes the most precise operand type:
 * int < float < decimal (changelog: float+decimal=decimal, int*float=float, int/int=decimal).
 * Operations return undefined when an operand is not a number or the result is undefined
 * (division by zero); callers decide whether that means null or "dropped".
 */
import { Decimal, decAdd, decDiv, decIsIntegral, decMul, decPowInt, decRem, decSub, decTruncate } from './decimal.js';
import { Float, Typed, normInt, type Value } from './types.js';
import { toDecimal } from './compare.js';

export type Num = number | bigint | Float | Decimal;

const SAFE = 9007199254740991;
const MAX_POW_BITS = 1_000_000n;

export function asNum(v: Value | undefined): Num | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof Typed && (v.tag === 'float' || v.tag === 'decimal')) return v as Float | Decimal;
  return undefined;
}

function kind(v: Num): 0 | 1 | 2 {
  return typeof v === 'number' || typeof v === 'bigint' ? 0 : v instanceof Float ? 1 : 2;
}

function toFloat(v: Num): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Float) return v.value;
  return v.toNumber();
}

function intOp(a: number | bigint, b: number | bigint, op: 'add' | 'sub' | 'mul'): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = op === 'add' ? a + b : op === 'sub' ? a - b : a * b;
    if (r >= -SAFE && r <= SAFE) return r;
  }
  const x = BigInt(a);
  const y = BigInt(b);
  return normInt(op === 'add' ? x + y : op === 'sub' ? x - y : x * y);
}

function binary(a: Num, b: Num, op: 'add' | 'sub' | 'mul'): Num | undefined {
  const k = Math.max(kind(a), kind(b));
  if (k === 0) return intOp(a as number | bigint, b as number | bigint, op);
  if (k === 1) {
    const x = toFloat(a);
    const y = toFloat(b);
    return new Float(op === 'add' ? x + y : op === 'sub' ? x - y : x * y);
  }
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (!x || !y) return undefined;
  return op === 'add' ? decAdd(x, y) : op === 'sub' ? decSub(x, y) : decMul(x, y);
}

// Fast paths for the everyday cases (small integers, decimals with safe coefficients such as
// prices): no intermediate Decimal for an integer operand, no bigint.

export function add(a: Num, b: Num): Num | undefined {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r >= -SAFE && r <= SAFE) return r;
  } else if (a instanceof Decimal && typeof a.coef === 'number') {
    if (b instanceof Decimal && typeof b.coef === 'number' && a.exp === b.exp) {
      const r = a.coef + b.coef;
      if (r >= -SAFE && r <= SAFE) return new Decimal(r, a.exp);
      // Adding 0 is the identity only for a safe coefficient (no rounding to 28 digits) that is
      // not -0 (Python's 0 + Decimal('-0') is Decimal('0')).
    } else if (b === 0 && a.exp <= 0 && !Object.is(a.coef, -0)) return a;
  } else if (a === 0 && b instanceof Decimal && typeof b.coef === 'number' && b.exp <= 0 && !Object.is(b.coef, -0)) return b;
  return binary(a, b, 'add');
}

export function sub(a: Num, b: Num): Num | undefined {
  if (a instanceof Decimal && typeof a.coef === 'number') {
    if (b instanceof Decimal && typeof b.coef === 'number' && a.exp === b.exp) {
      const r = a.coef - b.coef;
      if (r >= -SAFE && r <= SAFE) return new Decimal(r, a.exp);
    } else if (b === 0 && a.exp <= 0) return a;
  }
  return binary(a, b, 'sub');
}

export function mul(a: Num, b: Num): Num | undefined {
  if (typeof b === 'number' && a instanceof Decimal && typeof a.coef === 'number') {
    const r = a.coef * b;
    if (r >= -SAFE && r <= SAFE) return new Decimal(r, a.exp);
  } else if (typeof a === 'number' && b instanceof Decimal && typeof b.coef === 'number') {
    const r = a * b.coef;
    if (r >= -SAFE && r <= SAFE) return new Decimal(r, b.exp);
  }
  return binary(a, b, 'mul');
}

/** True division; int/int gives a decimal. Undefined on division by zero. */
export function div(a: Num, b: Num): Num | undefined {
  const k = Math.max(kind(a), kind(b));
  if (k === 1) {
    const y = toFloat(b);
    if (y === 0) return undefined;
    return new Float(toFloat(a) / y);
  }
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (!x || !y) return undefined;
  return decDiv(x, y);
}

/** Remainder: floor modulo for ints and floats (Python), sign of dividend for decimals. */
export function mod(a: Num, b: Num): Num | undefined {
  const k = Math.max(kind(a), kind(b));
  if (k === 0) {
    const x = BigInt(a as number | bigint);
    const y = BigInt(b as number | bigint);
    if (y === 0n) return undefined;
    let r = x % y;
    if (r !== 0n && (r < 0n) !== (y < 0n)) r += y;
    return normInt(r);
  }
  if (k === 1) {
    const x = toFloat(a);
    const y = toFloat(b);
    if (y === 0) return undefined;
    let r = x % y;
    if (r !== 0 && (r < 0) !== (y < 0)) r += y;
    // JS gives a zero the dividend's sign, Python (float_rem) the divisor's: -4.0 % 2.0 is 0.0.
    else if (r === 0) r = y < 0 ? -0 : 0;
    return new Float(r);
  }
  const x = toDecimal(a);
  const y = toDecimal(b);
  if (!x || !y) return undefined;
  return decRem(x, y);
}

/** Power: integer powers stay exact; anything else goes through doubles. */
export function pow(a: Num, b: Num): Num | undefined {
  const ka = kind(a);
  const kb = kind(b);
  if (kb === 0) {
    const e = BigInt(b as number | bigint);
    if (ka === 0 && e >= 0n) {
      const base = BigInt(a as number | bigint);
      // Guard against results too large to hold (2^64 ** 2^40 would hang the pump rather
      // than fail): beyond ~10^300000 the power is treated as undefined.
      const bits = BigInt((base < 0n ? -base : base).toString(2).length);
      if (bits > 1n && bits * e > MAX_POW_BITS) return undefined;
      return normInt(base ** e);
    }
    if (ka === 2) return decPowInt(a as Decimal, e);
  } else if (ka === 2 || kb === 2) {
    // Python: an integral Decimal exponent (2.0) is an integer power, and a float meets a
    // decimal as the decimal of its repr (float + decimal = decimal).
    const x = toDecimal(a);
    const y = toDecimal(b);
    if (x && y && smallIntegral(y)) return decPowInt(x, BigInt(decTruncate(y)));
  }
  const r = Math.pow(toFloat(a), toFloat(b));
  if (!Number.isFinite(r)) return undefined;
  if (ka === 2 || kb === 2) return Decimal.fromFloat(r);
  return new Float(r);
}

/** An integral decimal below 10^18, so that making it an integer stays cheap (not 1E+999999). */
function smallIntegral(d: Decimal): boolean {
  const c = d.coef;
  const digits = (typeof c === 'number' ? Math.abs(c) : c < 0n ? -c : c).toString().length;
  return d.exp + digits <= 18 && decIsIntegral(d);
}

export function negate(a: Num): Num {
  if (typeof a === 'number') return -a;
  if (typeof a === 'bigint') return normInt(-a);
  if (a instanceof Float) return new Float(-a.value);
  return new Decimal(typeof a.coef === 'number' ? -a.coef : -a.coef, a.exp);
}

export function isZero(a: Num): boolean {
  if (typeof a === 'number') return a === 0;
  if (typeof a === 'bigint') return a === 0n;
  if (a instanceof Float) return a.value === 0;
  return a.isZero();
}

export { toFloat as numToFloat };
