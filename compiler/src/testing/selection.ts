/**
 * Which pipes are tested, and the housekeeping of spec files (spec/config-catalog.md §4.3,
 * §4.4). As in sesam-py, every *output* and *endpoint* pipe needs a spec once any exists, and
 * `--update` gives those without one a `{}` spec. Offline, any pipe can be tested besides:
 * a spec, or just an expected/<pipe>.json, on an internal pipe is a test too (the issue's
 * definition of `dtl test`; sesam-py would reject it, which is said as a note).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PipeModel } from '../project/pipes.js';
import { member } from '../syntax/nav.js';
import type { JsonObject, JsonValue } from '../syntax/tree.js';
import type { TestSpec } from './specs.js';

export type PipeRole = 'input' | 'endpoint' | 'internal' | 'output';

/** Python truthiness of a config value: missing, null, false, "", [], {} and 0 are false. */
function truthy(v: JsonValue | undefined): boolean {
  if (!v) return false;
  switch (v.kind) {
    case 'string':
      return v.value !== '';
    case 'array':
      return v.items.length > 0;
    case 'object':
      return v.members.length > 0;
    case 'number':
      return Number(v.text) !== 0;
    case 'boolean':
      return v.value;
    default:
      return false;
  }
}

function has(obj: JsonObject | undefined, key: string): boolean {
  return obj !== undefined && truthy(member(obj, key)?.value);
}

/**
 * sesam-py's get_pipe_type on the effective config: an embedded source is input; a
 * `*_endpoint` sink is endpoint; a sink without a dataset (json, sql, rest, null, conditional,
 * …) is output; the rest is internal (its rule for dataset-to-dataset pipes ends the same). A
 * dataset sink always has a dataset: it defaults to the pipe id.
 */
export function pipeRole(p: PipeModel): PipeRole {
  if (p.sourceType === 'embedded') return 'input';
  if (p.sinkType.endsWith('_endpoint')) return 'endpoint';
  return p.sinkType === 'dataset' || has(p.sink, 'dataset') ? 'internal' : 'output';
}

/** The pipes sesam-py verifies, in its order: output pipes, then endpoint pipes. */
export function testedPipes(pipes: readonly PipeModel[]): string[] {
  const ids = (role: PipeRole): string[] => pipes.filter((p) => pipeRole(p) === role).map((p) => p.id);
  return [...ids('output'), ...ids('endpoint')];
}

/** The pipes to test: sesam-py's, then, in config order, any other existing pipe that has specs. */
export function pipesToTest(pipes: readonly PipeModel[], specs: readonly TestSpec[]): string[] {
  const sesam = testedPipes(pipes);
  const named = new Set(specs.map((s) => s.pipe));
  return [...sesam, ...pipes.filter((p) => named.has(p.id) && !sesam.includes(p.id)).map((p) => p.id)];
}

/**
 * Specs plus the tests that are only an expected file: expected/<pipe>.json of an existing
 * pipe that no spec names as its file stands for the spec `{}` (sesam-py would not run it).
 */
export function withImpliedSpecs(root: string, specs: readonly TestSpec[], pipeIds: ReadonlySet<string>): TestSpec[] {
  const dir = path.join(root, 'expected');
  if (!fs.existsSync(dir)) return [...specs];
  const named = new Set(specs.map((s) => s.file));
  const implied = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json') && !n.endsWith('.test.json'))
    .sort()
    .map((n) => n.slice(0, -'.json'.length))
    .filter((pipe) => pipeIds.has(pipe) && !named.has(path.join(dir, `${pipe}.json`)))
    .map((pipe) => ({ ...defaultSpec(root, pipe, path.join(dir, `${pipe}.test.json`)), implied: true }));
  return [...specs, ...implied];
}

/** The note for a test sesam-py would not run: it only tests output and endpoint pipes. */
function sesamNote(root: string, s: TestSpec, role: PipeRole): string {
  const what = s.implied ? `'${path.relative(root, s.file)}' (no spec)` : `'${path.relative(root, s.specFile)}'`;
  return `Note: pipe '${s.pipe}' is an ${role} pipe; sesam-py only tests output and endpoint pipes and would not run ${what}.`;
}

