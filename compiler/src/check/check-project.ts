/**
 * Checking a whole project: syntax, entities and schemas, env references, DTL, the dataset
 * graph and systems. The CLI and the language server both call this, so they always agree.
 */
import type { Diagnostic, Severity } from '../diagnostics.js';
import { compareDiagnostics } from '../diagnostics.js';
import { type EnvVars, scanReferences, substituteEnvDeep } from '../config/env.js';
import { validateEntity, type SchemaIssue } from '../config/schemas.js';
import type { DtlProgram } from '../dtl/ir.js';
import { elaborateDtl } from '../dtl/elaborate.js';
import { walkProgram } from '../dtl/walk.js';
import type { ConfigEntity, Project } from '../project/load.js';
import { compatibleSystemTypes, pipeModel, reachableTransforms, type DatasetRef, type PipeModel } from '../project/pipes.js';
import type { JsonObject, JsonValue, Range } from '../syntax/tree.js';
import { atPointer, member, toPlain } from '../syntax/nav.js';
import { RULES, type RuleCode } from './codes.js';
import { buildGraph, type DatasetGraph } from './graph.js';
import { DEFAULT_TOOL_CONFIG, type ToolConfig } from './tool-config.js';
import { didYouMean } from '../util/suggest.js';

export interface CheckOptions {
  readonly env?: EnvVars;
  readonly toolConfig?: ToolConfig;
}

export interface DtlUnit {
  readonly pipe: PipeModel;
  /** The `dtl` transform object. */
  readonly node: JsonObject;
  /** Position in the pipe's transform chain. */
  readonly index: number;
  readonly program: DtlProgram | undefined;
}

export interface CheckedPipe extends PipeModel {
  readonly dtl: DtlUnit[];
  /** Source reads plus hops and lookup-entity reads found in DTL. */
  readonly allReads: DatasetRef[];
}

export interface CheckResult {
  readonly project: Project;
  readonly diagnostics: Diagnostic[];
  readonly pipes: CheckedPipe[];
  readonly systems: ConfigEntity[];
  readonly metadata: ConfigEntity | undefined;
  readonly graph: DatasetGraph;
}

class Reporter {
  readonly out: Diagnostic[] = [];
  report(code: RuleCode, file: string, range: Range, message: string, severity: Severity = RULES[code].severity): void {
    this.out.push({ code, severity, message, file, range });
  }
}

export function checkProject(project: Project, options: CheckOptions = {}): CheckResult {
  const r = new Reporter();
  const toolConfig = options.toolConfig ?? DEFAULT_TOOL_CONFIG;

  for (const file of project.files) {
    for (const p of file.parse.problems) r.report(p.code, file.display, p.range, p.message, p.severity);
  }
  for (const s of project.strayValues) {
    r.report('config-not-an-entity', s.file.display, s.range, 'Every entry of a config file must be an object (a pipe, a system or the node metadata).');
  }

  checkIds(project, r);
  for (const entity of project.entities) {
    checkSchema(entity, r, options.env);
    checkEnvReferences(entity, r, options.env);
  }

  const pipes: CheckedPipe[] = [];
  for (const entity of project.entities) {
    if (entity.kind !== 'pipe' || entity.id === undefined) continue;
    const model = pipeModel(entity);
    if (!model.source && !model.sourceType) {
      r.report('config-missing-source', entity.file.display, (entity.idNode ?? entity.node).range, `Pipe '${model.id}' has no source.`);
    }
    const dtl: DtlUnit[] = [];
    const allReads = [...model.reads];
    const elaborate = (node: JsonObject, index: number): void => {
      const result = elaborateDtl(node, entity.file.display);
      r.out.push(...result.diagnostics);
      dtl.push({ pipe: model, node, index, program: result.program });
      if (result.program) allReads.push(...dtlReads(result.program));
    };
    reachableTransforms(model.transforms).forEach((t, index) => {
      const type = member(t, 'type')?.value;
      if (type?.kind === 'string' && type.value === 'dtl') elaborate(t, index);
    });
    pipes.push({ ...model, dtl, allReads });
  }

  const systems = project.entities.filter((e) => e.kind === 'system' && e.id !== undefined);
  const metadata = project.entities.find((e) => e.kind === 'metadata');
  checkSystems(pipes, systems, r);
  const graph = buildGraph(pipes);
  graph.report(r.out, toolConfig.externalDatasets);

  const diagnostics = applySeverities(r.out, toolConfig).sort(compareDiagnostics);
  return { project, diagnostics, pipes, systems, metadata, graph };
}

