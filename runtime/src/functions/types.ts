/**
 * The calling convention of the DTL function library.
 *
 * An implementation receives the evaluation context first, then its arguments in the
 * catalog's parameter order, already evaluated — with `undefined` in the place of an omitted
 * optional parameter, so positions always match the full signature. Variadic parameters
 * arrive spread. `function` and `default` parameters arrive as Lambdas (the compiled
 * expression with `_` bound to the item).
 *
 * Lazy forms (if, case, case-eq, and, or, coalesce-args, apply, hops, literal, comment) are
 * compiled inline by codegen; they have eager equivalents here only where that is useful.
 */
import type { DateTime, Entity, Value } from '../values/types.js';

export type Lambda = (item: Value) => Value;

/** What a function may need from the pipe it runs in. */
export interface FnContext {
  readonly pipeId: string;
  /** Namespaced identifiers are on for this pipe. */
  readonly namespaced: boolean;
  readonly identityNamespace: string;
  readonly propertyNamespace: string;
  /** Prefix → URI base, from node metadata `namespaces.default` (used by `ni` on URIs). */
  readonly namespaceMap: Readonly<Record<string, string>>;
  /** Current wall-clock time. */
  now(): DateTime;
  /** Fetch one entity by `_id` (`lookup-entity`); null when absent. */
  lookupEntity(dataset: string, id: string): Entity | null;
  /** The previous version of the current source entity (`is-changed`); undefined when unknown. */
  previousSource(): Entity | null | undefined;
  /** Completeness timestamp of `dataset` as known via `via` (`completeness`); null when unknown. */
  completeness(via: string, dataset: string): DateTime | null;
  /** Resolves `$SECRET(name)` in key arguments of the encryption functions. */
  secret(name: string): string | undefined;
}

// `never[]` lets each implementation declare its own precise parameter types.
export type FunctionImpl = (cx: FnContext, ...args: never[]) => Value;

export type FunctionTable = Readonly<Record<string, FunctionImpl>>;
