/**
 * JSON parser for Sesam config files: builds the syntax tree of tree.ts with exact ranges and
 * reports every problem it can find without giving up on the rest of the file.
 *
 * Recovery design: the grammar itself accepts every token sequence. Each container loop has
 * explicit "error productions" (stray commas, colons, closers, bad characters, missing
 * separators), so the semantic actions decide what is wrong and say so in plain words, and the
 * tree keeps everything that could be understood. Chevrotain's own recovery stays enabled as a
 * safety net; with this grammar it should never have to act, and if it does its errors are still
 * reported.
 */
import {
  EmbeddedActionsParser,
  EOF,
  tokenMatcher,
  type DSLMethodOpts,
  type IOrAlt,
  type IToken,
  type TokenType,
} from 'chevrotain';
import * as T from './lexer.js';
import { LineIndex, span } from './lines.js';
import { BAIL, duplicateKeyProblem, parseStrict, reportDuplicateKeys } from './strict.js';
import type {
  JsonArray,
  JsonMember,
  JsonObject,
  JsonString,
  JsonValue,
  ParseResult,
  Range,
  SyntaxProblem,
} from './tree.js';

/**
 * Deeper containers are skipped (and reported) so that hostile input cannot overflow the stack;
 * real configs nest far less.
 */
export const MAX_NESTING_DEPTH = 128;

// Mutable views of the node types, used only while a container is being built.
interface ObjectNode {
  kind: 'object';
  range: Range;
  parent: JsonObject | JsonArray | undefined;
  members: JsonMember[];
}
interface ArrayNode {
  kind: 'array';
  range: Range;
  parent: JsonObject | JsonArray | undefined;
  items: JsonValue[];
}

/** Parsing state of one open container. */
interface Frame {
  /** Range of the opening bracket. */
  readonly open: Range;
  readonly obj: ObjectNode | undefined;
  readonly arr: ArrayNode | undefined;
  closeTok: IToken | undefined;
  /** True right after the opener or a comma (a key or an item should come next). */
  expect: boolean;
  /** After a reported error, further junk is skipped quietly until the next sync point. */
  quiet: boolean;
  lastComma: IToken | undefined;
  /** Kind of the immediately enclosing container: only its closer may end this one early. */
  readonly inObject: boolean;
  readonly inArray: boolean;
  /** Where this container's children start in `pending`. */
  readonly base: number;
  /** Bracket balance while skipping a too-deeply nested container; 0 when not skipping. */
  skip: number;
}

const NONE: never[] = [];
const PENDING: Range = { start: 0, end: 0, line: 1, column: 1, endLine: 1, endColumn: 1 };

function tokEnd(t: IToken): number {
  return t.startOffset + t.image.length;
}


function charName(ch: string): string {
  const code = ch.codePointAt(0)!;
  const hex = 'U+' + code.toString(16).toUpperCase().padStart(4, '0');
  if (code === 0xfeff) return `${hex} (byte order mark)`;
  return code < 0x21 || (code >= 0x7f && code <= 0xa0) || code === 0x2028 || code === 0x2029 ? hex : `'${ch}' (${hex})`;
}

