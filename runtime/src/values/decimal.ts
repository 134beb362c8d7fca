/**
 * Exact decimals with Python `decimal` semantics (context precision 28, half-even rounding),
 * which is what Sesam computes with: `73.50 + 10.40` is `83.90`, `2 * 22.10` is `44.20`.
 *
 * value = coef × 10^exp. The coefficient is a JS number while it is a safe integer (the
 * common case: prices, totals) and a bigint beyond that, so everyday arithmetic never
 * allocates a bigint.
 */
import { Typed } from './types.js';

type Coef = number | bigint;

const PRECISION = 28;
const SAFE = 9007199254740991;
const POW10: number[] = [];
for (let i = 0, p = 1; i <= 15; i++, p *= 10) POW10.push(p);

export class Decimal extends Typed {
  /** On the prototype: an own field would cost every one of the many decimals read. */
  get tag(): 'decimal' {
    return 'decimal';
  }
  /** Always normalised: a number when |coef| ≤ 2^53 - 1, else a bigint. */
  readonly coef: Coef;
  readonly exp: number;
  /** toString(), computed once: decimals are serialised on every write of an entity. (An ES
   * private field, so structural comparisons of decimals do not see it.) */
  #text: string | undefined;

  constructor(coef: Coef, exp: number) {
    super();
    this.coef = typeof coef === 'bigint' && coef >= -9007199254740991n && coef <= 9007199254740991n ? Number(coef) : coef;
    this.exp = exp;
  }

