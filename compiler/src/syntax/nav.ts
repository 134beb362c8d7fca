/** Small helpers to walk the syntax tree. */
import type { JsonMember, JsonObject, JsonValue } from './tree.js';

export function member(obj: JsonObject, key: string): JsonMember | undefined {
  // Last one wins, like JSON.parse, when a key repeats.
  for (let i = obj.members.length - 1; i >= 0; i--) if (obj.members[i]!.key.value === key) return obj.members[i];
  return undefined;
}

/** Converts a subtree to plain JSON data (numbers as JS numbers) for schema validation. */
export function toPlain(v: JsonValue | undefined): unknown {
  if (!v) return null;
  switch (v.kind) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const m of v.members) {
        if (m.key.value === '__proto__') Object.defineProperty(out, '__proto__', { value: toPlain(m.value), enumerable: true, writable: true, configurable: true });
        else out[m.key.value] = toPlain(m.value);
      }
      return out;
    }
    case 'array':
      return v.items.map(toPlain);
    case 'string':
      return v.value;
    case 'number':
      return Number(v.text);
    case 'boolean':
      return v.value;
    case 'null':
      return null;
  }
}

/** Follows a JSON pointer (RFC 6901, as ajv reports `instancePath`). */
export function atPointer(root: JsonValue, pointer: string): { node: JsonValue; member?: JsonMember } | undefined {
  if (pointer === '') return { node: root };
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: JsonValue = root;
  let last: JsonMember | undefined;
  for (const p of parts) {
    if (node.kind === 'object') {
      const m = member(node, p);
      if (!m || !m.value) return undefined;
      last = m;
      node = m.value;
    } else if (node.kind === 'array') {
      const item = node.items[Number(p)];
      if (!item) return undefined;
      last = undefined;
      node = item;
    } else return undefined;
  }
  return last ? { node, member: last } : { node };
}
