/**
 * Running one pipe: read its source from where it left off, add the source entities that
 * dependency tracking says must be reprocessed, push everything through the compiled
 * transforms into the sink, and commit — sink first, then the pipe's own state, so a crash
 * between the two only repeats work (rewriting unchanged entities writes nothing).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { atomicWriteJson, readJsonFile, type Store } from '../store/index.js';
import type { FnContext } from '../functions/types.js';
import { DateTime, type Entity, type Value } from '../values/types.js';
import { TransformChain, type CompiledDependency, type CompiledDependencyStep, type PipeModule } from './compiled-pipe.js';
import type { DataAccess } from './data-access.js';
import type { Progress } from './project.js';
import { HopsExecutor, joinKeys } from './hops.js';
import type { ManifestPipe, ManifestSink, ManifestSystem } from './manifest.js';
import { DatasetSink, openSink, type Sink } from './sinks.js';
import { openSource, SourceError, type SourcePump, type SourceRead, type SourceState } from './sources.js';
import { fetchSchemas } from './schema-url.js';
import type { WrittenVersions } from './written-cache.js';
import { idFileName } from '../store/names.js';
import { missingSecrets, resolveSecrets, type SecretLookup } from './secrets.js';

export interface PipeState extends SourceState {
  /** Hash of the pipe's manifest entry and module: a change resets the pipe. */
  configHash: string;
  /** Per hopped dataset: the last `_updated` dependency tracking has looked at. */
  tracking: Record<string, number>;
  runs: number;
  lastRun?: { at: string; processed: number; written: number; ms: number; error?: string };
}

export interface RunResult {
  readonly pipe: string;
  readonly processed: number;
  /** New versions written (dataset sinks) or changes made (other sinks). */
  readonly written: number;
  /** Source entities reprocessed because a hopped dataset changed. */
  readonly tracked: number;
  readonly ms: number;
  readonly skipped?: string;
  /** The run ended early because the process is stopping (what it did is committed). */
  readonly stopped?: boolean;
}

export interface RunnerEnv {
  readonly store: Store;
  readonly written: WrittenVersions;
  readonly data: DataAccess;
  readonly dataDir: string;
  readonly projectRoot: string;
  readonly systems: ReadonlyMap<string, ManifestSystem>;
  readonly namespaceMap: Readonly<Record<string, string>>;
  /** Secrets by name: DTL's `secret` and `$SECRET(name)` in the source and sink configs (see secrets.ts). */
  readonly secrets: SecretLookup;
  readonly log: (msg: string) => void;
  /** True once the process is stopping: a run ends after the batch in flight. */
  readonly stopRequested?: () => boolean;
  /** Told how far a run has got, between batches (a long run is otherwise silent until it ends). */
  readonly progress?: Progress;
}

/** Output entities buffered before they are written to the sink. */
const WRITE_EVERY = 10_000;
/** Changed versions (with their previous versions) walked back through the joins at a time. */
const TRACKING_BATCH = 1024;
/** A commit (fsync, index tables, state) at most this often, or at the end of the run. */
const COMMIT_MS = 10_000;
/**
 * A run gives the event loop a turn at least this often, so the HTTP API answers and a
 * stop signal is seen during long runs.
 */
const YIELD_MS = 50;
/** Progress reports at most this often. */
const PROGRESS_MS = 1000;

export class PipeRunner {
  readonly chain: TransformChain;
  private readonly stateFile: string;
  private readonly configHash: string;
  private current: Entity | undefined;

  constructor(
    readonly pipe: ManifestPipe,
    private readonly module: PipeModule,
    private readonly env: RunnerEnv,
  ) {
    const cx = this.context();
    this.chain = new TransformChain(pipe, module, cx, new HopsExecutor(env.data));
    this.stateFile = path.join(env.dataDir, 'pipes', idFileName(pipe.id) + '.json');
    // How failed reads and writes are retried changes nothing about what the pipe produces: a
    // changed retry setting does not make the pipe start over.
    this.configHash = createHash('sha1').update(JSON.stringify({ ...pipe, pump: { ...pipe.pump, retry: undefined } })).digest('hex');
  }

