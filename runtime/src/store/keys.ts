/**
 * Byte encoding of table keys. Keys are UTF-8, except that a string with a lone surrogate
 * (which UTF-8 cannot carry; Buffer would silently replace it) is stored as 0xFE followed by
 * its JSON text, which escapes the surrogate. Neither 0xFE nor 0xFF ever occurs in UTF-8,
 * so 0xFF can separate the two parts of a composite key (index key, entity id) unambiguously.
 */

export const KEY_SEPARATOR = 0xff;
const ILL_FORMED_MARK = 0xfe;
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function isWellFormed(s: string): boolean {
  return !SURROGATE.test(s) || !LONE_SURROGATE.test(s);
}

export function encodeKey(s: string): Buffer {
  if (isWellFormed(s)) return Buffer.from(s, 'utf8');
  const json = Buffer.from(JSON.stringify(s), 'utf8');
  const out = Buffer.allocUnsafe(json.length + 1);
  out[0] = ILL_FORMED_MARK;
  json.copy(out, 1);
  return out;
}

/** Writes `encodeKey(s)` into `buf` at `offset`; returns the bytes written. */
export function writeKey(s: string, buf: Buffer, offset: number): number {
  if (isWellFormed(s)) return buf.write(s, offset, 'utf8');
  buf[offset] = ILL_FORMED_MARK;
  return 1 + buf.write(JSON.stringify(s), offset + 1, 'utf8');
}

export function decodeKey(buf: Buffer, start: number, end: number): string {
  if (end > start && buf[start] === ILL_FORMED_MARK) return JSON.parse(buf.toString('utf8', start + 1, end)) as string;
  return buf.toString('utf8', start, end);
}

/** Upper bound of the bytes `writeKey(s)` may take (a lone surrogate becomes a 6-byte escape). */
export function maxKeyLength(s: string): number {
  return s.length * 6 + 3;
}

/** `writeKey` with a fast path for ASCII, which is what ids and index keys usually are. */
export function writeKeyFast(s: string, buf: Buffer, offset: number): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return writeKey(s, buf, offset);
    buf[offset + i] = c;
  }
  return n;
}
