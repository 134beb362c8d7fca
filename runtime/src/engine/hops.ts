/**
 * The hops executor: joins the current entity to entities of other datasets, following the
 * join plan codegen compiled (each step binds one alias through an index on its dataset).
 *
 * Result order is deterministic by `_id`, as the docs promise: entities found by one lookup
 * are ordered by descending CRC-32 of their `_id` (ties by `_id`). That is the order the
 * seed's tutorial output shows (orders 1001 before 1000, 1002 before 1003).
 */
import { valueKey } from '../values/compare.js';
import { isDict, type Dict, type Entity, type Value } from '../values/types.js';

export type Row = Record<string, Value>;

export interface CompiledHopsStep {
  readonly alias: string;
  readonly dataset: string;
  readonly outer: (r: Row, c: unknown) => Value;
  readonly inner: (e: Entity) => Value;
  readonly index: string;
}

export interface CompiledHopsSpec {
  readonly datasets: readonly { dataset: string; alias: string }[];
  readonly steps: readonly CompiledHopsStep[];
  readonly filters: readonly ((r: Row, c: unknown) => boolean)[];
  readonly subsets: readonly { alias: string; test: (e: Entity) => boolean }[];
  readonly ret: { kind: 'aliases'; aliases: readonly string[] } | { kind: 'expr'; fn: (r: Row, c: unknown) => Value };
  readonly recurse: boolean;
  readonly maxDepth: number | null;
  readonly excludeRoot: boolean;
}

/** Where hops finds entities: the engine answers from an in-memory or an on-disk index. */
export interface HopsData {
  /**
   * Latest non-deleted entities of `dataset` whose `inner` values overlap `keys`, in hops
   * order (see `sortInHopsOrder`; in-memory indexes sort each bucket once when built).
   */
  lookup(dataset: string, index: string, inner: (e: Entity) => Value, keys: readonly Value[]): readonly Entity[];
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 (IEEE) of the UTF-8 bytes of a string. */
export function crc32(s: string): number {
  let c = -1;
  for (let i = 0; i < s.length; i++) {
    let code = s.charCodeAt(i);
    if (code < 0x80) {
      c = CRC_TABLE[(c ^ code) & 0xff]! ^ (c >>> 8);
      continue;
    }
    // Encode to UTF-8 on the fly (surrogate pairs become one 4-byte sequence).
    if (code >= 0xd800 && code < 0xdc00 && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        code = 0x10000 + ((code - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    const bytes = code < 0x800 ? [0xc0 | (code >> 6), 0x80 | (code & 63)] : code < 0x10000 ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63)] : [0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63)];
    for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  }
  return (c ^ -1) >>> 0;
}

/** CRCs of the list being sorted (reused between calls: no allocation per bucket). */
let crcScratch = new Float64Array(64);

/** Sorts entities (of `list`, or of its range [from, to)) into hops order in place, computing each CRC once. */
export function sortInHopsOrder(list: Entity[], from = 0, to = list.length): Entity[] {
  const n = to - from;
  if (n < 2) return list;
  if (crcScratch.length < n) crcScratch = new Float64Array(n * 2);
  const crcs = crcScratch;
  for (let i = 0; i < n; i++) {
    const id = list[from + i]!['_id'];
    crcs[i] = crc32(typeof id === 'string' ? id : '');
  }
  // Insertion sort: buckets are small, and this keeps the CRCs aligned with the entities.
  for (let i = 1; i < n; i++) {
    const e = list[from + i]!;
    const c = crcs[i]!;
    const id = typeof e['_id'] === 'string' ? (e['_id'] as string) : '';
    let j = i - 1;
    while (j >= 0) {
      const cj = crcs[j]!;
      const before = cj > c || (cj === c && idOf(list[from + j]!) <= id);
      if (before) break;
      list[from + j + 1] = list[from + j]!;
      crcs[j + 1] = cj;
      j--;
    }
    list[from + j + 1] = e;
    crcs[j + 1] = c;
  }
  return list;
}

function idOf(e: Entity): string {
  const id = e['_id'];
  return typeof id === 'string' ? id : '';
}

/** A join expression's value as the keys it joins on: a list's non-null items, or the one value. */
export function joinKeys(v: Value | undefined): Value[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.filter((x) => x !== null);
  return [v];
}

export class HopsExecutor {
  constructor(private readonly data: HopsData) {}

