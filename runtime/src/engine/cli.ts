/**
 * The command line of a built project (`node bundle.mjs …`): no compiler needed.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Manifest } from './manifest.js';
import type { PipeModule } from './compiled-pipe.js';
import { PipeFailure } from './compiled-pipe.js';
import { ProjectRuntime, type OnceSummary } from './project.js';
import { startApi } from './http.js';
import { SourceError } from './sources.js';
import { SinkError } from './sinks.js';

export const RUN_HELP = `Options:
  --once            run every pipe until nothing changes, then exit
  --data DIR        data folder (default: .dtl in the project)
  --port N          HTTP API port on 127.0.0.1 (default 9042; 0 picks a free one)
  --reset           reprocess every pipe from the start
  --quiet           print less
  -h, --help        show this help
Without --once the pipes run on their schedules and the API serves until SIGINT/SIGTERM.`;

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

/** Runs a project; returns the exit status. */
export async function runProject(manifest: Manifest, modules: Readonly<Record<string, PipeModule>>, projectRoot: string, opts: RunOptions, print: (s: string) => void, printErr: (s: string) => void): Promise<number> {
  let rt: ProjectRuntime;
  try {
    rt = new ProjectRuntime(manifest, modules, { dataDir: opts.dataDir, projectRoot, log: opts.quiet ? () => {} : printErr });
  } catch (e) {
    printErr(`dtl run: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  try {
    if (opts.reset) for (const r of rt.runners.values()) r.reset();
    const summary = await rt.runOnce();
    if (!opts.quiet) print(describeSummary(summary, opts.dataDir));
    if (opts.once) return 0;
    const api = await startApi(rt, opts.port);
    print(`API on http://127.0.0.1:${api.port}/api — pipes run on their schedules; Ctrl-C stops.`);
    rt.startScheduler();
    await new Promise<void>((resolve) => {
      const stop = (): void => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    print('Stopping: finishing the batch in flight…');
    await rt.stop();
    await api.close();
    return 0;
  } catch (e) {
    if (e instanceof PipeFailure || e instanceof SourceError || e instanceof SinkError) {
      printErr(`dtl run: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    rt.close();
  }
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

/** Entry point of a built bundle. */
export async function runCli(manifest: Manifest, modules: Readonly<Record<string, PipeModule>>, argv: string[], entryUrl: string): Promise<number> {
  const here = path.dirname(fileURLToPath(entryUrl));
  const projectRoot = path.resolve(here, manifest.projectRoot);
  let opts: RunOptions | 'help';
  try {
    opts = parseRunArgs(argv, path.join(projectRoot, '.dtl'));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`Usage: node ${path.basename(fileURLToPath(entryUrl))} [options]\n\n${RUN_HELP}\n`);
    return 0;
  }
  return runProject(manifest, modules, projectRoot, opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
}
