/**
 * `dtl test [PATH] [--update]`: sesam-py's upload → run → verify cycle, offline. The project
 * is built and run from empty in a temporary data folder (testdata/<pipe>.json is pushed to
 * receivers first, as `sesam upload` does), then the output of every output and endpoint pipe
 * is compared with its specs' expected files, as `sesam verify` does (or written, as `sesam
 * update` does).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { ProjectRuntime } from '@dtl/runtime/engine/project';
import { parseJsonValues } from '@dtl/runtime/engine/json-stream';
import { isRunError } from '@dtl/runtime/engine/run-errors';
import { JsonSyntaxError } from '@dtl/runtime/values/json';
import type { Entity, Value } from '@dtl/runtime/values/types';
import { compareOutputs, expectedText, loadSpecs, SpecError, unifiedDiff, type TestSpec } from '../testing/specs.js';
import { prettyXml } from '../testing/xml-pretty.js';
import { SinkError, publishedFile } from '@dtl/runtime/engine/sinks';
import { IncomparableError, pyFromEntity, pyLoads, type PyValue } from '../testing/pyjson.js';
import { checkSpecs, housekeepSpecs, pipeRole, pipesToTest, testedPipes, withImpliedSpecs, type Housekeeping } from '../testing/selection.js';
import { loadAndCheck } from './check.js';
import { JsonFileError, parseJsonFile } from '../syntax/data-file.js';
import { buildOrReport, importBuild } from './project-commands.js';
import { type CliIO, UsageError } from './io.js';
import { FILTERED_KEY } from '@dtl/runtime/engine/compiled-pipe';

export const TEST_HELP = `Usage: dtl test [PATH] [--update] [--env FILE] [--keep]

Runs sesam-py style tests offline: builds the project, runs it from empty in a temporary data
folder (pushing testdata/<pipe>.json to receivers first), and compares pipe output with
expected files exactly as sesam verify does. The tests are the specs expected/<name>.test.json
(pipe, file, endpoint, stage, parameters, blacklist, ignore, ignore_deletes, fields_to_sort_by)
and every expected/<pipe>.json that no spec names (the spec {}). Endpoint "json" (the default)
and "excel" compare entities; "xml" compares an xml_endpoint's document pretty-printed, "csv"
a csv_endpoint's file byte for byte. As in sesam-py, once any test exists,
every output pipe (a sink without a dataset) and endpoint pipe (a *_endpoint sink) needs one.
A test on another pipe runs too, with a note that sesam-py would not run it. The env defaults
to test-env.json, as sesam-py's.

Options:
  --update     as sesam update: delete specs of pipes that do not exist, add {} specs for
               output and endpoint pipes without one, and write the expected files from the
               current output
  --env FILE   env file (default: test-env.json in the project, when present)
  --keep       keep the temporary data folder and print its path
Exit status: 0 all passed, 1 failures or the project has errors, 2 usage error.`;

interface TestArgs {
  readonly update: boolean;
  readonly env: string | undefined;
  readonly keep: boolean;
  readonly target: string;
}

export async function runTest(argv: string[], io: CliIO): Promise<number> {
  const args = parseTestArgs(argv, io);
  if (!args) return 0;
  const root = fs.statSync(path.resolve(args.target)).isDirectory() ? path.resolve(args.target) : path.dirname(path.resolve(args.target));
  const defaultEnv = path.join(root, 'test-env.json');
  const loaded = loadAndCheck(args.target, args.env ?? (fs.existsSync(defaultEnv) ? defaultEnv : undefined));
  let specs: TestSpec[];
  try {
    specs = loadSpecs(loaded.project.root);
  } catch (e) {
    if (e instanceof SpecError) throw new UsageError(e.message);
    throw e;
  }
  const pipes = loaded.check.pipes;
  const roles = new Map(pipes.map((p) => [p.id, pipeRole(p)] as const));
  specs = withImpliedSpecs(loaded.project.root, specs, new Set(roles.keys()));
  const sesamTested = testedPipes(pipes);
  const tested = pipesToTest(pipes, specs);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dtl-test-'));
  try {
    const out = await buildOrReport(io, loaded, path.join(tmp, 'build'), false);
    if (!out) return 1;
    const plan = args.update ? housekeepSpecs(loaded.project.root, specs, roles, sesamTested) : checkSpecs(loaded.project.root, specs, roles);
    for (const w of plan.warnings) io.err(w);
    for (const e of plan.errors) io.err(e);
    if (plan.errors.length > 0) {
      io.err('Test specs verify failed, correct errors and retry');
      return 1;
    }
    if (plan.byPipe.size === 0) return reportNoSpecs(io, args.update);
    const { manifest, modules } = await importBuild(out);
    const rt = new ProjectRuntime(manifest, modules, { dataDir: path.join(tmp, 'data'), projectRoot: loaded.project.root, log: () => {} });
    try {
      await pushTestdata(rt, loaded.project.root, io);
      await rt.runOnce();
      return args.update ? await updateAll(rt, tested, plan, io) : await verifyAll(rt, tested, plan, io);
    } catch (e) {
      // A pipe that fails (a fail! in DTL, a source or schema that cannot be read) fails the tests, as it fails dtl run.
      if (isRunError(e)) {
        io.err(`dtl test: ${e.message}`);
        return 1;
      }
      throw e;
    } finally {
      rt.close();
    }
  } finally {
    if (args.keep) io.out(`Data kept in ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function parseTestArgs(argv: string[], io: CliIO): TestArgs | undefined {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { update: { type: 'boolean', default: false }, env: { type: 'string' }, keep: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.out(TEST_HELP);
    return undefined;
  }
  if (positionals.length > 1) throw new UsageError('dtl test takes one PATH');
  return { update: values.update, env: values.env, keep: values.keep, target: positionals[0] ?? '.' };
}

/** sesam-py: no specs is only a warning for verify, but update has nothing to do and fails. */
function reportNoSpecs(io: CliIO, update: boolean): number {
  if (update) {
    io.err('Found no tests (*.test.json) to update (no output or endpoint pipes).');
    return 1;
  }
  io.out('Found no tests (*.test.json) to run.');
  return 0;
}

