/**
 * The DTL function catalog: lookup by name and kind, argument binding by count, and the
 * human-readable arity / signature texts used in diagnostics, hover and signature help.
 */
import { DEPRECATED_FUNCTIONS, DOCUMENTED_FUNCTIONS, FUNCTIONS } from './functions.js';
import { TRANSFORMS } from './transforms.js';
import type { CatalogEntry, Param, Signature } from './types.js';

export type { ArgType, CatalogEntry, Param, ReturnType, Signature } from './types.js';
export { DEPRECATED_FUNCTIONS, DOCUMENTED_FUNCTIONS, FUNCTIONS, TRANSFORMS };

/** Every entry: the transforms, then the expression functions (deprecated ones last). */
export const CATALOG: readonly CatalogEntry[] = [...TRANSFORMS, ...FUNCTIONS];

const transformsByName: ReadonlyMap<string, CatalogEntry> = new Map(TRANSFORMS.map((e) => [e.name, e]));
const functionsByName: ReadonlyMap<string, CatalogEntry> = new Map(FUNCTIONS.map((e) => [e.name, e]));

/** The transform called `name` (statement position), if any. */
export function transformNamed(name: string): CatalogEntry | undefined {
  return transformsByName.get(name);
}

/** The expression function called `name` (expression position), if any. Includes deprecated ones. */
export function functionNamed(name: string): CatalogEntry | undefined {
  return functionsByName.get(name);
}

/** Every distinct transform and function name, sorted by code unit. */
export const ALL_NAMES: readonly string[] = [...new Set(CATALOG.map((e) => e.name))].sort();

// ---------------------------------------------------------------------------------------------
// Binding

/** One actual argument and the parameter it binds to. */
export interface BoundArgument {
  /** Position of the argument, 0-based, not counting the function name. */
  readonly index: number;
  /** The parameter the argument binds to; for a repeating group, the group member. */
  readonly param: Param;
  /** Index of the top-level parameter (the group itself, for group members) in `signature.params`. */
  readonly paramIndex: number;
  /** Which occurrence of a repeating parameter or group this is (0-based); 0 for plain parameters. */
  readonly repetition: number;
  /** For group members: the repeating group parameter. */
  readonly group?: Param;
  /** For group members: the member's index within `group.group`. */
  readonly member?: number;
}

export interface BoundSignature {
  readonly entry: CatalogEntry;
  readonly signature: Signature;
  /** Index of `signature` in `entry.signatures`. */
  readonly signatureIndex: number;
  /** One element per actual argument, in order. */
  readonly args: readonly BoundArgument[];
  /** Optional parameters that got no argument. */
  readonly omitted: readonly Param[];
  /** For each top-level parameter: how many times it was filled (groups count whole repetitions). */
  readonly counts: readonly number[];
}

/** Arguments one occurrence of `p` takes (a group takes one argument per member). */
function unitSize(p: Param): number {
  return p.group !== undefined && p.group.length > 0 ? p.group.length : 1;
}

/** Fewest and most occurrences of `p`. */
function occurrenceRange(p: Param): readonly [number, number] {
  if (p.repeat === '+') return [p.optional ? 0 : 1, Infinity];
  if (p.repeat === '*') return [0, Infinity];
  return [p.optional ? 0 : 1, 1];
}

/**
 * How many occurrences each parameter gets for `argCount` arguments, or undefined.
 * Rule (docs): optional parameters are filled left to right by how many extra arguments there are;
 * a repeating parameter or group takes as many whole occurrences as the parameters after it allow
 * (so `case`'s (CONDITION, THEN)+ then ELSE? gets ELSE exactly when the count is odd).
 */
function distribute(params: readonly Param[], argCount: number): number[] | undefined {
  const minFrom: number[] = new Array<number>(params.length + 1).fill(0);
  for (let i = params.length - 1; i >= 0; i--) {
    const p = params[i]!;
    minFrom[i] = minFrom[i + 1]! + occurrenceRange(p)[0] * unitSize(p);
  }
  const counts: number[] = [];
  const search = (i: number, remaining: number): boolean => {
    if (i === params.length) return remaining === 0;
    const p = params[i]!;
    const unit = unitSize(p);
    const [lo, hi] = occurrenceRange(p);
    const room = remaining - minFrom[i + 1]!;
    if (room < lo * unit) return false;
    const most = Math.min(hi, Math.floor(room / unit));
    // Prefer more occurrences first: optional parameters fill left to right, repeats greedily.
    for (let k = most; k >= lo; k--) {
      counts[i] = k;
      if (search(i + 1, remaining - k * unit)) return true;
    }
    return false;
  };
  return search(0, argCount) ? counts.slice(0, params.length) : undefined;
}

function bindSignature(
  entry: CatalogEntry,
  signatureIndex: number,
  argCount: number,
): BoundSignature | undefined {
  const signature = entry.signatures[signatureIndex]!;
  const counts = distribute(signature.params, argCount);
  if (counts === undefined) return undefined;
  const args: BoundArgument[] = [];
  const omitted: Param[] = [];
  signature.params.forEach((p, paramIndex) => {
    const n = counts[paramIndex]!;
    if (n === 0 && p.optional) omitted.push(p);
    for (let repetition = 0; repetition < n; repetition++) {
      if (p.group !== undefined && p.group.length > 0) {
        p.group.forEach((m, member) => {
          args.push({ index: args.length, param: m, paramIndex, repetition, group: p, member });
        });
      } else {
        args.push({ index: args.length, param: p, paramIndex, repetition });
      }
    }
  });
  return { entry, signature, signatureIndex, args, omitted, counts };
}

