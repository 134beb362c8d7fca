/**
 * Truthiness, equality and the mixed-type total order of DTL values.
 */
import { Decimal, decCompare, decIsIntegral, decTruncate } from './decimal.js';
import { Bytes, DateTime, DateValue, Float, Rank, Typed, type Dict, type Value } from './types.js';

/** Only `false`, `null` and the empty list are false (docs: boolean expressions). */
export function truthy(v: Value | undefined): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

export function rankOf(v: Value | undefined): Rank {
  if (v === null || v === undefined) return Rank.Null;
  switch (typeof v) {
    case 'boolean':
      return Rank.Boolean;
    case 'number':
    case 'bigint':
      return Rank.Number;
    case 'string':
      return Rank.String;
  }
  if (Array.isArray(v)) return Rank.List;
  if (v instanceof Typed) {
    switch (v.tag) {
      case 'float':
      case 'decimal':
        return Rank.Number;
      case 'date':
      case 'datetime':
        return Rank.Time;
      case 'uuid':
        return Rank.UUID;
      case 'ni':
        return Rank.NI;
      case 'uri':
        return Rank.URI;
      case 'bytes':
        return Rank.Bytes;
    }
  }
  return Rank.Dict;
}

/** A number as a Decimal for exact cross-type comparison (floats via their shortest repr). */
export function toDecimal(v: Value): Decimal | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return Decimal.fromInteger(v);
  if (v instanceof Decimal) return v;
  if (v instanceof Float) return Decimal.fromFloat(v.value);
  return undefined;
}

export function compareNumbers(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Float && b instanceof Float) return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) return a < b ? -1 : a > b ? 1 : 0;
  const fa = a instanceof Float ? a.value : undefined;
  const fb = b instanceof Float ? b.value : undefined;
  if (fa !== undefined && !Number.isFinite(fa)) return fa > 0 ? 1 : -1;
  if (fb !== undefined && !Number.isFinite(fb)) return fb > 0 ? -1 : 1;
  const da = toDecimal(a);
  const db = toDecimal(b);
  if (!da || !db) return 0;
  return decCompare(da, db);
}

function timeNs(v: Value): bigint {
  return v instanceof DateTime ? v.ns : (v as DateValue).ns;
}

/** The documented mixed-type order; a total order usable by sort. */
/**
 * Strings in code-point order (Python's str order). JS `<` compares UTF-16 units, which
 * differs only where a surrogate meets a unit in U+E000–U+FFFF, so that case alone takes
 * the slow path.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length < b.length ? -1 : 1;
  const x = a.charCodeAt(i);
  const y = b.charCodeAt(i);
  if ((x >= 0xd800 && x <= 0xdfff) || (y >= 0xd800 && y <= 0xdfff)) return compareCodePoints(a, b);
  return x < y ? -1 : 1;
}

/** Code-point order by walking code points (see compareStrings for the fast version). */
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

export function compareValues(a: Value | undefined, b: Value | undefined): number {
  const ra = rankOf(a);
  const rb = rankOf(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case Rank.Null:
      return 0;
    case Rank.Boolean:
      return a === b ? 0 : a ? 1 : -1;
    case Rank.Number:
      return compareNumbers(a as Value, b as Value);
    case Rank.String:
      return compareStrings(a as string, b as string);
    case Rank.Time: {
      const x = timeNs(a as Value);
      const y = timeNs(b as Value);
      if (x !== y) return x < y ? -1 : 1;
      // A date sorts before a datetime at the same instant; keeps the order total.
      return a instanceof DateValue ? (b instanceof DateValue ? 0 : -1) : b instanceof DateValue ? 1 : 0;
    }
    case Rank.UUID:
    case Rank.NI:
    case Rank.URI: {
      const x = String(a);
      const y = String(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Rank.Bytes:
      return Buffer.compare((a as Bytes).data, (b as Bytes).data);
    case Rank.List: {
      const x = a as Value[];
      const y = b as Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
    }
    case Rank.Dict: {
      const x = a as Dict;
      const y = b as Dict;
      const kx = Object.keys(x).sort();
      const ky = Object.keys(y).sort();
      const n = Math.min(kx.length, ky.length);
      for (let i = 0; i < n; i++) {
        if (kx[i] !== ky[i]) return kx[i]! < ky[i]! ? -1 : 1;
        const c = compareValues(x[kx[i]!], y[ky[i]!]);
        if (c !== 0) return c;
      }
      return kx.length < ky.length ? -1 : kx.length > ky.length ? 1 : 0;
    }
  }
  return 0;
}

/** Value equality: numbers compare across int/float/decimal; types otherwise must match. */
export function valuesEqual(a: Value | undefined, b: Value | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  const ta = typeof a;
  if (ta === 'string' || ta === 'boolean' || typeof b === 'string' || typeof b === 'boolean') return false;
  const ra = rankOf(a);
  if (ra !== rankOf(b)) return false;
  if (ra === Rank.List) {
    const x = a as Value[];
    const y = b as Value[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!valuesEqual(x[i], y[i])) return false;
    return true;
  }
  if (ra === Rank.Dict) {
    const x = a as Dict;
    const y = b as Dict;
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    for (const k of kx) {
      if (!Object.prototype.hasOwnProperty.call(y, k) || !valuesEqual(x[k], y[k])) return false;
    }
    return true;
  }
  if (ra === Rank.Time) return (a instanceof DateValue) === (b instanceof DateValue) && compareValues(a, b) === 0;
  return compareValues(a, b) === 0;
}

/**
 * A string key such that equal values (in the sense of valuesEqual) get equal keys: for
 * sets, distinct, group-by and join indexes.
 */
export function valueKey(v: Value | undefined): string {
  switch (typeof v) {
    case 'string':
      return 's' + v;
    case 'number':
      return 'n' + v;
    case 'bigint':
      return 'n' + v.toString();
    case 'boolean':
      return v ? 'T' : 'F';
    case 'undefined':
      return 'z';
  }
  if (v === null) return 'z';
  if (Array.isArray(v)) return '[' + v.map(valueKey).join(',') + ']';
  if (v instanceof Typed) {
    switch (v.tag) {
      case 'float':
      case 'decimal': {
        const d = toDecimal(v);
        if (!d) return 'n' + String((v as Float).value);
        if (decIsIntegral(d)) return 'n' + String(decTruncate(d));
        return 'n' + normalizedDecimalText(d);
      }
      case 'ni':
        return ':' + v.toString();
      case 'uri':
        return 'r' + v.toString();
      case 'uuid':
        return 'u' + v.toString();
      case 'bytes':
        return 'b' + (v as Bytes).base64;
      case 'date':
        return 'd' + v.toString();
      case 'datetime':
        return 't' + (v as DateTime).ns.toString();
    }
  }
  const d = v as Dict;
  const keys = Object.keys(d).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + valueKey(d[k])).join(',') + '}';
}

function normalizedDecimalText(d: Decimal): string {
  // Strip trailing zeros so 1.50 and 1.5 share a key.
  let coef = BigInt(d.coef);
  let exp = d.exp;
  while (exp < 0 && coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return coef.toString() + 'e' + exp;
}
