/**
 * Sinks the local runtime runs: dataset (the default), null, json (the Sesam JSON push
 * protocol to a system:url), csv_endpoint (rendered to a CSV file and served) and
 * http_endpoint (served by the API on request).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Dataset, Store } from '../store/index.js';
import { writeJson } from '../values/json.js';
import { Typed, isDict, type Entity, type Value } from '../values/types.js';
import { Decimal } from '../values/decimal.js';
import { FILTERED_KEY } from './compiled-pipe.js';
import type { WrittenVersions } from './written-cache.js';
import type { ManifestSink, ManifestSystem } from './manifest.js';
import { systemUrl } from './system-url.js';
import { idFileName } from '../store/names.js';

export interface SinkEnv {
  readonly store: Store;
  readonly written?: WrittenVersions;
  readonly systems: ReadonlyMap<string, ManifestSystem>;
  readonly pipeId: string;
  readonly dataDir: string;
  readonly log: (msg: string) => void;
}

export interface Sink {
  /** Starts a run; `full` when the source reads everything (deletion tracking, full sync). */
  begin(full: boolean): Promise<void>;
  write(entities: readonly Entity[]): Promise<number>;
  /** Makes what was written so far durable (called before the pipe's state is saved). */
  commit(): Promise<void>;
  /**
   * Ends a run successfully; returns how many changes it made. `trackDeletions`: the run read
   * the whole source, so ids it did not see are gone (docs: deletion tracking).
   */
  end(trackDeletions: boolean): Promise<number>;
  /** Abandons a failed run. */
  abort(): void;
}

export class SinkError extends Error {}

export function openSink(sink: ManifestSink, env: SinkEnv): Sink {
  switch (sink.type) {
    case 'dataset':
      return new DatasetSink(env.store.dataset(sink.dataset!), sink.config.deletion_tracking !== false, env.written);
    case 'null':
    case 'http_endpoint':
      return new NullSink();
    case 'json':
      return new JsonPushSink(sink, env);
    case 'csv_endpoint':
      return new CsvFileSink(sink, env);
  }
  throw new SinkError(`Pipe '${env.pipeId}': the ${sink.type} sink is not supported by the local runtime.`);
}

class NullSink implements Sink {
  async begin(): Promise<void> {}
  async write(entities: readonly Entity[]): Promise<number> {
    void entities;
    return 0;
  }
  async commit(): Promise<void> {}
  async end(trackDeletions: boolean): Promise<number> {
    void trackDeletions;
    return 0;
  }
  abort(): void {}
}

export class DatasetSink implements Sink {
  private full = false;
  private seen: Set<string> | undefined;

  constructor(readonly dataset: Dataset, private readonly deletionTracking: boolean, private readonly written?: WrittenVersions) {}

  private put(entities: Entity[]): number {
    const keep = this.written !== undefined && this.written.wants(this.dataset.id);
    const r = this.dataset.write(entities, { returnVersions: keep });
    if (keep) this.written!.record(this.dataset, r.versions);
    return r.written;
  }

  async begin(full: boolean): Promise<void> {
    this.full = full;
    // Deletion tracking only has something to do when the dataset already holds entities.
    this.seen = full && this.deletionTracking && this.dataset.countLive() > 0 ? new Set() : undefined;
  }

  async write(entities: readonly Entity[]): Promise<number> {
    if (this.seen) for (const e of entities) if (e[FILTERED_KEY] !== true) this.seen.add(e['_id'] as string);
    return this.put(entities as Entity[]);
  }

  async commit(): Promise<void> {
    this.dataset.commit();
  }

  /** After a full run, ids not seen are deleted (docs: deletion tracking). */
  async end(trackDeletions: boolean): Promise<number> {
    const changes = trackDeletions && this.full && this.seen ? this.deleteUnseen(this.seen) : 0;
    this.dataset.populated = true;
    this.dataset.commit();
    this.seen = undefined;
    return changes;
  }