  get dependencies(): readonly CompiledDependency[] {
    return this.chain.instance.dependencies;
  }

  /** Pipes driven by HTTP requests (receivers and publishers) have nothing to pump. */
  get pumped(): boolean {
    return this.pipe.source.type !== 'http_endpoint' && this.pipe.sink.type !== 'http_endpoint' && this.pipe.pump.mode !== 'off';
  }

  loadState(): PipeState {
    const s = readJsonFile<PipeState>(this.stateFile);
    if (s && s.configHash === this.configHash) return s;
    if (s) this.env.log(`pipe ${this.pipe.id}: its config changed since the last run; reprocessing from the start`);
    return { configHash: this.configHash, since: {}, tracking: {}, runs: 0 };
  }

  saveState(s: PipeState): void {
    fs.mkdirSync(path.dirname(this.stateFile), { recursive: true });
    atomicWriteJson(this.stateFile, s);
  }

  reset(): void {
    this.saveState({ configHash: this.configHash, since: {}, tracking: {}, runs: 0 });
  }

  private context(): FnContext {
    const pipe = this.pipe;
    const env = this.env;
    return {
      pipeId: pipe.id,
      namespaced: pipe.namespaces.enabled,
      identityNamespace: pipe.namespaces.identity,
      propertyNamespace: pipe.namespaces.property,
      namespaceMap: env.namespaceMap,
      now: () => DateTime.fromMillis(Date.now()),
      lookupEntity: (dataset, id) => {
        if (!env.store.exists(dataset)) return null;
        const e = env.store.dataset(dataset).latest(id);
        return e && e['_deleted'] !== true ? e : null;
      },
      previousSource: () => {
        const cur = this.current;
        const src = pipe.source;
        if (!cur || src.type !== 'dataset' || !env.store.exists(src.dataset!)) return undefined;
        const prev = cur['_previous'];
        if (typeof prev !== 'number') return null;
        return env.store.dataset(src.dataset!).version(prev) ?? null;
      },
      completeness: () => null,
      secret: (name) => env.secrets(name),
    };
  }

  /**
   * Transforms one source entity with the chain every run shares. A pipe whose json_schema
   * transform has a schema_url needs its schema fetched first: use prepare() for those.
   */
  transform(e: Entity): Entity[] {
    this.current = e;
    return this.chain.run(e);
  }

  /**
   * The transform for one use of the pipe: a run, or a request (receivers, previews, the pipe
   * entities API, publishers, `dtl test`). The schemas of json_schema transforms with a
   * schema_url are fetched now (schema-url.ts); a failed fetch fails here, before any entity is
   * transformed or written. Such a pipe, and a publisher request (`params`, its parameters as
   * `_B`), get a chain of their own, so that concurrent requests and the pump never see another
   * request's `_B` or schema.
   */
  async prepare(params?: Value): Promise<(e: Entity) => Entity[]> {
    return this.prepared(params, undefined);
  }

  private async prepared(params: Value | undefined, pump: SourcePump | undefined): Promise<(e: Entity) => Entity[]> {
    const env = this.env;
    const schemas = await fetchSchemas(this.pipe, { pipeId: this.pipe.id, projectRoot: env.projectRoot, systems: env.systems, secrets: env.secrets, pump });
    if (schemas === undefined && params === undefined) return (e) => this.transform(e);
    const chain = new TransformChain(this.pipe, this.module, this.context(), new HopsExecutor(env.data), schemas);
    if (params !== undefined) chain.instance.setRequestParams(params);
    return (e) => {
      this.current = e;
      return chain.run(e);
    };
  }

