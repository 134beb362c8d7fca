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
import { type Entity, type Value } from '../values/types.js';
import { Decimal } from '../values/decimal.js';
import { FILTERED_KEY } from './compiled-pipe.js';
import type { WrittenVersions } from './written-cache.js';
import type { ManifestSink, ManifestSystem } from './manifest.js';
import { HttpTransportError, UrlSystemError, httpRequest, requestHeaders, systemUrl, type UrlSystem } from './system-url.js';
import { idFileName } from '../store/names.js';
import { XmlShapeError, renderXml, xmlOptions } from './xml.js';
import { pythonStr } from './python-str.js';
import { CANNOT_WRITE, canEncode, encodeText, pythonCodec, type EncodeErrors } from './text-codecs.js';
import { retryFor, retryWait, type RetrySettings } from './retry.js';

export interface SinkEnv {
  readonly store: Store;
  readonly written?: WrittenVersions;
  readonly systems: ReadonlyMap<string, ManifestSystem>;
  readonly pipeId: string;
  readonly dataDir: string;
  readonly log: (msg: string) => void;
  /** The retry properties set on the pipe's pump (retry.ts). */
  readonly retry?: RetrySettings;
  /** True once the run has been asked to stop: a wait before retrying a write ends early. */
  readonly stopRequested?: () => boolean;
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
  /**
   * True while the sink keeps the whole run pending (a circuit breaker must be able to undo
   * all of it): commit() then does nothing, so the runner must not save source progress
   * mid-run either, or a crash would skip entities that were never committed.
   */
  readonly holdsRun?: boolean;
}

export class SinkError extends Error {}

