/**
 * Chevrotain lexer for strict JSON config files.
 *
 * The lexer never fails: malformed strings and numbers get their own token types so the
 * parser can report them precisely, comments go to a separate group (they are reported,
 * then ignored), and anything else becomes a one-character `BadChar` token.
 */
import { createToken, Lexer, type TokenType } from 'chevrotain';

// Categories let the grammar treat related tokens alike.
export const StringLike = createToken({ name: 'StringLike', pattern: Lexer.NA });
/** Anything that can stand alone as a scalar value (or be mistaken for a property name). */
export const Scalar = createToken({ name: 'Scalar', pattern: Lexer.NA });
/** Every token the parser sees; used to skip content wholesale. */
export const AnyToken = createToken({ name: 'AnyToken', pattern: Lexer.NA });

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const LCurly = createToken({ name: 'LCurly', pattern: '{', label: "'{'", categories: [AnyToken] });
export const RCurly = createToken({ name: 'RCurly', pattern: '}', label: "'}'", categories: [AnyToken] });
export const LBracket = createToken({ name: 'LBracket', pattern: '[', label: "'['", categories: [AnyToken] });
export const RBracket = createToken({ name: 'RBracket', pattern: ']', label: "']'", categories: [AnyToken] });
export const Colon = createToken({ name: 'Colon', pattern: ':', label: "':'", categories: [AnyToken] });
export const Comma = createToken({ name: 'Comma', pattern: ',', label: "','", categories: [AnyToken] });

/** A string that is valid JSON as written (so `JSON.parse` can decode it when it has escapes). */
export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*"/,
  categories: [StringLike, Scalar, AnyToken],
  line_breaks: false,
});

/**
 * Any other double-quoted string: bad escapes, raw control characters, or no closing quote.
 * It stops at the end of the line so an unclosed string does not swallow the rest of the file.
 */
export const BadString = createToken({
  name: 'BadString',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n]?)*"?/,
  categories: [StringLike, Scalar, AnyToken],
  line_breaks: false,
});

/** A single-quoted string, a common slip that deserves its own message. */
export const SingleQuotedString = createToken({
  name: 'SingleQuotedString',
  pattern: /'(?:[^'\\\r\n]|\\[^\r\n]?)*'?/,
  categories: [StringLike, Scalar, AnyToken],
  line_breaks: false,
});

/** Any number-like run of characters that is not a valid JSON number (`012`, `.5`, `0x1F`, `1e`). */
export const BadNumber = createToken({
  name: 'BadNumber',
  pattern: /[-+]?\.?[0-9](?:[eE][-+]|[\w.])*/,
  categories: [Scalar, AnyToken],
  line_breaks: false,
});

export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/,
  // A longer number-like match means the strict match was only a prefix (e.g. `012`, `1.`).
  longer_alt: BadNumber,
  categories: [Scalar, AnyToken],
  line_breaks: false,
});

/** Bare words: misspelled literals, NaN/Infinity, unquoted property names. */
export const Word = createToken({
  name: 'Word',
  pattern: /[-+]?[A-Za-z_$][\w$]*/,
  categories: [Scalar, AnyToken],
  line_breaks: false,
});

export const True = createToken({ name: 'True', pattern: 'true', longer_alt: Word, categories: [Scalar, AnyToken], label: "'true'" });
export const False = createToken({ name: 'False', pattern: 'false', longer_alt: Word, categories: [Scalar, AnyToken], label: "'false'" });
export const Null = createToken({ name: 'Null', pattern: 'null', longer_alt: Word, categories: [Scalar, AnyToken], label: "'null'" });

export const LineComment = createToken({
  name: 'LineComment',
  pattern: /\/\/[^\r\n]*/,
  group: 'comments',
  line_breaks: false,
});

/** Matches an unterminated block comment too (up to the end of the file). */
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*(?:[^*]|\*+[^*/])*(?:\*+\/|\**)/,
  group: 'comments',
  line_breaks: true,
});

/**
 * The catch-all. A set of explicit ranges (rather than a complement like `[^]`) keeps Chevrotain's
 * first-character optimisation on; a surrogate pair is kept together as one character.
 */
export const BadChar = createToken({
  name: 'BadChar',
  pattern: /[\uD800-\uDBFF][\uDC00-\uDFFF]|[\u0000-\uFFFF]/,
  categories: [AnyToken],
  line_breaks: false,
});

/** Lexing order matters where patterns share a first character. */
export const allTokens: TokenType[] = [
  WhiteSpace,
  StringLiteral,
  BadString,
  LCurly,
  RCurly,
  LBracket,
  RBracket,
  Colon,
  Comma,
  NumberLiteral,
  BadNumber,
  True,
  False,
  Null,
  Word,
  LineComment,
  BlockComment,
  SingleQuotedString,
  BadChar,
  StringLike,
  Scalar,
  AnyToken,
];

export const jsonLexer = new Lexer(allTokens, {
  // Lines and columns are derived from offsets by the parser (see LineIndex in parser.ts):
  // Chevrotain's full tracking roughly doubles lexing time on pretty-printed files.
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
});

