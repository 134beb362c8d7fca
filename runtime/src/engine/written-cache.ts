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

  /**
   * Per dataset with more than one version of some id: supersededBy[u] is the `_updated` of
   * the version that names u as `_previous` (0 for none; version 0 supersedes nothing), so a
   * latest-only read filters without collecting ids.
   */
  private readonly superseded = new Map<string, Int32Array>();

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
      const u = list.length;
      list.push(v);
      const p = v['_previous'];
      if (typeof p === 'number') this.markSuperseded(ds.id, p, u);
    }
  }

  private markSuperseded(id: string, previous: number, by: number): void {
    let marks = this.superseded.get(id);
    if (marks === undefined || marks.length <= previous) {
      const bigger = new Int32Array(Math.max(1024, (previous + 1) * 2));
      if (marks !== undefined) bigger.set(marks);
      this.superseded.set(id, (marks = bigger));
    }
    marks[previous] = by;
  }

  /** Pending versions were rolled back: forget them. */
  rollback(ds: Dataset): void {
    const list = this.byDataset.get(ds.id);
    if (!list) return;
    const keep = Math.min(list.length, ds.committedSize);
    // The versions that go no longer supersede anything; their numbers will be reused.
    const marks = this.superseded.get(ds.id);
    for (let u = keep; u < list.length && marks; u++) {
      const p = list[u]!['_previous'];
      if (typeof p === 'number' && p < marks.length && marks[p] === u) marks[p] = 0;
    }
    list.length = keep;
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
    // Latest only: a version is superseded when a later committed one names it as `_previous`.
    const marks = latestOnly ? this.superseded.get(ds.id) : undefined;
    for (let u = first; u < end; u++) {
      if (marks !== undefined && u < marks.length) {
        const by = marks[u]!;
        if (by !== 0 && by < end) continue;
      }
      const v = list[u]!;
      if (includeDeleted || v['_deleted'] !== true) out.push(v);
    }
    return out;
  }
}