  /** Parses decimal text (`73.50`, `-1E+3`, `.5`); undefined when it is not a finite decimal. */
  static parse(text: string): Decimal | undefined {
    // Fast path for the everyday form (`22.10`, `-4.2`): at most 15 digits, plain notation.
    // Parsing runs once per number read from outside, so it avoids slicing and re-parsing.
    const n = text.length;
    if (n <= 16) {
      const neg = text.charCodeAt(0) === 45;
      let i = neg ? 1 : 0;
      let coef = 0;
      let dot = -1;
      let ok = i < n;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 48 && c <= 57) coef = coef * 10 + (c - 48);
        else if (c === 46 && dot < 0) dot = i;
        else {
          ok = false;
          break;
        }
      }
      const intStart = neg ? 1 : 0;
      if (ok && dot > intStart && dot < n - 1) {
        const exp = dot - n + 1;
        const d = new Decimal(neg ? -coef : coef, exp);
        // The text is already Python's str() when it has no superfluous leading zero (and
        // is not so small that str() switches to an exponent).
        const lead = text.charCodeAt(intStart) === 48 && dot - intStart > 1;
        if (!lead && coef !== 0 && exp + digitCount(coef) - 1 >= -6) d.#text = text;
        return d;
      }
    }
    const m = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!m) return undefined;
    const intPart = m[2] ?? '';
    const frac = m[3] ?? '';
    if (intPart.length + frac.length === 0) return undefined;
    const digits = (intPart + frac).replace(/^0+(?=\d)/, '');
    const exp = -frac.length + (m[4] ? Number(m[4]) : 0);
    let coef: Coef = digits.length <= 15 ? Number(digits) : BigInt(digits);
    if (m[1] === '-') coef = typeof coef === 'number' ? -coef : -coef;
    // Construction is exact, as in Python: `Decimal('1234…')` keeps every digit; the context
    // precision only applies to the results of arithmetic.
    return new Decimal(coef, exp);
  }

  static fromInteger(v: number | bigint): Decimal {
    return new Decimal(v, 0);
  }

  /**
   * A float becomes the decimal of its Python `repr` (what Sesam shows: 2.2 → 2.2, 2.0 → 2.0,
   * 1e16 → 1E+16), i.e. `Decimal(str(f))`, not the exact binary value.
   */
  static fromFloat(v: number): Decimal | undefined {
    if (!Number.isFinite(v)) return undefined;
    // Integral floats (the usual constants: 25.0) have repr `25.0`, one fraction digit.
    if (Number.isInteger(v) && Math.abs(v) < 9e14) return new Decimal(v * 10, -1);
    // toExponential() without an argument gives the shortest round-tripping digits, the same
    // digits Python's repr picks; only the notation (and so the exponent) differs.
    const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(v.toExponential());
    if (!m) return undefined;
    const digits = m[2]! + (m[3] ?? '');
    const x = Number(m[4]);
    let exp = x - (digits.length - 1);
    let coefText = digits;
    // repr uses fixed notation for 1e-4 <= |v| < 1e16, always with at least one fraction digit.
    if (x >= -4 && x < 16 && exp > -1) {
      coefText = digits + '0'.repeat(exp + 1);
      exp = -1;
    }
    const c: Coef = coefText.length <= 15 ? Number(coefText) : BigInt(coefText);
    return new Decimal(m[1] === '-' ? (typeof c === 'number' ? -c : -c) : c, exp);
  }

  get sign(): number {
    return typeof this.coef === 'number' ? Math.sign(this.coef) : this.coef > 0n ? 1 : this.coef < 0n ? -1 : 0;
  }

  isZero(): boolean {
    return this.coef === 0 || this.coef === 0n;
  }

  toNumber(): number {
    return Number(this.toString().replace(/^(-?)\./, '$10.'));
  }

  /** Python's `str(Decimal)`: plain notation unless the exponent is positive or very small. */
  toString(): string {
    return (this.#text ??= this.format());
  }

  private format(): string {
    const neg = isNegative(this);
    const digits = (neg ? absCoef(this.coef) : this.coef).toString();
    const exp = this.exp;
    const adjusted = exp + digits.length - 1;
    let body: string;
    if (exp <= 0 && adjusted >= -6) {
      if (exp === 0) body = digits;
      else {
        const point = digits.length + exp;
        body = point > 0 ? digits.slice(0, point) + '.' + digits.slice(point) : '0.' + '0'.repeat(-point) + digits;
      }
    } else {
      const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
      body = mant + 'E' + (adjusted >= 0 ? '+' : '') + adjusted;
    }
    return neg ? '-' + body : body;
  }

  /** The `string` DTL function writes decimals without an exponent (changelog). */
  toPlainString(): string {
    if (this.exp >= 0) {
      return this.isZero() ? (isNegative(this) ? '-0' : '0') : this.coef.toString() + '0'.repeat(this.exp);
    }
    const neg = isNegative(this);
    const digits = (neg ? absCoef(this.coef) : this.coef).toString();
    const point = digits.length + this.exp;
    const body = point > 0 ? digits.slice(0, point) + '.' + digits.slice(point) : '0.' + '0'.repeat(-point) + digits;
    return neg ? '-' + body : body;
  }

  toJSON(): string {
    return '~f' + this.toString();
  }
}

function absCoef(c: Coef): Coef {
  return typeof c === 'number' ? Math.abs(c) : c < 0n ? -c : c;
}

function big(c: Coef): bigint {
  return typeof c === 'bigint' ? c : BigInt(c);
}

/** Decimal digits of |c| (1 for 0); safe numbers are counted without making their text. */
function digitCount(c: Coef): number {
  const a = absCoef(c);
  if (typeof a === 'bigint') return a === 0n ? 1 : a.toString().length;
  let w = 1;
  for (let x = 10; x <= a; x *= 10) w++;
  return w;
}

/** c × 10^k for k ≥ 0, staying in numbers while safe. */
function scaleUp(c: Coef, k: number): Coef {
  if (k === 0) return c;
  if (typeof c === 'number' && k <= 15) {
    const r = c * POW10[k]!;
    if (r >= -SAFE && r <= SAFE) return r;
  }
  return big(c) * 10n ** BigInt(k);
}

/** Rounds a coefficient to the context precision, half-even, adjusting the exponent. */
function round(c: Coef, exp: number, prec: number = PRECISION): Decimal {
  const n = digitCount(c);
  if (n <= prec) return new Decimal(c, exp);
  const drop = n - prec;
  const b = big(c);
  const div = 10n ** BigInt(drop);
  let q = b / div;
  const r = b % div;
  const absR = r < 0n ? -r : r;
  const half = div / 2n;
  if (absR > half || (absR === half && (q % 2n !== 0n))) q += b < 0n ? -1n : 1n;
  // Rounding up can add a digit (999… → 1000…).
  if ((q < 0n ? -q : q).toString().length > prec) return round(q, exp + drop, prec);
  return new Decimal(q, exp + drop);
}

