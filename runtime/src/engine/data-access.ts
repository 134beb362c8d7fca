/**
 * How compiled hops and dependency tracking find entities in other datasets.
 *
 * Two ways, chosen per pipe run: a full run processes every source entity, so one scan of the
 * hopped dataset into an in-memory hash index is cheapest (a hash join); an incremental run
 * touches a few entities, so it asks the store's persistent join index, which opens without a
 * scan. Both return the latest, non-deleted versions.
 */
import type { Dataset, Store } from '../store/index.js';
import type { Entity, Value } from '../values/types.js';
import { HashJoinTable } from './hash-join.js';
import { joinKeys, sortInHopsOrder, type HopsData } from './hops.js';
import type { WrittenVersions } from './written-cache.js';

/** Key of the in-memory index `index` of `dataset` (a dataset's keys share a prefix). */
function indexKey(dataset: string, index: string): string {
  return dataset + '\u0000' + index;
}

/** The latest versions of these ids that exist and are not deleted. */
function liveVersions(ds: Dataset, ids: Iterable<string>): Entity[] {
  const out: Entity[] = [];
  for (const id of ids) {
    const e = ds.latest(id);
    if (e && e['_deleted'] !== true) out.push(e);
  }
  return out;
}

export class DataAccess implements HopsData {
  /** Use in-memory indexes built by a scan (full runs). */
  bulk = false;
  private readonly memory = new Map<string, HashJoinTable>();
  /** The indexes the in-memory maps stand in for, to build persistently after a bulk run. */
  private readonly built = new Map<string, { dataset: string; index: string; inner: (e: Entity) => Value; table?: HashJoinTable; end?: number }>();

  constructor(private readonly store: Store, private readonly written?: WrittenVersions) {}

  lookup(dataset: string, index: string, inner: (e: Entity) => Value, keys: readonly Value[]): readonly Entity[] {
    if (!this.store.exists(dataset)) return [];
    if (this.bulk) return this.lookupInMemory(dataset, index, inner, keys);
    const ds = this.store.dataset(dataset);
    const ids = ds.index(index, (e) => joinKeys(inner(e))).lookup(keys as Value[]);
    return sortInHopsOrder(liveVersions(ds, ids));
  }

  /** Source entities by `_id` (latest, not deleted). */
  byIds(dataset: string, ids: Iterable<string>): Entity[] {
    if (!this.store.exists(dataset)) return [];
    return liveVersions(this.store.dataset(dataset), ids);
  }

  private lookupInMemory(dataset: string, index: string, inner: (e: Entity) => Value, keys: readonly Value[]): readonly Entity[] {
    const mapKey = indexKey(dataset, index);
    let table = this.memory.get(mapKey);
    if (!table) {
      const ds = this.store.dataset(dataset);
      const entities = this.written?.read(ds, -1, true, false) ?? [...ds.read(-1, { latestOnly: true, includeDeleted: false })];
      const end = ds.size - 1;
      table = HashJoinTable.build(entities, inner);
      this.memory.set(mapKey, table);
      this.built.set(mapKey, { dataset, index, inner, table, end });
    }
    return table.lookup(keys);
  }

  /**
   * Brings the persistent join indexes a bulk run answered from memory up to date, and those
   * dependency tracking will need, so the next (incremental) run opens them without a scan.
   */
  persistIndexes(extra: readonly { dataset: string; index: string; inner: (e: Entity) => Value }[] = []): void {
    const wanted = new Map(this.built);
    for (const x of extra) wanted.set(indexKey(x.dataset, x.index), x);
    const touched = new Set<string>();
    for (const { dataset, index, inner, table, end } of wanted.values()) {
      if (!this.store.exists(dataset)) continue;
      const ds = this.store.dataset(dataset);
      const ix = ds.index(index, (e) => joinKeys(inner(e)));
      // A first build takes the pairs the hash join already made; otherwise catch up.
      if (!(table && end !== undefined && ix.seed(end, (add) => table.forEachPair(add)))) ix.catchUp();
      touched.add(dataset);
    }
    for (const d of touched) this.store.dataset(d).commit();
    this.built.clear();
  }

  /** Drops in-memory indexes of a dataset that was just written. */
  invalidate(dataset?: string): void {
    if (dataset === undefined) {
      this.memory.clear();
      this.built.clear();
    } else {
      for (const k of [...this.memory.keys()]) {
        if (!k.startsWith(indexKey(dataset, ''))) continue;
        this.memory.delete(k);
        this.built.delete(k);
      }
    }
  }
}
