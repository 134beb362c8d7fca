/**
 * The fast path of parseJson: strict JSON straight to the syntax tree, without tokens.
 *
 * Almost every config file is valid JSON, and for those Chevrotain's token objects and rule
 * machinery are pure overhead (on a 5 MB file, garbage collection of tokens is a quarter of
 * the time). This scanner builds exactly the tree and ranges the error-tolerant parser builds
 * for valid input, and gives up (returns BAIL) at the first thing that is not plain JSON:
 * comments, trailing commas, bad strings or numbers, stray characters, empty files, deep
 * nesting. The tolerant parser then parses the file again and explains what is wrong.
 */
import { LineIndex, span } from './lines.js';
import type { JsonArray, JsonMember, JsonObject, JsonString, JsonValue, Range, SyntaxProblem } from './tree.js';

/** parseStrict's answer for text that is not strict JSON; also what the scan throws to stop. */
export const BAIL: unique symbol = Symbol('not strict JSON');

/** Duplicate keys of an object, reported as both parsers do: a warning at each later key. */
export function reportDuplicateKeys(members: readonly JsonMember[], report: (later: JsonString, first: JsonString) => void): void {
  const n = members.length;
  if (n < 2) return;
  if (n <= 8) {
    for (let i = 1; i < n; i++) {
      const k = members[i]!.key;
      for (let j = 0; j < i; j++) {
        if (members[j]!.key.value === k.value) {
          report(k, members[j]!.key);
          break;
        }
      }
    }
    return;
  }
  const seen = new Map<string, JsonString>();
  for (const m of members) {
    const first = seen.get(m.key.value);
    if (first) report(m.key, first);
    else seen.set(m.key.value, m.key);
  }
}

export function duplicateKeyProblem(later: JsonString, first: JsonString): SyntaxProblem {
  return { code: 'json-duplicate-key', message: `Duplicate key '${later.value}' (first defined at line ${first.range.line})`, range: later.range, severity: 'warning' };
}


class StrictParser {
  private i = 0;
  private depth = 0;
  private readonly n: number;

  constructor(
    private readonly s: string,
    private readonly lines: LineIndex,
    private readonly problems: SyntaxProblem[],
    private readonly maxDepth: number,
  ) {
    this.n = s.length;
  }

  document(): JsonValue {
    this.ws();
    if (this.i >= this.n) throw BAIL;
    const v = this.value();
    this.ws();
    if (this.i < this.n) throw BAIL;
    return v;
  }