export function decAdd(a: Decimal, b: Decimal): Decimal {
  if (a.exp - b.exp > FAR || b.exp - a.exp > FAR) [a, b] = farApart(a, b);
  const exp = Math.min(a.exp, b.exp);
  const ca = scaleUp(a.coef, a.exp - exp);
  const cb = scaleUp(b.coef, b.exp - exp);
  if (typeof ca === 'number' && typeof cb === 'number') {
    const r = ca + cb;
    if (r >= -SAFE && r <= SAFE) return new Decimal(r, exp);
  }
  const s = big(ca) + big(cb);
  // A bigint zero has no sign; Python's sum is -0 only when both operands are negative.
  if (s === 0n) return new Decimal(isNegative(a) && isNegative(b) ? -0 : 0, exp);
  return round(s, exp);
}

/** Exponents further apart than this get farApart() before an addition or comparison. */
const FAR = 64;

/**
 * Python's `_normalize` for an addition: an operand wholly below the rounding position of the
 * other only matters as a sticky digit just below it, and a zero only down to 29 places below
 * the other. Without this, 1E+999999 + 1E-999999 would build a two-million-digit coefficient.
 * (Order is irrelevant to the sum, so the pair may come back swapped.)
 */
function farApart(a: Decimal, b: Decimal): [Decimal, Decimal] {
  const swap = a.exp < b.exp;
  const large = swap ? b : a;
  let small = swap ? a : b;
  // A zero with the larger exponent adds nothing to the other's digits (Python: the sum is
  // the other operand at its own exponent).
  if (large.isZero()) return [small, new Decimal(large.coef, small.exp)];
  if (small.isZero()) {
    small = new Decimal(small.coef, Math.max(small.exp, large.exp - PRECISION - 1));
  } else {
    const floor = large.exp + Math.min(-1, digitCount(large.coef) - PRECISION - 2);
    if (small.exp + digitCount(small.coef) - 1 < floor) small = new Decimal(small.sign, floor);
  }
  return swap ? [small, large] : [large, small];
}

/** The exponent of the leading digit (Python's `adjusted()`). */
function adjusted(d: Decimal): number {
  return d.exp + digitCount(d.coef) - 1;
}

export function decNeg(a: Decimal): Decimal {
  return new Decimal(typeof a.coef === 'number' ? -a.coef : -a.coef, a.exp);
}

export function decSub(a: Decimal, b: Decimal): Decimal {
  return decAdd(a, decNeg(b));
}

export function decMul(a: Decimal, b: Decimal): Decimal {
  const exp = a.exp + b.exp;
  if (typeof a.coef === 'number' && typeof b.coef === 'number') {
    const r = a.coef * b.coef;
    if (r >= -SAFE && r <= SAFE) return new Decimal(r, exp);
  }
  const p = big(a.coef) * big(b.coef);
  // A bigint zero has no sign; Python's product of a zero keeps the xor of the signs.
  if (p === 0n) return new Decimal(isNegative(a) !== isNegative(b) ? -0 : 0, exp);
  return round(p, exp);
}

/** Python's Decimal division; undefined on division by zero. */
export function decDiv(a: Decimal, b: Decimal): Decimal | undefined {
  return divide(a, b, PRECISION);
}

