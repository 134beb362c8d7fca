/**
 * The typed intermediate representation of a `dtl` transform. Elaboration turns the JSON
 * syntax tree of `rules` into this; checks, the language service and code generation read it.
 * Every node keeps the syntax node it came from, so diagnostics and editor features point at
 * exact ranges.
 */
import type { Value } from '@dtl/runtime/values/types';
import type { JsonArray, JsonObject, JsonString, JsonValue } from '../syntax/tree.js';
import type { CatalogEntry, Param } from './catalog/types.js';

/** Where a path starts. `item` is `_`, the current value of a function expression. */
export type VarName = 'S' | 'T' | 'P' | 'R' | 'B' | 'item';

export type Expr = Literal | DictLiteral | VarPath | AliasPath | Call | Hops | Apply | ApplyHops | BadExpr;

export interface Literal {
  readonly k: 'lit';
  /** Transit-decoded; numbers keep DTL literal typing (a JSON fraction is a float). */
  readonly value: Value;
  readonly node: JsonValue;
}

/** A JSON object in expression position: a constant dict (its values are not evaluated). */
export interface DictLiteral {
  readonly k: 'dict';
  readonly value: Value;
  readonly node: JsonObject;
}

export interface VarPath {
  readonly k: 'var';
  readonly name: VarName;
  /** Property steps after the variable; empty for the whole value (`"_S."`). */
  readonly steps: readonly string[];
  readonly node: JsonString;
}

export interface AliasPath {
  readonly k: 'alias';
  readonly alias: string;
  readonly steps: readonly string[];
  readonly node: JsonString;
}

/** An argument bound to its catalog parameter. */
export interface BoundArg {
  readonly param: Param;
  /** Expression arguments. */
  readonly expr?: Expr;
  /** `transforms` arguments (the THEN/ELSE of the `if`/`case` transforms). */
  readonly stmts?: Stmt[];
  /** `any` arguments (comment, literal): the raw JSON, not evaluated. */
  readonly raw?: JsonValue;
}

export interface Call {
  readonly k: 'call';
  readonly entry: CatalogEntry;
  /** In source order. */
  readonly args: BoundArg[];
  readonly node: JsonArray;
}

export interface HopsSpec {
  readonly node: JsonObject;
  readonly datasets: { readonly dataset: string; readonly alias: string; readonly node: JsonString }[];
  /** Conditions (a `where` list is an implicit `and`). */
  readonly where: Expr[];
  /** Join conditions recognised among `where` (an `eq` with one alias on each side). */
  readonly joins: HopsJoin[];
  /** Remaining conditions evaluated per row. */
  readonly filters: Expr[];
  readonly return?: HopsReturn;
  readonly recurse: boolean;
  readonly maxDepth: number | null;
  readonly excludeRoot: boolean;
  readonly trackDependencies: boolean;
  readonly subsets: { readonly alias: string; readonly expr: Expr }[];
}

/** `["eq", left, right]` where each side refers to exactly one alias (`_S` counts as the alias `_S`). */
export interface HopsJoin {
  readonly left: { readonly alias: string; readonly expr: Expr };
  readonly right: { readonly alias: string; readonly expr: Expr };
  readonly node: JsonArray;
}

export type HopsReturn =
  | { readonly k: 'aliases'; readonly aliases: readonly string[]; readonly node: JsonValue }
  | { readonly k: 'path'; readonly path: AliasPath }
  | { readonly k: 'expr'; readonly expr: Expr };

export interface Hops {
  readonly k: 'hops';
  readonly specs: HopsSpec[];
  readonly node: JsonArray;
}

export interface Apply {
  readonly k: 'apply';
  readonly rule: string;
  readonly ruleNode: JsonString;
  readonly values: Expr;
  readonly node: JsonArray;
}

export interface ApplyHops {
  readonly k: 'apply-hops';
  readonly rule: string;
  readonly ruleNode: JsonString;
  readonly specs: HopsSpec[];
  readonly node: JsonArray;
}

/** Something that could not be elaborated; a diagnostic was reported for it. */
export interface BadExpr {
  readonly k: 'bad';
  readonly node: JsonValue;
}

export interface Stmt {
  readonly k: 'stmt';
  readonly entry: CatalogEntry;
  readonly args: BoundArg[];
  readonly node: JsonArray;
}

export interface Rule {
  readonly name: string;
  readonly keyNode: JsonString;
  readonly node: JsonArray | undefined;
  readonly body: Stmt[];
}

export interface DtlProgram {
  readonly node: JsonObject;
  readonly rules: Map<string, Rule>;
  readonly idRequired: boolean;
  readonly triggerOn?: { readonly key: string; readonly value: string };
}