  /**
   * Deletes every live entity whose id is not in `seen` (the end of a full run or of a full
   * sync): each gets a deleted version that keeps its content. Not committed here.
   */
  deleteUnseen(seen: ReadonlySet<string>): number {
    const gone: Entity[] = [];
    for (const id of this.dataset.liveIds()) {
      if (seen.has(id)) continue;
      const latest = this.dataset.latest(id);
      if (latest) gone.push({ ...stripMeta(latest), _deleted: true });
    }
    return gone.length > 0 ? this.put(gone) : 0;
  }

  abort(): void {
    this.dataset.rollback();
    this.written?.rollback(this.dataset);
    this.seen = undefined;
  }
}

function stripMeta(e: Entity): Entity {
  const out: Entity = {};
  for (const k in e) if (k === '_id' || !k.startsWith('_')) out[k] = e[k]!;
  return out;
}

/** The endpoint a json sink posts to (see system-url.ts), or its absolute `url` without a system. */
function endpointUrl(sink: ManifestSink, env: SinkEnv): string {
  const sysId = sink.config.system;
  const rel = typeof sink.config.url === 'string' ? sink.config.url : '';
  if (typeof sysId !== 'string') {
    // The docs also show a json sink with only an absolute `url`.
    if (/^https?:\/\//i.test(rel)) return rel;
    throw new SinkError(`Pipe '${env.pipeId}': the json sink needs a system:url "system" or an absolute http(s) "url".`);
  }
  const sys = env.systems.get(sysId);
  if (!sys) throw new SinkError(`Pipe '${env.pipeId}': the json sink's system '${sysId}' is not defined.`);
  const url = systemUrl(sys, rel);
  if (url !== undefined) return url;
  throw new SinkError(`Pipe '${env.pipeId}': system '${sys.id}' has neither url_pattern nor base_url.`);
}

/**
 * The JSON push protocol (docs: json-push): every request carries sequence_id, is_full and
 * request_id; all but the first previous_request_id; a full sync marks its first request
 * is_first and ends with an is_last request. A 409 stops the run (retried from scratch later).
 */
export class JsonPushSink implements Sink {
  private full = false;
  private sequence = '';
  private requestId = 0;
  private pending: Entity[] = [];
  private readonly url: string;
  private readonly batchSize: number;
  private readonly headers: Record<string, string>;

  constructor(sink: ManifestSink, private readonly env: SinkEnv) {
    this.url = endpointUrl(sink, env);
    this.batchSize = typeof sink.config.batch_size === 'number' && sink.config.batch_size > 0 ? sink.config.batch_size : 100;
    const sys = env.systems.get(String(sink.config.system));
    this.headers = { ...(stringRecord(sys?.config.headers)), ...(stringRecord(sink.config.headers)) };
  }

  async begin(full: boolean): Promise<void> {
    this.full = full;
    this.sequence = randomUUID();
    this.requestId = 0;
    this.pending = [];
  }

  async write(entities: readonly Entity[]): Promise<number> {
    for (const e of entities) {
      if (e[FILTERED_KEY] === true) continue;
      this.pending.push(e);
      if (this.pending.length >= this.batchSize) await this.flush(false);
    }
    return 0;
  }

  async commit(): Promise<void> {
    if (this.pending.length > 0) await this.flush(false);
  }

  async end(trackDeletions: boolean): Promise<number> {
    // A full sync always ends with an is_last request (possibly empty), so the receiver
    // can delete what it did not get; a skipped read sends nothing.
    if (this.full && trackDeletions) await this.flush(true);
    else if (this.pending.length > 0) await this.flush(false);
    return 0;
  }

  abort(): void {
    this.pending = [];
  }

  private async flush(last: boolean): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0 && !last) return;
    const id = ++this.requestId;
    const params = new URLSearchParams();
    if (this.full && id === 1) params.set('is_first', 'true');
    params.set('is_full', String(this.full));
    params.set('request_id', String(id));
    params.set('sequence_id', this.sequence);
    if (id > 1) params.set('previous_request_id', String(id - 1));
    if (last) params.set('is_last', 'true');
    const url = this.url + (this.url.includes('?') ? '&' : '?') + params.toString();
    const body = '[' + batch.map((e) => writeJson(e)).join(',') + ']';
    const retries = 3;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...this.headers }, body });
      } catch (e) {
        if (attempt < retries) {
          await delay(200 * 2 ** attempt);
          continue;
        }
        throw new SinkError(`Pipe '${this.env.pipeId}': cannot push to ${this.url}: ${e instanceof Error ? e.message : String(e)}`);
      }
      if (res.ok) {
        await res.arrayBuffer();
        return;
      }
      const text = await res.text().catch(() => '');
      if (res.status === 409) throw new SinkError(`Pipe '${this.env.pipeId}': ${this.url} answered 409 Conflict; the sync stops and starts over on the next run.`);
      if (res.status >= 500 && attempt < retries) {
        await delay(200 * 2 ** attempt);
        continue;
      }
      throw new SinkError(`Pipe '${this.env.pipeId}': ${this.url} answered ${res.status} ${res.statusText}${text ? ': ' + text.slice(0, 200) : ''}`);
    }
  }
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** csv_endpoint: every run renders the pipe's whole output to `<data>/publishers/<pipe>.csv`. */
export class CsvFileSink implements Sink {
  private rows: Entity[] = [];
  readonly file: string;

