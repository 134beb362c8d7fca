/**
 * A pipe's compiled module, instantiated: the transform chain applied to one entity at a time,
 * with trigger_on, id_required, create, filter/discard, emit_children and the namespace
 * pre/post-processing the docs describe.
 */
import { DISCARD, DtlFailure, Filtered } from '../compiled/index.js';
import { compilePattern, matches, type Pattern } from '../functions/transforms.js';
import { XmlShapeError, entityXml, xmlOptions } from './xml.js';
import { SchemaError, hasSchemaUrl, jsonSchemaTransform, type SchemaTransform } from './json-schema.js';
import type { FnContext } from '../functions/types.js';
import { step } from '../values/path.js';
import { Typed, isDict, setProp, type Dict, type Entity, type Value } from '../values/types.js';
import { NI } from '../values/types.js';
import type { CompiledHopsSpec, HopsExecutor } from './hops.js';
import type { ManifestPipe, ManifestTransform } from './manifest.js';
import { FILTERED_KEY } from '../store/record.js';

export interface CompiledTransform {
  readonly type: 'dtl';
  readonly idRequired: boolean;
  readonly triggerOn?: { key: string; pattern: Pattern };
  apply(entity: Value, created: Value[]): unknown;
}

export interface CompiledDependencyStep {
  readonly keys: (e: Entity) => Value;
  readonly dataset: string;
  readonly byId: boolean;
  readonly index: string;
  readonly inner: (e: Entity) => Value;
}

export interface CompiledDependency {
  readonly dataset: string;
  readonly steps: readonly CompiledDependencyStep[];
  /**
   * For a recursive hops: a changed entity deeper than the first level is reached from the
   * spec's results one level up (`first`), those from theirs (`repeat`, at most `max` - 2 times,
   * or to a fixpoint without max depth), and the source from any of them (`then`).
   */
  readonly recursive?: {
    readonly first: readonly CompiledDependencyStep[];
    readonly repeat: readonly CompiledDependencyStep[];
    readonly then: readonly CompiledDependencyStep[];
    readonly max: number | null;
  };
}

export interface PipeInstance {
  readonly transforms: readonly CompiledTransform[];
  readonly dependencies: readonly CompiledDependency[];
  setRequestParams(params: Value): void;
}

export interface PipeModule {
  readonly id: string;
  readonly default: (env: { cx: FnContext; H: { hops(specs: CompiledHopsSpec[], input: Value, c: unknown): Value[] } }) => PipeInstance;
}

export class PipeFailure extends Error {
  constructor(message: string, readonly tripped = false) {
    super(message);
  }
}

/** Marks an output entity as a `filter` tombstone for the dataset sink. */
export { FILTERED_KEY };

export class TransformChain {
  readonly instance: PipeInstance;

  constructor(
    private readonly pipe: ManifestPipe,
    module: PipeModule,
    cx: FnContext,
    hops: HopsExecutor,
    /** Validators of the json_schema transforms with schema_url, from schemas fetched for this chain (schema-url.ts). */
    private readonly fetchedSchemas?: ReadonlyMap<ManifestTransform, SchemaTransform>,
  ) {
    this.instance = module.default({ cx, H: hops });
  }

  /** Source entity → the entities the pipe emits (targets, created entities, tombstones). */
  run(source: Entity): Entity[] {
    const ns = this.pipe.namespaces;
    let batch: Entity[] = [ns.add ? addNamespaces(source, ns.identity, ns.property) : source];
    for (const t of this.pipe.transforms) {
      if (t.type === 'emit_children') {
        batch = batch.flatMap(emitChildren);
        continue;
      }
      if (t.type === 'xml' || t.type === 'json_schema') {
        const apply = this.entityStep(t);
        batch = batch.map((e) => (e[FILTERED_KEY] === true ? e : apply(e)));
        continue;
      }
      const compiled = this.instance.transforms[t.compiled!]!;
      const next: Entity[] = [];
      for (const e of batch) {
        if (e[FILTERED_KEY] === true) {
          next.push(e);
          continue;
        }
        this.applyDtl(compiled, e, next);
      }
      batch = next;
    }
    if (ns.remove) batch = batch.map(stripNamespaces);
    for (const e of batch) {
      // DTL targets were checked (id_required); what passed through without DTL was not.
      if (typeof e['_id'] !== 'string') throw new PipeFailure(`Pipe '${this.pipe.id}': a source entity without an "_id" reaches the sink, and no dtl transform gives it one (add ["add", "_id", …]).`);
    }
    return batch;
  }