function applySeverities(diags: Diagnostic[], config: ToolConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const d of diags) {
    const setting = config.rules[d.code as RuleCode];
    if (setting === 'off') continue;
    out.push(setting ? { ...d, severity: setting } : d);
  }
  return out;
}

// ------------------------------------------------------------------ entities

function checkIds(project: Project, r: Reporter): void {
  const seen = new Map<string, ConfigEntity>();
  for (const e of project.entities) {
    const file = e.file.display;
    if (e.kind === 'metadata') continue;
    if (e.id === undefined) {
      const idValue = member(e.node, '_id')?.value;
      if (!idValue) r.report('config-missing-id', file, headRange(e.node), `This ${e.kind === 'unknown' ? 'entity' : e.kind} has no "_id".`);
      else r.report('config-missing-id', file, idValue.range, '"_id" must be a string.');
      continue;
    }
    if (e.id.includes('/')) r.report('config-invalid-id', file, e.idNode!.range, `"_id" '${e.id}' contains '/', which Sesam does not allow in pipe and system ids.`);
    else if (e.id.trim() === '') r.report('config-invalid-id', file, e.idNode!.range, '"_id" must not be empty.');
    const prev = seen.get(e.id);
    if (prev) {
      r.report('config-duplicate-id', file, e.idNode!.range, `Duplicate _id '${e.id}': already used by the ${prev.kind} at ${prev.file.display}:${prev.idNode!.range.line} (pipes and systems share one id space).`);
    } else seen.set(e.id, e);
    // sesam-py derives ids from file names (pipes/<id>.conf.json); a mismatch confuses download and tests.
    const m = /^(pipes|systems)\/(?:.*\/)?([^/]+)\.conf\.json$/.exec(e.file.rel);
    const single = e.file.parse.root?.kind === 'object';
    if (m && single && m[2] !== e.id) {
      r.report('config-file-name', file, e.idNode!.range, `The file is named '${m[2]}.conf.json' but holds '${e.id}'; sesam-py expects '${m[1]}/${e.id}.conf.json'.`);
    }
  }
}

function checkSchema(entity: ConfigEntity, r: Reporter, env: EnvVars | undefined): void {
  let data = toPlain(entity.node);
  if (env) data = substituteEnvDeep(data, env);
  let issues: SchemaIssue[];
  try {
    issues = validateEntity(data);
  } catch (e) {
    r.report('config-schema', entity.file.display, headRange(entity.node), `Schema validation failed: ${e instanceof Error ? e.message : String(e)}`);
    return;
  }
  for (const issue of issues) {
    const range = issueRange(entity.node, issue);
    const code: RuleCode = issue.onKey && issue.severity === 'warning' ? 'config-unknown-property' : 'config-schema';
    r.report(code, entity.file.display, range, issue.message, issue.severity);
  }
}

