/**
 * `dtl test [PATH] [--update]`: sesam-py's upload → run → verify cycle, offline. The project
 * is built and run from empty in a temporary data folder (testdata/<pipe>.json is pushed to
 * receivers first, as `sesam upload` does), then every spec's pipe output is compared.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ProjectRuntime } from '@dtl/runtime/engine/project';
import { parseJsonValues } from '@dtl/runtime/engine/json-stream';
import { openSource } from '@dtl/runtime/engine/sources';
import { writeJson } from '@dtl/runtime/values/json';
import type { Entity } from '@dtl/runtime/values/types';
import { compareOutputs, expectedText, loadSpecs, SpecError, type TestSpec } from '../testing/specs.js';
import { loadAndCheck } from './check.js';
import { JsonFileError, parseJsonFile } from '../syntax/data-file.js';
import { buildOrReport, importBuild } from './project-commands.js';
import { type CliIO, UsageError } from './io.js';
import { FILTERED_KEY } from '@dtl/runtime/engine/compiled-pipe';

export const TEST_HELP = `Usage: dtl test [PATH] [--update] [--env FILE] [--keep]

Runs sesam-py style tests offline: builds the project, runs it from empty in a temporary data
folder (pushing testdata/<pipe>.json to receivers first), and compares each pipe's output with
expected/<pipe>.json, honouring expected/<name>.test.json specs (pipe, file, stage, blacklist,
ignore, ignore_deletes, fields_to_sort_by). The env defaults to test-env.json, as sesam-py's.

Options:
  --update     write the expected files from the current output instead of comparing
  --env FILE   env file (default: test-env.json in the project, when present)
  --keep       keep the temporary data folder and print its path
Exit status: 0 all passed, 1 failures or the project has errors, 2 usage error.`;

export async function runTest(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { update: { type: 'boolean', default: false }, env: { type: 'string' }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.out(TEST_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('dtl test takes one PATH');
  const target = positionals[0] ?? '.';
  const root = fs.statSync(path.resolve(target)).isDirectory() ? path.resolve(target) : path.dirname(path.resolve(target));
  const defaultEnv = path.join(root, 'test-env.json');
  const loaded = loadAndCheck(target, values.env ?? (fs.existsSync(defaultEnv) ? defaultEnv : undefined));
  const pipeIds = new Set(loaded.check.pipes.map((p) => p.id));
  let specs: TestSpec[];
  try {
    specs = loadSpecs(loaded.project.root, pipeIds);
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.message);
    throw e;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dtl-test-'));
  const out = await buildOrReport(io, loaded, path.join(tmp, 'build'), false);
  if (!out) return 1;
  const { manifest, modules } = await importBuild(out);
  const rt = new ProjectRuntime(manifest, modules, { dataDir: path.join(tmp, 'data'), projectRoot: loaded.project.root, log: () => {} });
  let failed = 0;
  let ran = 0;
  try {
    await pushTestdata(rt, loaded.project.root, io);
    await rt.runOnce();
    for (const spec of specs) {
      if (spec.ignore) {
        if (values.update && fs.existsSync(spec.file)) fs.rmSync(spec.file);
        continue;
      }
      if (!rt.runners.has(spec.pipe)) {
        io.err(`Test '${spec.name}' refers to pipe '${spec.pipe}', which the project does not have.`);
        failed++;
        ran++;
        continue;
      }
      if (spec.endpoint !== 'json' && spec.endpoint !== 'excel') {
        io.err(`Test '${spec.name}': the '${spec.endpoint}' endpoint is not supported offline yet (json only).`);
        failed++;
        ran++;
        continue;
      }
      ran++;
      const current = (await pipeOutput(rt, spec)).map((e) => JSON.parse(writeJson(e)) as unknown);
      if (values.update) {
        fs.mkdirSync(path.dirname(spec.file), { recursive: true });
        fs.writeFileSync(spec.file, expectedText(current, spec));
        io.out(`Updated ${path.relative(process.cwd(), spec.file)}`);
        continue;
      }
      if (!fs.existsSync(spec.file)) {
        io.err(`Test '${spec.name}': no expected file ${path.relative(process.cwd(), spec.file)} (run with --update to write it).`);
        failed++;
        continue;
      }
      let expected: unknown;
      try {
        expected = parseJsonFile(fs.readFileSync(spec.file, 'utf8'), path.relative(process.cwd(), spec.file));
      } catch (e) {
        const why = e instanceof JsonFileError ? `the expected file is not valid JSON: ${e.message}` : `cannot read ${spec.file}: ${e instanceof Error ? e.message : String(e)}`;
        io.err(`Test '${spec.name}': ${why}`);
        failed++;
        continue;
      }
      const c = compareOutputs(Array.isArray(expected) ? expected : [expected], current, spec);
      if (!c.ok) {
        failed++;
        io.err(`Pipe ${spec.pipe} (${spec.name}) failed: ${c.message}`);
        io.err(c.diff);
      }
    }
  } finally {
    rt.close();
    if (values.keep) io.out(`Data kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (values.update) return 0;
  if (ran === 0) {
    io.out('No tests found (add expected/<pipe>.json files, or run dtl test --update).');
    return 0;
  }
  if (failed > 0) {
    io.out(`Failed ${failed} of ${ran} tests!`);
    return 1;
  }
  io.out(`All tests passed! Ran ${ran} test${ran === 1 ? '' : 's'}.`);
  return 0;
}

/** sesam upload posts testdata/<pipe>.json to each receiver. */
async function pushTestdata(rt: ProjectRuntime, root: string, io: CliIO): Promise<void> {
  const dir = path.join(root, 'testdata');
  if (!fs.existsSync(dir)) return;
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.endsWith('.json')) continue;
    const pipe = f.slice(0, -5);
    const runner = rt.runners.get(pipe);
    if (!runner || runner.pipe.source.type !== 'http_endpoint') continue;
    const entities: Entity[] = [];
    for (const v of parseJsonValues(fs.readFileSync(path.join(dir, f)), rt.numberPolicy(pipe))) for (const e of Array.isArray(v) ? v : [v]) entities.push(e as Entity);
    await rt.receive(pipe, entities, { isFull: false, isFirst: false, isLast: false });
    io.out(`Pushed ${entities.length} test entities to ${pipe}`);
  }
}

/** The entities a pipe produces at the spec's stage, from the final state of the run. */
async function pipeOutput(rt: ProjectRuntime, spec: TestSpec): Promise<Entity[]> {
  const runner = rt.runners.get(spec.pipe)!;
  const pipe = runner.pipe;
  if (pipe.source.type === 'http_endpoint') {
    if (!pipe.sink.dataset || !rt.store.exists(pipe.sink.dataset)) return [];
    return [...rt.store.dataset(pipe.sink.dataset).read(-1, { latestOnly: true })];
  }
  const read = openSource(pipe.source, { store: rt.store, projectRoot: rt.options.projectRoot, systems: new Map(rt.manifest.systems.map((s) => [s.id, s])), pipeId: pipe.id }, { since: {} });
  const out: Entity[] = [];
  if (!read) return out;
  const raw = spec.stage === 'source' || spec.stage === 'before-transform' || spec.stage === 'before-transforms';
  for await (const chunk of read.entities) {
    for (const e of chunk) {
      if (raw) out.push(e);
      else for (const t of runner.transform(e)) if (t[FILTERED_KEY] !== true) out.push(t);
    }
  }
  return out;
}
