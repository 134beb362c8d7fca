/**
 * The effective config of a pipe, as the runtime needs it: conditional components resolved
 * from the env, $ENV references substituted, documented defaults filled in, embedded data
 * converted with exact numbers. Components the local runtime cannot run are build errors.
 */
import { EXTERNAL, writeJson } from '@dtl/runtime/values/json';
import type { Value } from '@dtl/runtime/values/types';
import { CANNOT_WRITE, canDecode, canEncode, pythonCodec } from '@dtl/runtime/engine/text-codecs';
import { retrySettings } from '@dtl/runtime/engine/retry';
import type {
  ManifestPump,
  ManifestSink,
  ManifestSource,
  ManifestSystem,
  ManifestTransform,
} from '@dtl/runtime/engine/manifest';
import { substituteEnvDeep, type EnvVars } from '../config/env.js';
import type { JsonObject, JsonValue, Range } from '../syntax/tree.js';
import { member, toPlain } from '../syntax/nav.js';
import { treeValue } from '../syntax/tree-value.js';

export class BuildError extends Error {
  constructor(message: string, readonly file: string, readonly range: Range) {
    super(message);
  }
}

export const LOCAL_SOURCES = ['dataset', 'embedded', 'empty', 'json', 'csv', 'http_endpoint', 'union_datasets', 'merge_datasets'];
export const LOCAL_SINKS = ['dataset', 'null', 'json', 'csv_endpoint', 'xml_endpoint', 'http_endpoint'];
export const LOCAL_TRANSFORMS = ['dtl', 'emit_children', 'xml', 'json_schema'];

const NS_SOURCES = new Set(['csv', 'kafka', 'ldap', 'sql', 'embedded', 'http_endpoint', 'json']);
const NS_SINKS = new Set(['csv_endpoint', 'elasticsearch', 'mail', 'rest', 'sms', 'solr', 'kafka', 'sql', 'http_endpoint', 'json']);

export interface ResolveContext {
  readonly pipeId: string;
  readonly file: string;
  readonly env: EnvVars | undefined;
  /** The project's systems: id → type (`system:url`, …). */
  readonly systemTypes?: ReadonlyMap<string, string>;
}

/** Component types that reach their system over HTTP by url_pattern/base_url. */
const URL_COMPONENTS = new Set(['json', 'csv']);

/** A JSON subtree as a value with exact numbers (a fraction is a decimal) and transit decoding. */
export function treeToValue(node: JsonValue | undefined): Value {
  return node ? treeValue(node, EXTERNAL, true) : null;
}

/** Picks the alternative of a conditional component from the env (resolved at load time in Sesam). */
export function resolveConditional(node: JsonObject, what: string, cx: ResolveContext): JsonObject | JsonValue {
  const type = member(node, 'type')?.value;
  if (type?.kind !== 'string' || type.value !== 'conditional') return node;
  const condition = member(node, 'condition')?.value;
  const alternatives = member(node, 'alternatives')?.value;
  if (condition?.kind !== 'string' || alternatives?.kind !== 'object') {
    throw new BuildError(`The conditional ${what} of pipe '${cx.pipeId}' needs "condition" and "alternatives".`, cx.file, node.range);
  }
  const resolved = cx.env ? substituteEnvDeep(condition.value, cx.env) : condition.value;
  if (typeof resolved === 'string' && resolved.includes('$ENV(')) {
    throw new BuildError(`The conditional ${what} of pipe '${cx.pipeId}' depends on ${condition.value}; pass an env file (--env FILE) that defines it.`, cx.file, condition.range);
  }
  const key = typeof resolved === 'string' ? resolved : JSON.stringify(resolved);
  const alt = member(alternatives, key)?.value;
  if (!alt) {
    const keys = alternatives.members.map((m) => `'${m.key.value}'`).join(', ');
    throw new BuildError(`The conditional ${what} of pipe '${cx.pipeId}' has no alternative '${key}' (${condition.value}); alternatives: ${keys}.`, cx.file, condition.range);
  }
  if (alt.kind === 'object') return resolveConditional(alt, what, cx);
  return alt;
}

