/**
 * JSON in and out of the value model.
 *
 * Reading: `JSON.parse` is the fast path; it is only exact when the text has no fractional,
 * exponent or very long numbers outside strings, so a cheap scan decides, and the exact
 * parser below takes the rest. Raw JSON from outside keeps number text (a fraction becomes
 * a decimal, as the seed's `"price": 73.50` → `"~f73.50"` shows); our own stored records
 * write floats as JSON numbers, so there a fraction means a float.
 *
 * Writing: sorted keys, compact, transit-encoded — the canonical form that is hashed and
 * stored.
 */
import { Decimal } from './decimal.js';
import { decodeDeep, decodeTransitString } from './transit.js';
import { Float, Typed, type Dict, type Value } from './types.js';

export interface NumberPolicy {
  /** What a number with a fraction or exponent becomes. */
  fraction: 'decimal' | 'float';
  /** `4.00` becomes the integer 4 (the http_endpoint source's `do_float_as_int`). */
  integralAsInt: boolean;
}

/** Raw JSON from outside (files, embedded config): fractions are decimals that keep their text. */
export const EXTERNAL: NumberPolicy = { fraction: 'decimal', integralAsInt: false };

/**
 * What an http_endpoint receiver does with numbers (docs: do_float_as_decimal and
 * do_float_as_int, both true by default: `4.00` is stored as the integer 4).
 */
export function receiverPolicy(config: Readonly<Record<string, unknown>>): NumberPolicy {
  return { fraction: config.do_float_as_decimal === false ? 'float' : 'decimal', integralAsInt: config.do_float_as_int !== false };
}
/** Our own records: decimals are `~f` strings, so a JSON fraction is a float. */
export const STORED: NumberPolicy = { fraction: 'float', integralAsInt: false };

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}

function isEscaped(text: string, quote: number): boolean {
  let k = quote - 1;
  let backslashes = 0;
  while (k >= 0 && text.charCodeAt(k) === 92) {
    backslashes++;
    k--;
  }
  return backslashes % 2 === 1;
}

/** Parses one JSON text into a value, with transit decoding and the given number policy. */
export function parseJson(text: string, policy: NumberPolicy = EXTERNAL): Value {
  const toks = exactNumberTokens(text);
  let v: Value;
  try {
    v = JSON.parse(text) as Value;
  } catch (e) {
    if (toks === null) throw new JsonSyntaxError(e instanceof Error ? e.message : String(e), syntaxErrorOffset(e));
    return new ExactParser(text, policy).parseDocument();
  }
  if (toks === null) return text.includes('"~') ? decodeDeep(v) : v;
  // JSON.parse kept every number as a double; put the exact ones back from their text. The
  // walk visits numbers in document order, which is the order the scan found them in.
  const walk: NumberWalk = { text, toks, policy, k: 0, t: 0, ok: true, transit: text.includes('"~') };
  v = restoreNumbers(v, walk);
  if (!walk.ok || walk.t !== toks.length - 1 || walk.k !== toks[toks.length - 1]) return new ExactParser(text, policy).parseDocument();
  return v;
}

interface NumberWalk {
  readonly text: string;
  /** [index among all numbers, start, end] triples, then the total count of numbers. */
  readonly toks: number[];
  readonly policy: NumberPolicy;
  /** Numbers visited so far. */
  k: number;
  /** Position in toks. */
  t: number;
  ok: boolean;
  readonly transit: boolean;
}

/**
 * Number tokens outside strings that JSON.parse would not keep exactly (fractions, exponents,
 * integers of 16 or more digits), or null when there are none.
 */
function exactNumberTokens(text: string): number[] | null {
  const n = text.length;
  let toks: number[] | null = null;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let j = text.indexOf('"', i + 1);
      while (j > 0 && isEscaped(text, j)) j = text.indexOf('"', j + 1);
      if (j < 0) break; // unterminated: JSON.parse reports it
      i = j;
      continue;
    }
    if (c !== 45 && (c < 48 || c > 57)) continue;
    let j = i + 1;
    let exact = false;
    for (; j < n; j++) {
      const d = text.charCodeAt(j);
      if (d >= 48 && d <= 57) continue;
      if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45) {
        exact = true;
        continue;
      }
      break;
    }
    if (exact || j - i >= 16) (toks ??= []).push(count, i, j);
    count++;
    i = j - 1;
  }
  if (toks !== null) toks.push(count);
  return toks;
}