/**
 * Binds `argCount` actual arguments to the first signature of `entry` that accepts that many;
 * undefined when none does.
 */
export function bindArguments(entry: CatalogEntry, argCount: number): BoundSignature | undefined {
  if (!Number.isInteger(argCount) || argCount < 0) return undefined;
  for (let i = 0; i < entry.signatures.length; i++) {
    const bound = bindSignature(entry, i, argCount);
    if (bound !== undefined) return bound;
  }
  return undefined;
}

/**
 * Every signature of `entry` that accepts `argCount` arguments, bound. More than one only where
 * overloads share an arity (`apply-ns`: NAMESPACE string or CONFIGDICT dict); a type checker should
 * accept the call when any of them fits.
 */
export function bindAll(entry: CatalogEntry, argCount: number): readonly BoundSignature[] {
  if (!Number.isInteger(argCount) || argCount < 0) return [];
  const out: BoundSignature[] = [];
  for (let i = 0; i < entry.signatures.length; i++) {
    const bound = bindSignature(entry, i, argCount);
    if (bound !== undefined) out.push(bound);
  }
  return out;
}

/** Whether `entry` accepts `argCount` arguments. */
export function acceptsCount(entry: CatalogEntry, argCount: number): boolean {
  return bindArguments(entry, argCount) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Texts

function plural(n: number): string {
  return n === 1 ? 'argument' : 'arguments';
}

/** Describes a finite, sorted, non-empty set of counts. */
function describeCounts(counts: readonly number[]): string {
  if (counts.length === 1) {
    const n = counts[0]!;
    return n === 0 ? 'no arguments' : `exactly ${n} ${plural(n)}`;
  }
  const last = counts[counts.length - 1]!;
  const consecutive = counts.every((n, i) => i === 0 || n === counts[i - 1]! + 1);
  if (counts.length > 2 && consecutive) return `${counts[0]!} to ${last} arguments`;
  const head = counts.slice(0, -1).join(', ');
  return `${head} or ${last} ${plural(last)}`;
}

/** Largest count looked at when summarising arities; far above any fixed arity in the catalog. */
const ARITY_HORIZON = 64;

/**
 * The accepted argument counts of `entry` in words, for error messages:
 * "exactly 2 arguments", "2 or 3 arguments", "at least 1 argument",
 * "0 or 1 arguments, or an even number of arguments ≥ 2", "any number of arguments".
 */
export function arityText(entry: CatalogEntry): string {
  const accepts = (n: number): boolean => acceptsCount(entry, n);
  const unbounded = entry.signatures.some((s) => s.params.some((p) => p.repeat !== undefined));
  if (!unbounded) {
    const counts: number[] = [];
    for (let n = 0; n <= ARITY_HORIZON; n++) if (accepts(n)) counts.push(n);
    return counts.length === 0 ? 'no valid argument count' : describeCounts(counts);
  }
  // The accepted counts repeat with period 2 far enough out (every repeating unit is 1 or 2 long).
  const period = 2;
  let tailStart = ARITY_HORIZON - period;
  while (tailStart > 0 && accepts(tailStart - 1) === accepts(tailStart - 1 + period)) tailStart--;
  const evenInTail = accepts(ARITY_HORIZON); // ARITY_HORIZON is even
  const oddInTail = accepts(ARITY_HORIZON - 1);
  let tailText: string;
  let tailFirst: number;
  if (evenInTail && oddInTail) {
    tailFirst = tailStart;
    tailText = tailFirst === 0 ? 'any number of arguments' : `at least ${tailFirst} ${plural(tailFirst)}`;
  } else {
    tailFirst = accepts(tailStart) ? tailStart : tailStart + 1;
    tailText = `${evenInTail ? 'an even' : 'an odd'} number of arguments ≥ ${tailFirst}`;
  }
  const prefix: number[] = [];
  for (let n = 0; n < tailFirst; n++) if (accepts(n)) prefix.push(n);
  return prefix.length === 0 ? tailText : `${describeCounts(prefix)}, or ${tailText}`;
}

function paramText(p: Param): string {
  const base =
    p.group !== undefined && p.group.length > 0 ? `(${p.group.map(paramText).join(', ')})` : p.name;
  if (p.repeat !== undefined) return `${base}${p.repeat}`;
  return p.optional ? `${base}?` : base;
}

/** One line per signature, e.g. `["sorted", FUNCTION?, VALUES]`. */
export function signatureTexts(entry: CatalogEntry): readonly string[] {
  return entry.signatures.map((s) => `[${[JSON.stringify(entry.name), ...s.params.map(paramText)].join(', ')}]`);
}

/**
 * The call shape(s) of `entry`: `["sorted", FUNCTION?, VALUES]`; overloads are joined with " or ":
 * `["dict"] or ["dict", ITEMS] or ["dict", (KEY, VALUE)+]`.
 */
export function signatureText(entry: CatalogEntry): string {
  return signatureTexts(entry).join(' or ');
}