/** Division rounded to `prec` digits (the context precision but for powers' working precision). */
function divide(a: Decimal, b: Decimal, prec: number): Decimal | undefined {
  if (b.isZero()) return undefined;
  const ideal = a.exp - b.exp;
  const negative = isNegative(a) !== isNegative(b);
  if (a.isZero()) return new Decimal(negative ? -0 : 0, ideal);
  const ca = big(absCoef(a.coef));
  const cb = big(absCoef(b.coef));
  const shift = digitCount(cb) - digitCount(ca) + prec + 1;
  let exp = ideal - shift;
  let q: bigint;
  let r: bigint;
  if (shift >= 0) {
    const n = ca * 10n ** BigInt(shift);
    q = n / cb;
    r = n % cb;
  } else {
    const d = cb * 10n ** BigInt(-shift);
    q = ca / d;
    r = ca % d;
  }
  if (r !== 0n) {
    // Not exact: make the last digit non-zero so half-even rounding sees a sticky bit.
    if (q % 5n === 0n) q += 1n;
  } else {
    while (exp < ideal && q % 10n === 0n) {
      q /= 10n;
      exp += 1;
    }
  }
  return round(negative ? -q : q, exp, prec);
}

/** Python's Decimal `%` (sign follows the dividend); undefined on division by zero. */
export function decRem(a: Decimal, b: Decimal): Decimal | undefined {
  if (b.isZero()) return undefined;
  const exp = Math.min(a.exp, b.exp);
  if (a.isZero()) return new Decimal(a.coef, exp);
  // Python's `_divide` decides these by the leading digits alone, before scaling anything
  // (1E+999999 % 7 would otherwise compute 10^999999).
  const diff = adjusted(a) - adjusted(b);
  if (diff > PRECISION) return undefined;
  if (diff <= -2) {
    // |a| < |b|: the remainder is a itself at the smaller exponent, rounded to 28 digits; past
    // 29 padding zeros more padding changes nothing.
    const pad = Math.min(a.exp - exp, PRECISION + 1);
    return round(scaleUp(a.coef, pad), a.exp - pad);
  }
  const ca = big(scaleUp(a.coef, a.exp - exp));
  const cb = big(scaleUp(b.coef, b.exp - exp));
  // Python signals DivisionImpossible when the integer quotient needs more than the context
  // precision; there is no meaningful remainder then.
  const q = ca / cb;
  if ((q < 0n ? -q : q).toString().length > PRECISION) return undefined;
  return signedZero(round(ca % cb, exp), isNegative(a));
}

