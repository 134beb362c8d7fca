/**
 * Text ↔ bytes under Python codec names, as the csv source (`encoding`,
 * `decode_error_strategy`) and the csv_endpoint sink (`encoding`, `encode_error_strategy`)
 * name them. The Unicode codecs and Latin-1/ASCII are coded here, the single-byte code pages
 * come from tables generated from Python (codepages.ts): Node's TextDecoder decodes
 * windows-1252, ASCII and Latin-1 all as Latin-1, which Python does not. Other codecs
 * (multi-byte Asian ones) decode through TextDecoder and cannot be encoded to.
 */
import { CODEC_NAMES, CODEPAGES } from './codepages.js';

/** The codec behind a Python encoding name, or undefined when Python would not know it either. */
export function pythonCodec(name: string): string | undefined {
  const norm = name
    .toLowerCase()
    .replace(/[^a-z0-9.]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return CODEC_NAMES[norm] ?? CODEC_NAMES[norm.replace(/\./g, '_')];
}

/** Python's `str.encode` error handlers that the csv_endpoint sink documents, plus strict. */
export type EncodeErrors = 'strict' | 'ignore' | 'replace' | 'xmlcharrefreplace' | 'backslashreplace';

/** A character the codec has no bytes for, under the strict handler. */
export class UnencodableError extends Error {
  constructor(
    readonly codec: string,
    /** Index in the text (UTF-16 units). */
    readonly index: number,
    readonly char: string,
  ) {
    super(`'${codec}' codec can't encode character ${JSON.stringify(char)} (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`);
  }
}

/** Why an encoding is refused for writing (the csv_endpoint sink, and its build check). */
export const CANNOT_WRITE = 'is not an encoding the local runtime can write (it writes the UTF codecs, ASCII, Latin-1 and single-byte code pages such as cp1252 and iso8859_15)';

/** Whether `encodeText` can write this codec (a name from `pythonCodec`). */
export function canEncode(codec: string): boolean {
  return UNICODE.has(codec) || codec === 'ascii' || codec === 'latin_1' || CODEPAGES[codec] !== undefined;
}

/** A surrogate that is not part of a pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const UNICODE = new Set(['utf_8', 'utf_8_sig', 'utf_16', 'utf_16_le', 'utf_16_be', 'utf_32', 'utf_32_le', 'utf_32_be']);

/** Reverse tables of the code pages, made on first use: code point → byte. */
const reverse = new Map<string, Map<number, number>>();

function byteOf(codec: string, cp: number): number | undefined {
  if (cp < 0x80) return cp;
  if (codec === 'ascii') return undefined;
  if (codec === 'latin_1') return cp < 0x100 ? cp : undefined;
  let table = reverse.get(codec);
  if (table === undefined) {
    table = new Map();
    const high = CODEPAGES[codec]!;
    for (let i = 0; i < high.length; i++) if (high.charCodeAt(i) !== 0xfffe) table.set(high.charCodeAt(i), 0x80 + i);
    reverse.set(codec, table);
  }
  return table.get(cp);
}

/** What Python's handler puts for an unencodable character (ASCII, so any codec can write it). */
function replacement(errors: EncodeErrors, cp: number): string {
  switch (errors) {
    case 'ignore':
      return '';
    case 'replace':
      return '?';
    case 'xmlcharrefreplace':
      return `&#${cp};`;
    default:
      if (cp < 0x100) return '\\x' + cp.toString(16).padStart(2, '0');
      if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
      return '\\U' + cp.toString(16).padStart(8, '0');
  }
}

/**
 * `text.encode(codec, errors)`. Lone surrogates are unencodable in every codec, as in Python.
 * Throws UnencodableError under "strict".
 */
export function encodeText(text: string, codec: string, errors: EncodeErrors): Buffer {
  if (UNICODE.has(codec)) {
    const clean = LONE_SURROGATE.test(text) ? fixSurrogates(text, codec, errors) : text;
    return encodeUnicode(clean, codec);
  }
  // A handler writes at most 10 ASCII bytes per UTF-16 unit (`&#1114111;`, or `\U0001f600` for a pair).
  const out = Buffer.allocUnsafe(text.length * 10 + 16);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i)!;
    const b = cp >= 0xd800 && cp <= 0xdfff ? undefined : byteOf(codec, cp);
    if (b !== undefined) out[n++] = b;
    else {
      if (errors === 'strict') throw new UnencodableError(codec, i, String.fromCodePoint(cp));
      for (const c of replacement(errors, cp)) out[n++] = c.charCodeAt(0);
    }
    if (cp > 0xffff) i++;
  }
  return Buffer.from(out.subarray(0, n));
}