const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;

function restoreOne(x: number, w: NumberWalk): Value {
  const toks = w.toks;
  let out: Value = x;
  if (w.t < toks.length - 1 && toks[w.t] === w.k) {
    const numText = w.text.slice(toks[w.t + 1], toks[w.t + 2]);
    // A misaligned walk (duplicate keys) shows as a different value: give up then.
    if (Number(numText) !== x) w.ok = false;
    out = numberFromText(numText, w.policy);
    w.t += 3;
  }
  w.k++;
  return out;
}

function restoreNumbers(v: Value, w: NumberWalk): Value {
  if (v === null || typeof v !== 'object') return restoreScalar(v, w);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      const y = restoreItem(x, w);
      if (y !== x) v[i] = y;
    }
    return v;
  }
  const d = v as Dict;
  for (const k in d) {
    // Integer-like keys iterate first, out of document order: let the exact parser handle it.
    const c0 = k.charCodeAt(0);
    if (c0 >= 48 && c0 <= 57 && INDEX_KEY.test(k)) w.ok = false;
    const x = d[k]!;
    const y = restoreItem(x, w);
    if (y !== x) d[k] = y;
  }
  return d;
}

/** A list item or dict value: containers are restored in place, scalars replaced. */
function restoreItem(x: Value, w: NumberWalk): Value {
  if (x !== null && typeof x === 'object') {
    restoreNumbers(x, w);
    return x;
  }
  return restoreScalar(x, w);
}

/** An exact number for a JSON.parse double, a decoded value for a transit string. */
function restoreScalar(x: Value, w: NumberWalk): Value {
  if (typeof x === 'number') return restoreOne(x, w);
  if (typeof x === 'string') return w.transit && x.charCodeAt(0) === 126 ? decodeTransitString(x) : x;
  return x;
}

function syntaxErrorOffset(e: unknown): number {
  const m = e instanceof Error ? /position (\d+)/.exec(e.message) : null;
  return m ? Number(m[1]) : 0;
}

/** Converts number text under a policy. */
export function numberFromText(text: string, policy: NumberPolicy): Value {
  if (!/[.eE]/.test(text)) {
    // Integers have no negative zero (Python: int('-0') is 0).
    if (text.length < 16) return Number(text) || 0;
    const b = BigInt(text);
    return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
  }
  if (policy.fraction === 'float') return new Float(Number(text));
  const d = Decimal.parse(text);
  if (!d) return new Float(Number(text));
  if (policy.integralAsInt && /^-?\d+\.0*$/.test(text)) {
    const b = BigInt(text.slice(0, text.indexOf('.')));
    return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
  }
  return d;
}

/**
 * JSON text as Python's json.loads reads it (the `json-parse` function): no transit decoding,
 * NaN/Infinity/-Infinity accepted as floats, last duplicate key wins; fractions become
 * decimals keeping their scale and big integers stay exact, as in raw JSON read into entities.
 * Throws JsonSyntaxError.
 */
export function parsePythonJson(text: string): Value {
  return new ExactParser(text, EXTERNAL, true).parseDocument();
}

const PYTHON_CONSTANTS: ReadonlyArray<readonly [string, number]> = [
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
];

/** A small recursive-descent JSON parser that keeps number text. */
class ExactParser {
  private i = 0;
  /** `python`: json.loads' reading (see parsePythonJson) instead of entity JSON with transit. */
  constructor(private readonly s: string, private readonly policy: NumberPolicy, private readonly python = false) {}

  parseDocument(): Value {
    this.ws();
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail('Unexpected data after JSON value');
    return v;
  }

  private fail(msg: string): never {
    throw new JsonSyntaxError(`${msg} at position ${this.i}`, this.i);
  }

