/**
 * The effective shape of each pipe for graph checks and code generation: which components it
 * has (with the documented defaults filled in), which datasets it reads and writes, which
 * systems it uses, and its DTL transforms.
 */
import type { JsonObject, JsonString, JsonValue } from '../syntax/tree.js';
import { member } from '../syntax/nav.js';
import type { ConfigEntity } from './load.js';

export type Role = 'source' | 'sink' | 'transform';

export interface DatasetRef {
  readonly dataset: string;
  /** The string node naming it (for ranges); for implicit references, the pipe's _id node. */
  readonly node: JsonValue;
  readonly via: 'source' | 'hops' | 'lookup';
}

export interface SystemRef {
  readonly system: string;
  readonly node: JsonString;
  readonly role: Role;
  readonly componentType: string;
}

export interface PipeModel {
  readonly entity: ConfigEntity;
  readonly id: string;
  readonly source: JsonObject | undefined;
  /** Effective source type ('dataset' for a pipe without source whose sink is an endpoint). */
  readonly sourceType: string | undefined;
  readonly sink: JsonObject | undefined;
  /** Effective sink type: 'dataset' when there is no sink or it has no type. */
  readonly sinkType: string;
  readonly transforms: JsonObject[];
  /** The dataset this pipe writes, when its sink is a dataset sink. */
  readonly output: { readonly dataset: string; readonly node: JsonValue } | undefined;
  readonly reads: DatasetRef[];
  readonly systems: SystemRef[];
}

const DATASET_SINKS = new Set(['dataset', 'replicated_dataset']);

export function pipeModel(entity: ConfigEntity): PipeModel {
  const node = entity.node;
  const id = entity.id ?? '';
  const sourceNode = member(node, 'source')?.value;
  const sinkNode = member(node, 'sink')?.value;
  const source = sourceNode?.kind === 'object' ? sourceNode : undefined;
  const sink = sinkNode?.kind === 'object' ? sinkNode : undefined;
  const sinkTypeNode = sink ? member(sink, 'type')?.value : undefined;
  const sinkType = sinkTypeNode?.kind === 'string' ? sinkTypeNode.value : 'dataset';
  const transforms = flattenTransforms(member(node, 'transform')?.value);

  const reads: DatasetRef[] = [];
  const systems: SystemRef[] = [];
  const idNode: JsonValue = entity.idNode ?? node;
  let sourceType: string | undefined;
  const shortConfig = member(node, 'short_config')?.value;
  if (source) {
    sourceType = typeOf(source);
    collectSource(source, reads, systems);
  } else if (shortConfig?.kind === 'string') {
    // Deprecated short-hand: "sql://<system>/<table>" stands for a sql source.
    const m = /^([a-z_]+):\/\/([^/]+)\/(.+)$/.exec(shortConfig.value);
    sourceType = m ? m[1] : undefined;
    if (m) systems.push({ system: m[2]!, node: shortConfig, role: 'source', componentType: m[1]! });
  } else if (sinkType.endsWith('_endpoint')) {
    // A publishing pipe without a source reads the dataset named after it (docs: http_endpoint sink).
    sourceType = 'dataset';
    reads.push({ dataset: id, node: idNode, via: 'source' });
  }
  let output: PipeModel['output'];
  if (DATASET_SINKS.has(sinkType)) {
    const ds = sink ? member(sink, 'dataset')?.value : undefined;
    output = ds?.kind === 'string' ? { dataset: ds.value, node: ds } : { dataset: id, node: idNode };
  }
  if (sink) collectSystems(sink, 'sink', systems);
  for (const t of reachableTransforms(transforms)) collectSystems(t, 'transform', systems);
  return { entity, id, source, sourceType, sink, sinkType, transforms, output, reads, systems };
}

/** A pipe's transforms in order; `chained` transforms are opened up. */
export function flattenTransforms(v: JsonValue | undefined, out: JsonObject[] = []): JsonObject[] {
  if (!v) return out;
  const list = v.kind === 'array' ? v.items : [v];
  for (const t of list) {
    if (t.kind !== 'object') continue;
    if (typeOf(t) === 'chained') flattenTransforms(member(t, 'transforms')?.value, out);
    else out.push(t);
  }
  return out;
}

/**
 * Every transform a pipe may run, for checking: chained transforms opened up, and each
 * alternative of a conditional transform (an object or a list, possibly chained) in turn.
 */
