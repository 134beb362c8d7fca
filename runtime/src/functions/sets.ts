/**
 * Set functions over list-coerced values. Membership uses valueKey, so values equal in the
 * DTL sense (1, 1.0 and the decimal 1.00; equal dicts regardless of key order) are the same
 * member. Results keep the order of the inputs; `difference` and `intersection` keep the
 * duplicates of VALUES1 (docs), `union` keeps only first occurrences.
 */
import { valueKey } from '../values/compare.js';
import type { Value } from '../values/types.js';
import { firstOccurrences, toList } from './support.js';
import type { FnContext, FunctionTable } from './types.js';

function keySet(v: Value): Set<string> {
  return new Set(toList(v).map(valueKey));
}

function difference(_cx: FnContext, values1: Value, values2: Value): Value {
  const other = keySet(values2);
  return toList(values1).filter((x) => !other.has(valueKey(x)));
}

function intersection(_cx: FnContext, values1: Value, values2: Value): Value {
  const other = keySet(values2);
  return toList(values1).filter((x) => other.has(valueKey(x)));
}

function intersects(_cx: FnContext, values1: Value, values2: Value): Value {
  const other = keySet(values2);
  return toList(values1).some((x) => other.has(valueKey(x)));
}

function union(_cx: FnContext, values1: Value, values2: Value): Value {
  return firstOccurrences([...toList(values1), ...toList(values2)]);
}

export const SETS: FunctionTable = {
  'difference': difference,
  'intersection': intersection,
  'intersects': intersects,
  'union': union,
};
