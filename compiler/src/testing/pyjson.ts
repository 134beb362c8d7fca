/**
 * JSON as sesam-py sees it. sesam-py reads both sides of a test with Python's json module, so
 * integers are exact at any size and every number with a point or an exponent is a float
 * (`5.0` is not `5`). This module holds that value model, the reader, sesam-py's number
 * fixing, Python's ordering for sort keys, and the writer for `json.dumps(indent=2,
 * sort_keys=True, ensure_ascii=False)` plus the HTML escaping of expected files.
 */
import { pyFloatRepr, pyJsonFloat } from '@dtl/runtime/functions/json';
import { compareCodePoints } from '@dtl/runtime/values/compare';
import { Decimal } from '@dtl/runtime/values/decimal';
import { parsePythonJson, writeJson } from '@dtl/runtime/values/json';
import { Float, type Value } from '@dtl/runtime/values/types';

/** A Python float; a class of its own so that `5.0` stays apart from the int 5. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export interface PyDict {
  [key: string]: PyValue;
}

/** What json.loads returns: ints are bigints, floats PyFloat. */
export type PyValue = null | boolean | string | bigint | PyFloat | PyValue[] | PyDict;

export function isPyDict(v: PyValue | undefined): v is PyDict {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof PyFloat);
}

/** json.loads of a text (a leading BOM is ignored, as utf-8-sig does). Throws JsonSyntaxError. */
export function pyLoads(text: string): PyValue {
  return fromRuntime(parsePythonJson(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
}

/**
 * An entity as sesam-py receives it: the JSON the pipe entities API serves (the runtime's
 * writeJson, transit strings and all), read by Python.
 */
export function pyFromEntity(v: Value): PyValue {
  return pyLoads(writeJson(v));
}

/** parsePythonJson keeps number text as decimals; Python makes every such number a float. */
function fromRuntime(v: Value): PyValue {
  if (typeof v === 'number') return BigInt(v);
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Float) return new PyFloat(v.value);
  if (v instanceof Decimal) return new PyFloat(Number(v.toString()));
  if (Array.isArray(v)) return v.map(fromRuntime);
  const out: PyDict = {};
  for (const [k, x] of Object.entries(v)) setKey(out, k, fromRuntime(x as Value));
  return out;
}

/** Assignment that treats `__proto__` as an ordinary key. */
function setKey(d: PyDict, k: string, v: PyValue): void {
  if (k === '__proto__') Object.defineProperty(d, k, { value: v, enumerable: true, writable: true, configurable: true });
  else d[k] = v;
}

// ---------------------------------------------------------------- sesam-py's number fixing

/** Python's str() of an int; sesam-py measures its length, sign included. */
const JS_SAFE_DIGITS = '9007199254740991'.length;

/**
 * sesam-py's _fix_decimal_to_ints, applied to the current output before comparing or writing:
 * a float whose repr ends in `.0` becomes an int, and an int longer than 16 characters goes
 * through a double (imitating old JSON clients), so 2**70 becomes 1180591620717411300000.
 */
export function fixNumbers(v: PyValue): PyValue {
  if (Array.isArray(v)) return v.map(fixNumbers);
  if (isPyDict(v)) {
    const out: PyDict = {};
    for (const [k, x] of Object.entries(v)) setKey(out, k, fixNumbers(x));
    return out;
  }
  if (v instanceof PyFloat) {
    // A repr ending in `.0` is finite and integral, so BigInt() is exact.
    return pyFloatRepr(v.value).endsWith('.0') ? fixNumbers(BigInt(v.value)) : v;
  }
  if (typeof v === 'bigint' && v.toString().length > JS_SAFE_DIGITS) {
    const f = Number(v);
    // Python's float() raises on ints beyond the double range; such a value is left alone.
    return Number.isFinite(f) ? integerOfDecimalText(pyFloatRepr(f)) : v;
  }
  return v;
}

/** int(Decimal(text)) for the repr of an integral double (`1.1805916207174113e+21`). */
function integerOfDecimalText(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:e([+-]\d+))?$/.exec(text);
  if (!m) throw new Error(`not a decimal: ${text}`);
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0') - frac.length;
  let digits = BigInt(m[2]! + frac);
  // Truncation toward zero, as int() of a Decimal does.
  digits = exp >= 0 ? digits * 10n ** BigInt(exp) : digits / 10n ** BigInt(-exp);
  return m[1] ? -digits : digits;
}