  private ws(): void {
    const s = this.s;
    let i = this.i;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  private value(): JsonValue {
    const c = this.s.charCodeAt(this.i);
    if (c === 34) {
      const start = this.i;
      const value = this.string();
      return { kind: 'string', range: this.lines.token(start, this.i), parent: undefined, value };
    }
    if (c === 123) return this.object();
    if (c === 91) return this.array();
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    if (c === 116) return this.literal('true', { kind: 'boolean', range: PLACEHOLDER, parent: undefined, value: true });
    if (c === 102) return this.literal('false', { kind: 'boolean', range: PLACEHOLDER, parent: undefined, value: false });
    if (c === 110) return this.literal('null', { kind: 'null', range: PLACEHOLDER, parent: undefined });
    throw BAIL;
  }

  private object(): JsonObject {
    const open = this.open();
    const obj: { kind: 'object'; range: Range; parent: JsonObject | JsonArray | undefined; members: JsonMember[] } = { kind: 'object', range: PLACEHOLDER, parent: undefined, members: [] };
    const members: JsonMember[] = [];
    if (!this.empty(125)) {
      do {
        this.ws();
        if (this.s.charCodeAt(this.i) !== 34) throw BAIL;
        const keyStart = this.i;
        const keyValue = this.string();
        const key: JsonString = { kind: 'string', range: this.lines.token(keyStart, this.i), parent: undefined, value: keyValue };
        this.ws();
        if (this.s.charCodeAt(this.i) !== 58) throw BAIL;
        this.i++;
        this.ws();
        const value = this.value();
        key.parent = obj;
        value.parent = obj;
        members.push({ key, value, range: span(key.range, value.range) });
      } while (this.another(125));
    }
    obj.range = this.close(open);
    obj.members = members;
    reportDuplicateKeys(members, (later, first) => this.problems.push(duplicateKeyProblem(later, first)));
    return obj;
  }

  private array(): JsonArray {
    const open = this.open();
    const arr: { kind: 'array'; range: Range; parent: JsonObject | JsonArray | undefined; items: JsonValue[] } = { kind: 'array', range: PLACEHOLDER, parent: undefined, items: [] };
    const items: JsonValue[] = [];
    if (!this.empty(93)) {
      do {
        this.ws();
        const v = this.value();
        v.parent = arr;
        items.push(v);
      } while (this.another(93));
    }
    arr.range = this.close(open);
    arr.items = items;
    return arr;
  }

  /** Consumes `{` or `[`; returns its range. */
  private open(): Range {
    const start = this.i++;
    if (++this.depth > this.maxDepth) throw BAIL;
    return this.lines.token(start, start + 1);
  }

  /** Whether the container closes right away (`{}`, `[]`). */
  private empty(close: number): boolean {
    this.ws();
    return this.s.charCodeAt(this.i) === close;
  }

  /** After an item: true at a comma (another item follows), false at `close`. */
  private another(close: number): boolean {
    this.ws();
    const c = this.s.charCodeAt(this.i);
    if (c === 44) {
      this.i++;
      return true;
    }
    if (c === close) return false;
    throw BAIL;
  }

  /** Consumes the closer the container stopped at; returns the container's range. */
  private close(open: Range): Range {
    this.i++;
    this.depth--;
    return this.lines.extend(open, this.i);
  }

  /** A string token as the tolerant lexer's StringLiteral admits it; returns its value. */
  private string(): string {
    const s = this.s;
    const start = this.i;
    let i = start + 1;
    let escaped = false;
    for (;;) {
      if (i >= this.n) throw BAIL;
      const c = s.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) throw BAIL;
      if (c === 92) {
        escaped = true;
        const e = s.charCodeAt(i + 1);
        if (e === 117) {
          for (let k = 2; k < 6; k++) if (!isHex(s.charCodeAt(i + k))) throw BAIL;
          i += 6;
        } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) i += 2;
        else throw BAIL;
        continue;
      }
      i++;
    }
    this.i = i + 1;
    return escaped ? (JSON.parse(s.slice(start, i + 1)) as string) : s.slice(start + 1, i);
  }

  /** A JSON number not followed by anything the tolerant lexer would fold into a bad number. */
  private number(): JsonValue {
    const s = this.s;
    const start = this.i;
    let i = start;
    if (s.charCodeAt(i) === 45) i++;
    const first = s.charCodeAt(i);
    if (first === 48) i++;
    else if (first >= 49 && first <= 57) i = digits(s, i);
    else throw BAIL;
    if (s.charCodeAt(i) === 46) {
      const d = digits(s, i + 1);
      if (d === i + 1) throw BAIL;
      i = d;
    }
    const e = s.charCodeAt(i);
    if (e === 101 || e === 69) {
      let j = i + 1;
      const sign = s.charCodeAt(j);
      if (sign === 43 || sign === 45) j++;
      const d = digits(s, j);
      if (d === j) throw BAIL;
      i = d;
    }
    const next = s.charCodeAt(i);
    if (isWordChar(next) || next === 46 || next === 43 || next === 45) throw BAIL;
    this.i = i;
    return { kind: 'number', range: this.lines.token(start, i), parent: undefined, text: s.slice(start, i) };
  }

  private literal<T extends JsonValue>(word: string, node: T & { range: Range }): T {
    const start = this.i;
    if (!this.s.startsWith(word, start)) throw BAIL;
    const end = start + word.length;
    const next = this.s.charCodeAt(end);
    if (isWordChar(next) || next === 36) throw BAIL;
    this.i = end;
    node.range = this.lines.token(start, end);
    return node;
  }
}

const PLACEHOLDER: Range = { start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 };

function digits(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) i++;
    else return i;
  }
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** `\w`: letters, digits, underscore. */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * The tree of strictly valid JSON (with duplicate-key warnings in `problems`), or BAIL when
 * the text is anything else; `problems` is then left as it was.
 */
export function parseStrict(text: string, lines: LineIndex, problems: SyntaxProblem[], maxDepth: number): JsonValue | typeof BAIL {
  const found: SyntaxProblem[] = [];
  try {
    const root = new StrictParser(text, lines, found, maxDepth).document();
    problems.push(...found);
    return root;
  } catch (e) {
    if (e === BAIL) return BAIL;
    throw e;
  }
}