  /** Runs a chain of specs: each spec's results are the inputs of the next, one at a time. */
  hops(specs: readonly CompiledHopsSpec[], input: Value, c: unknown): Value[] {
    let inputs: Value[] = input === null || input === undefined ? [] : Array.isArray(input) ? input : [input];
    for (const spec of specs) {
      const next: Value[] = [];
      for (const x of inputs) {
        const r = spec.recurse ? this.recursive(spec, x, c) : this.once(spec, x, c);
        for (const y of r) next.push(y);
      }
      inputs = next;
    }
    return inputs;
  }

  private recursive(spec: CompiledHopsSpec, input: Value, c: unknown): Value[] {
    const out: Value[] = spec.excludeRoot ? [] : [input];
    const seen = new Set<string>([identity(input)]);
    let frontier: Value[] = [input];
    let depth = 0;
    while (frontier.length > 0 && (spec.maxDepth === null || depth < spec.maxDepth)) {
      const next: Value[] = [];
      for (const x of frontier) {
        for (const y of this.once(spec, x, c)) {
          const id = identity(y);
          if (seen.has(id)) continue;
          seen.add(id);
          next.push(y);
          out.push(y);
        }
      }
      frontier = next;
      depth++;
    }
    return out;
  }

  private once(spec: CompiledHopsSpec, input: Value, c: unknown): Value[] {
    // The common single join returning its alias needs no row objects at all.
    if (spec.steps.length === 1 && spec.filters.length === 0 && spec.subsets.length === 0 && spec.ret.kind === 'aliases' && spec.ret.aliases.length === 1 && spec.ret.aliases[0] === spec.steps[0]!.alias) {
      const step = spec.steps[0]!;
      const keys = joinKeys(step.outer({ _S: input }, c));
      return keys.length === 0 ? [] : this.data.lookup(step.dataset, step.index, step.inner, keys).slice();
    }
    let rows: Row[] = [{ _S: input }];
    for (const step of spec.steps) {
      const next: Row[] = [];
      for (const row of rows) {
        const keys = joinKeys(step.outer(row, c));
        if (keys.length === 0) continue;
        let found = this.data.lookup(step.dataset, step.index, step.inner, keys);
        if (found.length === 0) continue;
        for (const s of spec.subsets) if (s.alias === step.alias) found = found.filter(s.test);
        for (const e of found) {
          const r: Row = { ...row };
          r[step.alias] = e;
          next.push(r);
        }
      }
      rows = next;
      if (rows.length === 0) return [];
    }
    if (spec.filters.length > 0) rows = rows.filter((r) => spec.filters.every((f) => f(r, c)));
    const out: Value[] = [];
    const ret = spec.ret;
    if (ret.kind === 'aliases') {
      if (ret.aliases.length === 1) {
        const a = ret.aliases[0]!;
        for (const r of rows) if (r[a] !== undefined) out.push(r[a]!);
      } else {
        for (const r of rows) {
          const d: Dict = {};
          for (const a of ret.aliases) d[a] = r[a] ?? null;
          out.push(d);
        }
      }
    } else {
      for (const r of rows) {
        const v = ret.fn(r, c);
        if (v !== null && v !== undefined) out.push(v);
      }
    }
    return out;
  }
}

function identity(v: Value): string {
  if (isDict(v) && typeof v['_id'] === 'string') return 'id:' + v['_id'];
  return valueKey(v);
}