  constructor(private readonly sink: ManifestSink, env: SinkEnv) {
    this.file = path.join(env.dataDir, 'publishers', `${idFileName(env.pipeId)}.csv`);
  }

  async begin(): Promise<void> {
    this.rows = [];
  }

  async write(entities: readonly Entity[]): Promise<number> {
    for (const e of entities) if (e[FILTERED_KEY] !== true) this.rows.push(e);
    return 0;
  }

  async commit(): Promise<void> {}

  async end(trackDeletions: boolean): Promise<number> {
    if (!trackDeletions) return 0;
    const text = renderCsv(this.rows, this.sink.config);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const prev = fs.existsSync(this.file) ? fs.readFileSync(this.file, 'utf8') : undefined;
    if (prev === text) return 0;
    fs.writeFileSync(this.file + '.tmp', text);
    fs.renameSync(this.file + '.tmp', this.file);
    return 1;
  }

  abort(): void {
    this.rows = [];
  }
}

/** CSV text for the csv_endpoint sink (columns, delimiter, quoting, header, line terminator). */
export function renderCsv(rows: readonly Entity[], config: Record<string, unknown>): string {
  const columns = Array.isArray(config.columns) ? (config.columns as string[]) : [];
  const delim = typeof config.delimiter === 'string' ? config.delimiter : ',';
  const quote = typeof config.quotechar === 'string' ? config.quotechar : '"';
  const eol = typeof config.lineterminator === 'string' ? config.lineterminator : '\r\n';
  const quoting = typeof config.quoting === 'string' ? config.quoting : 'minimal';
  const skipDeleted = config['skip-deleted-entities'] !== false;
  const cell = (v: Value | undefined): string => {
    const numeric = typeof v === 'number' || typeof v === 'bigint' || v instanceof Decimal;
    const text = v === null || v === undefined ? '' : typeof v === 'string' ? v : v instanceof Typed ? v.toString() : isDict(v) || Array.isArray(v) ? writeJson(v) : String(v);
    const needs = quoting === 'all' || (quoting === 'non-numeric' && !numeric) || (quoting === 'minimal' && (text.includes(delim) || text.includes(quote) || /[\r\n]/.test(text)));
    return needs ? quote + text.split(quote).join(quote + quote) + quote : text;
  };
  const lines: string[] = [];
  if (config.include_header !== false) lines.push(columns.map((c) => cell(c)).join(delim));
  for (const r of rows) {
    if (skipDeleted && r['_deleted'] === true) continue;
    lines.push(columns.map((c) => cell(r[c])).join(delim));
  }
  return lines.map((l) => l + eol).join('');
}
