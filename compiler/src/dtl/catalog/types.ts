/**
 * The shape of the DTL function catalog: typed data for every documented transform and
 * expression function. Arity and type checks, completion, hover, signature help and code
 * generation all read this one table; nothing else keeps its own list of function names.
 */

/**
 * Argument type classes (docs: "argument types"; spec/dtl-catalog.md §1.6).
 * - value: any expression (null, one value or a list)
 * - boolean: expression judged by DTL truthiness
 * - integer / numeric: expression expected to yield an integer / a number (first value of a list)
 * - function: expression evaluated once per item with `_` bound to the item
 * - default: cast fallback, evaluated per failing input with `_` bound to that input
 * - string: constant string literal
 * - wildcard / wildcard-list: constant pattern with `*` and `?` (or a list of them)
 * - transforms: one transform or a list of transforms (statement position)
 * - dict: constant dict
 * - hops: a hops spec dict
 * - rule: a constant string naming a rule of the same transform
 * - any: not evaluated at all (`comment`, `literal`)
 */
export type ArgType =
  | 'value'
  | 'boolean'
  | 'integer'
  | 'numeric'
  | 'function'
  | 'default'
  | 'string'
  | 'wildcard'
  | 'wildcard-list'
  | 'transforms'
  | 'dict'
  | 'hops'
  | 'rule'
  | 'any';

export interface Param {
  /** Upper-case name as the docs write it: VALUES, DEFAULT_FUNCTION, … */
  readonly name: string;
  readonly type: ArgType;
  /** Optional parameters precede the required ones they belong to and are bound by count. */
  readonly optional?: true;
  /** Repeats: `*` zero or more, `+` one or more. With `group`, the whole group repeats. */
  readonly repeat?: '*' | '+';
  /** For a repeating group such as case's (CONDITION, THEN)+. */
  readonly group?: readonly Param[];
  readonly description?: string;
}

export interface Signature {
  readonly params: readonly Param[];
}

export type ReturnType =
  | 'none'
  | 'value'
  | 'boolean'
  | 'integer'
  | 'number'
  | 'float'
  | 'decimal'
  | 'string'
  | 'list'
  | 'dict'
  | 'datetime'
  | 'bytes'
  | 'uri'
  | 'ni'
  | 'uuid';

export interface CatalogEntry {
  readonly name: string;
  /** Transforms act in statement position; functions return a value. */
  readonly kind: 'transform' | 'function';
  /** Docs category, e.g. "Strings", "Lists", "Transforms". */
  readonly category: string;
  /** One or more overloads; binding picks the first that accepts the argument count. */
  readonly signatures: readonly Signature[];
  readonly returns: ReturnType;
  /** One line in our own words. */
  readonly description: string;
  /** Link to the function's section in the public docs. */
  readonly docs: string;
  /** Map-style: a single value in gives a single value out; a list in gives a list out. */
  readonly mapStyle?: true;
  /** Gives a different result on every call (`now`, `uuid`): not constant-foldable. */
  readonly nondeterministic?: true;
  /** Documented as deprecated; still accepted, with a warning. */
  readonly deprecated?: { readonly replacement?: string };
}