// ---------------------------------------------------------------- Python ordering

export class IncomparableError extends Error {}

/** Python's `<`/`==` for the values sort keys hold; other type pairs raise TypeError there. */
export function pyCompare(a: PyValue, b: PyValue): number {
  if (isNumeric(a) && isNumeric(b)) return compareNumbers(a, b);
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if (a === null && b === null) return 0;
  if (Array.isArray(a) && Array.isArray(b)) return compareLists(a, b);
  if (isPyDict(a) && isPyDict(b) && pyDumps(a) === pyDumps(b)) return 0;
  throw new IncomparableError(`'<' not supported between ${pyTypeName(a)} and ${pyTypeName(b)}`);
}

/** Python's list comparison: the first unequal pair decides, else the shorter list is less. */
export function compareLists(a: readonly PyValue[], b: readonly PyValue[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = pyCompare(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

type Numeric = boolean | bigint | PyFloat;

function isNumeric(v: PyValue): v is Numeric {
  return typeof v === 'boolean' || typeof v === 'bigint' || v instanceof PyFloat;
}

/** Exact comparison of ints and floats, as Python does it (2**53 + 1 > 2.0**53). */
function compareNumbers(a: Numeric, b: Numeric): number {
  const x = typeof a === 'boolean' ? BigInt(a) : a;
  const y = typeof b === 'boolean' ? BigInt(b) : b;
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  if (x instanceof PyFloat && y instanceof PyFloat) return x.value < y.value ? -1 : x.value > y.value ? 1 : 0;
  return x instanceof PyFloat ? -compareIntFloat(y as bigint, x.value) : compareIntFloat(x as bigint, (y as PyFloat).value);
}

function compareIntFloat(i: bigint, f: number): number {
  if (Number.isNaN(f)) return 0;
  if (!Number.isFinite(f)) return f > 0 ? -1 : 1;
  const floor = BigInt(Math.floor(f));
  if (i !== floor) return i < floor ? -1 : 1;
  return Number.isInteger(f) ? 0 : -1;
}

function pyTypeName(v: PyValue): string {
  if (v === null) return "'NoneType'";
  if (typeof v === 'string') return "'str'";
  if (Array.isArray(v)) return "'list'";
  if (isPyDict(v)) return "'dict'";
  return "'number'";
}

// ---------------------------------------------------------------- writing

/**
 * A string as json.dumps(ensure_ascii=False) writes it. JSON.stringify escapes the same
 * characters the same way (short escapes, lower-case \u00XX for other controls, U+2028 and
 * U+2029 raw), except lone surrogates, which Python cannot encode to UTF-8 anyway.
 */
function pyString(s: string): string {
  return JSON.stringify(s);
}

function pyScalar(v: PyValue): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof PyFloat) return pyJsonFloat(v.value);
  if (typeof v === 'string') return pyString(v);
  return undefined;
}

/** json.dumps(v, indent=2, sort_keys=True, ensure_ascii=False). */
export function pyDumps(v: PyValue, indent = 2, level = 0): string {
  const scalar = pyScalar(v);
  if (scalar !== undefined) return scalar;
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => pad + pyDumps(x, indent, level + 1)).join(',\n') + '\n' + end + ']';
  }
  const obj = v as PyDict;
  const keys = Object.keys(obj).sort(compareCodePoints);
  if (keys.length === 0) return '{}';
  return '{\n' + keys.map((k) => pad + pyString(k) + ': ' + pyDumps(obj[k]!, indent, level + 1)).join(',\n') + '\n' + end + '}';
}

/** json.dumps(v, sort_keys=True, ensure_ascii=False): compact with `, ` and `: ` separators. */
export function sortedJson(v: PyValue): string {
  const scalar = pyScalar(v);
  if (scalar !== undefined) return scalar;
  if (Array.isArray(v)) return '[' + v.map(sortedJson).join(', ') + ']';
  const obj = v as PyDict;
  return '{' + Object.keys(obj).sort(compareCodePoints).map((k) => pyString(k) + ': ' + sortedJson(obj[k]!)).join(', ') + '}';
}

/** The expected-file text sesam-py's `update` writes (HTML characters escaped Go-style). */
export function expectedFileText(entities: PyValue[]): string {
  return (
    pyDumps(entities)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026') + '\n'
  );
}
