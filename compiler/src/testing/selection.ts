/**
 * Which pipes sesam-py tests, and its housekeeping of spec files (spec/config-catalog.md §4.3,
 * §4.4). Only *output* and *endpoint* pipes are tested; once any spec exists, each of them
 * needs one, and a spec on any other pipe is an error (`--update` deletes it instead).
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
 * sesam-py's spec checks before verifying: a spec on an untested pipe, or a missing expected
 * file, is an error (the whole run fails before comparing anything); an ignored spec whose
 * expected file still exists is a warning.
 */
export function checkSpecs(root: string, specs: readonly TestSpec[], tested: ReadonlySet<string>): Housekeeping {
  const rel = (f: string): string => path.relative(root, f);
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const s of specs) {
    if (!tested.has(s.pipe)) errors.push(`Test spec '${rel(s.specFile)}' references a non-existing output pipe '${s.pipe}' - please remove '${rel(s.specFile)}'`);
    if (!s.ignore && !fs.existsSync(s.file)) errors.push(`Test spec '${rel(s.specFile)}' references non-existing 'expected' output file '${rel(s.file)}'`);
    else if (s.ignore && fs.existsSync(s.file)) warnings.push(`pipe '${s.pipe}' is ignored, but output file '${rel(s.file)}' still exists`);
  }
  return { byPipe: group(specs), errors, warnings };
}

/**
 * sesam-py's housekeeping before update: specs on untested pipes are deleted (ignored ones
 * are kept, with a warning), ignored specs' expected files are deleted, and every tested
 * pipe without a spec gets expected/<pipe>.test.json holding `{\n}` (sesam-py's bytes).
 */
export function housekeepSpecs(root: string, specs: readonly TestSpec[], tested: readonly string[]): Housekeeping {
  const rel = (f: string): string => path.relative(root, f);
  const testedSet = new Set(tested);
  const warnings: string[] = [];
  const kept: TestSpec[] = [];
  for (const s of specs) {
    if (!testedSet.has(s.pipe)) {
      if (!s.ignore) {
        warnings.push(`Test spec '${rel(s.specFile)}' references a non-existing output pipe '${s.pipe}' - removing '${rel(s.specFile)}'..`);
        fs.rmSync(s.specFile, { force: true });
        continue;
      }
      warnings.push(`Test spec '${rel(s.specFile)}' references a non-existing output pipe '${s.pipe}' but is marked as 'ignore' - consider removing '${rel(s.specFile)}'..`);
    }
    if (s.ignore && fs.existsSync(s.file)) fs.rmSync(s.file);
    kept.push(s);
  }
  const byPipe = group(kept);
  for (const pipe of tested) {
    if (byPipe.has(pipe)) continue;
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
  return { name: pipe, pipe, file: path.join(root, 'expected', `${pipe}.json`), endpoint: 'json', stage: 'sink', blacklist: [], ignore: false, ignoreDeletes: true, fieldsToSortBy: ['_id'], specFile };
}