/** One spec's verdict: undefined when it passed, else the lines to report. */
type Verdict = string[] | undefined;

/** sesam verify: every tested pipe's specs, a pipe without specs counts as a missing test. */
async function verifyAll(rt: ProjectRuntime, tested: readonly string[], plan: Housekeeping, io: CliIO): Promise<number> {
  const failed: TestSpec[] = [];
  const missing: string[] = [];
  for (const pipe of tested) {
    const specs = plan.byPipe.get(pipe);
    if (!specs) {
      io.err(`No tests references pipe '${pipe}'`);
      missing.push(pipe);
      continue;
    }
    for (const spec of specs) {
      if (spec.ignore) continue;
      const verdict = await verifySpec(rt, spec);
      if (!verdict) continue;
      failed.push(spec);
      for (const line of verdict) io.err(line);
    }
  }
  return summarise(io, rt, plan.byPipe.size, failed, missing);
}

function summarise(io: CliIO, rt: ProjectRuntime, ran: number, failed: readonly TestSpec[], missing: readonly string[]): number {
  const root = rt.options.projectRoot;
  if (failed.length > 0) {
    io.out(`Failed ${failed.length} of ${ran} tests!`);
    io.out('Failed pipe id (spec file):');
    for (const s of failed) io.out(`${s.pipe} (${path.relative(root, s.specFile)})`);
  }
  if (missing.length > 0) {
    io.out(`Missing ${missing.length} tests!`);
    io.out('Missing test for pipe:');
    for (const p of missing) io.out(p);
  }
  if (failed.length > 0 || missing.length > 0) return 1;
  io.out(`All tests passed! Ran ${ran} test${ran === 1 ? '' : 's'}.`);
  return 0;
}

async function verifySpec(rt: ProjectRuntime, spec: TestSpec): Promise<Verdict> {
  if (spec.endpoint !== 'json' && spec.endpoint !== 'excel') return verifyPublished(rt, spec);
  const expected = readExpected(spec);
  if (typeof expected === 'string') return [`Test '${spec.name}': ${expected}`];
  const current = await currentOutput(rt, spec);
  try {
    const c = compareOutputs(Array.isArray(expected) ? expected : [expected], current, spec);
    return c.ok ? undefined : [`Pipe ${spec.pipe} (${spec.name}) failed: ${c.message}`, c.diff];
  } catch (e) {
    if (e instanceof IncomparableError) return [sortFailure(spec, e)];
    throw e;
  }
}

/** sesam-py stops with a TypeError here; we fail this test and go on. */
function sortFailure(spec: TestSpec, e: IncomparableError): string {
  return `Test '${spec.name}': cannot sort the entities by ${JSON.stringify(spec.fieldsToSortBy)} (Python: ${e.message}).`;
}