function issueRange(root: JsonObject, issue: SchemaIssue): Range {
  if (issue.onKey && issue.property !== undefined) {
    // The pointer may name the property itself or its object; either way point at the key.
    const suffix = '/' + issue.property.replace(/~/g, '~0').replace(/\//g, '~1');
    const parentPointer = issue.pointer.endsWith(suffix) ? issue.pointer.slice(0, -suffix.length) : issue.pointer;
    const parent = atPointer(root, parentPointer);
    if (parent?.node.kind === 'object') {
      const m = member(parent.node, issue.property);
      if (m) return m.key.range;
    }
  }
  const found = atPointer(root, issue.pointer);
  if (!found) return headRange(root);
  if (issue.onKey && issue.property !== undefined && found.node.kind === 'object') {
    const m = member(found.node, issue.property);
    if (m) return m.key.range;
  }
  if (issue.onKey && found.member) return found.member.key.range;
  // A missing property: point at the key that holds the object, or the object's first line.
  if (issue.keyword === 'required' || issue.property !== undefined) {
    if (found.member) return found.member.key.range;
    return headRange(found.node);
  }
  return found.node.range;
}

/** A short range at the start of a node (the `{` of an object), for "something missing here". */
export function headRange(node: JsonValue): Range {
  const r = node.range;
  return { start: r.start, end: r.start + 1, line: r.line, column: r.column, endLine: r.line, endColumn: r.column + 1 };
}

function checkEnvReferences(entity: ConfigEntity, r: Reporter, env: EnvVars | undefined): void {
  const visit = (v: JsonValue | undefined): void => {
    if (!v) return;
    if (v.kind === 'object') for (const m of v.members) visit(m.value);
    else if (v.kind === 'array') for (const i of v.items) visit(i);
    else if (v.kind === 'string' && v.value.includes('$')) {
      const scan = scanReferences(v.value);
      for (const p of scan.problems) r.report('env-malformed-reference', entity.file.display, v.range, p.message);
      if (env) {
        for (const ref of scan.refs) {
          if (ref.kind === 'ENV' && !Object.prototype.hasOwnProperty.call(env, ref.name)) {
            r.report('env-unknown-variable', entity.file.display, v.range, `$ENV(${ref.name}): the env file defines no variable '${ref.name}'.`);
          }
        }
      }
    }
  };
  visit(entity.node);
}

// ------------------------------------------------------------------ DTL reads

function dtlReads(program: DtlProgram): DatasetRef[] {
  const out: DatasetRef[] = [];
  walkProgram(program, {
    hops(spec) {
      for (const d of spec.datasets) out.push({ dataset: d.dataset, node: d.node, via: 'hops' });
    },
    expr(e) {
      if (e.k === 'call' && e.entry.name === 'lookup-entity') {
        const ds = e.args[0]?.expr;
        if (ds?.k === 'lit' && typeof ds.value === 'string') out.push({ dataset: ds.value, node: ds.node, via: 'lookup' });
      }
    },
  });
  return out;
}

// ------------------------------------------------------------------ systems

function checkSystems(pipes: CheckedPipe[], systems: ConfigEntity[], r: Reporter): void {
  const byId = new Map(systems.map((s) => [s.id!, s]));
  const used = new Set<string>();
  for (const p of pipes) {
    for (const ref of p.systems) {
      used.add(ref.system);
      const sys = byId.get(ref.system);
      const file = p.entity.file.display;
      if (!sys) {
        if (!ref.system.includes('$ENV(')) {
          r.report('system-unknown', file, ref.node.range, `Unknown system '${ref.system}'.${suggestSystem(ref.system, byId.keys())}`);
        }
        continue;
      }
      const allowed = compatibleSystemTypes(ref.role, ref.componentType);
      if (allowed && sys.type && !allowed.includes(sys.type)) {
        r.report('system-incompatible', file, ref.node.range, `A ${ref.componentType} ${ref.role} cannot use '${ref.system}', a ${sys.type} system; it needs ${allowed.join(' or ')}.`);
      }
    }
  }
  for (const s of systems) {
    if (!used.has(s.id!)) r.report('system-unused', s.file.display, s.idNode!.range, `System '${s.id}' is not used by any pipe.`);
  }
}

function suggestSystem(name: string, ids: Iterable<string>): string {
  const list = [...ids];
  if (list.length === 0) return ' No systems are defined in this project.';
  const near = didYouMean(name, list);
  if (near) return near;
  // Also a name that contains, or is contained in, a system id (`crm` for `crm-prod`).
  const close = list.filter((x) => x.toLowerCase().includes(name.toLowerCase()) || name.toLowerCase().includes(x.toLowerCase()));
  return close.length > 0 ? ` Did you mean '${close[0]}'?` : '';
}
