/**
 * `dtl build`, `dtl run`, `dtl start`, `dtl dataset` and `dtl push`: compile a project and run
 * it on the runtime in this process.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Manifest } from '@dtl/runtime/engine/manifest';
import type { PipeModule } from '@dtl/runtime/engine/compiled-pipe';
import { RUN_HELP, parseRunArgs, runProject, describeSummary } from '@dtl/runtime/engine/cli';
import { ProjectRuntime } from '@dtl/runtime/engine/project';
import { parseJsonValues } from '@dtl/runtime/engine/json-stream';
import { Store } from '@dtl/runtime/store/index';
import { writePretty } from '@dtl/runtime/values/json';
import type { Entity, Value } from '@dtl/runtime/values/types';
import { buildProject, type BuildOutput } from '../codegen/build.js';
import type { Project } from '../project/load.js';
import { loadAndCheck, type Loaded } from './check.js';
import type { Diagnostic } from '../diagnostics.js';
import { formatPretty, summaryLine } from './formats/pretty.js';
import { type CliIO, OutputClosedError, UsageError, toolVersion } from './io.js';

export function printDiagnostics(io: CliIO, project: Project, diags: readonly Diagnostic[], onlyErrors = false): void {
  const shown = onlyErrors ? diags.filter((d) => d.severity === 'error') : diags;
  if (shown.length === 0) return;
  const sources = new Map(project.files.map((f) => [f.display, f.text]));
  io.err(formatPretty(shown, { color: io.color, sources }) + '\n');
  io.err(summaryLine(shown, project.files.length, io.color));
}

/** Builds into `outDir`; prints diagnostics and returns undefined when the project has errors. */
export async function buildOrReport(io: CliIO, loaded: Loaded, outDir: string, bundle: boolean): Promise<BuildOutput | undefined> {
  const out = await buildProject(loaded.check, { outDir, env: loaded.env, bundle, toolVersion: toolVersion() });
  if (!out.ok) {
    io.err('The project has errors; nothing was built.');
    printDiagnostics(io, loaded.project, out.diagnostics, true);
    return undefined;
  }
  // What the build itself found (untracked joins); the check's own findings are dtl check's to report.
  printDiagnostics(io, loaded.project, out.diagnostics.filter((d) => d.code.startsWith('build-')));
  return out;
}

/** Imports the compiled pipe modules of a build (fresh copies when the code changed). */
export async function importBuild(out: BuildOutput): Promise<{ manifest: Manifest; modules: Record<string, PipeModule> }> {
  const manifest = out.manifest!;
  const modules: Record<string, PipeModule> = {};
  for (const p of manifest.pipes) {
    const url = pathToFileURL(path.join(out.outDir, p.module)).href + `?h=${p.codeHash}`;
    modules[p.id] = (await import(url)) as PipeModule;
  }
  return { manifest, modules };
}

export const BUILD_HELP = `Usage: dtl build [PATH] -o OUT [options]

Compiles every pipe of the project to an ES module, writes OUT/manifest.json (sources, sinks,
hopped datasets and the dependency-tracking graph) and one esbuild bundle OUT/bundle.mjs that
runs the project with plain node: node OUT/bundle.mjs --once --data DIR (add --project DIR
when the bundle no longer sits where it was built relative to the project)

Options:
  -o, --out OUT     output folder (required)
  --env FILE        env file for $ENV(...) and conditional components
  --no-bundle       skip the esbuild bundle
  -h, --help        show this help
Exit status: 0 built, 1 the project has errors, 2 usage error.`;

export async function runBuild(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, env: { type: 'string' }, 'no-bundle': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.out(BUILD_HELP);
    return 0;
  }
  if (!values.out) throw new UsageError('dtl build needs an output folder: -o OUT');
  if (positionals.length > 1) throw new UsageError('dtl build takes one PATH');
  const loaded = loadAndCheck(positionals[0] ?? '.', values.env);
  const out = await buildOrReport(io, loaded, values.out, !values['no-bundle']);
  if (!out) return 1;
  const m = out.manifest!;
  const deps = m.pipes.reduce((n, p) => n + p.dependencies.length, 0);
  io.out(`Built ${m.pipes.length} pipe${m.pipes.length === 1 ? '' : 's'} into ${path.relative(process.cwd(), out.outDir) || '.'} (${deps} tracked join${deps === 1 ? '' : 's'}).`);
  if (out.bundle) io.out(`Run it with: node ${path.relative(process.cwd(), out.bundle)} --once --data DIR`);
  return 0;
}

