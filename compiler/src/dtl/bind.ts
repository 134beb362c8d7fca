/** Argument binding as elaboration needs it, over the catalog's binder. */
import { arityText, bindAll } from './catalog/index.js';
import type { CatalogEntry, Param } from './catalog/types.js';

/**
 * The parameter each actual argument binds to, or undefined when no signature accepts the
 * count. Where several overloads accept the count (apply-ns takes a namespace string or a
 * config dict), positions whose types differ are typed 'value' so no literal check fires.
 */
export function bindParams(entry: CatalogEntry, argCount: number): Param[] | undefined {
  const all = bindAll(entry, argCount);
  if (all.length === 0) return undefined;
  const first = all[0]!.args.map((a) => a.param);
  if (all.length === 1) return first;
  return first.map((p, i) => (all.every((b) => b.args[i]!.param.type === p.type) ? p : { ...p, type: 'value' as const }));
}

export function describeArity(entry: CatalogEntry): string {
  return `takes ${arityText(entry)}`;
}
