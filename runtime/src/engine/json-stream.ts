/**
 * Reading entities from JSON text without holding one giant parsed array: a byte scanner
 * finds the top-level values (the elements of a top-level array, or JSON lines) and each is
 * decoded and parsed on its own, which is both faster and lighter than parsing the whole
 * document (see spec/perf-anchors.md: scanning Buffers beats splitting strings).
 */
import * as buffer from 'node:buffer';
import { EXTERNAL, JsonSyntaxError, parseJson, type NumberPolicy } from '../values/json.js';
import type { Value } from '../values/types.js';

export class JsonInputError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
  }
}

function lineCol(buf: Buffer, offset: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < buf.length; i++) {
    if (buf[i] === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: offset - last };
}

/** Where the first value of a JSON text starts: after a UTF-8 BOM and whitespace. */
export function firstValueByte(buf: Buffer): number {
  let i = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (i < buf.length && (buf[i] === 32 || buf[i] === 9 || buf[i] === 13 || buf[i] === 10)) i++;
  return i;
}

/** Yields [start, end) byte ranges of the top-level values. */
export function* topLevelValues(buf: Buffer): Generator<[number, number]> {
  const n = buf.length;
  let i = firstValueByte(buf);
  const skipWs = (): void => {
    while (i < n) {
      const c = buf[i]!;
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  if (i >= n) return;
  const inArray = buf[i] === 91;
  if (inArray) {
    i++;
    skipWs();
    if (buf[i] === 93) {
      i++;
      skipWs();
      if (i < n) throw err(buf, i, 'Unexpected data after the top-level array');
      return;
    }
  }
  for (;;) {
    skipWs();
    if (i >= n) {
      if (inArray) throw err(buf, i, "Unexpected end of input: the top-level array is not closed with ']'");
      return;
    }
    const start = i;
    i = valueEnd(buf, i);
    yield [start, i];
    skipWs();
    if (inArray) {
      const c = buf[i];
      if (c === 44) {
        i++;
        continue;
      }
      if (c === 93) {
        i++;
        skipWs();
        if (i < n) throw err(buf, i, 'Unexpected data after the top-level array');
        return;
      }
      throw err(buf, i, i >= n ? "Unexpected end of input: expected ',' or ']'" : "Expected ',' or ']' between array elements");
    } else if (buf[i] === 44) i++; // tolerate comma-separated JSON lines
  }
}

function err(buf: Buffer, offset: number, msg: string): JsonInputError {
  const { line, column } = lineCol(buf, offset);
  return new JsonInputError(`${msg} (line ${line}, column ${column})`, line, column);
}

/** End offset of the value starting at `i` (strings skipped, nesting counted). */
function valueEnd(buf: Buffer, i: number): number {
  const n = buf.length;
  const first = buf[i]!;
  if (first !== 123 && first !== 91) {
    if (first === 34) return stringEnd(buf, i);
    let j = i;
    while (j < n) {
      const c = buf[j]!;
      if (c === 44 || c === 93 || c === 125 || c === 32 || c === 10 || c === 13 || c === 9) break;
      j++;
    }
    return j;
  }
  let depth = 0;
  let j = i;
  while (j < n) {
    const c = buf[j]!;
    if (c === 34) {
      j = stringEnd(buf, j);
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return j + 1;
    }
    j++;
  }
  throw err(buf, i, 'Unexpected end of input inside a value that starts here');
}

function stringEnd(buf: Buffer, i: number): number {
  let j = i + 1;
  const n = buf.length;
  for (;;) {
    const q = buf.indexOf(34, j);
    if (q < 0) throw err(buf, i, 'Unterminated string');
    let k = q - 1;
    let bs = 0;
    while (k > i && buf[k] === 92) {
      bs++;
      k--;
    }
    if (bs % 2 === 0) return q + 1;
    j = q + 1;
    if (j >= n) throw err(buf, i, 'Unterminated string');
  }
}

/**
 * JSON lines: when the first line is a whole value, every line is one value, and splitting at
 * newlines replaces the structural scan. Undefined when the text is not JSON lines.
 */
function jsonLines(buf: Buffer, policy: NumberPolicy): Generator<Value> | undefined {
  const start = firstValueByte(buf);
  if (buf[start] !== 123) return undefined;
  const firstEnd = buf.indexOf(10, start);
  const first = buf.toString('utf8', start, firstEnd < 0 ? buf.length : firstEnd).trim();
  try {
    JSON.parse(first);
  } catch {
    return undefined;
  }
  // ASCII text decodes as latin1 at twice the speed of UTF-8.
  const encoding = isAscii(buf) ? 'latin1' : 'utf8';
  return (function* () {
    let line = 1;
    let s = start;
    while (s < buf.length) {
      let e = buf.indexOf(10, s);
      if (e < 0) e = buf.length;
      const text = buf.toString(encoding, s, e);
      if (text.trim() !== '') {
        try {
          yield parseJson(text, policy);
        } catch (ex) {
          if (ex instanceof JsonSyntaxError) throw new JsonInputError(`${ex.message.replace(/ at position \d+| in JSON at position \d+.*$/, '')} (line ${line})`, line, 1);
          throw ex;
        }
      }
      s = e + 1;
      line++;
    }
  })();
}

function isAscii(buf: Buffer): boolean {
  const fn = (buffer as unknown as { isAscii?: (b: Buffer) => boolean }).isAscii;
  if (fn) return fn(buf);
  for (let i = 0; i < buf.length; i++) if (buf[i]! > 127) return false;
  return true;
}

/** Parses every top-level value of a JSON array or JSON-lines buffer. */
export function* parseJsonValues(buf: Buffer, policy: NumberPolicy = EXTERNAL): Generator<Value> {
  const lines = jsonLines(buf, policy);
  if (lines) {
    yield* lines;
    return;
  }
  for (const [s, e] of topLevelValues(buf)) {
    const text = buf.toString('utf8', s, e);
    try {
      yield parseJson(text, policy);
    } catch (ex) {
      if (ex instanceof JsonSyntaxError) {
        const { line, column } = lineCol(buf, s + ex.offset);
        throw new JsonInputError(`${ex.message.replace(/ at position \d+| in JSON at position \d+.*$/, '')} (line ${line}, column ${column})`, line, column);
      }
      throw ex;
    }
  }
}
