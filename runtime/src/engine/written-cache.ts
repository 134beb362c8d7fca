/**
 * The versions this process wrote, kept decoded so the next pipe does not parse them again.
 *
 * A dataset is covered only when this process wrote every one of its versions (it was empty
 * when first written here) — then a read of it can be answered from memory exactly as the
 * store would answer it: same versions, same order, same filtering. This is what makes a run
 * from empty parse each entity once instead of once per pipe that reads it.
 */
import type { Dataset } from '../store/index.js';
import type { Entity } from '../values/types.js';

/** Beyond this many versions a dataset stops being cached (memory over speed). */
const MAX_VERSIONS = 4_000_000;

export class WrittenVersions {
  private readonly byDataset = new Map<string, Entity[] | null>();

  /** Datasets where some id has more than one version (latest-only reads must filter). */
  private readonly superseded = new Set<string>();

  /** @param wanted only datasets some pipe reads are worth keeping (undefined: all). */
  constructor(private readonly wanted?: ReadonlySet<string>) {}

  /** Whether versions written to this dataset are worth keeping. */
  wants(id: string): boolean {
    return !this.wanted || this.wanted.has(id);
  }

  /** Records versions just written (in `_updated` order). */
  record(ds: Dataset, versions: readonly Entity[]): void {
    if (!this.wants(ds.id)) return;
    let list = this.byDataset.get(ds.id);
    if (list === undefined) {
      // Covered only if nothing was there before this process wrote.
      list = ds.size - versions.length === 0 ? [] : null;
      this.byDataset.set(ds.id, list);
      if (list) {
        const covered = list;
        ds.decodedVersion = (u) => covered[u];
      }
    }
    if (list === null) return;
    if (list.length + versions.length > MAX_VERSIONS || (versions.length > 0 && versions[0]!['_updated'] !== list.length)) {
      this.byDataset.set(ds.id, null);
      ds.decodedVersion = undefined;
      return;
    }
    for (const v of versions) {
      list.push(v);
      if (v['_previous'] !== null) this.superseded.add(ds.id);
    }
  }

  /** Pending versions were rolled back: forget them. */
  rollback(ds: Dataset): void {
    const list = this.byDataset.get(ds.id);
    if (list) list.length = Math.min(list.length, ds.committedSize);
  }

  /**
   * What `ds.read(since, …)` would return for committed data, or undefined when this process
   * has not seen every version.
   */
  read(ds: Dataset, since: number, latestOnly: boolean, includeDeleted: boolean): Entity[] | undefined {
    const list = this.byDataset.get(ds.id);
    const end = ds.committedSize;
    if (!list || list.length < end) return undefined;
    const first = Math.max(since + 1, 0);
    const out: Entity[] = [];
    if (!latestOnly || !this.superseded.has(ds.id)) {
      for (let u = first; u < end; u++) {
        const v = list[u]!;
        if (includeDeleted || v['_deleted'] !== true) out.push(v);
      }
      return out;
    }
    // Latest only, as the store defines it: a version is superseded when a later one in the
    // range names it as `_previous`. Walking backwards, every such name is seen before the
    // version it names; superseded versions still pass their own `_previous` on.
    const superseded = new Uint8Array(Math.max(0, end - first));
    for (let u = end - 1; u >= first; u--) {
      const v = list[u]!;
      const p = v['_previous'];
      if (typeof p === 'number' && p >= first) superseded[p - first] = 1;
      if (superseded[u - first] === 0 && (includeDeleted || v['_deleted'] !== true)) out.push(v);
    }
    return out.reverse();
  }
}
