/**
 * The DTL value model.
 *
 * The common path stays plain JavaScript so compiled code is fast: null, booleans, strings,
 * integers (JS numbers that are always integral, or bigint beyond 2^53), arrays and plain
 * objects. Everything that JSON cannot say on its own is a small class deriving from
 * `Typed`: floats (so 2.0 stays a float), decimals, and the transit types.
 */

export type Scalar = null | boolean | string | number | bigint | Typed;
export type Value = Scalar | Value[] | Dict;
export interface Dict {
  [key: string]: Value;
}
export type Entity = Dict;

/** Type ranks used by mixed-type ordering (docs: entity data model, "Mixed type ordering"). */
export const enum Rank {
  Null = 0,
  Boolean = 1,
  Number = 2,
  Time = 3,
  UUID = 4,
  NI = 5,
  URI = 6,
  String = 7,
  Dict = 8,
  List = 9,
  Bytes = 10,
}

/** Base of every non-JSON value; `tag` doubles as a cheap type switch. */
export abstract class Typed {
  abstract readonly tag: 'float' | 'decimal' | 'ni' | 'uri' | 'uuid' | 'bytes' | 'datetime' | 'date';
  /** Transit wire form (what JSON.stringify writes). */
  abstract toJSON(): unknown;
  abstract toString(): string;
}

/** An IEEE double that must stay a float even when integral (`1.0` is not `1`). */
export class Float extends Typed {
  readonly tag = 'float' as const;
  constructor(readonly value: number) {
    super();
  }
  toJSON(): unknown {
    // Integral and non-finite floats cannot be written as a JSON number that reads back as a
    // float; the JSON writers check `floatSeen` and take the exact path for such entities.
    floatMarker.seen = true;
    return this.value;
  }
  toString(): string {
    return formatFloat(this.value);
  }
}

/** Set by Float.toJSON so that a fast JSON.stringify can tell it needs the exact writer. */
export const floatMarker = { seen: false };

/** Python repr of a float, which is what Sesam prints. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  const s = String(v);
  // JS writes 1e+21 and 1e-7; Python writes 1e+21 and 1e-07.
  const m = /^(-?[\d.]+)e([+-])(\d)$/.exec(s);
  if (m) return `${m[1]}e${m[2]}0${m[3]}`;
  return s;
}

/** Namespaced identifier: `~:ns:id`, or `~:id` in the global namespace. */
export class NI extends Typed {
  readonly tag = 'ni' as const;
  /** The text after `~:` (namespace, colon, identifier). */
  constructor(readonly text: string) {
    super();
  }
  get namespace(): string {
    const i = this.text.indexOf(':');
    return i < 0 ? '' : this.text.slice(0, i);
  }
  get id(): string {
    const i = this.text.indexOf(':');
    return i < 0 ? this.text : this.text.slice(i + 1);
  }
  toJSON(): string {
    return '~:' + this.text;
  }
  toString(): string {
    return this.text;
  }
}

export class URI extends Typed {
  readonly tag = 'uri' as const;
  constructor(readonly value: string) {
    super();
  }
  toJSON(): string {
    return '~r' + this.value;
  }
  toString(): string {
    return this.value;
  }
}

export class UUID extends Typed {
  readonly tag = 'uuid' as const;
  /** Canonical lower-case hyphenated form. */
  constructor(readonly value: string) {
    super();
  }
  toJSON(): string {
    return '~u' + this.value;
  }
  toString(): string {
    return this.value;
  }
}

export class Bytes extends Typed {
  readonly tag = 'bytes' as const;
  constructor(readonly data: Uint8Array) {
    super();
  }
  get base64(): string {
    return Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength).toString('base64');
  }
  toJSON(): string {
    return '~b' + this.base64;
  }
  toString(): string {
    return Buffer.from(this.data.buffer, this.data.byteOffset, this.data.byteLength).toString('utf8');
  }
}

/** A UTC instant with nanosecond precision (nanoseconds since the Unix epoch). */
export class DateTime extends Typed {
  readonly tag = 'datetime' as const;
  constructor(readonly ns: bigint) {
    super();
  }
  static fromMillis(ms: number): DateTime {
    return new DateTime(BigInt(Math.trunc(ms)) * 1_000_000n);
  }
  get millis(): number {
    return Number(floorDiv(this.ns, 1_000_000n));
  }
  toJSON(): string {
    return '~t' + this.iso();
  }
  toString(): string {
    return this.iso();
  }
  /** ISO-8601 with the shortest fraction that keeps every nanosecond, always `Z`. */
  iso(): string {
    const ms = floorDiv(this.ns, 1_000_000n);
    const nsInMs = Number(this.ns - ms * 1_000_000n);
    const d = new Date(Number(ms));
    const year = d.getUTCFullYear();
    const y = year < 0 ? '-' + String(-year).padStart(6, '0') : year > 9999 ? '+' + String(year) : String(year).padStart(4, '0');
    const base = `${y}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
    const frac = d.getUTCMilliseconds() * 1_000_000 + nsInMs;
    if (frac === 0) return base + 'Z';
    return base + '.' + String(frac).padStart(9, '0').replace(/0+$/, '') + 'Z';
  }
}

/** A calendar date without time (`~t2015-12-31`). */
export class DateValue extends Typed {
  readonly tag = 'date' as const;
  constructor(readonly year: number, readonly month: number, readonly day: number) {
    super();
  }
  /** Midnight UTC of this date, in nanoseconds, for ordering against datetimes. */
  get ns(): bigint {
    // Not Date.UTC: it reads the years 0–99 as 1900–1999.
    const d = new Date(0);
    d.setUTCFullYear(this.year, this.month - 1, this.day);
    return BigInt(d.getTime()) * 1_000_000n;
  }
  toJSON(): string {
    return '~t' + this.toString();
  }
  toString(): string {
    return `${String(this.year).padStart(4, '0')}-${pad2(this.month)}-${pad2(this.day)}`;
  }
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}

// ---- type guards: cheap checks that compiled code calls in hot loops ----

export function isDict(v: unknown): v is Dict {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Typed);
}

/** Integer in the DTL sense: an integral JS number or a bigint (booleans are not integers). */
export function isInteger(v: unknown): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** Normalise a bigint to the canonical integer form (number when it is safe). */
export function normInt(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** Sets a dict property safely even for keys such as `__proto__`. */
export function setProp(d: Dict, key: string, value: Value): void {
  if (key === '__proto__') Object.defineProperty(d, key, { value, enumerable: true, writable: true, configurable: true });
  else d[key] = value;
}

/** Own-property read that never sees the prototype chain. */
export function getProp(d: Dict, key: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(d, key) ? d[key] : undefined;
}