  async run(): Promise<RunResult> {
    const started = Date.now();
    if (!this.pumped) return { pipe: this.pipe.id, processed: 0, written: 0, tracked: 0, ms: 0, skipped: 'driven by HTTP requests' };
    const state = this.loadState();
    const pump: SourcePump = { retry: this.pipe.pump.retry, stopRequested: this.env.stopRequested, log: this.env.log };
    // Before anything is read or written: a schema that cannot be fetched fails the run here.
    const transform = await this.prepared(undefined, pump);
    // A CSV or XML file is the whole source rendered, not a log of changes: its pipe always reads in full.
    const sourceState = this.pipe.sink.type === 'csv_endpoint' || this.pipe.sink.type === 'xml_endpoint' ? { ...state, since: {} } : state;
    const read = openSource(
      this.withSecrets(this.pipe.source, 'source'),
      {
        store: this.env.store,
        written: this.env.written,
        projectRoot: this.env.projectRoot,
        systems: this.env.systems,
        pipeId: this.pipe.id,
        pump,
      },
      sourceState,
    );
    if (!read) return { pipe: this.pipe.id, processed: 0, written: 0, tracked: 0, ms: 0, skipped: 'no pumped source' };
    const trackingStart = this.trackingOffsets();
    const tracked = read.full ? new Set<string>() : this.trackedIds(state);
    this.env.data.bulk = read.full;
    const sink: Sink = openSink(this.withSecrets(this.pipe.sink, 'sink'), {
      store: this.env.store,
      written: this.env.written,
      systems: this.env.systems,
      pipeId: this.pipe.id,
      dataDir: this.env.dataDir,
      log: this.env.log,
      retry: this.pipe.pump.retry,
      stopRequested: this.env.stopRequested,
    });
    // A full read ends in deletion tracking (or a full sync's last request), which needs every
    // source entity seen by one run: a position saved mid-way would make the next run an
    // incremental one that never deletes. So an interrupted full run starts over, except an
    // initial sync into an empty dataset (nothing to delete), which may resume.
    const resumable = !read.full || (sink instanceof DatasetSink && (this.pipe.sink.config.deletion_tracking === false || sink.dataset.countLive() === 0));
    await sink.begin(read.full);
    let processed = 0;
    let written = 0;
    let buffer: Entity[] = [];
    const seen = tracked.size > 0 ? new Set<string>() : undefined;
    let lastCommit = Date.now();
    let lastYield = Date.now();
    let lastProgress = Date.now();
    const progress = this.env.progress;
    /** After a batch: lets the event loop in now and then; true when the run should end here. */
    const pause = async (): Promise<boolean> => {
      if (progress !== undefined && Date.now() - lastProgress >= (progress.everyMs ?? PROGRESS_MS)) {
        lastProgress = Date.now();
        progress.report(this.pipe.id, processed, lastProgress - started);
      }
      if (Date.now() - lastYield >= YIELD_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = Date.now();
      }
      return this.env.stopRequested?.() ?? false;
    };
    const flush = async (final: boolean): Promise<void> => {
      written += await sink.write(buffer);
      buffer = [];
      // A sink holding its whole run pending (circuit breaker) commits only in end().
      if (!final && (sink.holdsRun === true || Date.now() - lastCommit < COMMIT_MS)) return;
      await sink.commit();
      lastCommit = Date.now();
      // Source progress may be saved mid-run; tracking offsets only at the end.
      if (!final && resumable) this.saveState({ ...read.progress(), configHash: this.configHash, tracking: state.tracking, runs: state.runs });
    };
    /**
     * Ends a run cut short by a stop: what was processed is committed with the source's
     * progress so far (unless the run must start over, see `resumable`), but no deletion
     * tracking (the read was not complete) and the old tracking offsets (dependency tracking
     * redoes its work next time).
     */
    const stopEarly = async (): Promise<RunResult> => {
      if (sink.holdsRun === true) {
        // A sink holding its whole run (circuit breaker) cannot commit a part: the run is undone, and redone next time.
        sink.abort();
        this.env.log(`pipe ${this.pipe.id}: stopped after ${processed} entities; its circuit breaker holds the run, so the next run starts it again`);
        return { pipe: this.pipe.id, processed, written: 0, tracked: 0, ms: Date.now() - started, stopped: true };
      }
      written += await sink.write(buffer);
      buffer = [];
      await sink.commit();
      if (!resumable) {
        this.env.log(`pipe ${this.pipe.id}: stopped after ${processed} entities; a full run tracks deletions only when it completes, so the next run starts it again`);
        return { pipe: this.pipe.id, processed, written, tracked: 0, ms: Date.now() - started, stopped: true };
      }
      this.saveState({ ...read.progress(), configHash: this.configHash, tracking: state.tracking, runs: state.runs });
      this.env.log(`pipe ${this.pipe.id}: stopped after ${processed} entities; the next run continues`);
      return { pipe: this.pipe.id, processed, written, tracked: 0, ms: Date.now() - started, stopped: true };
    };
    try {
      for await (const chunk of read.entities) {
        for (const e of chunk) {
          processed++;
          seen?.add(e['_id'] as string);
          for (const out of transform(e)) buffer.push(out);
        }
        if (buffer.length >= WRITE_EVERY) await flush(false);
        if (await pause()) return await stopEarly();
      }
      if (processed === 0 && read.full && !(read.skipped?.() ?? false) && this.pipe.source.config.if_source_empty === 'fail') {
        throw new SourceError(`Pipe '${this.pipe.id}': the source returned no entities and "if_source_empty" is "fail": the pipe failed and no entity was deleted.`);
      }
      let trackedCount = 0;
      if (tracked.size > 0 && this.pipe.source.type === 'dataset') {
        const ids = [...tracked].filter((id) => !seen!.has(id));
        for (const e of this.env.data.byIds(this.pipe.source.dataset!, ids)) {
          trackedCount++;
          for (const out of transform(e)) buffer.push(out);
          if (buffer.length >= WRITE_EVERY) {
            await flush(false);
            if (await pause()) return await stopEarly();
          }
        }
      }
      await flush(true);
      written += await sink.end(read.full && !(read.skipped?.() ?? false));
      if (read.full && processed > 0) {
        // The next incremental run looks entities up one by one: build those indexes now.
        const steps = this.dependencies.flatMap((d) => d.steps.filter((st) => !st.byId).map((st) => ({ dataset: st.dataset, index: st.index, inner: st.inner })));
        this.env.data.persistIndexes(steps);
      }
      const ms = Date.now() - started;
      this.saveState({
        ...read.progress(),
        configHash: this.configHash,
        tracking: trackingStart,
        runs: state.runs + 1,
        lastRun: { at: new Date().toISOString(), processed: processed + trackedCount, written, ms },
      });
      return { pipe: this.pipe.id, processed: processed + trackedCount, written, tracked: trackedCount, ms };
    } catch (e) {
      sink.abort();
      throw e;
    } finally {
      this.current = undefined;
      this.env.data.bulk = false;
      this.env.data.invalidate(this.pipe.sink.dataset);
    }
  }

