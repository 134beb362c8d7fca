/**
 * The command line of a built project (`node bundle.mjs …`): no compiler needed. `dtl run`
 * shares runProject, naming itself in messages as the bundle names itself.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Manifest } from './manifest.js';
import type { PipeModule } from './compiled-pipe.js';
import { ProjectRuntime, type OnceSummary } from './project.js';
import { startApi } from './http.js';
import { MissingSourceFileError } from './sources.js';
import { isRunError } from './run-errors.js';

export const RUN_HELP = `Options:
  --once            run every pipe until nothing changes, then exit
  --data DIR        data folder (default: .dtl in the project)
  --port N          HTTP API port on 127.0.0.1 (default 9042; 0 picks a free one)
  --reset           reprocess every pipe from the start
  --quiet           print less
  -h, --help        show this help
Without --once a first pass runs the pipes on an interval (and those with run_at_startup),
then pipes run on their schedules and the API serves until SIGINT/SIGTERM; manual pipes run
when POST /api/pipes/{id}/pump asks. A signal ends the run in flight after its batch (a
second one exits at once); an interrupted --once exits with 130 (SIGINT) or 143 (SIGTERM).`;

export interface RunOptions {
  readonly once: boolean;
  readonly dataDir: string;
  readonly port: number;
  readonly reset: boolean;
  readonly quiet: boolean;
}

export function parseRunArgs(argv: string[], defaultData: string): RunOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      once: { type: 'boolean', default: false },
      data: { type: 'string' },
      port: { type: 'string', default: '9042' },
      reset: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RunUsageError(`--port must be a port number, got '${values.port}'`);
  return { once: values.once!, dataDir: path.resolve(values.data ?? defaultData), port, reset: values.reset!, quiet: values.quiet! };
}

export class RunUsageError extends Error {}

/** Where a run's messages go and how they name the program. */
export interface RunOutput {
  /** The prefix of error messages: `dtl run`, or the bundle's file name. */
  readonly name: string;
  print(s: string): void;
  printErr(s: string): void;
  /** Advice to add to a failure's message (undefined: none). */
  hint?(e: Error): string | undefined;
  /** A terminal line that shows how far long pipe runs have got (none when output is not a terminal). */
  status?: StatusLine;
}

/** One line of a terminal, rewritten in place; whatever else is printed clears it first. */
export interface StatusLine {
  show(text: string): void;
  clear(): void;
}