/** The expected file as Python's json module reads it, or why it cannot be read. */
function readExpected(spec: TestSpec): PyValue | string {
  const shown = path.relative(process.cwd(), spec.file);
  let text: string;
  try {
    text = fs.readFileSync(spec.file, 'utf8');
  } catch (e) {
    return `cannot read ${spec.file}: ${e instanceof Error ? e.message : String(e)}`;
  }
  try {
    return pyLoads(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    // The config parser says where the error is; Python's reader only decides what is valid.
    try {
      parseJsonFile(text, shown);
    } catch (located) {
      if (located instanceof JsonFileError) return `the expected file is not valid JSON: ${located.message}`;
    }
    return `the expected file is not valid JSON: ${shown}: ${e.message}`;
  }
}

/** sesam update: writes each non-ignored spec's expected file from the current output. */
async function updateAll(rt: ProjectRuntime, tested: readonly string[], plan: Housekeeping, io: CliIO): Promise<number> {
  let updated = 0;
  let failed = 0;
  for (const pipe of tested) {
    for (const spec of plan.byPipe.get(pipe) ?? []) {
      if (spec.ignore) continue;
      if (spec.endpoint !== 'json' && spec.endpoint !== 'excel') {
        const bytes = await publishedOutput(rt, spec);
        if (typeof bytes === 'string') {
          io.err(`Test '${spec.name}': ${bytes}`);
          failed++;
          continue;
        }
        // sesam-py writes XML pretty-printed, anything else as the endpoint answered.
        const pretty = spec.endpoint === 'xml' ? prettyXml(bytes.toString('utf8')) : undefined;
        fs.mkdirSync(path.dirname(spec.file), { recursive: true });
        fs.writeFileSync(spec.file, pretty ?? bytes);
        io.out(`Updated ${path.relative(process.cwd(), spec.file)}`);
        updated++;
        continue;
      }
      let text: string;
      try {
        text = expectedText(await currentOutput(rt, spec), spec);
      } catch (e) {
        if (!(e instanceof IncomparableError)) throw e;
        io.err(sortFailure(spec, e));
        failed++;
        continue;
      }
      fs.mkdirSync(path.dirname(spec.file), { recursive: true });
      fs.writeFileSync(spec.file, text);
      io.out(`Updated ${path.relative(process.cwd(), spec.file)}`);
      updated++;
    }
  }
  io.out(`${updated} tests updated!`);
  return failed > 0 ? 1 : 0;
}

/** The publishers `dtl test` can ask offline: endpoint name → the sink type that serves it. */
const PUBLISHERS: Readonly<Record<string, 'xml_endpoint' | 'csv_endpoint'>> = { xml: 'xml_endpoint', csv: 'csv_endpoint' };

/**
 * What `GET /publishers/<pipe>/<endpoint>` answers for the spec (with its `parameters` as the
 * request's, bound to `_B`), or why there is no such answer.
 */
async function publishedOutput(rt: ProjectRuntime, spec: TestSpec): Promise<Buffer | string> {
  const served = PUBLISHERS[spec.endpoint];
  if (served === undefined) return `the '${spec.endpoint}' endpoint cannot be tested offline (json, excel, xml and csv can).`;
  const runner = rt.runners.get(spec.pipe)!;
  const sink = runner.pipe.sink;
  if (sink.type !== served) return `pipe '${spec.pipe}' has no ${spec.endpoint} publisher (its sink is ${sink.type}).`;
  const params: Record<string, Value> = {};
  for (const [k, v] of Object.entries(spec.parameters)) params[k] = typeof v === 'string' ? v : JSON.stringify(v);
  try {
    const entities = await pipeOutput(rt, { ...spec, stage: 'sink' }, await runner.prepare(params));
    return publishedFile(served, entities, sink.config, spec.pipe).bytes;
  } catch (e) {
    if (e instanceof SinkError) return e.message;
    throw e;
  }
}

/** sesam verify for xml (compared pretty-printed, unless a side does not parse) and other raw endpoints (byte for byte). */
async function verifyPublished(rt: ProjectRuntime, spec: TestSpec): Promise<Verdict> {
  const current = await publishedOutput(rt, spec);
  if (typeof current === 'string') return [`Test '${spec.name}': ${current}`];
  let expected: Buffer;
  try {
    expected = fs.readFileSync(spec.file);
  } catch (e) {
    return [`Test '${spec.name}': cannot read ${spec.file}: ${e instanceof Error ? e.message : String(e)}`];
  }
  if (spec.endpoint === 'xml') {
    const a = prettyXml(expected.toString('utf8'));
    const b = prettyXml(current.toString('utf8'));
    if (a !== undefined && b !== undefined) return a === b ? undefined : [`Pipe ${spec.pipe} (${spec.name}) failed: Content mismatch`, unifiedDiff(a, b, spec.file, 'current output')];
  }
  if (expected.equals(current)) return undefined;
  return [`Pipe ${spec.pipe} (${spec.name}) failed: Content mismatch`, unifiedDiff(expected.toString('utf8'), current.toString('utf8'), spec.file, 'current output')];
}

/** The pipe's entities as sesam-py receives them from the pipe entities API. */
async function currentOutput(rt: ProjectRuntime, spec: TestSpec): Promise<PyValue[]> {
  return (await pipeOutput(rt, spec)).map((e) => pyFromEntity(e));
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
async function pipeOutput(rt: ProjectRuntime, spec: TestSpec, transform?: (e: Entity) => Entity[]): Promise<Entity[]> {
  const runner = rt.runners.get(spec.pipe)!;
  const pipe = runner.pipe;
  if (pipe.source.type === 'http_endpoint') {
    if (!pipe.sink.dataset || !rt.store.exists(pipe.sink.dataset)) return [];
    return [...rt.store.dataset(pipe.sink.dataset).read(-1, { latestOnly: true })];
  }
  const read = runner.requestSource({ since: {} });
  const out: Entity[] = [];
  if (!read) return out;
  const raw = spec.stage === 'source' || spec.stage === 'before-transform' || spec.stage === 'before-transforms';
  const run = raw ? undefined : transform ?? (await runner.prepare());
  for await (const chunk of read.entities) {
    for (const e of chunk) {
      if (run === undefined) out.push(e);
      else for (const t of run(e)) if (t[FILTERED_KEY] !== true) out.push(t);
    }
  }
  return out;
}