export function decCompare(a: Decimal, b: Decimal): number {
  if (a.exp - b.exp > FAR || b.exp - a.exp > FAR) {
    // Decided by sign and leading digit, without scaling 1E+999999 to meet 1E-999999.
    const sa = a.sign;
    const sb = b.sign;
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    const d = adjusted(a) - adjusted(b);
    if (d !== 0) return (d > 0) === (sa > 0) ? 1 : -1;
  }
  const exp = Math.min(a.exp, b.exp);
  const ca = scaleUp(a.coef, a.exp - exp);
  const cb = scaleUp(b.coef, b.exp - exp);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

/**
 * Rounds to `digits` places after the point (quantize) with the given mode; the result keeps
 * that scale (`2.299` at 2 places rounds to `2.30`, not `2.3`).
 */
export function decQuantize(a: Decimal, digits: number, mode: 'half-even' | 'ceil' | 'floor'): Decimal {
  const exp = -digits;
  if (a.exp >= exp) return signedZero(new Decimal(scaleUp(a.coef, a.exp - exp), exp), isNegative(a));
  const drop = exp - a.exp;
  if (drop > digitCount(a.coef) + 1) {
    // |a| < a tenth of a unit at the target scale: the answer is 0 or one unit, and
    // 10^drop (which could have a million digits for 1E-999999) is not needed.
    const s = a.sign;
    return signedZero(new Decimal(mode === 'ceil' && s > 0 ? 1 : mode === 'floor' && s < 0 ? -1 : 0, exp), isNegative(a));
  }
  const b = big(a.coef);
  const div = 10n ** BigInt(drop);
  let q = b / div;
  const r = b % div;
  if (r !== 0n) {
    if (mode === 'ceil') {
      if (b > 0n) q += 1n;
    } else if (mode === 'floor') {
      if (b < 0n) q -= 1n;
    } else {
      const absR = r < 0n ? -r : r;
      const twice = absR * 2n;
      if (twice > div || (twice === div && q % 2n !== 0n)) q += b < 0n ? -1n : 1n;
    }
  }
  return signedZero(new Decimal(q, exp), isNegative(a));
}

/** Whether `d` is below zero or a negative zero. */
function isNegative(d: Decimal): boolean {
  return d.sign < 0 || Object.is(d.coef, -0);
}

/** A zero result of a negative operand keeps the sign, as Python's decimal does (`-0.00`). */
function signedZero(d: Decimal, negative: boolean): Decimal {
  return negative && d.isZero() && !Object.is(d.coef, -0) ? new Decimal(-0, d.exp) : d;
}

/** The integral part, truncated towards zero. */
export function decTruncate(a: Decimal): number | bigint {
  if (a.exp >= 0) {
    const v = big(a.coef) * 10n ** BigInt(a.exp);
    return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
  }
  const v = big(a.coef) / 10n ** BigInt(-a.exp);
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** True when the value has no fractional part (`4.00`). */
export function decIsIntegral(a: Decimal): boolean {
  if (a.exp >= 0) return true;
  // More fraction digits than coefficient digits: only zero is integral (and 10^999999 need
  // not be built to see that 1E-999999 is not).
  if (-a.exp > digitCount(a.coef)) return a.isZero();
  return big(a.coef) % 10n ** BigInt(-a.exp) === 0n;
}

/** Python's Emax / Etiny for the default context: beyond them a power overflows or underflows. */
const EMAX = 999999;
const ETINY = -1000026;

/**
 * `Decimal ** n` for an integer n as CPython computes it (libmpdec's integer power, not the
 * pure-Python module): square-and-multiply rounding each product half-even to 28 + digits(n)
 * + 2 digits (one more, and the base inverted first, for n < 0), then rounding to 28 digits.
 * That double rounding is what Sesam gives, so it is kept. Exact results keep their exponent
 * (`1.50 ** 2` is `2.2500`). Undefined where Python raises: `0 ** 0`, `0 ** -n` (infinite),
 * overflow past 10^999999; an underflow is Python's `0E-1000026`.
 */
export function decPowInt(a: Decimal, n: bigint): Decimal | undefined {
  if (n === 0n) return a.isZero() ? undefined : new Decimal(1, 0);
  const negative = isNegative(a) && (n & 1n) === 1n;
  if (a.isZero()) return n > 0n ? new Decimal(negative ? -0 : 0, 0) : undefined;
  const m = n < 0n ? -n : n;
  const abs = isNegative(a) ? decNeg(a) : a;
  const one = new Decimal(1, 0);
  if (decCompare(abs, one) === 0) {
    // libmpdec: 1 ** -n is 1; 1.00 ** n has the exponent -2n, at most 27 places.
    if (n < 0n) return new Decimal(negative ? -1 : 1, 0);
    const places = -BigInt(abs.exp) * n;
    const shift = places < BigInt(PRECISION - 1) ? Number(places) : PRECISION - 1;
    return new Decimal((negative ? -1n : 1n) * 10n ** BigInt(shift), -shift);
  }
  // Far outside the exponent range: Python overflows (an error) or underflows to zero, and
  // computing it would take needlessly long.
  const text = absCoef(abs.coef).toString();
  const lead = Math.min(text.length, 17);
  const magnitude = Number(n) * (Math.log10(Number(text.slice(0, lead))) + (text.length - lead) + abs.exp);
  if (magnitude > EMAX + 1) return undefined;
  if (magnitude < ETINY - 1) return new Decimal(negative ? -0 : 0, ETINY);

  let prec = PRECISION + m.toString().length + 2;
  let base = abs;
  if (n < 0n) {
    prec += 1;
    base = divide(one, abs, prec)!;
  }
  let r = base;
  const bits = m.toString(2);
  for (let i = 1; i < bits.length; i++) {
    r = round(big(r.coef) * big(r.coef), r.exp * 2, prec);
    if (bits[i] === '1') r = round(big(r.coef) * big(base.coef), r.exp + base.exp, prec);
  }
  r = round(r.coef, r.exp);
  if (r.exp + digitCount(r.coef) - 1 > EMAX) return undefined;
  return negative ? decNeg(r) : r;
}
