/**
 * Number casts and type tests (docs: dtl-functions-numbers.rst).
 *
 * The casts are map-style with an optional DEFAULT (a Lambda, `_` = the failing input):
 * null inputs are skipped, inputs that do not convert are dropped or replaced by DEFAULT.
 * Booleans are never numbers here (DTL keeps them apart from integers, unlike Python's
 * bool ⊂ int), so `["integer", true]` fails the cast.
 */
import { Decimal, decTruncate } from '../values/decimal.js';
import { Float, Typed, normInt, type Value } from '../values/types.js';
import { castValues, firstValue, mapValues } from './support.js';
import type { FnContext, FunctionTable, Lambda } from './types.js';

/**
 * Python number literals allow single underscores between digits (`1_000`); returns the
 * text without them, or undefined when an underscore is misplaced.
 */
function dropUnderscores(text: string): string | undefined {
  if (text.indexOf('_') < 0) return text;
  if (/(?<![0-9])_|_(?![0-9])/.test(text)) return undefined;
  return text.replace(/_/g, '');
}

const INT_RE = /^\s*[+-]?\d+\s*$/;
const HEX_RE = /^\s*0[xX]([0-9a-fA-F]+)\s*$/;
const FLOAT_RE = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/**
 * `"0x…"` is two's complement with the width the text gives: the top bit of the first hex
 * digit is the sign (`0xff` → −1, `0x00ff` → 255, `0x8` → −8, `0x1` → 1).
 */
function parseHex(digits: string): number | bigint {
  const v = BigInt('0x' + digits);
  const width = BigInt(digits.length * 4);
  const negative = (v >> (width - 1n)) & 1n;
  return normInt(negative ? v - (1n << width) : v);
}

function parseIntText(s: string): number | bigint | undefined {
  const hex = HEX_RE.exec(s);
  if (hex) return parseHex(hex[1]!);
  const t = dropUnderscores(s);
  if (t === undefined || !INT_RE.test(t)) return undefined;
  return normInt(BigInt(t.trim()));
}

/** Integer cast: ints as they are, floats and decimals truncated toward zero, strings parsed. */
function toInteger(x: Value): Value | undefined {
  if (typeof x === 'number' || typeof x === 'bigint') return x;
  if (typeof x === 'string') return parseIntText(x);
  if (x instanceof Typed) {
    if (x instanceof Float) {
      if (!Number.isFinite(x.value)) return undefined;
      const t = Math.trunc(x.value) + 0;
      return Number.isSafeInteger(t) ? t : normInt(BigInt(t));
    }
    if (x instanceof Decimal) return decTruncate(x);
  }
  return undefined;
}

/**
 * Float cast. Strings use Python float() syntax except that "nan"/"inf" and overflowing
 * text (1e400) are rejected: such values cannot be stored or written as JSON.
 */
function toFloat(x: Value): Value | undefined {
  let r: number | undefined;
  if (typeof x === 'number') r = x;
  else if (typeof x === 'bigint') r = Number(x);
  else if (typeof x === 'string') {
    const t = dropUnderscores(x);
    if (t !== undefined && FLOAT_RE.test(t)) r = Number(t.trim());
  } else if (x instanceof Float) return x;
  else if (x instanceof Decimal) r = x.toNumber();
  return r !== undefined && Number.isFinite(r) ? new Float(r) : undefined;
}

/** Decimal cast; a float converts through its repr (2.0 → 2.0, 2.2 → 2.2), as `Decimal(str(f))`. */
function toDecimal(x: Value): Value | undefined {
  if (typeof x === 'number' || typeof x === 'bigint') return Decimal.fromInteger(x);
  if (typeof x === 'string') {
    const t = dropUnderscores(x);
    return t === undefined ? undefined : Decimal.parse(t);
  }
  if (x instanceof Float) return Decimal.fromFloat(x.value);
  if (x instanceof Decimal) return x;
  return undefined;
}

/** Whole bytes in two's complement, minimal width with a sign-correct top bit. */
function hexString(n: number | bigint): string {
  const v = BigInt(n);
  let bytes = 1n;
  // Smallest byte count whose signed range holds v: −2^(8k−1) ≤ v < 2^(8k−1).
  while (v >= 1n << (8n * bytes - 1n) || v < -(1n << (8n * bytes - 1n))) bytes++;
  const u = v < 0n ? v + (1n << (8n * bytes)) : v;
  return '0x' + u.toString(16).padStart(Number(bytes) * 2, '0');
}

function firstIs(pred: (v: Value) => boolean) {
  return (_cx: FnContext, values: Value | undefined): Value => {
    const v = firstValue(values);
    return v !== undefined && pred(v);
  };
}

function cast(f: (x: Value) => Value | undefined) {
  return (_cx: FnContext, deflt: Lambda | undefined, values: Value | undefined): Value => castValues(values, f, deflt);
}

export const NUMBERS: FunctionTable = {
  decimal: cast(toDecimal),
  float: cast(toFloat),
  integer: cast(toInteger),
  hex: (_cx: FnContext, values: Value | undefined): Value =>
    mapValues(values, (x) => (typeof x === 'number' || typeof x === 'bigint' ? hexString(x) : undefined)),
  'is-decimal': firstIs((v) => v instanceof Decimal),
  'is-float': firstIs((v) => v instanceof Float),
  'is-integer': firstIs((v) => typeof v === 'number' || typeof v === 'bigint'),
};
