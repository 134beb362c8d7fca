/**
 * A compiled project running on the file-backed store: every pipe's runner, `--once` runs to
 * quiescence in dependency order, the receivers (http_endpoint sources) with the JSON push
 * protocol, and the scheduler.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { Store } from '../store/index.js';
import type { Entity } from '../values/types.js';
import { receiverPolicy, type NumberPolicy } from '../values/json.js';
import { DataAccess } from './data-access.js';
import type { Manifest, ManifestSystem } from './manifest.js';
import type { PipeModule } from './compiled-pipe.js';
import { PipeRunner, type RunResult } from './pipe-runner.js';
import { DatasetSink, SinkError, openSink } from './sinks.js';
import { FILTERED_KEY } from '../store/record.js';
import { WrittenVersions } from './written-cache.js';
import { projectSecrets, resolveSecrets } from './secrets.js';

export interface RuntimeOptions {
  readonly dataDir: string;
  readonly projectRoot: string;
  readonly log?: (msg: string) => void;
  /** Told now and then how far a long pipe run has got (see RunnerEnv.progress). */
  readonly progress?: Progress;
}

/** How far a pipe run has got: source entities read so far, and for how long it has run. */
export interface Progress {
  report(pipe: string, entities: number, ms: number): void;
  /** At least this long between reports (default 1000 ms). */
  readonly everyMs?: number;
}

export interface OnceSummary {
  readonly passes: number;
  readonly runs: RunResult[];
}

export interface ReceiveParams {
  readonly sequenceId?: string;
  readonly isFull: boolean;
  readonly requestId?: string;
  readonly previousRequestId?: string;
  readonly isFirst: boolean;
  readonly isLast: boolean;
}

export class ConflictError extends Error {}
export class NotFoundError extends Error {}
export class BadRequestError extends Error {}

interface Sequence {
  id: string;
  isFull: boolean;
  lastRequestId: string | undefined;
  seen: Set<string>;
}

export class ProjectRuntime {
  readonly store: Store;
  readonly data: DataAccess;
  readonly written: WrittenVersions;
  readonly runners = new Map<string, PipeRunner>();
  readonly log: (msg: string) => void;
  private readonly sequences = new Map<string, Sequence>();
  /** Runs and receiver writes go through one queue: the store has one writer at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopping = false;
  /** The manifest's systems by id (sources and sinks resolve their urls through them). */
  readonly systems: ReadonlyMap<string, ManifestSystem>;

