/**
 * Transit decoding of freshly parsed stored records, in place. Same results as
 * `decodeDeep` (values/transit.ts), with a fast path for the commonest typed value in
 * datasets, a plain decimal such as `~f73.50`: it is built directly instead of going through
 * Decimal.parse's general regular expression, which dominated the decoding cost.
 */
import { Decimal } from '../values/decimal.js';
import { decodeTransitString } from '../values/transit.js';
import type { Dict, Value } from '../values/types.js';

/** `~f` followed by an optional minus, digits, and an optional fraction; at most 15 digits. */
function fastDecimal(s: string): Decimal | undefined {
  const n = s.length;
  let i = 2;
  const neg = s.charCodeAt(i) === 45;
  if (neg) i++;
  let coef = 0;
  let digits = 0;
  let point = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      coef = coef * 10 + (c - 48);
      digits++;
    } else if (c === 46 && point < 0 && digits > 0) point = digits;
    else return undefined;
  }
  if (digits === 0 || digits > 15 || point === digits) return undefined;
  // Decimal.parse makes "-0.00" a negative zero coefficient too.
  return new Decimal(neg ? -coef : coef, point < 0 ? 0 : point - digits);
}

function decodeString(s: string): Value {
  if (s.charCodeAt(1) === 102) {
    const d = fastDecimal(s);
    if (d !== undefined) return d;
  }
  return decodeTransitString(s);
}

export function decodeStored(v: Value): Value {
  if (typeof v === 'string') return v.charCodeAt(0) === 126 ? decodeString(v) : v;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (typeof x === 'string') {
        if (x.charCodeAt(0) === 126) v[i] = decodeString(x);
      } else if (x !== null && typeof x === 'object') decodeStored(x);
    }
    return v;
  }
  const d = v as Dict;
  for (const k in d) {
    const x = d[k]!;
    if (typeof x === 'string') {
      if (x.charCodeAt(0) === 126) d[k] = decodeString(x);
    } else if (x !== null && typeof x === 'object') decodeStored(x);
  }
  return d;
}
