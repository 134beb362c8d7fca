/**
 * Evaluating DTL in this process: one expression or a whole rules object against a source
 * entity, compiled exactly as `dtl build` compiles pipes and run on the same runtime library.
 * The conformance suite runs every documented example through this.
 */
import { runtimeModuleUrl } from '../paths.js';
import { HopsExecutor, sortInHopsOrder, type HopsData } from '@dtl/runtime/engine/hops';
import { DISCARD, Filtered } from '@dtl/runtime/compiled/index';
import type { PipeModule } from '@dtl/runtime/engine/compiled-pipe';
import type { FnContext } from '@dtl/runtime/functions/types';
import { intersects } from '@dtl/runtime/compiled/index';
import { STORED, parseJson } from '@dtl/runtime/values/json';
import { DateTime, isDict, type Entity, type Value } from '@dtl/runtime/values/types';
import type { Diagnostic } from '../diagnostics.js';
import { elaborateDtl } from '../dtl/elaborate.js';
import { parseJson as parseSyntax } from '../syntax/parser.js';
import { ConstantPool } from '../codegen/constants.js';
import { DtlCompiler } from '../codegen/compile-dtl.js';
import { renderModule } from '../codegen/module.js';

/** Inputs are JSON texts, so number literals keep their exact form (`1.0` is a float). */
export interface EvalInput {
  /** One expression: evaluated as the value of `["add", "result", EXPR]`. */
  readonly expr?: string;
  /** Or a whole `rules` object. */
  readonly rules?: string;
  /** The source entity as transit-encoded JSON (default `{"_id": "1"}`). */
  readonly source?: string;
  /** Datasets for hops: a JSON object of dataset id → entities (transit-encoded). */
  readonly hops?: string;
  readonly env?: { readonly namespaced_identifiers?: boolean; readonly pipe?: string; readonly namespaces?: { identity?: string; property?: string }; readonly id_required?: boolean };
  /** Fixed clock for `now` (nanoseconds since the epoch). */
  readonly nowNs?: bigint;
  /** Fold constant calls at compile time (default true); off runs every call in the runtime. */
  readonly fold?: boolean;
}

export type EvalResult =
  | { readonly ok: true; readonly value: Value; readonly emitted: Entity[] }
  | { readonly ok: false; readonly diagnostics: Diagnostic[]; readonly error?: string };

const RUNTIME = runtimeModuleUrl('compiled/index.js');

export async function evaluateDtl(input: EvalInput): Promise<EvalResult> {
  // With namespaced identifiers an unqualified name would get the property namespace.
  const resultKey = input.env?.namespaced_identifiers === true ? '::result' : 'result';
  const rules = input.rules ?? `{"default": [["add", "${resultKey}", ${input.expr ?? 'null'}]]}`;
  const text = `{"type": "dtl"${input.env?.id_required === false ? ', "id_required": false' : ''}, "rules": ${rules}}`;
  const tree = parseSyntax(text);
  if (!tree.root || tree.root.kind !== 'object') return { ok: false, diagnostics: [], error: 'not an object' };
  const el = elaborateDtl(tree.root, '<eval>');
  const errors = el.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0 || !el.program) return { ok: false, diagnostics: el.diagnostics };
  const env = input.env ?? {};
  const pipeId = env.pipe ?? 'eval';
  const namespaced = env.namespaced_identifiers === true;
  const consts = new ConstantPool();
  const compiler = new DtlCompiler(el.program, { prefix: 't0_', namespaced, sourceDataset: undefined, fold: input.fold }, consts);
  const out = compiler.compile();
  const code = renderModule({ header: '// dtl eval', id: pipeId, runtimeImport: RUNTIME, declarations: consts.declarations, rules: [out.declarations], transforms: [out.transform], dependencies: [] });
  const mod = (await import('data:text/javascript;charset=utf-8,' + encodeURIComponent(code))) as PipeModule;
  const datasets = new Map<string, Entity[]>();
  const hopsData = input.hops ? parseJson(input.hops, STORED) : {};
  if (isDict(hopsData)) for (const [id, list] of Object.entries(hopsData)) datasets.set(id, (Array.isArray(list) ? list : []).filter(isDict));
  const data: HopsData = {
    lookup(dataset, _index, inner, keys) {
      return sortInHopsOrder((datasets.get(dataset) ?? []).filter((e) => e['_deleted'] !== true && intersects(inner(e), keys as Value[])));
    },
  };
  const source = parseJson(input.source ?? '{"_id": "1"}', STORED);
  const cx: FnContext = {
    pipeId,
    namespaced,
    identityNamespace: env.namespaces?.identity ?? pipeId,
    propertyNamespace: env.namespaces?.property ?? pipeId,
    namespaceMap: { _: 'http://example.org/' },
    now: () => (input.nowNs !== undefined ? new DateTime(input.nowNs) : DateTime.fromMillis(Date.now())),
    lookupEntity: (dataset, id) => (datasets.get(dataset) ?? []).find((e) => e['_id'] === id && e['_deleted'] !== true) ?? null,
    previousSource: () => undefined,
    completeness: () => null,
    secret: () => undefined,
  };
  const created: Value[] = [];
  let r: unknown;
  try {
    // Instantiating looks up the runtime's functions: one it lacks fails here, not only when called.
    const instance = mod.default({ cx, H: new HopsExecutor(data) });
    r = instance.transforms[0]!.apply(source, created);
  } catch (e) {
    return { ok: false, diagnostics: [], error: e instanceof Error ? e.message : String(e) };
  }
  const emitted: Entity[] = [];
  if (r instanceof Filtered) emitted.push({ ...r.target, _filtered: true });
  else if (r !== DISCARD && isDict(r)) emitted.push(r);
  for (const c of created) if (isDict(c)) emitted.push(c);
  const value = input.rules === undefined && isDict(r) ? (r['result'] ?? null) : null;
  return { ok: true, value, emitted };
}