function plain(node: JsonValue | undefined, cx: ResolveContext): Record<string, unknown> {
  const data = toPlain(node);
  const out = cx.env ? substituteEnvDeep(data, cx.env) : data;
  return (out && typeof out === 'object' && !Array.isArray(out) ? out : {}) as Record<string, unknown>;
}

/** A pipe's source or sink, resolved and checked against what the local runtime runs. */
function localComponent(node: JsonObject, role: 'source' | 'sink', runs: readonly string[], defaultType: string, cx: ResolveContext): { resolved: JsonObject; config: Record<string, unknown>; type: string } {
  const resolved = resolveConditional(node, role, cx);
  if (resolved.kind !== 'object') throw new BuildError(`The ${role} of pipe '${cx.pipeId}' must be an object.`, cx.file, resolved.range);
  const config = plain(resolved, cx);
  const type = typeof config.type === 'string' ? config.type : defaultType;
  if (!runs.includes(type)) {
    throw new BuildError(`Pipe '${cx.pipeId}': the ${type || 'untyped'} ${role} cannot run on the local runtime (it runs ${runs.join(', ')}).`, cx.file, (member(resolved, 'type')?.value ?? resolved).range);
  }
  const system = config.system;
  const systemType = typeof system === 'string' ? cx.systemTypes?.get(system) : undefined;
  if (URL_COMPONENTS.has(type) && systemType !== undefined && systemType !== 'system:url') {
    // A microservice system is a container Sesam starts; locally nothing is listening.
    throw new BuildError(
      `Pipe '${cx.pipeId}': the ${type} ${role} uses system '${String(system)}', a ${systemType}, which the local runtime cannot start; point a system:url at a running service instead.`,
      cx.file,
      (member(resolved, 'system')?.value ?? resolved).range,
    );
  }
  return { resolved, config, type };
}

/**
 * A transform the runtime runs from its config (xml, json_schema, emit_children): the config
 * with $ENV substituted. A json_schema transform's schema is fetched from schema_url through
 * its system as a json source reads (runtime schema-url.ts), so that system must be a system:url.
 */
export function effectiveTransform(node: JsonObject, type: string, cx: ResolveContext): ManifestTransform {
  const config = plain(node, cx);
  const system = config.system;
  const systemType = typeof system === 'string' ? cx.systemTypes?.get(system) : undefined;
  if (type === 'json_schema' && config.schema_url !== undefined && systemType !== undefined && systemType !== 'system:url') {
    throw new BuildError(
      `Pipe '${cx.pipeId}': the json_schema transform fetches its schema_url through system '${String(system)}', a ${systemType}; the local runtime fetches it through a system:url only.`,
      cx.file,
      (member(node, 'system')?.value ?? node).range,
    );
  }
  return { type, config };
}

export function effectiveSource(node: JsonObject | undefined, cx: ResolveContext): ManifestSource {
  if (!node) return { type: 'dataset', dataset: cx.pipeId, config: {} };
  const { resolved, config, type } = localComponent(node, 'source', LOCAL_SOURCES, '', cx);
  checkEncodings(resolved, config, type, 'source', cx);
  const src: ManifestSource = { type, config };
  if (type === 'dataset') return { ...src, dataset: String(config.dataset) };
  if (type === 'embedded') {
    const entities = member(resolved, 'entities')?.value;
    return { ...src, config: { ...config, entities: undefined }, embedded: writeJson(treeToValue(entities)) };
  }
  return src;
}

/**
 * Text encodings the runtime must know: a csv source's `encoding` (Python codecs, or what
 * TextDecoder reads) and a csv_endpoint sink's `encoding` (the schema checks `encode_error_strategy`).
 */