  /** The xml and json_schema transforms, prepared once per chain (options, validator, trigger). */
  private readonly steps = new Map<ManifestTransform, (e: Entity) => Entity>();

  private entityStep(t: ManifestTransform): (e: Entity) => Entity {
    let step = this.steps.get(t);
    if (step === undefined) {
      const apply = t.type === 'xml' ? this.xmlTransform(t.config) : this.schemaTransform(t);
      const trigger = triggerOf(t.config);
      step = trigger === undefined ? apply : (e) => (trigger(e) ? apply(e) : e);
      this.steps.set(t, step);
    }
    return step;
  }

  /** A json_schema transform's validator (see json-schema.ts); with schema_url, the one built from the fetched schema. */
  private schemaTransform(t: ManifestTransform): (e: Entity) => Entity {
    try {
      const v = hasSchemaUrl(t.config) ? this.fetchedSchemas?.get(t) : jsonSchemaTransform(t.config);
      if (v === undefined) throw new SchemaError("the json_schema transform's schema_url was not fetched before entities reached it");
      return (e) => v.apply(e);
    } catch (err) {
      if (err instanceof SchemaError) throw new PipeFailure(`Pipe '${this.pipe.id}': ${err.message}.`);
      throw err;
    }
  }

  /** The xml transform: the entity rendered as XML (see xml.ts) into its `xml-property`. */
  private xmlTransform(config: Readonly<Record<string, unknown>>): (e: Entity) => Entity {
    const options = xmlOptions(config);
    const property = String(config['xml-property']);
    return (e) => {
      if (options.skipDeleted && e['_deleted'] === true) return e;
      let text: string;
      try {
        text = entityXml(e, options);
      } catch (err) {
        if (err instanceof XmlShapeError) throw new PipeFailure(`Pipe '${this.pipe.id}': the xml transform cannot render ${err.message}.`);
        throw err;
      }
      const out: Dict = { ...e };
      setProp(out, property, text);
      return out;
    };
  }