function fixSurrogates(text: string, codec: string, errors: EncodeErrors): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i)!;
    if (cp >= 0xd800 && cp <= 0xdfff) {
      if (errors === 'strict') throw new UnencodableError(codec, i, String.fromCharCode(cp));
      out += replacement(errors, cp);
    } else out += String.fromCodePoint(cp);
    if (cp > 0xffff) i++;
  }
  return out;
}

function encodeUnicode(text: string, codec: string): Buffer {
  switch (codec) {
    case 'utf_8':
      return Buffer.from(text, 'utf8');
    case 'utf_8_sig':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf_16_le':
      return Buffer.from(text, 'utf16le');
    case 'utf_16_be':
      return Buffer.from(text, 'utf16le').swap16();
    case 'utf_16':
      // Python writes a byte order mark and then the machine's order: little-endian here.
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    default: {
      const cps = Array.from(text, (c) => c.codePointAt(0)!);
      const bom = codec === 'utf_32' ? 1 : 0;
      const out = Buffer.alloc((cps.length + bom) * 4);
      const be = codec === 'utf_32_be';
      if (bom) out.writeUInt32LE(0xfeff, 0);
      cps.forEach((cp, i) => (be ? out.writeUInt32BE(cp, (i + bom) * 4) : out.writeUInt32LE(cp, (i + bom) * 4)));
      return out;
    }
  }
}

/**
 * `bytes.decode(codec, errors)` for the single-byte codecs (ASCII, Latin-1, code pages);
 * undefined for other codecs, which the caller decodes with TextDecoder. "replace" puts
 * U+FFFD for a byte the codec does not define, as Python does.
 */
export function decodeSingleByte(data: Buffer, codec: string, errors: 'strict' | 'replace'): { text: string } | { badOffset: number } | undefined {
  if (codec === 'latin_1') return { text: data.toString('latin1') };
  const high = codec === 'ascii' ? '\ufffe'.repeat(128) : CODEPAGES[codec];
  if (high === undefined) return undefined;
  let out = '';
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b < 0x80) continue;
    let c = high[b - 0x80]!;
    if (c === '\ufffe') {
      if (errors === 'strict') return { badOffset: i };
      c = '\ufffd';
    }
    out += data.toString('latin1', start, i) + c;
    start = i + 1;
  }
  return { text: out + data.toString('latin1', start) };
}

/** TextDecoder's labels for Python's Unicode codecs (multi-byte Asian codecs go by their own name). */
const WHATWG_UNICODE: Readonly<Record<string, string>> = { utf_8: 'utf-8', utf_8_sig: 'utf-8', utf_16: 'utf-16le', utf_16_le: 'utf-16le', utf_16_be: 'utf-16be' };

/** The TextDecoder label for an encoding name that `decodeSingleByte` does not take. */
export function decoderLabel(name: string): string {
  const label = name.trim().toLowerCase();
  return WHATWG_UNICODE[pythonCodec(label) ?? ''] ?? label.replace(/_/g, '-');
}

/** Whether text in this encoding can be read (by `decodeSingleByte` or TextDecoder). */
export function canDecode(name: string): boolean {
  const codec = pythonCodec(name);
  if (codec === 'ascii' || codec === 'latin_1' || (codec !== undefined && CODEPAGES[codec] !== undefined)) return true;
  try {
    new TextDecoder(decoderLabel(name));
    return true;
  } catch {
    return false;
  }
}