export function reachableTransforms(transforms: readonly JsonObject[], out: JsonObject[] = []): JsonObject[] {
  for (const t of transforms) {
    if (typeOf(t) !== 'conditional') {
      out.push(t);
      continue;
    }
    const alts = member(t, 'alternatives')?.value;
    if (alts?.kind === 'object') for (const m of alts.members) reachableTransforms(flattenTransforms(m.value), out);
  }
  return out;
}

function typeOf(o: JsonObject): string | undefined {
  const t = member(o, 'type')?.value;
  return t?.kind === 'string' ? t.value : undefined;
}

function collectSource(source: JsonObject, reads: DatasetRef[], systems: SystemRef[]): void {
  const type = typeOf(source);
  if (type === 'conditional') {
    for (const alt of alternatives(source)) collectSource(alt, reads, systems);
    return;
  }
  if (type === 'dataset') {
    const ds = member(source, 'dataset')?.value;
    if (ds?.kind === 'string') reads.push({ dataset: ds.value, node: ds, via: 'source' });
  }
  if (type === 'union_datasets' || type === 'merge_datasets' || type === 'merge' || type === 'diff_datasets') {
    const list = member(source, 'datasets')?.value;
    if (list?.kind === 'array') {
      for (const d of list.items) {
        if (d.kind !== 'string') continue;
        // merge sources use the hops syntax "<dataset> <alias>".
        const dataset = type === 'merge' ? d.value.trim().split(/\s+/)[0]! : d.value;
        if (dataset) reads.push({ dataset, node: d, via: 'source' });
      }
    }
  }
  collectSystems(source, 'source', systems);
}

function collectSystems(component: JsonObject, role: Role, out: SystemRef[]): void {
  const type = typeOf(component) ?? (role === 'sink' ? 'dataset' : '');
  if (type === 'conditional') {
    for (const alt of alternatives(component)) collectSystems(alt, role, out);
    return;
  }
  const sys = member(component, 'system')?.value;
  if (sys?.kind === 'string') out.push({ system: sys.value, node: sys, role, componentType: type });
}

/** The alternatives of a conditional component (a transform alternative may be a list). */
export function alternatives(component: JsonObject): JsonObject[] {
  const alts = member(component, 'alternatives')?.value;
  const out: JsonObject[] = [];
  if (alts?.kind !== 'object') return out;
  for (const m of alts.members) {
    if (m.value?.kind === 'object') out.push(m.value);
    else if (m.value?.kind === 'array') for (const t of m.value.items) if (t.kind === 'object') out.push(t);
  }
  return out;
}

const URL_SYSTEMS = ['system:url', 'system:microservice', 'system:rest'];
const SQL_SYSTEMS = ['system:postgresql', 'system:mysql', 'system:sqlserver', 'system:mssql-azure-dw', 'system:mssql', 'system:oracle', 'system:oracle_tns'];
/** Which system types a component type can use (docs: each source/sink/transform page). */
const COMPATIBLE_SYSTEMS: Readonly<Record<string, readonly string[]>> = {
  'source:json': URL_SYSTEMS,
  'source:csv': URL_SYSTEMS,
  'source:rdf': URL_SYSTEMS,
  'source:sdshare': URL_SYSTEMS,
  'source:sparql': URL_SYSTEMS,
  'source:binary': URL_SYSTEMS,
  'source:rest': ['system:rest'],
  'source:sql': SQL_SYSTEMS,
  'source:ldap': ['system:ldap'],
  'source:kafka': ['system:kafka'],
  'sink:json': URL_SYSTEMS,
  'sink:sparql': URL_SYSTEMS,
  'sink:sdshare': URL_SYSTEMS,
  'sink:rest': ['system:rest'],
  'sink:sql': SQL_SYSTEMS,
  'sink:mail': ['system:smtp'],
  'sink:sms': ['system:twilio'],
  'sink:elasticsearch': ['system:elasticsearch'],
  'sink:solr': ['system:solr'],
  'sink:kafka': ['system:kafka'],
  'transform:http': URL_SYSTEMS,
  'transform:json_schema': URL_SYSTEMS,
  'transform:rest': ['system:rest'],
};

export function compatibleSystemTypes(role: Role, componentType: string): readonly string[] | undefined {
  return COMPATIBLE_SYSTEMS[`${role}:${componentType}`];
}