export interface Housekeeping {
  /** Specs by pipe id, for the tested pipes (and ignored specs on others). */
  readonly byPipe: Map<string, TestSpec[]>;
  /** Messages in sesam-py's words. */
  readonly errors: string[];
  readonly warnings: string[];
}

function group(specs: readonly TestSpec[]): Map<string, TestSpec[]> {
  const byPipe = new Map<string, TestSpec[]>();
  for (const s of specs) byPipe.set(s.pipe, [...(byPipe.get(s.pipe) ?? []), s]);
  return byPipe;
}

/**
 * The spec checks before verifying: a spec on a pipe that does not exist, or a missing
 * expected file, is an error (the whole run fails before comparing anything); an ignored
 * spec whose expected file still exists is a warning; a test on a pipe sesam-py would not
 * test gets a note.
 */
export function checkSpecs(root: string, specs: readonly TestSpec[], roles: ReadonlyMap<string, PipeRole>): Housekeeping {
  const rel = (f: string): string => path.relative(root, f);
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const s of specs) {
    const role = roles.get(s.pipe);
    if (role === undefined) errors.push(`Test spec '${rel(s.specFile)}' references a non-existing pipe '${s.pipe}' - please remove '${rel(s.specFile)}'`);
    else if (role === 'internal' || role === 'input') warnings.push(sesamNote(root, s, role));
    if (!s.ignore && !fs.existsSync(s.file)) errors.push(`Test spec '${rel(s.specFile)}' references non-existing 'expected' output file '${rel(s.file)}'`);
    else if (s.ignore && fs.existsSync(s.file)) warnings.push(`pipe '${s.pipe}' is ignored, but output file '${rel(s.file)}' still exists`);
  }
  return { byPipe: group(specs), errors, warnings };
}

/**
 * The housekeeping before update, as sesam-py's where it applies: specs on pipes that do not
 * exist are deleted (ignored ones are kept, with a warning), ignored specs' expected files are
 * deleted, and every output or endpoint pipe without a spec gets expected/<pipe>.test.json
 * holding `{\n}` (sesam-py's bytes). Tests of other pipes are kept and updated.
 */
export function housekeepSpecs(root: string, specs: readonly TestSpec[], roles: ReadonlyMap<string, PipeRole>, sesamTested: readonly string[]): Housekeeping {
  const rel = (f: string): string => path.relative(root, f);
  const warnings: string[] = [];
  const kept: TestSpec[] = [];
  for (const s of specs) {
    const role = roles.get(s.pipe);
    if (role === undefined) {
      if (!s.ignore) {
        warnings.push(`Test spec '${rel(s.specFile)}' references a non-existing pipe '${s.pipe}' - removing '${rel(s.specFile)}'..`);
        fs.rmSync(s.specFile, { force: true });
        continue;
      }
      warnings.push(`Test spec '${rel(s.specFile)}' references a non-existing pipe '${s.pipe}' but is marked as 'ignore' - consider removing '${rel(s.specFile)}'..`);
    } else if (role === 'internal' || role === 'input') warnings.push(sesamNote(root, s, role));
    if (s.ignore && fs.existsSync(s.file)) fs.rmSync(s.file);
    kept.push(s);
  }
  const byPipe = group(kept);
  for (const pipe of sesamTested) {
    // sesam-py only runs tests that have a spec file: an expected file alone gets one.
    if (byPipe.get(pipe)?.some((s) => !s.implied)) continue;
    warnings.push(`Found no spec for pipe ${pipe} - creating empty spec file`);
    const specFile = path.join(root, 'expected', `${pipe}.test.json`);
    fs.mkdirSync(path.dirname(specFile), { recursive: true });
    fs.writeFileSync(specFile, '{\n}');
    byPipe.set(pipe, [defaultSpec(root, pipe, specFile)]);
  }
  return { byPipe, errors: [], warnings };
}

/** The spec `{}` in expected/<pipe>.test.json stands for. */
function defaultSpec(root: string, pipe: string, specFile: string): TestSpec {
  return { name: pipe, pipe, file: path.join(root, 'expected', `${pipe}.json`), endpoint: 'json', stage: 'sink', blacklist: [], ignore: false, ignoreDeletes: true, fieldsToSortBy: ['_id'], parameters: {}, specFile };
}
