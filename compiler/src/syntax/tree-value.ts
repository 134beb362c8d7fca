/**
 * A parsed JSON subtree as a runtime value: how config numbers and strings read depends on
 * where they stand, so the caller picks the number policy and whether `~` strings are
 * transit-decoded.
 */
import { numberFromText, type NumberPolicy } from '@dtl/runtime/values/json';
import { decodeTransitString } from '@dtl/runtime/values/transit';
import type { Value } from '@dtl/runtime/values/types';
import type { JsonValue } from './tree.js';

/** DTL literals: a number with a fraction or exponent is a float (`["is-float", 1.0]` is true). */
export const DTL_NUMBERS: NumberPolicy = { fraction: 'float', integralAsInt: false };

export function treeValue(node: JsonValue, numbers: NumberPolicy, transit: boolean): Value {
  switch (node.kind) {
    case 'string':
      return transit && node.value.charCodeAt(0) === 126 ? decodeTransitString(node.value) : node.value;
    case 'number':
      return numberFromText(node.text, numbers);
    case 'boolean':
      return node.value;
    case 'null':
      return null;
    case 'array':
      return node.items.map((i) => treeValue(i, numbers, transit));
    case 'object': {
      const out: Record<string, Value> = {};
      for (const m of node.members) {
        const v = m.value ? treeValue(m.value, numbers, transit) : null;
        if (m.key.value === '__proto__') Object.defineProperty(out, '__proto__', { value: v, enumerable: true, writable: true, configurable: true });
        else out[m.key.value] = v;
      }
      return out;
    }
  }
}
