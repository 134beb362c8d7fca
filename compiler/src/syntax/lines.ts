/**
 * Offsets to lines and columns for syntax-tree ranges, shared by the strict fast parser and
 * the error-tolerant one so that both produce the same ranges.
 */
import type { Range } from './tree.js';

/**
 * Maps offsets to lines and columns. Line breaks are \n, \r\n and a lone \r (as in Chevrotain and
 * LSP). The parser asks for positions almost always in increasing order, so a cursor that only
 * ever scans forward does the work in one pass over the text; the rare backward question (an
 * error inside a string, a comment) uses a table of line starts built on first need.
 */
export class LineIndex {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private table: number[] | undefined;

  constructor(private readonly text: string) {}

  private seek(offset: number): void {
    const text = this.text;
    for (let i = this.pos; i < offset; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
        this.line++;
        this.lineStart = i + 1;
      }
    }
    this.pos = offset;
  }

  /** 1-based line and 0-based start offset of that line, for any offset. */
  private lookup(offset: number): [number, number] {
    let starts = this.table;
    if (!starts) {
      starts = [0];
      const text = this.text;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
      }
      this.table = starts;
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return [lo + 1, starts[lo]!];
  }

  range(start: number, end: number): Range {
    if (start < this.pos) {
      const [line, ls] = this.lookup(start);
      const [endLine, els] = this.lookup(end);
      return { start, end, line, column: start - ls + 1, endLine, endColumn: end - els + 1 };
    }
    this.seek(start);
    const line = this.line;
    const column = start - this.lineStart + 1;
    this.seek(end);
    return { start, end, line, column, endLine: this.line, endColumn: end - this.lineStart + 1 };
  }

  /** Like range(), for a token known to hold no line break (every token the parser sees). */
  token(start: number, end: number): Range {
    if (start < this.pos) return this.range(start, end);
    this.seek(start);
    this.pos = end;
    const ls = this.lineStart;
    return { start, end, line: this.line, column: start - ls + 1, endLine: this.line, endColumn: end - ls + 1 };
  }

  /** From the start of `first` to `end`. */
  extend(first: Range, end: number): Range {
    let endLine: number;
    let endColumn: number;
    if (end < this.pos) {
      const [l, ls] = this.lookup(end);
      endLine = l;
      endColumn = end - ls + 1;
    } else {
      this.seek(end);
      endLine = this.line;
      endColumn = end - this.lineStart + 1;
    }
    return { start: first.start, end, line: first.line, column: first.column, endLine, endColumn };
  }
}

/** From the start of `first` to the end of `last`. */
export function span(first: Range, last: Range): Range {
  return {
    start: first.start,
    end: last.end,
    line: first.line,
    column: first.column,
    endLine: last.endLine,
    endColumn: last.endColumn,
  };
}