  private applyDtl(t: CompiledTransform, e: Entity, out: Entity[]): void {
    if (t.triggerOn) {
      const v = step(e, t.triggerOn.key);
      const hit = (Array.isArray(v) ? v : [v]).some((x) => typeof x === 'string' && matches(t.triggerOn!.pattern, x, undefined));
      if (!hit) {
        out.push(e);
        return;
      }
    }
    const created: Value[] = [];
    let r: unknown;
    try {
      r = t.apply(e, created);
    } catch (err) {
      if (err instanceof DtlFailure) throw new PipeFailure(`Pipe '${this.pipe.id}' stopped by ${err.trip ? 'trip!' : 'fail!'} on entity ${describeId(e)}: ${err.message}`, err.trip);
      throw new PipeFailure(`Pipe '${this.pipe.id}' failed on entity ${describeId(e)}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (r instanceof Filtered) {
      const id = Object.prototype.hasOwnProperty.call(r.target, '_id') ? r.target['_id'] : e['_id'];
      if (typeof id === 'string') out.push({ ...r.target, _id: id, [FILTERED_KEY]: true });
    } else if (r !== DISCARD) {
      // The seed's tutorial DTL never sets _id yet its output keeps the source's: a target
      // without _id takes the source entity's _id (a non-string _id still fails id_required).
      if (isDict(r) && !Object.prototype.hasOwnProperty.call(r, '_id') && typeof e['_id'] === 'string') (r as Dict)['_id'] = e['_id'];
      this.checkId(t, r as Value, e, 'target entity', out);
    }
    for (const c of created) this.checkId(t, c, e, 'entity given to create', out);
  }

  private checkId(t: CompiledTransform, v: Value, source: Entity, what: string, out: Entity[]): void {
    if (isDict(v) && typeof v['_id'] === 'string') {
      out.push(v);
      return;
    }
    if (t.idRequired) {
      throw new PipeFailure(`Pipe '${this.pipe.id}': the ${what} made from source entity ${describeId(source)} has no string _id (set one with ["copy", "_id"] or ["add", "_id", …], or set "id_required": false to drop such entities).`);
    }
  }
}

/**
 * trigger_on of the xml and json_schema transforms: the transform applies only when the
 * value at `key` (default `_trigger`, a path) matches `value` (`*` wildcards); else the entity
 * passes through unchanged. Undefined without a trigger.
 */
function triggerOf(config: Readonly<Record<string, unknown>>): ((e: Entity) => boolean) | undefined {
  const trigger = config.trigger_on;
  if (!isDict(trigger as Value) || typeof (trigger as Dict).value !== 'string') return undefined;
  const key = typeof (trigger as Dict).key === 'string' ? ((trigger as Dict).key as string) : '_trigger';
  const pattern = compilePattern((trigger as Dict).value as string);
  return (e) => {
    const v = step(e, key);
    return (Array.isArray(v) ? v : [v]).some((x) => typeof x === 'string' && matches(pattern, x, undefined));
  };
}

function describeId(e: Entity): string {
  return typeof e['_id'] === 'string' ? JSON.stringify(e['_id']) : '(without _id)';
}

function emitChildren(e: Entity): Entity[] {
  const children = e['$children'];
  const list = Array.isArray(children) ? children : children ? [children] : [];
  return list.filter((c): c is Dict => isDict(c) && typeof c['_id'] === 'string');
}

/** add_namespaces: `_id` gets the identity namespace, other keys (not `_`/`$`) the property one. */
export function addNamespaces(e: Entity, identity: string, property: string): Entity {
  const out: Dict = {};
  for (const k in e) {
    const v = e[k]!;
    if (k === '_id' && typeof v === 'string') out[k] = v.includes(':') ? v : `${identity}:${v}`;
    else if (k.startsWith('_') || k.startsWith('$') || k.includes(':')) setProp(out, k, v);
    else setProp(out, `${property}:${k}`, nsValue(v, property));
  }
  return out;
}

function nsValue(v: Value, property: string): Value {
  if (Array.isArray(v)) return v.map((x) => nsValue(x, property));
  if (isDict(v)) {
    const out: Dict = {};
    for (const k in v) setProp(out, k.startsWith('_') || k.startsWith('$') || k.includes(':') ? k : `${property}:${k}`, nsValue(v[k]!, property));
    return out;
  }
  return v;
}

/** remove_namespaces: strip prefixes from keys, from `_id` and from NI values (new objects). */
export function stripNamespaces(e: Entity): Entity {
  return stripValue(e, true) as Entity;
}

function stripName(k: string): string {
  const i = k.lastIndexOf(':');
  return i < 0 ? k : k.slice(i + 1);
}

function stripValue(v: Value, root: boolean): Value {
  if (Array.isArray(v)) return v.map((x) => stripValue(x, false));
  if (v instanceof NI) return new NI(v.id);
  if (v instanceof Typed || !isDict(v)) return v;
  const out: Dict = {};
  for (const k in v) {
    const x = v[k]!;
    if (root && k === '_id' && typeof x === 'string') out[k] = x.includes(':') ? x.slice(x.indexOf(':') + 1) : x;
    else setProp(out, k.startsWith('_') ? k : stripName(k), stripValue(x, false));
  }
  return out;
}
