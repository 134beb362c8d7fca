/**
 * Bytes functions (docs: dtl-functions-bytes.rst). All are map-style: unusable values are
 * dropped from lists and give null as a single value.
 */
import { Bytes, Typed, type Value } from '../values/types.js';
import { firstValue, mapValues } from './support.js';
import type { FnContext, FunctionTable } from './types.js';

/** Standard alphabet, whole quanta, correct padding (what Python's b64decode insists on). */
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A Bytes value viewing the buffer's memory (no copy). */
export function toBytes(data: Buffer): Bytes {
  return new Bytes(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

/**
 * Decodes base64 text, or undefined when it is not valid base64. Whitespace (line breaks in
 * MIME-style base64) is ignored; anything else outside the alphabet makes the value invalid
 * rather than being skipped silently as Node's decoder would.
 */
export function decodeBase64(text: string): Bytes | undefined {
  const t = text.replace(/\s+/g, '');
  if (!BASE64_RE.test(t)) return undefined;
  return toBytes(Buffer.from(t, 'base64'));
}

/** UTF-8 bytes of a string; undefined for text with lone surrogates (not encodable). */
export function utf8Bytes(s: string): Bytes | undefined {
  if (LONE_SURROGATE.test(s)) return undefined;
  return toBytes(Buffer.from(s, 'utf8'));
}

function isBytes(v: Value | undefined): v is Bytes {
  return v instanceof Typed && v.tag === 'bytes';
}

export const BYTES: FunctionTable = {
  /** Strings only (changelog 2018-06-25); invalid base64 is dropped. */
  'base64-decode': (_cx: FnContext, values: Value | undefined): Value =>
    mapValues(values, (x) => (typeof x === 'string' ? decodeBase64(x) : undefined)),
  /** Bytes only (changelog 2018-06-25); standard alphabet with padding. */
  'base64-encode': (_cx: FnContext, values: Value | undefined): Value =>
    mapValues(values, (x) => (isBytes(x) ? x.base64 : undefined)),
  /** Strings are UTF-8 encoded; bytes pass through unchanged, as any cast keeps its own type. */
  bytes: (_cx: FnContext, values: Value | undefined): Value =>
    mapValues(values, (x) => (typeof x === 'string' ? utf8Bytes(x) : isBytes(x) ? x : undefined)),
  'is-bytes': (_cx: FnContext, values: Value | undefined): Value => isBytes(firstValue(values)),
};