export const RUN_COMMAND_HELP = `Usage: dtl run [PATH] [options]

Compiles the project and runs it on the file-backed runtime.

  --env FILE        env file for $ENV(...) and conditional components
${RUN_HELP}`;

export async function runRun(argv: string[], io: CliIO): Promise<number> {
  const { positional, envFile, rest } = splitProjectArgs(argv);
  if (rest.includes('-h') || rest.includes('--help')) {
    io.out(RUN_COMMAND_HELP);
    return 0;
  }
  const loaded = loadAndCheck(positional ?? '.', envFile);
  let opts;
  try {
    opts = parseRunArgs(rest, path.join(loaded.project.root, '.dtl'));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (opts === 'help') {
    io.out(RUN_COMMAND_HELP);
    return 0;
  }
  const out = await buildOrReport(io, loaded, path.join(opts.dataDir, 'build'), false);
  if (!out) return 1;
  const { manifest, modules } = await importBuild(out);
  return runProject(manifest, modules, loaded.project.root, opts, { name: 'dtl run', print: (t) => io.out(t), printErr: (t) => io.err(t), status: io.status });
}

/** Pulls PATH and --env out of argv, leaving the run options. */
function splitProjectArgs(argv: string[]): { positional: string | undefined; envFile: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let positional: string | undefined;
  let envFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--env') envFile = argv[++i];
    else if (a.startsWith('--env=')) envFile = a.slice(6);
    else if (!a.startsWith('-') && positional === undefined && (i === 0 || !['--data', '--port'].includes(argv[i - 1]!))) positional = a;
    else rest.push(a);
  }
  if (argv.includes('--env') && envFile === undefined) throw new UsageError('--env needs a file');
  return { positional, envFile, rest };
}

export const START_HELP = `Usage: dtl start [PATH] [--data DIR] [--reset]

Builds the project, runs it until nothing changes, then prints every dataset the pipes wrote
and where it is stored. (npm start runs this on samples/tutorial.)`;

export async function runStart(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { data: { type: 'string' }, env: { type: 'string' }, reset: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.out(START_HELP);
    return 0;
  }
  const loaded = loadAndCheck(positionals[0] ?? '.', values.env);
  const dataDir = path.resolve(values.data ?? path.join(loaded.project.root, '.dtl'));
  const out = await buildOrReport(io, loaded, path.join(dataDir, 'build'), true);
  if (!out) return 1;
  const { manifest, modules } = await importBuild(out);
  const rt = new ProjectRuntime(manifest, modules, { dataDir, projectRoot: loaded.project.root, log: io.err });
  try {
    if (values.reset) for (const r of rt.runners.values()) r.reset();
    const summary = await rt.runOnce();
    io.out(describeSummary(summary, dataDir));
    for (const p of manifest.pipes) {
      if (p.sink.type !== 'dataset' || !rt.store.exists(p.sink.dataset!)) continue;
      const ds = rt.store.dataset(p.sink.dataset!);
      const entities = [...ds.read(-1, { latestOnly: true, includeDeleted: false })];
      io.out(`\nDataset ${p.sink.dataset} (${entities.length} entit${entities.length === 1 ? 'y' : 'ies'}, stored in ${path.join(dataDir, 'datasets')}):`);
      io.out(writePretty(entities as Value, 2));
    }
    io.out(`\nThe compiled project is in ${out.outDir}; run it without the compiler: node ${path.relative(process.cwd(), out.bundle!)} --once`);
    return 0;
  } finally {
    rt.close();
  }
}

