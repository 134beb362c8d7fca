/**
 * Reading entities from JSON text without holding one giant parsed array: a byte scanner
 * finds the top-level values (the elements of a top-level array, or JSON lines) and each is
 * decoded and parsed on its own, which is both faster and lighter than parsing the whole
 * document (see spec/perf-anchors.md: scanning Buffers beats splitting strings).
 */
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

/** Yields [start, end) byte ranges of the top-level values. */
export function* topLevelValues(buf: Buffer): Generator<[number, number]> {
  const n = buf.length;
  let i = 0;
  // Skip a UTF-8 BOM.
  if (n >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
  const skipWs = (): void => {
    while (i < n) {
      const c = buf[i]!;
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
  };
  skipWs();
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

/** Parses every top-level value of a JSON array or JSON-lines buffer. */
export function* parseJsonValues(buf: Buffer, policy: NumberPolicy = EXTERNAL): Generator<Value> {
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