  private ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.i++;
      else break;
    }
  }

  private value(): Value {
    const s = this.s;
    const c = s.charCodeAt(this.i);
    if (c === 123) return this.object();
    if (c === 91) return this.array();
    if (c === 34) {
      const str = this.string();
      return !this.python && str.charCodeAt(0) === 126 ? decodeTransitString(str) : str;
    }
    if (this.python) {
      for (const [word, x] of PYTHON_CONSTANTS) {
        if (s.startsWith(word, this.i)) {
          this.i += word.length;
          return new Float(x);
        }
      }
    }
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    if (s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    return this.fail(this.i >= s.length ? 'Unexpected end of JSON input' : `Unexpected token ${s[this.i]}`);
  }

  private object(): Dict {
    const out: Dict = {};
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 125) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s.charCodeAt(this.i) !== 34) this.fail('Expected property name');
      const key = this.string();
      this.ws();
      if (this.s.charCodeAt(this.i) !== 58) this.fail("Expected ':'");
      this.i++;
      this.ws();
      const v = this.value();
      if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 44) {
        this.i++;
        continue;
      }
      if (c === 125) {
        this.i++;
        return out;
      }
      this.fail("Expected ',' or '}'");
    }
  }

  private array(): Value[] {
    const out: Value[] = [];
    this.i++;
    this.ws();
    if (this.s.charCodeAt(this.i) === 93) {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value());
      this.ws();
      const c = this.s.charCodeAt(this.i);
      if (c === 44) {
        this.i++;
        continue;
      }
      if (c === 93) {
        this.i++;
        return out;
      }
      this.fail("Expected ',' or ']'");
    }
  }

  private string(): string {
    const s = this.s;
    const start = this.i;
    let j = s.indexOf('"', start + 1);
    while (j > 0 && isEscaped(s, j)) j = s.indexOf('"', j + 1);
    if (j < 0) this.fail('Unterminated string');
    this.i = j + 1;
    const raw = s.slice(start, j + 1);
    if (raw.indexOf('\\') < 0 && !/[\u0000-\u001f]/.test(raw)) return raw.slice(1, -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      this.i = start;
      return this.fail('Bad string');
    }
  }

  private number(): Value {
    const s = this.s;
    const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(s);
    if (!r) this.fail('Bad number');
    this.i += r[0].length;
    return numberFromText(r[0], this.policy);
  }
}

// ---------------------------------------------------------------- writing

/** Compact JSON with sorted keys and transit encoding: the canonical, hashed form. */
export function writeCanonical(v: Value): string {
  return write(v, true);
}

/** Compact JSON keeping insertion order (transit encoding, exact floats). */
export function writeJson(v: Value): string {
  return write(v, false);
}

function write(v: Value | undefined, sort: boolean): string {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
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
    if (v.length === 0) return '[]';
    let out = '[' + write(v[0], sort);
    for (let i = 1; i < v.length; i++) out += ',' + write(v[i], sort);
    return out + ']';
  }
  if (v instanceof Typed) {
    if (v instanceof Float) return floatJson(v.value);
    return JSON.stringify(v.toJSON());
  }
  const d = v as Dict;
  const keys = Object.keys(d);
  if (sort && !isSorted(keys)) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (i > 0) out += ',';
    out += JSON.stringify(k) + ':' + write(d[k], sort);
  }
  return out + '}';
}

function isSorted(keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}

/** A float as JSON text that reads back as a float: integral values keep `.0`. */
export function floatJson(x: number): string {
  if (!Number.isFinite(x)) return 'null';
  // toFixed drops the sign of -0; Python's json writes -0.0.
  if (Object.is(x, -0)) return '-0.0';
  if (Number.isInteger(x)) return Math.abs(x) < 1e21 ? x.toFixed(1) : String(x);
  return String(x);
}

/** True when the canonical text of a value holds floats or big integers (needs exact reading). */
export function hasInexactNumbers(v: Value): boolean {
  if (typeof v === 'bigint') return true;
  if (v === null || typeof v !== 'object') return false;
  if (v instanceof Typed) return v instanceof Float;
  if (Array.isArray(v)) {
    for (const x of v) if (hasInexactNumbers(x)) return true;
    return false;
  }
  for (const k in v) if (hasInexactNumbers((v as Dict)[k]!)) return true;
  return false;
}

/** Indented JSON (2 spaces, sorted keys) for people: `dtl dataset`, expected files. */
export function writePretty(v: Value, indent = 2, sortKeys = true, level = 0): string {
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (v === null || typeof v !== 'object' || v instanceof Typed) return write(v, sortKeys);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => pad + writePretty(x, indent, sortKeys, level + 1)).join(',\n') + '\n' + end + ']';
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return '{}';
  if (sortKeys) keys.sort();
  return '{\n' + keys.map((k) => pad + JSON.stringify(k) + ': ' + writePretty((v as Dict)[k]!, indent, sortKeys, level + 1)).join(',\n') + '\n' + end + '}';
}