/** The status line of a terminal stream, or undefined when the stream is not a terminal. */
export function terminalStatus(stream: NodeJS.WriteStream): StatusLine | undefined {
  if (!stream.isTTY) return undefined;
  let shown = false;
  return {
    show(text) {
      stream.write(`\r\x1b[K${text}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** Runs a project; returns the exit status. */
export async function runProject(manifest: Manifest, modules: Readonly<Record<string, PipeModule>>, projectRoot: string, opts: RunOptions, out: RunOutput): Promise<number> {
  const status = opts.quiet ? undefined : out.status;
  const print = (s: string): void => {
    status?.clear();
    out.print(s);
  };
  const printErr = (s: string): void => {
    status?.clear();
    out.printErr(s);
  };
  const progress = status && { report: (pipe: string, n: number, ms: number): void => status.show(`  ${pipe}: ${n.toLocaleString('en')} entities read (${Math.round(ms / 1000)} s)…`) };
  let rt: ProjectRuntime;
  try {
    rt = new ProjectRuntime(manifest, modules, { dataDir: opts.dataDir, projectRoot, log: opts.quiet ? () => {} : printErr, progress });
  } catch (e) {
    printErr(`${out.name}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  // Signals are handled from the start: a run in flight ends after its batch, whatever the
  // phase. A second signal exits at once, which loses nothing committed.
  let signalled: NodeJS.Signals | undefined;
  let wake = (): void => {};
  const onSignal = (sig: NodeJS.Signals): void => {
    if (signalled) process.exit(signalExit(sig));
    signalled = sig;
    print('Stopping: finishing the batch in flight…');
    void rt.stop();
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (opts.reset) for (const r of rt.runners.values()) r.reset();
    // Without --once the first pass covers what the schedules would start now (see runStartupPass).
    const summary = opts.once ? await rt.runOnce() : await rt.runStartupPass();
    if (!opts.quiet) print(describeSummary(summary, opts.dataDir));
    // An interrupted --once did not finish its work: say so in the exit status.
    if (opts.once) return signalled ? signalExit(signalled) : 0;
    if (signalled) return 0;
    const api = await startApi(rt, opts.port);
    print(`API on http://127.0.0.1:${api.port}/api — pipes run on their schedules; Ctrl-C stops.`);
    rt.startScheduler();
    await new Promise<void>((resolve) => {
      wake = resolve;
      if (signalled) resolve();
    });
    await rt.stop();
    await api.close();
    return 0;
  } catch (e) {
    if (isRunError(e)) {
      const hint = out.hint?.(e);
      printErr(`${out.name}: ${e.message}${hint ? `\n${hint}` : ''}`);
      return 1;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rt.close();
  }
}

/** The shell's exit status for a process ended by a signal: 128 + its number. */
function signalExit(sig: NodeJS.Signals): number {
  return 128 + (sig === 'SIGINT' ? 2 : 15);
}

export function describeSummary(s: OnceSummary, dataDir: string): string {
  const lines = [`Ran ${s.passes} pass${s.passes === 1 ? '' : 'es'} over the pipes (data in ${dataDir}):`];
  const byPipe = new Map<string, { processed: number; written: number; tracked: number; ms: number }>();
  for (const r of s.runs) {
    if (r.skipped) continue;
    const p = byPipe.get(r.pipe) ?? { processed: 0, written: 0, tracked: 0, ms: 0 };
    p.processed += r.processed;
    p.written += r.written;
    p.tracked += r.tracked;
    p.ms += r.ms;
    byPipe.set(r.pipe, p);
  }
  for (const [id, p] of byPipe) {
    lines.push(`  ${id}: ${p.processed} processed${p.tracked ? ` (${p.tracked} by dependency tracking)` : ''}, ${p.written} written, ${p.ms} ms`);
  }
  return lines.join('\n');
}

const BUNDLE_OPTIONS = `  --project DIR     the project folder: local source files (json, csv, …) and secrets.json
                    are read from it, and the default data folder is in it (default: the
                    folder the bundle was built from, relative to the bundle; a bundle
                    copied elsewhere needs --project)`;

/** Entry point of a built bundle. */
export async function runCli(manifest: Manifest, modules: Readonly<Record<string, PipeModule>>, argv: string[], entryUrl: string): Promise<number> {
  const name = path.basename(fileURLToPath(entryUrl));
  const printErr = (s: string): void => void process.stderr.write(s + '\n');
  let args: BundleArgs;
  let opts: RunOptions | 'help';
  try {
    args = splitBundleArgs(argv, path.dirname(fileURLToPath(entryUrl)), manifest);
    opts = parseRunArgs(args.rest, path.join(args.projectRoot, '.dtl'));
  } catch (e) {
    printErr(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  if (opts === 'help') {
    // --project goes in before -h, --help, so the options read as one list.
    process.stdout.write(`Usage: node ${name} [options]\n\nRuns the project this bundle was built from.\n\n${RUN_HELP.replace('\n  -h,', `\n${BUNDLE_OPTIONS}\n  -h,`)}\n`);
    return 0;
  }
  const hint = args.fromManifest ? (e: Error): string | undefined => missingFileHint(e, args.projectRoot) : undefined;
  return runProject(manifest, modules, args.projectRoot, opts, { name, print: (s) => void process.stdout.write(s + '\n'), printErr, hint, status: terminalStatus(process.stderr) });
}

interface BundleArgs {
  readonly projectRoot: string;
  /** True when the root is the manifest's (relative to the bundle), not --project. */
  readonly fromManifest: boolean;
  /** The arguments left for parseRunArgs. */
  readonly rest: string[];
}

/** Takes --project out of argv: the run options are shared with `dtl run`, which has PATH instead. */
function splitBundleArgs(argv: readonly string[], bundleDir: string, manifest: Manifest): BundleArgs {
  const rest: string[] = [];
  let project: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--project') project = argv[++i] ?? '';
    else if (a.startsWith('--project=')) project = a.slice('--project='.length);
    else rest.push(a);
  }
  if (project === '') throw new RunUsageError('--project needs a folder');
  if (project === undefined) return { projectRoot: path.resolve(bundleDir, manifest.projectRoot), fromManifest: true, rest };
  const root = path.resolve(project);
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new RunUsageError(`--project ${project}: no such folder`);
  return { projectRoot: root, fromManifest: false, rest };
}

/**
 * A source file missing under the project root the manifest recorded most likely means the
 * bundle was copied away from its project: say where files are looked for and how to change it.
 */
function missingFileHint(e: Error, projectRoot: string): string | undefined {
  if (!(e instanceof MissingSourceFileError) || !e.file.startsWith(projectRoot + path.sep)) return undefined;
  return `Local source files are read relative to ${projectRoot}, the project folder recorded when the bundle was built; if the bundle was moved, pass --project DIR.`;
}
