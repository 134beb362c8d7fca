/**
 * The in-memory join index of a full run: every entity of the hopped dataset grouped by the
 * key(s) its join expression yields, each group in hops order.
 *
 * Built for a million entities at once, so it keeps no array per key: one pass numbers the
 * groups (a Map from key to group number) and records (group, entity) pairs in typed arrays,
 * a counting sort lays the groups out in one flat array, and a lookup slices its group.
 * That is a third of the time of growing one array per key, and far less for the GC.
 */
import { valueKey } from '../values/compare.js';
import type { Entity, Value } from '../values/types.js';
import { sortInHopsOrder } from './hops.js';

/** Map key of a join value: strings as themselves (no allocation), others by valueKey. */
function joinMapKey(v: Value): string {
  if (typeof v === 'string') return v.charCodeAt(0) === 1 ? '\u0001' + valueKey(v) : v;
  return '\u0001' + valueKey(v);
}

const NONE: readonly Entity[] = Object.freeze([]);

export class HashJoinTable {
  private constructor(
    private readonly groups: Map<string, number>,
    /** The join value of each group, as first met. */
    private readonly keys: readonly Value[],
    /** Group g is flat[start[g], start[g + 1]). */
    private readonly start: Int32Array,
    private readonly flat: Entity[],
  ) {}

  /** Indexes `entities` by the non-null values `inner` yields (one value, or a list of them). */
  static build(entities: readonly Entity[], inner: (e: Entity) => Value): HashJoinTable {
    const pairs = new GroupPairs(entities.length);
    for (let i = 0; i < entities.length; i++) {
      const ks = inner(entities[i]!);
      const first = pairs.n;
      if (Array.isArray(ks)) {
        for (const k of ks) if (k !== null && k !== undefined) pairs.add(k, i, first);
      } else if (ks !== null && ks !== undefined) pairs.add(ks, i, first);
    }
    const { groups, keys, group, entity } = pairs;
    const count = pairs.n;
    const n = groups.size;
    const start = new Int32Array(n + 1);
    for (let p = 0; p < count; p++) start[group[p]! + 1]!++;
    for (let g = 0; g < n; g++) start[g + 1]! += start[g]!;
    const fill = start.slice(0, n);
    const flat = new Array<Entity>(count);
    for (let p = 0; p < count; p++) flat[fill[group[p]!]!++] = entities[entity[p]!]!;
    for (let g = 0; g < n; g++) if (start[g + 1]! - start[g]! > 1) sortInHopsOrder(flat, start[g]!, start[g + 1]!);
    return new HashJoinTable(groups, keys, start, flat);
  }

  /** Every (join value, `_id`) pair, grouped by value: what a persistent join index holds. */
  forEachPair(fn: (key: Value, id: string) => void): void {
    const { keys, start, flat } = this;
    for (let g = 0; g < keys.length; g++) {
      const k = keys[g]!;
      for (let p = start[g]!; p < start[g + 1]!; p++) fn(k, flat[p]!['_id'] as string);
    }
  }

  /** The entities joining on any of `keys`, each once, in hops order. */
  lookup(keys: readonly Value[]): readonly Entity[] {
    if (keys.length === 1) return this.group(keys[0]!);
    const out: Entity[] = [];
    const seen = new Set<Entity>();
    for (const k of keys) {
      for (const e of this.group(k)) {
        if (seen.has(e)) continue;
        seen.add(e);
        out.push(e);
      }
    }
    return sortInHopsOrder(out);
  }

  private group(k: Value): readonly Entity[] {
    const g = this.groups.get(joinMapKey(k));
    return g === undefined ? NONE : this.flat.slice(this.start[g]!, this.start[g + 1]!);
  }
}

/** (group, entity index) pairs in entity order, groups numbered as their keys are first met. */
class GroupPairs {
  readonly groups = new Map<string, number>();
  readonly keys: Value[] = [];
  group: Int32Array;
  entity: Int32Array;
  n = 0;

  constructor(capacity: number) {
    this.group = new Int32Array(Math.max(16, capacity));
    this.entity = new Int32Array(this.group.length);
  }

  /** Pairs from `firstOfEntity` on belong to entity `i`: a key it yields twice counts once. */
  add(k: Value, i: number, firstOfEntity: number): void {
    const mk = joinMapKey(k);
    let g = this.groups.get(mk);
    if (g === undefined) {
      this.groups.set(mk, (g = this.groups.size));
      this.keys.push(k);
    }
    for (let p = firstOfEntity; p < this.n; p++) if (this.group[p] === g) return;
    if (this.n === this.group.length) {
      const group = new Int32Array(this.n * 2);
      group.set(this.group);
      const entity = new Int32Array(this.n * 2);
      entity.set(this.entity);
      this.group = group;
      this.entity = entity;
    }
    this.group[this.n] = g;
    this.entity[this.n++] = i;
  }
}
