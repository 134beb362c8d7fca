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
import { parseJson, parsePythonJson, STORED, type NumberPolicy } from '../values/json.js';
import { compareCodePoints } from '../values/compare.js';
import { Bytes, DateTime, DateValue, Float, NI, Typed, URI, UUID, type Dict, type Value } from '../values/types.js';
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
export function pyJsonFloat(x: number): string {
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

/** `json-parse`: the value of JSON text read as Python's json.loads does, or undefined. */
export function parsePlainJson(text: string): Value | undefined {
  try {
    return parsePythonJson(text);
  } catch {
    // Bad JSON, or a stack overflow on absurdly deep nesting: unparseable either way.
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