function checkEncodings(resolved: JsonObject, config: Record<string, unknown>, type: string, role: 'source' | 'sink', cx: ResolveContext): void {
  const at = (key: string): Range => (member(resolved, key)?.value ?? resolved).range;
  const name = config.encoding;
  if (type === 'csv' && role === 'source' && name !== undefined) {
    if (typeof name !== 'string' || !canDecode(name)) throw new BuildError(`Pipe '${cx.pipeId}': the csv source's encoding ${JSON.stringify(name)} is not an encoding the local runtime can read.`, cx.file, at('encoding'));
  }
  if (type === 'csv_endpoint' && role === 'sink') {
    if (name !== undefined && name !== null) {
      const codec = typeof name === 'string' ? pythonCodec(name) : undefined;
      if (codec === undefined || !canEncode(codec)) {
        throw new BuildError(
          `Pipe '${cx.pipeId}': the csv_endpoint sink's encoding ${JSON.stringify(name)} ${CANNOT_WRITE}.`,
          cx.file,
          at('encoding'),
        );
      }
    }
  }
}

export function effectiveSink(node: JsonObject | undefined, cx: ResolveContext): ManifestSink {
  if (!node) return { type: 'dataset', dataset: cx.pipeId, config: {} };
  const { config, type, resolved } = localComponent(node, 'sink', LOCAL_SINKS, 'dataset', cx);
  checkEncodings(resolved, config, type, 'sink', cx);
  if (type === 'dataset') return { type, dataset: typeof config.dataset === 'string' ? config.dataset : cx.pipeId, config };
  return { type, config };
}

export function effectivePump(pipe: JsonObject, source: ManifestSource, sink: ManifestSink, cx: ResolveContext): ManifestPump {
  const config = plain(member(pipe, 'pump')?.value, cx);
  const interval = typeof config.schedule_interval === 'number' ? config.schedule_interval : undefined;
  const cron = typeof config.cron_expression === 'string' ? config.cron_expression : undefined;
  const mode = config.mode === 'manual' || config.mode === 'off' ? config.mode : 'scheduled';
  // Documented default: 30 s between dataset pipes, 900 s otherwise.
  const dflt = source.type === 'dataset' && sink.type === 'dataset' ? 30 : 900;
  const pump: ManifestPump = { mode, interval: cron ? undefined : interval ?? dflt, cron, runAtStartup: config.run_at_startup === true };
  // Only retry properties the pump sets: the others come from the system's retry_strategy.
  const retry = retrySettings(config);
  return Object.keys(retry).length > 0 ? { ...pump, retry } : pump;
}

export function namespaceSettings(pipe: JsonObject, metadata: JsonObject | undefined, source: ManifestSource, sink: ManifestSink, pipeId: string): {
  namespaced: boolean;
  identity: string;
  property: string;
  add: boolean;
  remove: boolean;
} {
  const bool = (o: JsonObject | undefined, k: string): boolean | undefined => {
    const v = o ? member(o, k)?.value : undefined;
    return v?.kind === 'boolean' ? v.value : undefined;
  };
  const namespaced = bool(pipe, 'namespaced_identifiers') ?? bool(metadata, 'namespaced_identifiers') ?? false;
  const nsNode = member(pipe, 'namespaces')?.value;
  const str = (k: string): string | undefined => {
    const v = nsNode?.kind === 'object' ? member(nsNode, k)?.value : undefined;
    return v?.kind === 'string' ? v.value : undefined;
  };
  return {
    namespaced,
    identity: str('identity') ?? pipeId,
    property: str('property') ?? pipeId,
    add: bool(pipe, 'add_namespaces') ?? (namespaced && NS_SOURCES.has(source.type)),
    remove: bool(pipe, 'remove_namespaces') ?? (namespaced && NS_SINKS.has(sink.type)),
  };
}

export function effectiveSystem(node: JsonObject, env: EnvVars | undefined): ManifestSystem {
  const data = toPlain(node);
  const config = (env ? substituteEnvDeep(data, env) : data) as Record<string, unknown>;
  return { id: String(config._id), type: String(config.type), config };
}