export const DATASET_HELP = `Usage: dtl dataset ID [--data DIR] [--history] [--deleted]

Prints the entities of a dataset as a JSON array in _updated order: the latest version of
each non-deleted entity, or every version with --history.

Options:
  --data DIR    data folder (default: .dtl in the current folder)
  --history     all versions, including deleted and superseded ones
  --deleted     include deleted entities (latest versions)`;

export async function runDataset(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { data: { type: 'string' }, history: { type: 'boolean', default: false }, deleted: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.out(DATASET_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('dtl dataset takes one dataset ID');
  const id = positionals[0]!;
  const dataDir = path.resolve(values.data ?? '.dtl');
  const storeDir = path.join(dataDir, 'datasets');
  if (!fs.existsSync(storeDir)) throw new UsageError(`No data folder at ${dataDir} (use --data DIR)`);
  const store = Store.open(storeDir);
  try {
    if (!store.exists(id)) {
      const known = store.datasetIds();
      io.err(`dtl dataset: no dataset '${id}' in ${dataDir}${known.length ? ` (datasets: ${known.join(', ')})` : ''}`);
      return 1;
    }
    const ds = store.dataset(id);
    await writeEntities(io, ds.read(-1, { latestOnly: !values.history, includeDeleted: values.history || values.deleted }));
    return 0;
  } catch (e) {
    // The reader stopped reading (`| head`): it has what it wanted, which is not an error.
    if (e instanceof OutputClosedError) return 0;
    throw e;
  } finally {
    store.close();
  }
}

/** Output is handed to the stream in pieces of about this many characters. */
const CHUNK_CHARS = 1 << 16;

/**
 * Writes entities as the indented JSON array writePretty would make of them, one entity at a
 * time: a large dataset's whole text does not fit in one string (V8 caps string length).
 */
async function writeEntities(io: CliIO, entities: Iterable<Entity>): Promise<void> {
  let chunk = '';
  let first = true;
  for (const e of entities) {
    // The element as it would appear inside the array: one level deeper, after its comma.
    chunk += (first ? '[\n  ' : ',\n  ') + writePretty(e as Value, 2, true, 1);
    first = false;
    if (chunk.length >= CHUNK_CHARS) {
      await io.write(chunk);
      chunk = '';
    }
  }
  await io.write(chunk + (first ? '[]\n' : '\n]\n'));
}

export const PUSH_HELP = `Usage: dtl push PIPE FILE [PATH] [--data DIR] [--env FILE]

Sends the entities in FILE (a JSON array or JSON lines) to the http_endpoint pipe PIPE, as a
POST to /api/receivers/PIPE/entities would, without starting a server.`;

export async function runPush(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { data: { type: 'string' }, env: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.out(PUSH_HELP);
    return 0;
  }
  if (positionals.length < 2 || positionals.length > 3) throw new UsageError('dtl push takes PIPE FILE [PATH]');
  const [pipeId, file, target] = positionals as [string, string, string | undefined];
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new UsageError(`Cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const loaded = loadAndCheck(target ?? '.', values.env);
  const dataDir = path.resolve(values.data ?? path.join(loaded.project.root, '.dtl'));
  const out = await buildOrReport(io, loaded, path.join(dataDir, 'build'), false);
  if (!out) return 1;
  const { manifest, modules } = await importBuild(out);
  const rt = new ProjectRuntime(manifest, modules, { dataDir, projectRoot: loaded.project.root, log: io.err });
  try {
    const entities: Entity[] = [];
    try {
      for (const v of parseJsonValues(buf, rt.numberPolicy(pipeId))) for (const e of Array.isArray(v) ? v : [v]) entities.push(e as Entity);
    } catch (e) {
      io.err(`dtl push: ${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      return 2;
    }
    const r = await rt.receive(pipeId, entities, { isFull: false, isFirst: false, isLast: false });
    io.out(`Pushed ${entities.length} entit${entities.length === 1 ? 'y' : 'ies'} to ${pipeId}: ${r.written} new version${r.written === 1 ? '' : 's'}.`);
    return 0;
  } catch (e) {
    io.err(`dtl push: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    rt.close();
  }
}
