/**
 * JSON functions: json, json-parse, json-transit, json-transit-parse — plus the Python-style
 * JSON writer that `string` (lists and dicts) and `group-by` (its keys) share.
 *
 * Sesam is written in Python, and its JSON text is `json.dumps(value, sort_keys=True)` with
 * the default formatting: `", "` and `": "` separators, ASCII-only output (`ensure_ascii`),
 * floats as Python `repr`. The docs' examples (`"[1, 2, 3]"`, `"{\"a\": 1, \"b\": 2}"`) show
 * exactly that formatting.
 */
import { Decimal } from '../values/decimal.js';
import { parseJson, STORED, type NumberPolicy } from '../values/json.js';
import { Bytes, DateTime, DateValue, Float, NI, Typed, URI, UUID, normInt, setProp, type Dict, type Value } from '../values/types.js';
import { castValues, mapValues } from './support.js';
import type { FnContext, FunctionTable, Lambda } from './types.js';

// ------------------------------------------------------------------------------ writing

export type JsonMode = 'plain' | 'transit';

/**
 * Python `repr(float)` (= `str`): shortest round-trip digits, exponent form outside
 * 1e-4 ≤ |x| < 1e16; `nan`, `inf`, `-inf` for the non-finite ones.
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest digits that round-trip, like repr.
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential());
  if (!m) return String(x);
  const sign = m[1]!;
  const digits = m[2]! + (m[3] ?? '');
  const e = Number(m[4]);
  if (e < -4 || e >= 16) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const ee = Math.abs(e);
    return `${sign}${mant}e${e < 0 ? '-' : '+'}${ee < 10 ? '0' + ee : String(ee)}`;
  }
  const point = e + 1;
  let body: string;
  if (point <= 0) body = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length) + '.0';
  else body = digits.slice(0, point) + '.' + digits.slice(point);
  return sign + body;
}

/** A float as Python's json.dumps writes it: repr, but NaN/Infinity/-Infinity (allow_nan). */
function pyJsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(x);
}

/** A JSON string literal as Python writes it with ensure_ascii (lower-case `\uXXXX`). */
export function pyJsonString(s: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    out += s.slice(run, i);
    run = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      default:
        // UTF-16 code units: astral characters come out as surrogate pairs, as in Python.
        out += '\\u' + c.toString(16).padStart(4, '0');
    }
  }
  return out + s.slice(run) + '"';
}

/** Code-point order (Python's str order); JS `<` compares UTF-16 units instead. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/**
 * The text of a typed value without transit encoding: what `string` returns for it and what
 * `json` writes. Bytes are base64 here (JSON cannot carry raw bytes); `string` decodes them
 * as UTF-8 itself.
 */
export function plainText(v: Typed): string {
  if (v instanceof Float) return pyJsonFloat(v.value);
  if (v instanceof Decimal) return v.toString();
  if (v instanceof Bytes) return v.base64;
  if (v instanceof DateTime) return v.iso();
  if (v instanceof URI || v instanceof NI || v instanceof UUID || v instanceof DateValue) return v.toString();
  return String(v);
}

/** Python `json.dumps(v, sort_keys=True)` of a value; typed values per `mode`. */
export function pyJson(v: Value | undefined, mode: JsonMode): string {
  switch (typeof v) {
    case 'string':
      return pyJsonString(v);
    case 'number':
      return String(v);
    case 'bigint':
      return v.toString();
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null';
  }
  if (v === null) return 'null';
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i > 0 ? ', ' : '') + pyJson(v[i], mode);
    return out + ']';
  }
  if (v instanceof Typed) {
    if (v instanceof Float) return pyJsonFloat(v.value);
    // `json` writes decimals as JSON numbers (Python str(Decimal) is valid number syntax);
    // `json-transit` keeps their type as `~f` strings, like every other typed value.
    if (v instanceof Decimal && mode === 'plain') return v.toString();
    return pyJsonString(mode === 'plain' ? plainText(v) : String(v.toJSON()));
  }
  const keys = Object.keys(v).sort(compareCodePoints);
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += (i > 0 ? ', ' : '') + pyJsonString(keys[i]!) + ': ' + pyJson((v as Dict)[keys[i]!], mode);
  return out + '}';
}

/**
 * One top-level value as the json functions return it. The docs show a top-level URI as
 * `http://www.example.org/` for `json` and `~rhttp://www.example.org/` for `json-transit`,
 * without JSON quotes (while the string "abc" gets them), so a top-level typed value is
 * written as its bare text; numbers, strings, lists and dicts are real JSON.
 */
export function encodeTop(v: Value, mode: JsonMode): string {
  if (v instanceof Typed && !(v instanceof Float) && !(v instanceof Decimal && mode === 'plain')) {
    return mode === 'plain' ? plainText(v) : String(v.toJSON());
  }
  return pyJson(v, mode);
}