  /** The source read for a request (the pipe entities API, publishers, dtl test): secrets filled in, read once, no pump retries. */
  requestSource(state: SourceState): SourceRead | undefined {
    const env = this.env;
    return openSource(this.withSecrets(this.pipe.source, 'source'), { store: env.store, projectRoot: env.projectRoot, systems: env.systems, pipeId: this.pipe.id }, state);
  }

  /** The sink with its `$SECRET(...)` filled in, for requests that write to it (receivers). */
  sinkWithSecrets(): ManifestSink {
    return this.withSecrets(this.pipe.sink, 'sink');
  }

  /** A source or sink with its `$SECRET(...)` filled in; one nobody provides fails the run, naming it. */
  private withSecrets<T extends { readonly config: Record<string, unknown> }>(component: T, role: 'source' | 'sink'): T {
    const r = resolveSecrets(component.config, this.env.secrets);
    if (r.missing.length > 0) throw missingSecrets(`Pipe '${this.pipe.id}': the ${role}`, r.missing);
    return { ...component, config: r.value };
  }

  /** The end of every hopped dataset now: after this run, changes up to here are accounted for. */
  private trackingOffsets(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const d of this.dependencies) {
      out[d.dataset] = this.env.store.exists(d.dataset) ? this.env.store.dataset(d.dataset).size - 1 : -1;
    }
    return out;
  }

  /**
   * Dependency tracking: for every version written to a hopped dataset since the last run,
   * the inverted joins (old and new version both) lead back to the source entities to redo.
   */
  trackedIds(state: PipeState): Set<string> {
    const ids = new Set<string>();
    const deps = this.dependencies;
    if (deps.length === 0 || this.pipe.source.type !== 'dataset') return ids;
    for (const dep of deps) {
      if (!this.env.store.exists(dep.dataset)) continue;
      const ds = this.env.store.dataset(dep.dataset);
      const from = state.tracking[dep.dataset] ?? -1;
      // The inverted joins walk sets of entities, so changes go through them in batches: one
      // lookup per key set instead of one per changed version.
      let changed: Entity[] = [];
      const walkChanged = (): void => {
        for (const id of this.walk(dep, changed)) ids.add(id);
        changed = [];
      };
      for (const v of ds.read(from, { latestOnly: false })) {
        changed.push(v);
        const prev = v['_previous'];
        if (typeof prev === 'number') {
          const p = ds.version(prev);
          if (p) changed.push(p);
        }
        if (changed.length >= TRACKING_BATCH) walkChanged();
      }
      if (changed.length > 0) walkChanged();
    }
    return ids;
  }

  /** Source ids a batch of changed versions reaches through one inverted join (and its recursion). */
  private walk(dep: CompiledDependency, start: Entity[]): string[] {
    const ids = this.walkSteps(dep.steps, start);
    const rec = dep.recursive;
    if (rec === undefined) return ids;
    // Results of the recursive spec from which the changed entities were reached, level by level up.
    const reached = new Map<string, Entity>();
    let frontier = this.walkEntities(rec.first, start);
    for (let level = 0; frontier.length > 0; level++) {
      const fresh = frontier.filter((e) => !reached.has(e['_id'] as string));
      for (const e of fresh) reached.set(e['_id'] as string, e);
      if (rec.max !== null && level >= rec.max - 2) break;
      frontier = this.walkEntities(rec.repeat, fresh);
    }
    return [...ids, ...this.walkSteps(rec.then, [...reached.values()])];
  }

  /** The entities the steps lead to. */
  private walkEntities(steps: readonly CompiledDependencyStep[], start: Entity[]): Entity[] {
    let current = start;
    for (const step of steps) {
      const keys = stepKeys(step, current);
      if (keys.length === 0) return [];
      current = step.byId ? this.env.data.byIds(step.dataset, new Set(keys.filter(isString))) : [...this.env.data.lookup(step.dataset, step.index, step.inner, keys)];
    }
    return current;
  }

  /** The source ids the steps lead to. */
  private walkSteps(steps: readonly CompiledDependencyStep[], start: Entity[]): string[] {
    const last = steps[steps.length - 1];
    // A last by-id step names the source ids itself: those entities need not be loaded.
    if (last?.byId) return [...new Set(stepKeys(last, this.walkEntities(steps.slice(0, -1), start)).filter(isString))];
    return this.walkEntities(steps, start).map((e) => e['_id'] as string);
  }
}

/** The join keys a step looks up for these entities. */
function stepKeys(step: CompiledDependencyStep, entities: readonly Entity[]): Value[] {
  const keys: Value[] = [];
  for (const e of entities) for (const k of joinKeys(step.keys(e))) keys.push(k);
  return keys;
}

function isString(v: Value): v is string {
  return typeof v === 'string';
}