function describe(t: IToken): string {
  if (t.tokenType === EOF) return 'end of file';
  if (t.tokenType === T.BadChar) return `character ${charName(t.image)}`;
  const img = t.image.length > 30 ? t.image.slice(0, 30) + '…' : t.image;
  return `'${img}'`;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Why a `BadNumber` token is not a JSON number. */
function numberProblem(text: string): string {
  const lead = `Invalid number '${text}': `;
  if (text[0] === '+') return lead + "a leading '+' is not allowed";
  const body = text[0] === '-' ? text.slice(1) : text;
  if (body[0] === '0' && (body[1] === 'x' || body[1] === 'X')) return lead + 'hexadecimal numbers are not allowed in JSON';
  if (body[0] === '.') return lead + 'a digit is required before the decimal point';
  if (body[0] === '0' && isDigit(body.charCodeAt(1))) return lead + 'leading zeros are not allowed';
  const dot = body.indexOf('.');
  if (dot >= 0 && !isDigit(body.charCodeAt(dot + 1))) return lead + 'a digit is required after the decimal point';
  const e = body.search(/[eE]/);
  if (e >= 0) {
    const afterSign = body[e + 1] === '+' || body[e + 1] === '-' ? e + 2 : e + 1;
    if (!isDigit(body.charCodeAt(afterSign))) return lead + 'the exponent has no digits';
  }
  return lead + 'not a valid JSON number';
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

const TOP_LEVEL: Frame = {
  open: PENDING,
  obj: undefined,
  arr: undefined,
  closeTok: undefined,
  expect: true,
  quiet: false,
  lastComma: undefined,
  inObject: false,
  inArray: false,
  base: 0,
  skip: 0,
};

class JsonParser extends EmbeddedActionsParser {
  // Per-parse state, reset by run().
  private problems: SyntaxProblem[] = [];
  private tokens: IToken[] = [];
  private lines = new LineIndex('');
  /** Where "end of file" problems are reported: just after the last token, where the missing text belongs. */
  private endOffset = 0;
  private endOfInputRange: Range | undefined;
  /** The innermost open container (TOP_LEVEL outside any). */
  private frame: Frame = TOP_LEVEL;
  /**
   * Children of all open containers, innermost last. Each container takes its own slice when it
   * closes, so its array has exactly the right size (growing many small arrays by push would
   * allocate mostly empty backing stores, and on big files garbage collection dominates).
   */
  private pending: (JsonMember | JsonValue)[] = [];
  private top = 0;
  private depth = 0;
  /** > 0 while parsing content that is discarded anyway; its problems would only be noise. */
  private suppress = 0;
  private lastUnterminated: IToken | undefined;
  private root: JsonValue | undefined;
  private rootSeen = false;
  private topQuiet = false;
  private extraReported = false;
  /** Whether the member being parsed may take a value (it has a colon or a string key). */
  private keyTakesValue = false;

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 1 });
    this.performSelfAnalysis();
  }

  run(text: string, tokens: IToken[], problems: SyntaxProblem[], lines: LineIndex): JsonValue | undefined {
    this.problems = problems;
    this.tokens = tokens;
    this.lines = lines;
    // Chevrotain pads the token vector with EOF sentinels during the parse, so look now.
    const last = tokens[tokens.length - 1];
    this.endOffset = last ? tokEnd(last) : text.length;
    this.endOfInputRange = undefined;
    this.frame = TOP_LEVEL;
    this.depth = this.suppress = this.top = 0;
    this.lastUnterminated = undefined;
    this.root = undefined;
    this.rootSeen = this.topQuiet = this.extraReported = false;
    this.input = tokens;
    try {
      this.document();
      for (const e of this.errors) {
        const t = e.token;
        this.report(`Unexpected ${describe(t)}`, this.rangeOf(t));
      }
      return this.root;
    } finally {
      // Do not keep the token vector (and the source text) alive between parses.
      this.input = [];
      this.tokens = [];
      this.problems = [];
      this.lines = EMPTY_LINES;
      this.pending = [];
      this.top = 0;
      this.root = undefined;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Grammar. Alternative arrays and option objects are created once (Chevrotain's advice for
  // speed), so per-container state lives in `this.frame` rather than in closures. Values inside
  // containers are parsed inline rather than through the `value` rule: a rule call per scalar is
  // the most expensive thing Chevrotain does here.

  private readonly document = this.RULE('document', (): void => {
    this.MANY(this.topLoop);
  });

  private readonly value = this.RULE('value', (): JsonValue | undefined => this.OR(this.valueAlts));

  private readonly object = this.RULE('object', (): JsonObject | undefined => {
    const open = this.CONSUME(T.LCurly);
    const outer = this.frame;
    let f: Frame | undefined;
    if (!this.RECORDING_PHASE) {
      f = this.enter(open, { kind: 'object', range: PENDING, parent: undefined, members: NONE }, undefined);
    }
    let done = false;
    try {
      this.MANY(this.objectLoop);
      this.MANY2(this.skipLoop);
      done = true;
    } finally {
      if (f) this.leave(f, outer, done);
    }
    return f ? this.finishObject(f) : undefined;
  });

  private readonly array = this.RULE('array', (): JsonArray | undefined => {
    const open = this.CONSUME(T.LBracket);
    const outer = this.frame;
    let f: Frame | undefined;
    if (!this.RECORDING_PHASE) {
      f = this.enter(open, undefined, { kind: 'array', range: PENDING, parent: undefined, items: NONE });
    }
    let done = false;
    try {
      this.MANY(this.arrayLoop);
      this.MANY2(this.skipLoop);
      done = true;
    } finally {
      if (f) this.leave(f, outer, done);
    }
    return f ? this.finishArray(f) : undefined;
  });

  private readonly valueAlts: IOrAlt<JsonValue | undefined>[] = [
    { ALT: () => this.SUBRULE(this.object) },
    { ALT: () => this.SUBRULE(this.array) },
    { ALT: () => this.scalar(this.CONSUME(T.Scalar)) },
  ];

  private readonly topAlts: IOrAlt<void>[] = [
    { ALT: () => this.topValue() },
    { ALT: () => this.topJunk(this.CONSUME(T.Comma)) },
    { ALT: () => this.topJunk(this.CONSUME(T.Colon)) },
    { ALT: () => this.topJunk(this.CONSUME(T.RCurly)) },
    { ALT: () => this.topJunk(this.CONSUME(T.RBracket)) },
    { ALT: () => this.topJunk(this.CONSUME(T.BadChar)) },
  ];

  // Every token type is accepted at the top level, so this loop only ends at the end of input.
  private readonly topLoop: DSLMethodOpts<void> = { DEF: () => this.OR(this.topAlts) };

  private readonly objectAlts: IOrAlt<void>[] = [
    { ALT: () => this.containerClose(this.CONSUME(T.RCurly)) },
    { ALT: () => this.objectComma(this.CONSUME(T.Comma)) },
    { ALT: () => this.objectMember() },
    { ALT: () => this.objectJunkContainer() },
    { ALT: () => this.objectJunk(this.CONSUME2(T.Colon)) },
    { ALT: () => this.objectJunk(this.CONSUME(T.RBracket)) },
    { ALT: () => this.objectJunk(this.CONSUME(T.BadChar)) },
  ];

  private readonly objectLoop: DSLMethodOpts<void> = {
    // Stop at our own '}' (already consumed), or at a ']' that can close the enclosing array
    // (then this '{' was left open). Any other ']' is a stray token here.
    GATE: () => {
      const f = this.frame;
      return f.closeTok === undefined && f.skip === 0 && !(f.inArray && this.LA(1).tokenType === T.RBracket);
    },
    DEF: () => this.OR(this.objectAlts),
  };

  private readonly junkContainerAlts: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE2(this.object) },
    { ALT: () => this.SUBRULE2(this.array) },
  ];

  private readonly colonOption: DSLMethodOpts<IToken> = { DEF: () => this.CONSUME1(T.Colon) };

  private readonly memberValueAlts: IOrAlt<JsonValue | undefined>[] = [
    { ALT: () => this.SUBRULE3(this.object) },
    { ALT: () => this.SUBRULE3(this.array) },
    { ALT: () => this.scalar(this.CONSUME3(T.Scalar)) },
  ];

  private readonly memberValueOption: DSLMethodOpts<JsonValue | undefined> = {
    // `"a": "b": 1` reads as a missing value followed by member "b", not as a = "b".
    GATE: () => this.keyTakesValue && !(this.LA(2).tokenType === T.Colon && tokenMatcher(this.LA(1), T.Scalar)),
    DEF: () => this.OR3(this.memberValueAlts),
  };

  private readonly arrayAlts: IOrAlt<void>[] = [
    { ALT: () => this.containerClose(this.CONSUME(T.RBracket)) },
    { ALT: () => this.arrayComma(this.CONSUME(T.Comma)) },
    { ALT: () => this.arrayItem(this.LA(1), this.SUBRULE(this.object)) },
    { ALT: () => this.arrayItem(this.LA(1), this.SUBRULE(this.array)) },
    { ALT: () => this.arrayScalar(this.CONSUME(T.Scalar)) },
    { ALT: () => this.arrayJunk(this.CONSUME(T.Colon)) },
    { ALT: () => this.arrayJunk(this.CONSUME(T.RCurly)) },
    { ALT: () => this.arrayJunk(this.CONSUME(T.BadChar)) },
  ];

  private readonly arrayLoop: DSLMethodOpts<void> = {
    GATE: () => {
      const f = this.frame;
      return f.closeTok === undefined && f.skip === 0 && !(f.inObject && this.LA(1).tokenType === T.RCurly);
    },
    DEF: () => this.OR(this.arrayAlts),
  };

  /** Flat token skipping for containers nested deeper than MAX_NESTING_DEPTH. */
  private readonly skipLoop: DSLMethodOpts<void> = {
    GATE: () => this.frame.skip > 0,
    DEF: () => {
      const t = this.CONSUME(T.AnyToken);
      if (this.RECORDING_PHASE) return;
      const f = this.frame;
      const type = t.tokenType;
      if (type === T.LCurly || type === T.LBracket) f.skip++;
      else if ((type === T.RCurly || type === T.RBracket) && --f.skip === 0) f.closeTok = t;
    },
  };

  // ---------------------------------------------------------------------------------------------
  // Semantic actions. Each is a no-op during Chevrotain's grammar recording phase.

  private topValue(): void {
    const rec = this.RECORDING_PHASE;
    const first = rec ? undefined : this.LA(1);
    const extra = this.rootSeen;
    if (!rec && extra) this.suppress++;
    let v: JsonValue | undefined;
    try {
      v = this.SUBRULE(this.value);
    } finally {
      if (!rec && extra) this.suppress--;
    }
    if (rec) return;
    if (!extra) {
      this.root = v;
      this.rootSeen = true;
      this.topQuiet = false;
    } else if (!this.extraReported) {
      this.extraReported = true;
      this.report(`Unexpected ${describe(first!)} after the end of the JSON value`, this.firstCharRange(first!));
    }
  }

  private topJunk(t: IToken): void {
    if (this.RECORDING_PHASE) return;
    if (this.rootSeen) {
      if (!this.extraReported) {
        this.extraReported = true;
        this.report(`Unexpected ${describe(t)} after the end of the JSON value`, this.tokRange(t));
      }
    } else if (!this.topQuiet) {
      this.topQuiet = true;
      this.report(`Expected a value, found ${describe(t)}`, this.tokRange(t));
    }
  }

  /** The closing `}` or `]` of the current container; a comma right before it is reported. */
  private containerClose(t: IToken): void {
    if (this.RECORDING_PHASE) return;
    const f = this.frame;
    f.closeTok = t;
    if (f.expect && f.lastComma) this.trailingComma(f.lastComma);
  }

  private objectComma(t: IToken): void {
    if (this.RECORDING_PHASE) return;
    const f = this.frame;
    if (f.expect && !f.quiet) {
      this.report(`Expected a property name, found ','`, this.tokRange(t));
      f.quiet = true;
    }
    // Quiet mode lasts until a well-formed member (key and colon) shows up, not just a comma:
    // a run of comma-separated junk is one mistake, not one per comma.
    f.expect = true;
    f.lastComma = t;
  }

  private objectMember(): void {
    const keyTok = this.CONSUME(T.Scalar);
    const colon = this.OPTION(this.colonOption);
    const rec = this.RECORDING_PHASE;
    const stringKey = !rec && (keyTok.tokenType === T.StringLiteral || tokenMatcher(keyTok, T.StringLike));
    const next = rec ? undefined : this.LA(1);
    // Taken before the value is parsed, while the position cursor is still here.
    const keyRange = rec ? PENDING : this.tokRange(keyTok);
    if (!rec) this.keyTakesValue = colon !== undefined || stringKey;
    const value = this.OPTION2(this.memberValueOption);
    if (rec) return;
    const f = this.frame;

    if (colon === undefined && (!stringKey || f.quiet)) {
      // Not recognisable as a member: skip it as junk.
      this.objectJunk(keyTok);
      return;
    }
    if (!f.expect && !f.quiet && !this.followsUnterminated(keyTok)) {
      this.report("Expected ',' or '}' after object member", this.tokRange(keyTok));
    }
    const key = stringKey ? this.stringNode(keyTok, keyRange) : this.bareKey(keyTok, keyRange);
    const hasValue = this.LA(1) !== next;
    if (colon === undefined) this.report("Expected ':' after property name", this.rangeOf(next!));
    else if (!hasValue) this.report('Expected a value', this.rangeOf(next!));

    const obj = f.obj!;
    key.parent = obj;
    let range = key.range;
    if (value) {
      value.parent = obj;
      range = span(range, value.range);
    } else if (colon) {
      range = this.lines.extend(range, tokEnd(colon));
    }
    this.pending[this.top++] = { key, value, range };
    f.expect = false;
    f.lastComma = undefined;
    // A bare word as the value, or neither colon nor value, usually means the quotes around here
    // are out of step; what follows until the next well-formed member would only be noise.
    if ((hasValue && value === undefined) || (colon === undefined && !hasValue)) f.quiet = true;
    else if (colon !== undefined) f.quiet = false;
  }

  private objectJunkContainer(): void {
    const rec = this.RECORDING_PHASE;
    if (!rec) {
      this.objectJunk(this.LA(1));
      this.suppress++;
    }
    try {
      this.OR2(this.junkContainerAlts);
    } finally {
      if (!rec) this.suppress--;
    }
  }

  private objectJunk(t: IToken): void {
    this.junk(t, T.RBracket, `Unexpected ']' in an object`, 'a property name', "Expected ',' or '}' after object member");
  }

  /**
   * A token that does not belong where it is in a container: reported once, then the
   * container stays quiet until it is well-formed again.
   */
  private junk(t: IToken, strayClose: TokenType, strayMsg: string, expected: string, afterItem: string): void {
    if (this.RECORDING_PHASE) return;
    const f = this.frame;
    f.lastComma = undefined;
    if (f.quiet) return;
    f.quiet = true;
    let msg: string;
    if (t.tokenType === T.BadChar) msg = `Unexpected ${describe(t)}`;
    else if (t.tokenType === strayClose) msg = strayMsg;
    else if (f.expect) msg = `Expected ${expected}, found ${describe(t)}`;
    else msg = afterItem;
    this.report(msg, this.tokRange(t));
  }

  private arrayComma(t: IToken): void {
    if (this.RECORDING_PHASE) return;
    const f = this.frame;
    if (f.expect && !f.quiet) this.report('Expected a value', this.tokRange(t));
    // A comma ends quiet mode unless what follows looks like an object member (`"k": v` pairs
    // in an array mean the bracket itself is wrong, which has been reported already).
    if (f.quiet) f.quiet = this.LA(2).tokenType === T.Colon && tokenMatcher(this.LA(1), T.Scalar);
    f.expect = true;
    f.lastComma = t;
  }

  private arrayScalar(t: IToken): void {
    if (this.RECORDING_PHASE) return;
    this.arrayItem(t, this.scalar(t));
  }

  /** `first` is the item's first token. */
  private arrayItem(first: IToken, v: JsonValue | undefined): void {
    if (this.RECORDING_PHASE) return;
    const f = this.frame;
    if (!f.expect && !f.quiet && !this.followsUnterminated(first)) {
      this.report("Expected ',' or ']' after array item", this.firstCharRange(first));
    }
    if (v) {
      v.parent = f.arr;
      this.pending[this.top++] = v;
    } else {
      f.quiet = true;
    }
    f.expect = false;
    f.lastComma = undefined;
  }

  private arrayJunk(t: IToken): void {
    this.junk(t, T.RCurly, `Unexpected '}' in an array`, 'a value', "Expected ',' or ']' after array item");
  }

  // ---------------------------------------------------------------------------------------------
  // Node building

  private enter(open: IToken, obj: ObjectNode | undefined, arr: ArrayNode | undefined): Frame {
    const outer = this.frame;
    const f: Frame = {
      open: this.tokRange(open),
      obj,
      arr,
      closeTok: undefined,
      expect: true,
      quiet: false,
      lastComma: undefined,
      inObject: outer.obj !== undefined,
      inArray: outer.arr !== undefined,
      base: this.top,
      skip: 0,
    };
    this.frame = f;
    if (++this.depth > MAX_NESTING_DEPTH) {
      f.skip = 1;
      this.report(`Nesting is too deep (more than ${MAX_NESTING_DEPTH} levels); this part is not analysed`, f.open);
    }
    return f;
  }

  /** Restores the enclosing container's state, also when Chevrotain's recovery unwinds a rule. */
  private leave(f: Frame, outer: Frame, done: boolean): void {
    this.frame = outer;
    this.depth--;
    if (!done) this.top = f.base;
  }

  private unclosed(f: Frame, opener: string, closer: string): void {
    const next = this.LA(1);
    const what = `'${opener}' at line ${f.open.line}`;
    if (next.tokenType === EOF) this.report(`Unexpected end of file: ${what} is not closed`, this.endOfInput());
    else this.report(`Expected '${closer}' to close ${what}, found ${describe(next)}`, this.tokRange(next));
  }

  private finishObject(f: Frame): JsonObject {
    const obj = f.obj!;
    if (f.closeTok === undefined) this.unclosed(f, '{', '}');
    obj.range = this.lines.extend(f.open, tokEnd(f.closeTok ?? this.LA(0)));
    const members = (obj.members = this.takePending(f) as JsonMember[]);
    reportDuplicateKeys(members, (later, first) => this.duplicateKey(later, first));
    return obj;
  }

  private takePending(f: Frame): (JsonMember | JsonValue)[] {
    const list = this.pending.slice(f.base, this.top);
    this.top = f.base;
    return list;
  }

  private finishArray(f: Frame): JsonArray {
    const arr = f.arr!;
    arr.items = this.takePending(f) as JsonValue[];
    if (f.closeTok === undefined) this.unclosed(f, '[', ']');
    arr.range = this.lines.extend(f.open, tokEnd(f.closeTok ?? this.LA(0)));
    return arr;
  }

  private scalar(t: IToken): JsonValue | undefined {
    if (this.RECORDING_PHASE) return undefined;
    const type = t.tokenType;
    if (type === T.StringLiteral || type === T.BadString || type === T.SingleQuotedString) return this.stringNode(t, this.tokRange(t));
    if (type === T.NumberLiteral) return { kind: 'number', range: this.tokRange(t), parent: undefined, text: t.image };
    if (type === T.True || type === T.False) return { kind: 'boolean', range: this.tokRange(t), parent: undefined, value: type === T.True };
    if (type === T.Null) return { kind: 'null', range: this.tokRange(t), parent: undefined };
    if (type === T.BadNumber) {
      const range = this.tokRange(t);
      this.report(numberProblem(t.image), range);
      return { kind: 'number', range, parent: undefined, text: t.image };
    }
    return this.word(t);
  }

  /** A bare word where a value was expected. */
  private word(t: IToken): JsonValue | undefined {
    const w = t.image;
    const range = this.tokRange(t);
    const unsigned = w[0] === '-' || w[0] === '+' ? w.slice(1) : w;
    if (unsigned === 'NaN' || unsigned === 'Infinity') {
      this.report(`'${w}' is not a valid JSON number`, range);
      return { kind: 'number', range, parent: undefined, text: w };
    }
    const lower = w.toLowerCase();
    if (lower === 'true' || lower === 'false') {
      this.report(`Invalid literal '${w}': JSON literals are lowercase ('${lower}')`, range);
      return { kind: 'boolean', range, parent: undefined, value: lower === 'true' };
    }
    if (lower === 'null') {
      this.report(`Invalid literal '${w}': JSON literals are lowercase ('null')`, range);
      return { kind: 'null', range, parent: undefined };
    }
    // In a stretch already reported as broken (typically quotes out of step), bare words are noise.
    if (this.frame.quiet) return undefined;
    const guess = ['true', 'false', 'null'].find((lit) => lower.length >= 2 && (lit.startsWith(lower) || lower.startsWith(lit)));
    const hint = guess ? ` (did you mean '${guess}'?)` : '';
    this.report(`Unexpected '${w}': expected a value (a string, number, object, array, true, false or null)${hint}`, range);
    return undefined;
  }

  private bareKey(t: IToken, range: Range): JsonString {
    this.report(`Property names must be strings in double quotes: '${t.image}'`, range);
    return { kind: 'string', range, parent: undefined, value: t.image };
  }

  private stringNode(t: IToken, range: Range): JsonString {
    const s = t.image;
    let value: string;
    if (t.tokenType === T.StringLiteral) {
      // The token pattern only admits valid JSON strings, so JSON.parse cannot fail here.
      value = s.indexOf('\\') < 0 ? s.slice(1, -1) : (JSON.parse(s) as string);
    } else {
      value = this.decodeLoose(t, range);
    }
    return { kind: 'string', range, parent: undefined, value };
  }

  /** Best-effort decoding of a malformed string, reporting each defect at its exact place. */
  private decodeLoose(t: IToken, range: Range): string {
    const s = t.image;
    const at = (from: number, to: number): Range => this.lines.range(t.startOffset + from, t.startOffset + to);
    const quote = s.charCodeAt(0);
    if (quote === 39) this.report('Strings must be enclosed in double quotes', range);
    let out = '';
    let runStart = 1;
    let i = 1;
    let terminated = false;
    while (i < s.length) {
      const c = s.charCodeAt(i);
      if (c === quote) {
        terminated = true;
        break;
      }
      if (c === 92) {
        out += s.slice(runStart, i);
        if (i + 1 >= s.length) {
          // A backslash at the end of the line: part of the unterminated string.
          i++;
          runStart = i;
          break;
        }
        const e = s[i + 1]!;
        const simple = SIMPLE_ESCAPES[e];
        if (simple !== undefined || (quote === 39 && e === "'")) {
          out += simple ?? e;
          i += 2;
        } else if (e === 'u') {
          let j = i + 2;
          while (j < i + 6 && j < s.length && isHex(s.charCodeAt(j))) j++;
          if (j === i + 6) out += String.fromCharCode(parseInt(s.slice(i + 2, j), 16));
          else this.report(`Invalid unicode escape '${s.slice(i, j)}': expected four hex digits after '\\u'`, at(i, j));
          i = j;
        } else {
          const high = e.charCodeAt(0);
          const len = high >= 0xd800 && high <= 0xdbff && i + 2 < s.length ? 3 : 2;
          this.report(`Invalid escape sequence '${s.slice(i, i + len)}' in string`, at(i, i + len));
          out += s.slice(i + 1, i + len);
          i += len;
        }
        runStart = i;
        continue;
      }
      if (c < 0x20) {
        const name = c === 9 ? 'a tab' : `control character ${charName(s[i]!)}`;
        this.report(`Strings must not contain ${name}; write it as an escape sequence`, at(i, i + 1));
      }
      i++;
    }
    out += s.slice(runStart, Math.min(i, s.length));
    if (!terminated) {
      this.lastUnterminated = t;
      this.report('Unterminated string', range);
    }
    return out;
  }

  /** A missing comma right after an unterminated string is a consequence, not a new mistake. */
  private followsUnterminated(t: IToken): boolean {
    const u = this.lastUnterminated;
    if (!u || u.startOffset >= t.startOffset) return false;
    // Tokens are sorted by offset, so find t's predecessor by binary search.
    const toks = this.tokens;
    let lo = 0;
    let hi = toks.length - 1;
    while (hi > 0 && toks[hi]!.tokenType === EOF) hi--;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (toks[mid]!.startOffset < t.startOffset) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && toks[lo] === t && toks[lo - 1] === u;
  }

  // ---------------------------------------------------------------------------------------------
  // Positions and problems

  private tokRange(t: IToken): Range {
    return this.lines.token(t.startOffset, t.startOffset + t.image.length);
  }

  /** The first character of a token: enough to point at a container that starts there. */
  private firstCharRange(t: IToken): Range {
    return this.lines.token(t.startOffset, t.startOffset + (t.tokenType === T.LCurly || t.tokenType === T.LBracket ? 1 : t.image.length));
  }

  private endOfInput(): Range {
    return (this.endOfInputRange ??= this.lines.range(this.endOffset, this.endOffset));
  }

  private rangeOf(t: IToken): Range {
    return t.tokenType === EOF ? this.endOfInput() : this.tokRange(t);
  }

  private report(message: string, range: Range, code: SyntaxProblem['code'] = 'json-syntax', severity: SyntaxProblem['severity'] = 'error'): void {
    if (this.suppress > 0) return;
    this.problems.push({ code, message, range, severity });
  }

  private trailingComma(t: IToken): void {
    this.report('Trailing comma is not allowed in JSON', this.tokRange(t), 'json-trailing-comma');
  }

  private duplicateKey(later: JsonString, first: JsonString): void {
    const p = duplicateKeyProblem(later, first);
    this.report(p.message, p.range, p.code, p.severity);
  }
}

