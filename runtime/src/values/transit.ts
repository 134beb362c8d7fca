/**
 * Transit decoding of strings (`~:` NI, `~r` URI, `~t` date/datetime, `~b` bytes, `~u` UUID,
 * `~f` decimal). Unknown tags and malformed payloads stay plain strings, as Sesam documents;
 * there is no escape for a plain string that starts with `~`.
 */
import { Decimal } from './decimal.js';
import { Bytes, DateTime, DateValue, NI, URI, UUID, type Dict, type Value } from './types.js';

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

export function decodeTransitString(s: string): Value {
  if (s.length < 2 || s.charCodeAt(0) !== 126) return s;
  const body = s.slice(2);
  switch (s.charCodeAt(1)) {
    case 58: // ':'
      return new NI(body);
    case 114: // 'r'
      return new URI(body);
    case 117: // 'u'
      return UUID_RE.test(body) ? new UUID(canonicalUuid(body)) : s;
    case 98: // 'b'
      return BASE64_RE.test(body) && body.length % 4 === 0 ? new Bytes(new Uint8Array(Buffer.from(body, 'base64'))) : s;
    case 102: // 'f'
      return Decimal.parse(body) ?? s;
    case 116: // 't'
      return parseDateOrDateTime(body) ?? s;
    default:
      return s;
  }
}

export function canonicalUuid(text: string): string {
  const hex = text.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Milliseconds since the epoch for a proleptic Gregorian UTC date-time (years 1–9999). */
export function utcMillis(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

function validYmd(y: number, mo: number, d: number): boolean {
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const dim = [31, (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= dim[mo - 1]!;
}

export function parseDateOrDateTime(text: string): DateValue | DateTime | undefined {
  let m = DATE_RE.exec(text);
  if (m) {
    const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
    return validYmd(y, mo, d) ? new DateValue(y, mo, d) : undefined;
  }
  m = DATETIME_RE.exec(text);
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const h = Number(m[4]), mi = Number(m[5]), s = Number(m[6]);
  if (!validYmd(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  const frac = m[7] ? BigInt(m[7].padEnd(9, '0')) : 0n;
  return new DateTime(BigInt(utcMillis(y, mo, d, h, mi, s)) * 1_000_000n + frac);
}

/** Decodes transit strings everywhere inside a freshly parsed JSON value, in place. */
export function decodeDeep(v: Value): Value {
  if (typeof v === 'string') return v.charCodeAt(0) === 126 ? decodeTransitString(v) : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (typeof x === 'string') {
        if (x.charCodeAt(0) === 126) v[i] = decodeTransitString(x);
      } else if (x !== null && typeof x === 'object') v[i] = decodeDeep(x);
    }
    return v;
  }
  const d = v as Dict;
  for (const k in d) {
    const x = d[k]!;
    if (typeof x === 'string') {
      if (x.charCodeAt(0) === 126) d[k] = decodeTransitString(x);
    } else if (x !== null && typeof x === 'object') d[k] = decodeDeep(x);
  }
  return d;
}
