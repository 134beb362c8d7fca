/**
 * The JSON syntax tree. Every node keeps its exact source range so that every later layer
 * (schemas, DTL, graph checks, the language server) can point at the precise text.
 */

/** A half-open range in one file. Offsets are 0-based UTF-16 indexes; lines and columns are 1-based. */
export interface Range {
  readonly start: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

interface NodeBase {
  readonly range: Range;
  /** The enclosing member or array (undefined at the root); set by the parser. */
  parent?: JsonObject | JsonArray;
}

export interface JsonObject extends NodeBase {
  readonly kind: 'object';
  readonly members: JsonMember[];
}

export interface JsonMember {
  readonly key: JsonString;
  /** Missing when the member could not be parsed completely (error recovery). */
  readonly value: JsonValue | undefined;
  /** From the key to the end of the value. */
  readonly range: Range;
}

export interface JsonArray extends NodeBase {
  readonly kind: 'array';
  readonly items: JsonValue[];
}

export interface JsonString extends NodeBase {
  readonly kind: 'string';
  /** The decoded string (escapes resolved). */
  readonly value: string;
}

export interface JsonNumber extends NodeBase {
  readonly kind: 'number';
  /** The exact source text, so decimals keep their scale (`73.50`). */
  readonly text: string;
}

export interface JsonBoolean extends NodeBase {
  readonly kind: 'boolean';
  readonly value: boolean;
}

export interface JsonNull extends NodeBase {
  readonly kind: 'null';
}

export type JsonValue = JsonObject | JsonArray | JsonString | JsonNumber | JsonBoolean | JsonNull;

/** A problem found while lexing or parsing. */
export interface SyntaxProblem {
  readonly code: 'json-syntax' | 'json-comment' | 'json-trailing-comma' | 'json-duplicate-key';
  readonly message: string;
  readonly range: Range;
  readonly severity: 'error' | 'warning';
}

export interface ParseResult {
  /** Undefined only when the text holds no value at all. */
  readonly root: JsonValue | undefined;
  readonly problems: SyntaxProblem[];
}