const EMPTY_LINES = new LineIndex('');
const parser = new JsonParser();

/** Parses a JSON config file. Never throws; every problem found is in `problems`, sorted by position. */
export function parseJson(text: string): ParseResult {
  const problems: SyntaxProblem[] = [];
  const root = parseStrict(text, new LineIndex(text), problems, MAX_NESTING_DEPTH);
  if (root !== BAIL) return { root, problems: tidy(problems) };
  return parseJsonTolerant(text);
}

/**
 * The error-tolerant parse (Chevrotain) that parseJson falls back to when the text is not
 * strictly valid JSON; exported so tests can hold the two paths to the same trees.
 */
export function parseJsonTolerant(text: string): ParseResult {
  const lexed = T.jsonLexer.tokenize(text);
  const lines = new LineIndex(text);
  const problems: SyntaxProblem[] = [];
  let root: JsonValue | undefined;
  if (lexed.tokens.length === 0) {
    problems.push({ code: 'json-syntax', message: 'The file is empty', range: lines.range(0, 0), severity: 'error' });
  } else {
    root = parser.run(text, lexed.tokens, problems, lines);
  }
  for (const c of lexed.groups['comments'] ?? []) {
    const closed = c.tokenType !== T.BlockComment || (c.image.length >= 4 && c.image.endsWith('*/'));
    problems.push({
      code: 'json-comment',
      message: closed
        ? 'Comments are not allowed in JSON config files'
        : 'Comments are not allowed in JSON config files (and this block comment is not closed)',
      range: lines.range(c.startOffset, c.startOffset + c.image.length),
      severity: 'error',
    });
  }
  // The catch-all token should make these impossible; kept so that nothing is ever lost.
  for (const e of lexed.errors) {
    problems.push({ code: 'json-syntax', message: `Unexpected character ${charName(text.slice(e.offset, e.offset + 1))}`, range: lines.range(e.offset, e.offset + e.length), severity: 'error' });
  }
  return { root, problems: tidy(problems) };
}

/** Sorts by position and drops structural errors that repeat at the same offset. */
function tidy(problems: SyntaxProblem[]): SyntaxProblem[] {
  problems.sort((a, b) => a.range.start - b.range.start);
  const out: SyntaxProblem[] = [];
  let lastStart = -1;
  for (const p of problems) {
    if (p.code === 'json-syntax' || p.code === 'json-trailing-comma') {
      if (p.range.start === lastStart) continue;
      lastStart = p.range.start;
    }
    out.push(p);
  }
  return out;
}