  constructor(readonly manifest: Manifest, modules: Readonly<Record<string, PipeModule>>, readonly options: RuntimeOptions) {
    this.log = options.log ?? (() => {});
    const secrets = projectSecrets(options.projectRoot);
    // Secrets are filled in here, in memory: the manifest keeps the $SECRET(...) references.
    this.systems = new Map(
      manifest.systems.map((s) => {
        const r = resolveSecrets(s.config, secrets);
        return [s.id, { ...s, config: r.value, missingSecrets: r.missing }];
      }),
    );
    fs.mkdirSync(options.dataDir, { recursive: true });
    this.store = Store.open(path.join(options.dataDir, 'datasets'));
    removeStaleStateFiles(path.join(options.dataDir, 'pipes'));
    // Only datasets a pipe reads (as its source or through hops) are worth keeping decoded.
    this.written = new WrittenVersions(new Set(manifest.pipes.flatMap((p) => [...p.reads, ...p.hops])));
    this.data = new DataAccess(this.store, this.written);
    const systems = this.systems;
    for (const p of manifest.pipes) {
      const mod = modules[p.id];
      if (!mod) throw new Error(`The compiled module of pipe '${p.id}' is missing.`);
      this.runners.set(
        p.id,
        new PipeRunner(p, mod, {
          store: this.store,
          written: this.written,
          data: this.data,
          dataDir: options.dataDir,
          projectRoot: options.projectRoot,
          systems,
          namespaceMap: manifest.namespaceMap,
          secrets,
          log: this.log,
          stopRequested: () => this.stopping,
          progress: options.progress,
        }),
      );
    }
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  runPipe(id: string): Promise<RunResult> {
    const r = this.runners.get(id);
    if (!r) return Promise.reject(new NotFoundError(`No pipe '${id}'.`));
    return this.serial(() => r.run());
  }

  /** Forgets a pipe's progress; after a run in progress, which would otherwise save its own over it. */
  resetPipe(id: string): Promise<void> {
    const r = this.runners.get(id);
    if (!r) return Promise.reject(new NotFoundError(`No pipe '${id}'.`));
    return this.serial(async () => r.reset());
  }

  /**
   * The pass `dtl run` makes before it starts the scheduler: like runOnce, but only over
   * scheduled pipes that run on an interval or have `run_at_startup`. Manual pipes only run
   * when asked through the API, and cron pipes wait for their time (docs: pump).
   */
  runStartupPass(): Promise<OnceSummary> {
    return this.runOnce(100, (r) => r.pipe.pump.mode === 'scheduled' && (r.pipe.pump.cron === undefined || r.pipe.pump.runAtStartup));
  }

  /** Runs every pumped pipe (or those `only` picks) in dependency order until a whole pass writes nothing. */
  runOnce(maxPasses = 100, only?: (runner: PipeRunner) => boolean): Promise<OnceSummary> {
    return this.serial(async () => {
      const runs: RunResult[] = [];
      let passes = 0;
      for (; passes < maxPasses; ) {
        passes++;
        let changed = 0;
        for (const runner of this.runners.values()) {
          if (!runner.pumped || this.stopping || (only && !only(runner))) continue;
          const r = await runner.run();
          runs.push(r);
          changed += r.written;
        }
        if (changed === 0 || this.stopping) break;
      }
      return { passes, runs };
    });
  }

  /** How a receiver pipe reads numbers in posted JSON. */
  numberPolicy(pipeId: string): NumberPolicy {
    const r = this.runners.get(pipeId);
    return receiverPolicy(r?.pipe.source.config ?? {});
  }

  /** Receives entities for an http_endpoint pipe (the receiver API and `dtl push`). */
  receive(pipeId: string, entities: readonly Entity[], params: ReceiveParams): Promise<{ written: number; deleted: number }> {
    const runner = this.runners.get(pipeId);
    if (!runner) return Promise.reject(new NotFoundError(`No pipe '${pipeId}'.`));
    if (runner.pipe.source.type !== 'http_endpoint') return Promise.reject(new NotFoundError(`Pipe '${pipeId}' is not a receiver (its source is ${runner.pipe.source.type}, not http_endpoint).`));
    for (const [i, e] of entities.entries()) {
      if (typeof e['_id'] !== 'string') return Promise.reject(new BadRequestError(`Entity ${i} has no string "_id".`));
    }
    return this.serial(async () => {
      const seq = this.checkSequence(pipeId, params);
      // A schema fetched for the request (schema-url.ts); one that cannot be fetched fails it before anything is written.
      const transform = await runner.prepare();
      const sink = openSink(runner.sinkWithSecrets(), { store: this.store, written: this.written, systems: this.systems, pipeId, dataDir: this.options.dataDir, log: this.log, retry: runner.pipe.pump.retry });
      await sink.begin(false);
      let written = 0;
      let deleted = 0;
      // What a full sync has seen are the ids the sink got (a transform may rename, split or
      // filter entities), as in a full pipe run; deleting by the posted ids would delete them all.
      const seen: string[] = [];
      try {
        const out: Entity[] = [];
        for (const e of entities) for (const t of transform(e)) out.push(t);
        if (seq) for (const t of out) if (t[FILTERED_KEY] !== true) seen.push(t['_id'] as string);
        written = await sink.write(out);
        // The last request's deletions are committed with its entities: all of it or nothing.
        if (seq && params.isLast && sink instanceof DatasetSink && runner.pipe.sink.config.deletion_tracking !== false) {
          deleted = sink.deleteUnseen(new Set([...seq.seq.seen, ...seen]));
        }
        await sink.commit();
        await sink.end(false);
      } catch (e) {
        sink.abort();
        // A second version under prevent_multiple_versions or a tripped circuit breaker: the
        // request conflicts with what the dataset holds (the dataset sink's only errors).
        if (e instanceof SinkError && sink instanceof DatasetSink) throw new ConflictError(e.message);
        throw e;
      }
      // Only an accepted request moves the sequence on, so a failed one can be sent again.
      if (seq) {
        if (params.isLast) this.sequences.delete(pipeId);
        else {
          if (seq.starts) this.sequences.set(pipeId, seq.seq);
          seq.seq.lastRequestId = params.requestId;
          for (const id of seen) seq.seq.seen.add(id);
        }
      }
      this.data.invalidate(runner.pipe.sink.dataset);
      return { written, deleted };
    });
  }

  /**
   * JSON push protocol bookkeeping for full syncs (docs: json-push, "Conflicts"): the sequence
   * the request belongs to, and whether it starts it. Changes nothing; receive() does once the
   * request has been accepted.
   */
  private checkSequence(pipeId: string, p: ReceiveParams): { seq: Sequence; starts: boolean } | undefined {
    if (!p.isFull) {
      const active = this.sequences.get(pipeId);
      if (active && p.sequenceId !== undefined && active.id === p.sequenceId) {
        throw new ConflictError(`is_full=false, but sequence ${p.sequenceId} is a full sync (is_full must not change within a sequence).`);
      }
      return undefined;
    }
    if (!p.sequenceId) throw new BadRequestError('A full sync (is_full=true) needs a sequence_id.');
    const active = this.sequences.get(pipeId);
    if (p.isFirst) {
      if (active && active.id === p.sequenceId) throw new ConflictError(`is_first=true, but sequence ${p.sequenceId} has already started.`);
      return { seq: { id: p.sequenceId, isFull: true, lastRequestId: undefined, seen: new Set() }, starts: true };
    }
    if (!active || active.id !== p.sequenceId) throw new ConflictError(`Sequence ${p.sequenceId} is not the active full sync (it must start with is_first=true).`);
    if (p.previousRequestId !== active.lastRequestId) {
      throw new ConflictError(`previous_request_id ${JSON.stringify(p.previousRequestId ?? null)} does not match the previous request ${JSON.stringify(active.lastRequestId ?? null)}.`);
    }
    return { seq: active, starts: false };
  }

  /** Runs pipes on their schedules until stop(); receivers and publishers are request-driven. */
  startScheduler(): void {
    for (const runner of this.runners.values()) {
      if (!runner.pumped || runner.pipe.pump.mode !== 'scheduled') continue;
      const id = runner.pipe.id;
      const run = (): void => {
        this.runPipe(id)
          .then((r) => {
            if (r.written > 0 || r.processed > 0) this.log(`pipe ${r.pipe}: ${r.processed} processed, ${r.written} written (${r.ms} ms)`);
          })
          .catch((e: unknown) => this.log(`pipe ${id} failed: ${e instanceof Error ? e.message : String(e)}`))
          .finally(schedule);
      };
      const schedule = (): void => {
        if (this.stopping) return;
        this.wakeAt(id, Date.now() + nextDelay(runner.pipe.pump.interval, runner.pipe.pump.cron), run);
      };
      schedule();
    }
  }

  /**
   * Calls `fn` at time `at`. setTimeout takes at most 2^31 - 1 ms (about 24.8 days) and fires
   * at once on anything longer, so a yearly cron waits in steps.
   */
  private wakeAt(id: string, at: number, fn: () => void): void {
    const wait = Math.min(at - Date.now(), MAX_TIMEOUT);
    this.timers.set(
      id,
      setTimeout(() => {
        this.timers.delete(id);
        if (this.stopping) return;
        if (Date.now() < at) this.wakeAt(id, at, fn);
        else fn();
      }, Math.max(0, wait)),
    );
  }

  /** Stops scheduling and waits for the run in flight to finish its batch. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.queue;
  }

  close(): void {
    this.store.close();
  }
}

const MAX_TIMEOUT = 2 ** 31 - 1;

function nextDelay(interval: number | undefined, cron: string | undefined): number {
  if (cron) {
    try {
      const next = CronExpressionParser.parse(cron, { tz: 'UTC' }).next().getTime();
      return Math.max(0, next - Date.now());
    } catch {
      return 60_000;
    }
  }
  return Math.max(100, (interval ?? 30) * 1000);
}

/**
 * A kill while a pipe's state was being saved leaves its temporary file (atomicWriteJson's
 * `<file>.tmp-<pid>-<n>`). Once the data folder is locked no other process writes there, so
 * any such file is garbage.
 */
function removeStaleStateFiles(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir)) if (/\.tmp-\d+-\d+$/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
}