// ------------------------------------------------------------------------------ reading

/**
 * JSON text → value without transit decoding (`json-parse`). Follows Python's json.loads:
 * surrounding whitespace allowed, NaN/Infinity/-Infinity accepted as floats, last duplicate
 * key wins. Numbers with a fraction or exponent become decimals keeping their scale (like raw
 * JSON read into entities), big integers stay exact.
 */
class PlainJsonParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Value | undefined {
    this.ws();
    const v = this.value();
    if (v === undefined) return undefined;
    this.ws();
    return this.i === this.s.length ? v : undefined;
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++;
      else break;
    }
  }

  private lit(word: string): boolean {
    if (!this.s.startsWith(word, this.i)) return false;
    this.i += word.length;
    return true;
  }

  private value(): Value | undefined {
    const c = this.s.charCodeAt(this.i);
    if (c === 123) return this.object();
    if (c === 91) return this.array();
    if (c === 34) return this.string();
    if (this.lit('true')) return true;
    if (this.lit('false')) return false;
    if (this.lit('null')) return null;
    if (this.lit('NaN')) return new Float(NaN);
    if (this.lit('Infinity')) return new Float(Infinity);
    if (this.lit('-Infinity')) return new Float(-Infinity);
    return this.number();
  }

  private object(): Value | undefined {
    const out: Dict = {};
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 125) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 34) return undefined;
      const key = this.string();
      if (key === undefined) return undefined;
      this.ws();
      if (this.s.charCodeAt(this.i) !== 58) return undefined;
      this.i++;
      this.ws();
      const v = this.value();
      if (v === undefined) return undefined;
      setProp(out, key, v);
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 125) return out;
      if (c !== 44) return undefined;
    }
  }

  private array(): Value | undefined {
    const out: Value[] = [];
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 93) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      const v = this.value();
      if (v === undefined) return undefined;
      out.push(v);
      this.ws();
      const c = this.s.charCodeAt(this.i++);
      if (c === 93) return out;
      if (c !== 44) return undefined;
    }
  }

  private string(): string | undefined {
    const s = this.s;
    const start = this.i;
    let j = start + 1;
    for (;;) {
      j = s.indexOf('"', j);
      if (j < 0) return undefined;
      let k = j - 1;
      while (s.charCodeAt(k) === 92) k--;
      if ((j - 1 - k) % 2 === 0) break;
      j++;
    }
    this.i = j + 1;
    try {
      // JSON.parse handles escapes and rejects raw control characters, as json.loads does.
      return JSON.parse(s.slice(start, j + 1)) as string;
    } catch {
      return undefined;
    }
  }

  private number(): Value | undefined {
    const re = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    re.lastIndex = this.i;
    const m = re.exec(this.s);
    if (!m) return undefined;
    this.i += m[0].length;
    if (m[1] === undefined && m[2] === undefined) return normInt(BigInt(m[0]));
    return Decimal.parse(m[0]) ?? new Float(Number(m[0]));
  }
}

export function parsePlainJson(text: string): Value | undefined {
  try {
    return new PlainJsonParser(text).parse();
  } catch {
    // Only a stack overflow on absurdly deep nesting gets here: treat it as unparseable.
    return undefined;
  }
}

/**
 * Transit JSON → value (`json-transit-parse`). Its input is normally what `json-transit`
 * wrote, where decimals are `~f` strings, so a JSON fraction is a float — the policy of our
 * own stored records.
 */
const TRANSIT_POLICY: NumberPolicy = STORED;

export function parseTransitJson(text: string): Value | undefined {
  try {
    return parseJson(text, TRANSIT_POLICY);
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------------------ functions

function json(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => encodeTop(x, 'plain'));
}

function jsonTransit(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => encodeTop(x, 'transit'));
}

// Non-strings cannot be JSON text: they fail the parse like invalid text (→ DEFAULT or dropped).
// A parsed `null` is a real result and is kept (docs: `"null"` → null in the result list).
function jsonParse(_cx: FnContext, fallback: Lambda | undefined, values: Value): Value {
  return castValues(values, (x) => (typeof x === 'string' ? parsePlainJson(x) : undefined), fallback);
}

function jsonTransitParse(_cx: FnContext, fallback: Lambda | undefined, values: Value): Value {
  return castValues(values, (x) => (typeof x === 'string' ? parseTransitJson(x) : undefined), fallback);
}

export const JSON_FUNCTIONS: FunctionTable = {
  'json': json,
  'json-parse': jsonParse,
  'json-transit': jsonTransit,
  'json-transit-parse': jsonTransitParse,
};