export function openSink(sink: ManifestSink, env: SinkEnv): Sink {
  switch (sink.type) {
    case 'dataset':
      return new DatasetSink(env.store.dataset(sink.dataset!), sink.config.deletion_tracking !== false, env.written, datasetGuards(sink.config), env.pipeId);
    case 'null':
    case 'http_endpoint':
      return new NullSink();
    case 'json':
      return new JsonPushSink(sink, env);
    case 'csv_endpoint':
      return new RenderedFileSink(sink, env, 'csv', (rows, config, pipeId) => csvBytes(rows, config, pipeId).bytes);
    case 'xml_endpoint':
      return new RenderedFileSink(sink, env, 'xml', xmlBytes);
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

/**
 * The dataset sink's safety options (docs: dataset sink). `multipleVersions`:
 * prevent_multiple_versions false, true or "ignore". The breaker limits come from
 * circuit_breaker_threshold_count and circuit_breaker_threshold_factor.
 */
export interface DatasetGuards {
  readonly multipleVersions: 'allow' | 'fail' | 'ignore';
  readonly breakerCount?: number;
  readonly breakerFactor?: number;
}

const NO_GUARDS: DatasetGuards = { multipleVersions: 'allow' };

function datasetGuards(config: Record<string, unknown>): DatasetGuards {
  const pmv = config.prevent_multiple_versions;
  const count = config.circuit_breaker_threshold_count;
  const factor = config.circuit_breaker_threshold_factor;
  return {
    multipleVersions: pmv === true ? 'fail' : pmv === 'ignore' ? 'ignore' : 'allow',
    breakerCount: typeof count === 'number' && count >= 0 ? count : undefined,
    breakerFactor: typeof factor === 'number' && factor >= 0 ? factor : undefined,
  };
}

/** A circuit breaker armed for one run: how many versions it allows, how many were written. */
interface Breaker {
  readonly limit: number;
  readonly limitText: string;
  written: number;
}

export class DatasetSink implements Sink {
  private full = false;
  private seen: Set<string> | undefined;
  private breaker: Breaker | undefined;

  constructor(
    readonly dataset: Dataset,
    private readonly deletionTracking: boolean,
    private readonly written?: WrittenVersions,
    private readonly guards: DatasetGuards = NO_GUARDS,
    private readonly pipeId: string = dataset.id,
  ) {}

  get holdsRun(): boolean {
    return this.breaker !== undefined;
  }

  private put(entities: Entity[]): number {
    const batch = this.guards.multipleVersions === 'ignore' ? this.newEntitiesOnly(entities) : entities;
    const keep = this.written !== undefined && this.written.wants(this.dataset.id);
    // Refusing second versions needs each version's `_previous`, so versions are built then too.
    const refuse = this.guards.multipleVersions === 'fail';
    const r = this.dataset.write(batch, { returnVersions: keep || refuse });
    // A throw below leaves the batch pending; the caller's abort() rolls it back.
    if (refuse) this.refuseSecondVersions(r.versions);
    if (this.breaker) this.countForBreaker(r.written);
    if (keep) this.written!.record(this.dataset, r.versions);
    return r.written;
  }

  /** prevent_multiple_versions "ignore": entities whose id already has a version are dropped. */
  private newEntitiesOnly(entities: Entity[]): Entity[] {
    const ids = new Set<string>();
    return entities.filter((e) => {
      const id = e['_id'] as string;
      // An id met earlier in this batch is not in the dataset yet, but will be.
      if (ids.has(id) || this.dataset.latest(id) !== undefined) return false;
      ids.add(id);
      return true;
    });
  }

  /** prevent_multiple_versions true: a version with a `_previous` is a second version. */
  private refuseSecondVersions(versions: readonly Entity[]): void {
    const second = versions.find((v) => typeof v['_previous'] === 'number');
    if (second === undefined) return;
    throw new SinkError(
      `Pipe '${this.pipeId}': prevent_multiple_versions is set, but entity ${JSON.stringify(second['_id'])} already exists in dataset '${this.dataset.id}' and this write would add a second version; nothing of the batch was written.`,
    );
  }

  private countForBreaker(written: number): void {
    const b = this.breaker!;
    b.written += written;
    if (b.written <= b.limit) return;
    throw new SinkError(
      `Pipe '${this.pipeId}': the circuit breaker on dataset '${this.dataset.id}' tripped: the run had written ${b.written} new, changed or deleted entities, more than the limit of ${b.limitText}; nothing of the run was committed.`,
    );
  }

  /**
   * Arms the circuit breaker for a run. The docs: it is only active once the dataset is
   * populated (the pipe ran to completion before), so the initial sync never trips it; with
   * both thresholds the larger limit wins; the factor applies to the number of ids in the
   * dataset, deleted ones included.
   */
  private armBreaker(): Breaker | undefined {
    const { breakerCount: count, breakerFactor: factor } = this.guards;
    if ((count === undefined && factor === undefined) || !this.dataset.populated) return undefined;
    const ids = factor === undefined ? 0 : this.dataset.countIds();
    const fromFactor = factor === undefined ? -1 : factor * ids;
    if (count !== undefined && count >= fromFactor) return { limit: count, limitText: `${count} (circuit_breaker_threshold_count)`, written: 0 };
    return { limit: fromFactor, limitText: `${fromFactor} (circuit_breaker_threshold_factor ${factor} of ${ids} entities)`, written: 0 };
  }

  async begin(full: boolean): Promise<void> {
    this.full = full;
    this.breaker = this.armBreaker();
    // Deletion tracking only has something to do when the dataset already holds entities.
    this.seen = full && this.deletionTracking && this.dataset.countLive() > 0 ? new Set() : undefined;
  }

  async write(entities: readonly Entity[]): Promise<number> {
    if (this.seen) for (const e of entities) if (e[FILTERED_KEY] !== true) this.seen.add(e['_id'] as string);
    return this.put(entities as Entity[]);
  }

  async commit(): Promise<void> {
    // With a circuit breaker the run stays pending until end(): a trip must undo all of it.
    if (this.breaker) return;
    this.dataset.commit();
  }

  /** After a full run, ids not seen are deleted (docs: deletion tracking). */
  async end(trackDeletions: boolean): Promise<number> {
    const changes = trackDeletions && this.full && this.seen ? this.deleteUnseen(this.seen) : 0;
    this.dataset.populated = true;
    this.dataset.commit();
    this.seen = undefined;
    this.breaker = undefined;
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
    this.breaker = undefined;
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
 * Any other failed request is retried as the pump's retry properties and the system's
 * retry_strategy say (retry.ts).
 */
export class JsonPushSink implements Sink {
  private full = false;
  private sequence = '';
  private requestId = 0;
  private pending: Entity[] = [];
  private readonly url: string;
  private readonly batchSize: number;
  private readonly headers: Record<string, string>;
  private readonly system: UrlSystem | undefined;

  constructor(sink: ManifestSink, private readonly env: SinkEnv) {
    this.url = endpointUrl(sink, env);
    this.batchSize = typeof sink.config.batch_size === 'number' && sink.config.batch_size > 0 ? sink.config.batch_size : 100;
    this.system = typeof sink.config.system === 'string' ? env.systems.get(sink.config.system) : undefined;
    try {
      this.headers = requestHeaders(this.system, sink.config, [['Content-Type', 'application/json']]);
    } catch (e) {
      if (e instanceof UrlSystemError) throw new SinkError(`Pipe '${env.pipeId}': ${e.message}`);
      throw e;
    }
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
    const strategy = this.system?.config.retry_strategy;
    // Write errors in a row (retry.ts): the request is tried again until it succeeds
    // or more write errors come in a row than the pump tolerates.
    for (let writeErrors = 1; ; writeErrors++) {
      let failure: PushFailure | undefined;
      for (let attempt = 0; ; attempt++) {
        failure = await this.post(url, body);
        if (failure === undefined) return;
        if (attempt >= retryFor(this.env.retry, strategy, failure.status).batchRetries) break;
        await delay(BATCH_BACKOFF_MS * 2 ** Math.min(attempt, 4));
      }
      const retry = retryFor(this.env.retry, strategy, failure.status);
      if (writeErrors >= retry.maxConsecutiveWriteErrors) {
        const count = writeErrors > 1 ? ` (${writeErrors} write errors in a row, max_consecutive_write_errors is ${retry.maxConsecutiveWriteErrors})` : '';
        throw new SinkError(`Pipe '${this.env.pipeId}': ${failure.message}${count}`);
      }
      this.env.log(
        `pipe ${this.env.pipeId}: write error ${writeErrors} of at most ${retry.maxConsecutiveWriteErrors} in a row (${failure.message}); trying again in ${retry.writeRetryDelayMs / 1000} s (write_retry_delay)`,
      );
      if (!(await retryWait(retry.writeRetryDelayMs, this.env.stopRequested))) {
        throw new SinkError(`Pipe '${this.env.pipeId}': stopped while waiting to retry a failed write (${failure.message})`);
      }
    }
  }

  /** One POST: undefined when it succeeded, else what went wrong. A 409 ends the sync (no retry). */
  private async post(url: string, body: string): Promise<PushFailure | undefined> {
    let res;
    try {
      res = await httpRequest(this.system, url, { method: 'POST', headers: this.headers, body });
    } catch (e) {
      if (!(e instanceof HttpTransportError)) throw e;
      return { status: undefined, message: `cannot push to ${this.url}: ${e.message}` };
    }
    if (res.status >= 200 && res.status < 300) return undefined;
    if (res.status === 409) throw new SinkError(`Pipe '${this.env.pipeId}': ${this.url} answered 409 Conflict; the sync stops and starts over on the next run.`);
    const text = res.body.toString('utf8');
    return { status: res.status, message: `${this.url} answered ${res.status} ${res.statusText}${text ? ': ' + text.slice(0, 200) : ''}` };
  }
}

interface PushFailure {
  /** The HTTP status, or undefined when no answer came (refused, reset, timed out). */
  readonly status: number | undefined;
  readonly message: string;
}

/** Backoff before the first batch retry, doubling for each further one. */
const BATCH_BACKOFF_MS = 200;

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * csv_endpoint and xml_endpoint: every run renders the pipe's whole output to
 * `<data>/publishers/<pipe>.csv` (or `.xml`), replaced atomically and only when it changed.
 */
export class RenderedFileSink implements Sink {
  private rows: Entity[] = [];
  readonly file: string;

  private readonly pipeId: string;

  constructor(
    private readonly sink: ManifestSink,
    env: SinkEnv,
    extension: 'csv' | 'xml',
    private readonly render: (rows: readonly Entity[], config: Record<string, unknown>, pipeId: string) => Buffer,
  ) {
    this.file = path.join(env.dataDir, 'publishers', `${idFileName(env.pipeId)}.${extension}`);
    this.pipeId = env.pipeId;
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
    const bytes = this.render(this.rows, this.sink.config, this.pipeId);
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const prev = fs.existsSync(this.file) ? fs.readFileSync(this.file) : undefined;
    if (prev !== undefined && prev.equals(bytes)) return 0;
    fs.writeFileSync(this.file + '.tmp', bytes);
    fs.renameSync(this.file + '.tmp', this.file);
    return 1;
  }

  abort(): void {
    this.rows = [];
  }
}

/** What a csv_endpoint or xml_endpoint publisher answers for these entities, with its Content-Type. */
export function publishedFile(kind: 'csv_endpoint' | 'xml_endpoint', rows: readonly Entity[], config: Record<string, unknown>, pipeId?: string): { bytes: Buffer; contentType: string } {
  if (kind === 'xml_endpoint') return { bytes: xmlBytes(rows, config, pipeId), contentType: 'application/xml; charset=utf-8' };
  const { bytes, charset } = csvBytes(rows, config, pipeId);
  return { bytes, contentType: `text/csv; charset=${charset}` };
}

/** The xml_endpoint sink's document (see xml.ts), as UTF-8 with the optional byte order mark. */
export function xmlBytes(rows: readonly Entity[], config: Record<string, unknown>, pipeId?: string): Buffer {
  let text: string;
  try {
    text = renderXml(rows, xmlOptions(config));
  } catch (e) {
    if (e instanceof XmlShapeError) throw new SinkError(`${errorPrefix('xml_endpoint', pipeId)}: the xml_endpoint sink cannot write ${e.message}.`);
    throw e;
  }
  return Buffer.from((config.byte_order_mark === true ? '\ufeff' : '') + text, 'utf8');
}

/**
 * The csv_endpoint options that shape the text. The docs describe them as the parameters of
 * Python's csv writer, whose semantics pythonStr() and csvRow() follow.
 */
interface CsvDialect {
  readonly delimiter: string;
  /** Undefined: none (only allowed with quoting "none", as in Python). */
  readonly quotechar: string | undefined;
  /** Undefined: none, so a character that needs escaping is an error. */
  readonly escapechar: string | undefined;
  readonly doublequote: boolean;
  readonly quoting: 'all' | 'minimal' | 'non-numeric' | 'none';
  readonly lineterminator: string;
}

/** A field the dialect cannot write (Python: "need to escape, but no escapechar set"). */
class CsvEscapeError extends Error {
  /** The position of the field in its record (set by csvRow). */
  field = 0;
  constructor(readonly char: string) {
    super('needs escaping');
  }
}

/** A one-character option; `null` means none (escapechar: its default, as the docs say). */
function oneChar(config: Record<string, unknown>, key: string, fallback: string | undefined, where: string): string | undefined {
  const v = config[key];
  if (v === undefined || (v === null && key === 'escapechar')) return fallback;
  if (v === null && key === 'quotechar') return undefined;
  // Python's csv module takes exactly one character for these.
  if (typeof v !== 'string' || [...v].length !== 1) throw new SinkError(`${where}: the csv_endpoint sink's "${key}" must be a single character, not ${JSON.stringify(v)}.`);
  return v;
}

function csvDialect(config: Record<string, unknown>, where: string): CsvDialect {
  const quoting = config.quoting === 'all' || config.quoting === 'non-numeric' || config.quoting === 'none' ? config.quoting : 'minimal';
  const doublequote = config.doublequote !== false;
  // The docs: without doublequote and an escapechar, a backslash escapes the quote character.
  const escapechar = oneChar(config, 'escapechar', doublequote ? undefined : '\\', where);
  const quotechar = oneChar(config, 'quotechar', '"', where);
  if (quotechar === undefined && quoting !== 'none') throw new SinkError(`${where}: the csv_endpoint sink needs a "quotechar" unless "quoting" is "none".`);
  return {
    delimiter: oneChar(config, 'delimiter', ',', where)!,
    quotechar,
    escapechar,
    doublequote,
    quoting,
    lineterminator: typeof config.lineterminator === 'string' ? config.lineterminator : '\r\n',
  };
}


/** Whether Python would quote the value up front: all, or non-numeric for a non-number (bool is a number there). */
function quotedUpFront(v: Value | undefined, d: CsvDialect): boolean {
  if (d.quoting === 'all') return true;
  if (d.quoting !== 'non-numeric') return false;
  return !(typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof Decimal);
}

/**
 * One field the way Python's csv writer joins it: a delimiter, quote, escape or line-break
 * character is escaped with escapechar under quoting "none" and otherwise makes the field
 * quoted, except that a quote is doubled (doublequote) or escaped, and an escapechar is
 * always escaped.
 */
function csvField(text: string, quoted: boolean, d: CsvDialect): string {
  let out = '';
  for (const c of text) {
    const special = c === d.delimiter || c === d.escapechar || c === d.quotechar || c === '\n' || c === '\r' || d.lineterminator.includes(c);
    if (special) {
      let escape = d.quoting === 'none';
      if (!escape) {
        if (c === d.quotechar) {
          if (d.doublequote) out += c;
          else escape = true;
        } else if (c === d.escapechar) escape = true;
        if (!escape) quoted = true;
      }
      if (escape) {
        if (d.escapechar === undefined) throw new CsvEscapeError(c);
        out += d.escapechar;
      }
    }
    out += c;
  }
  return quoted ? d.quotechar! + out + d.quotechar! : out;
}

/** One record, without its line terminator; `values` in column order. */
function csvRow(values: readonly (Value | undefined)[], d: CsvDialect): string {
  const line = values
    .map((v, i) => {
      try {
        return csvField(pythonStr(v), quotedUpFront(v, d), d);
      } catch (e) {
        if (e instanceof CsvEscapeError) e.field = i;
        throw e;
      }
    })
    .join(d.delimiter);
  if (line !== '' || values.length === 0) return line;
  // Python: a record of one empty field is written quoted, or it would read back as no field.
  if (d.quoting === 'none') throw new CsvEscapeError('');
  return d.quotechar! + d.quotechar!;
}

function escapeFailure(where: string, e: CsvEscapeError, row: Entity | undefined, column: string | undefined): SinkError {
  const what = row === undefined ? `the header (column ${JSON.stringify(column)})` : `entity ${JSON.stringify(row['_id'])} (column ${JSON.stringify(column)})`;
  const why =
    e.char === ''
      ? 'is a single empty field, which quoting "none" cannot write'
      : `contains ${JSON.stringify(e.char)}, which must be escaped, but no "escapechar" is set`;
  return new SinkError(`${where}: the csv_endpoint sink cannot write ${what}: the value ${why}.`);
}

/** Names the pipe in errors, or the sink type when there is no pipe. */
function errorPrefix(kind: string, pipeId: string | undefined): string {
  return pipeId === undefined ? kind : `Pipe '${pipeId}'`;
}

/**
 * CSV text for the csv_endpoint sink (columns, delimiter, quoting, quotechar, doublequote,
 * escapechar, header, line terminator, byte order mark); `where` starts error messages.
 */
function renderCsv(rows: readonly Entity[], config: Record<string, unknown>, where: string): string {
  const d = csvDialect(config, where);
  const columns = Array.isArray(config.columns) ? (config.columns as string[]) : [];
  const skipDeleted = config['skip-deleted-entities'] !== false;
  const line = (values: readonly (Value | undefined)[], row: Entity | undefined): string => {
    try {
      return csvRow(values, d) + d.lineterminator;
    } catch (e) {
      if (e instanceof CsvEscapeError) throw escapeFailure(where, e, row, columns[e.field]);
      throw e;
    }
  };
  const lines: string[] = [];
  if (config.byte_order_mark === true) lines.push('\ufeff');
  if (config.include_header !== false) lines.push(line(columns, undefined));
  for (const r of rows) {
    if (skipDeleted && r['_deleted'] === true) continue;
    lines.push(line(columns.map((c) => r[c]), r));
  }
  return lines.join('');
}

/**
 * The csv_endpoint sink's output as bytes in its `encoding`, characters the encoding lacks
 * handled by `encode_error_strategy` (docs: default "backslashreplace"), with the charset to
 * announce it under.
 */
export function csvBytes(rows: readonly Entity[], config: Record<string, unknown>, pipeId?: string): { bytes: Buffer; charset: string } {
  const where = errorPrefix('csv_endpoint', pipeId);
  const { codec, errors } = csvEncoding(config, where);
  return { bytes: encodeText(renderCsv(rows, config, where), codec, errors), charset: charsetOf(codec) };
}

/** The codec and error handler a csv_endpoint sink's config names; a SinkError for ones the runtime cannot write. */
function csvEncoding(config: Record<string, unknown>, where: string): { codec: string; errors: EncodeErrors } {
  const name = config.encoding === undefined || config.encoding === null ? 'utf-8' : config.encoding;
  const codec = typeof name === 'string' ? pythonCodec(name) : undefined;
  if (codec === undefined || !canEncode(codec)) {
    throw new SinkError(`${where}: the csv_endpoint sink's encoding ${JSON.stringify(name)} ${CANNOT_WRITE}.`);
  }
  const strategy = config.encode_error_strategy ?? 'backslashreplace';
  // The docs list these four (never "strict", so encoding cannot fail); `dtl check` rejects anything else.
  if (!SINK_STRATEGIES.includes(strategy as EncodeErrors)) {
    throw new SinkError(`${where}: the csv_endpoint sink's encode_error_strategy must be one of ${SINK_STRATEGIES.map((x) => JSON.stringify(x)).join(', ')}, not ${JSON.stringify(strategy)}.`);
  }
  return { codec, errors: strategy as EncodeErrors };
}

const SINK_STRATEGIES: readonly EncodeErrors[] = ['ignore', 'replace', 'xmlcharrefreplace', 'backslashreplace'];

/** The IANA charset name of a codec, for the Content-Type of the CSV. */
function charsetOf(codec: string): string {
  const special: Record<string, string> = { utf_8_sig: 'utf-8', utf_16: 'utf-16', latin_1: 'iso-8859-1', ascii: 'us-ascii', mac_roman: 'macintosh', koi8_r: 'koi8-r', koi8_u: 'koi8-u' };
  if (special[codec] !== undefined) return special[codec]!;
  const cp = /^cp(\d+)$/.exec(codec);
  if (cp) return Number(cp[1]) >= 874 && cp[1] !== '866' ? `windows-${cp[1]}` : `ibm${cp[1]}`;
  const iso = /^iso8859_(\d+)$/.exec(codec);
  if (iso) return `iso-8859-${iso[1]}`;
  return codec.replace(/_/g, '-');
}
