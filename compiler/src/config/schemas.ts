/**
 * JSON Schema validation of Sesam configuration entities (pipes, systems and the
 * service metadata entity).
 *
 * The schemas live in `compiler/schemas/*.schema.json` (JSON Schema draft 2020-12)
 * and are compiled once, lazily, with ajv. Ajv's raw errors are collapsed into one
 * {@link SchemaIssue} per real problem with a human readable message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PRECOMPILED_VALIDATORS, SCHEMA_DIR as SCHEMA_DIR_PATH } from '../paths.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { suggest as closest } from '../util/suggest.js';
import { entityKind } from '../project/load.js';

export interface SchemaIssue {
  /** JSON pointer (RFC 6901) to the offending value; for a missing required property, to the object that lacks it. */
  pointer: string;
  /** For unknown/missing properties: the property name. */
  property?: string;
  /** True when the issue is about a property KEY (unknown property) rather than its value. */
  onKey: boolean;
  /** Clear, human message that names the property/type. */
  message: string;
  /** Unknown properties are warnings; everything else is an error. */
  severity: 'error' | 'warning';
  /** The ajv keyword behind the issue. */
  keyword: string;
}

const SCHEMA_BASE = 'https://dtl-toolchain.local/schemas/';
const SCHEMA_DIR = pathToFileURL(SCHEMA_DIR_PATH + path.sep);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
/** A (sub)schema as seen by the message builder. */
interface SchemaNode {
  title?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: SchemaNode | boolean;
  properties?: Record<string, SchemaNode>;
  propertyNames?: SchemaNode;
  pattern?: string;
  errorMessage?: string;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  required?: string[];
  [key: string]: unknown;
}

let rawSchemas: Map<string, JsonObject> | undefined;
let compiled: { validators: Map<string, ValidateFunction>; entityTypes: string[] } | undefined;

/** The schema files, parsed once, keyed by file name without ".schema.json". */
function loadRaw(): Map<string, JsonObject> {
  if (rawSchemas) return rawSchemas;
  const raw = new Map<string, JsonObject>();
  for (const file of readdirSync(fileURLToPath(SCHEMA_DIR)).filter((f) => f.endsWith('.schema.json')).sort()) {
    const schema = JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as JsonObject;
    raw.set(file.slice(0, -'.schema.json'.length), schema);
  }
  rawSchemas = raw;
  return raw;
}

/** The ajv instance every validator is compiled with (also by the ahead-of-time build). */
export function createAjv(extra: { code?: { source?: boolean; esm?: boolean } } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    verbose: true,
    strict: true,
    strictRequired: false,
    strictTypes: false,
    strictTuples: false,
    allowUnionTypes: true,
    useDefaults: false,
    validateFormats: false,
    // Compiling references as separate functions without the optimizer pass keeps
    // the one-time compile well under a second for these large schemas.
    inlineRefs: false,
    code: { optimize: false, ...extra.code },
  });
  // Annotation keyword used by the schemas for readable co-constraint messages
  // (VS Code's JSON support understands it too).
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  for (const schema of loadRaw().values()) ajv.addSchema(schema);
  return ajv;
}

export const ENTITY_SCHEMA_IDS: Readonly<Record<string, string>> = {
  pipe: `${SCHEMA_BASE}pipe.schema.json`,
  system: `${SCHEMA_BASE}system.schema.json`,
  metadata: `${SCHEMA_BASE}metadata.schema.json`,
};

/** Where `npm run build` writes the validators compiled ahead of time (ajv standalone code). */
export const PRECOMPILED = pathToFileURL(PRECOMPILED_VALIDATORS);

let precompiled: Record<string, ValidateFunction> | undefined;

/** Loads the ahead-of-time validators; call once at startup (the CLI does). */
export async function loadPrecompiledValidators(): Promise<boolean> {
  if (precompiled || compiled) return true;
  try {
    precompiled = (await import(PRECOMPILED.href)) as Record<string, ValidateFunction>;
    return true;
  } catch {
    return false;
  }
}

/** The pipe, system and metadata validators: precompiled when available, else compiled once now. */
function loadValidators(): { validators: Map<string, ValidateFunction>; entityTypes: string[] } {
  if (compiled) return compiled;
  const raw = loadRaw();
  const validators = new Map<string, ValidateFunction>();
  if (precompiled) {
    for (const kind of Object.keys(ENTITY_SCHEMA_IDS)) {
      const v = precompiled[kind];
      if (v) validators.set(kind, v);
    }
  }
  if (validators.size < 3) {
    const ajv = createAjv();
    for (const [kind, id] of Object.entries(ENTITY_SCHEMA_IDS)) {
      const v = ajv.getSchema(id);
      if (!v) throw new Error(`Schema for '${kind}' is missing in ${fileURLToPath(SCHEMA_DIR)}`);
      validators.set(kind, v);
    }
  }
  const systemSchema = raw.get('system') as SchemaNode | undefined;
  const systemTypes = (systemSchema?.properties?.['type']?.enum ?? []).filter((t): t is string => typeof t === 'string');
  compiled = { validators, entityTypes: ['pipe', 'metadata', ...systemTypes] };
  return compiled;
}

/**
 * Raw schema access for later tooling. `kind` is a schema file name without
 * extension (`pipe`, `pump`, `metadata`, `system`, `source`, `sink`,
 * `transform`, `common`), optionally with `.schema.json`, or a component type:
 * `system:url`, `source:dataset`, `sink:dataset`, `transform:dtl`.
 * Returns a copy, or undefined for an unknown kind.
 */
export function schemaFor(kind: string): object | undefined {
  const raw = loadRaw();
  let name = kind.startsWith(SCHEMA_BASE) ? kind.slice(SCHEMA_BASE.length) : kind;
  if (name.endsWith('.schema.json')) name = name.slice(0, -'.schema.json'.length);
  const whole = raw.get(name);
  if (whole) return structuredClone(whole);
  let file: string | undefined;
  let type: string | undefined;
  if (name.startsWith('system:')) {
    file = 'system';
    type = name;
  } else {
    const m = /^(source|sink|transform):(.+)$/.exec(name);
    if (m) {
      file = m[1];
      type = m[2];
    }
  }
  if (!file || !type) return undefined;
  const defs = raw.get(file)?.['$defs'];
  if (!defs || typeof defs !== 'object' || Array.isArray(defs)) return undefined;
  const def = (defs as JsonObject)[defKey(type)];
  return def && typeof def === 'object' ? structuredClone(def) : undefined;
}

const defKey = (type: string): string => type.replace(/^system:/, 'system_').replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * Validates one configuration entity. The schema is chosen by `type`: "pipe",
 * "metadata" or "system:<kind>". A missing or unknown `type` gives one error.
 */
export function validateEntity(entity: unknown): SchemaIssue[] {
  const { validators, entityTypes } = loadValidators();
  if (!isObject(entity)) {
    return [issue('', 'A configuration entity must be a JSON object, got ' + show(entity), 'type')];
  }
  const type = entity['type'];
  if (type === undefined) {
    return [{
      ...issue('', "Missing required property 'type' of the entity (expected \"pipe\", \"metadata\" or \"system:<kind>\")", 'required'),
      property: 'type',
    }];
  }
  if (typeof type !== 'string') {
    return [issue('/type', `'type' must be a string such as "pipe", "metadata" or "system:<kind>", got ${show(type)}`, 'type')];
  }
  const kind = entityKind(type);
  if (kind === 'unknown') {
    return [issue('/type', `Unknown entity type '${type}'${suggest(type, entityTypes)}; expected "pipe", "metadata" or "system:<kind>"`, 'enum')];
  }
  const validate = validators.get(kind);
  if (!validate) throw new Error(`No validator for ${kind}`);
  validate(entity);
  return collapse(validate.errors ?? [], entity);
}

// ---------------------------------------------------------------------------
// Error collapsing

const ENV_REF = /\$(ENV|SECRET)\(/;
/** Keywords whose failure on a "$ENV(...)"/"$SECRET(...)" string is ignored. */
const ENV_TOLERANT = new Set([
  'type', 'enum', 'const', 'pattern', 'format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'multipleOf', 'anyOf', 'oneOf',
]);

function collapse(errors: ErrorObject[], root: JsonObject): SchemaIssue[] {
  let errs = errors.filter((e) => e.keyword !== 'if');

  // $ENV(...) / $SECRET(...) stand in for any scalar.
  errs = errs.filter((e) => !(ENV_TOLERANT.has(e.keyword) && typeof e.data === 'string' && ENV_REF.test(e.data)));

  // Composite keywords: keep the composite error, drop the errors of its branches.
  const composite = errs.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'propertyNames');
  if (composite.length) {
    errs = errs.filter((e) => !composite.some((c) => c !== e
      && e.schemaPath.startsWith(c.schemaPath + '/')
      && (e.instancePath === c.instancePath || e.instancePath.startsWith(c.instancePath + '/'))));
  }

  // An unknown component type is the only thing worth reporting about that component.
  const unknownTypeObjects = errs
    .filter((e) => e.keyword === 'enum' && e.instancePath.endsWith('/type') && isDispatchType(e.parentSchema))
    .map((e) => e.instancePath.slice(0, -'/type'.length));
  if (unknownTypeObjects.length) {
    errs = errs.filter((e) => {
      const objPath = unknownTypeObjects.find((p) => e.instancePath === p || e.instancePath.startsWith(p + '/'));
      return objPath === undefined || (e.keyword === 'enum' && e.instancePath === objPath + '/type');
    });
  }

  // Properties that every $conditional_properties alternative provides count as present.
  errs = errs.filter((e) => !satisfiedByConditionalProperties(e, root));

  const out: SchemaIssue[] = [];
  const seen = new Set<string>();
  for (const e of errs) {
    const i = toIssue(e);
    const key = `${i.pointer}\u0000${i.keyword}\u0000${i.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(i);
  }
  return out;
}

function isDispatchType(schema: unknown): boolean {
  const s = schema as SchemaNode | undefined;
  return typeof s?.title === 'string' && / type$/.test(s.title) && Array.isArray(s.enum);
}

function satisfiedByConditionalProperties(e: ErrorObject, root: JsonObject): boolean {
  if (!['required', 'anyOf', 'oneOf', 'dependentRequired'].includes(e.keyword)) return false;
  const target = resolvePointer(root, e.instancePath);
  if (!isObject(target)) return false;
  const cp = target['$conditional_properties'];
  if (!isObject(cp) || !isObject(cp['alternatives'])) return false;
  const alternatives = Object.values(cp['alternatives']).filter(isObject);
  if (alternatives.length === 0) return false;
  const present = new Set(Object.keys(target));
  const [first, ...rest] = alternatives;
  for (const k of Object.keys(first as JsonObject)) {
    if (rest.every((alt) => k in alt)) present.add(k);
  }
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required' || e.keyword === 'dependentRequired') {
    return typeof params['missingProperty'] === 'string' && present.has(params['missingProperty']);
  }
  const branches = (e.parentSchema as SchemaNode | undefined)?.[e.keyword];
  if (!Array.isArray(branches)) return false;
  // Only branches that consist of nothing but `required` can be re-evaluated here.
  let satisfied = 0;
  let opaque = 0;
  for (const b of branches as SchemaNode[]) {
    if (Object.keys(b).length !== 1 || !Array.isArray(b.required)) opaque++;
    else if (b.required.every((r) => present.has(r))) satisfied++;
  }
  return e.keyword === 'anyOf' ? satisfied >= 1 : opaque === 0 && satisfied === 1;
}

function toIssue(e: ErrorObject): SchemaIssue {
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;
  const name = nameOf(e.instancePath);
  const title = typeof parent.title === 'string' ? parent.title : undefined;
  const custom = typeof parent.errorMessage === 'string' ? parent.errorMessage : undefined;
  const got = `, got ${show(e.data)}`;

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      let message: string;
      if (key === '$conditional_properties' && title?.endsWith(' transform')) {
        message = `'$conditional_properties' is not supported inside transforms; it would be ignored in ${article(title)}`;
      } else {
        const known = Object.keys(parent.properties ?? {});
        message = `Unknown property '${key}'${title ? ` in ${article(title)}` : ''}${suggest(key, known)}`;
      }
      return { pointer: `${e.instancePath}/${escapePointer(key)}`, property: key, onKey: true, message, severity: 'warning', keyword: e.keyword };
    }
    case 'required': {
      const missing = String(params['missingProperty']);
      const message = custom ?? `Missing required property '${missing}'${title ? ` of the ${title}` : ''}`;
      return { ...issue(e.instancePath, message, e.keyword), property: missing };
    }
    case 'dependentRequired': {
      const missing = String(params['missingProperty']);
      const message = custom ?? `'${String(params['property'])}' requires '${missing}' to be set too${title ? ` in the ${title}` : ''}`;
      return { ...issue(e.instancePath, message, e.keyword), property: missing };
    }
    case 'anyOf':
    case 'oneOf':
    case 'not':
      return issue(e.instancePath, custom ?? defaultCompositeMessage(e.keyword, name, title), e.keyword);
    case 'propertyNames': {
      const key = String(params['propertyName']);
      const rule = parent.propertyNames?.errorMessage ?? 'is not an allowed key';
      return {
        pointer: `${e.instancePath}/${escapePointer(key)}`, property: key, onKey: true,
        message: `Invalid key '${key}' in '${name}': ${rule}`, severity: 'error', keyword: e.keyword,
      };
    }
    case 'enum': {
      if (isDispatchType(parent) && typeof e.data === 'string') {
        const allowed = (parent.enum ?? []).filter((v): v is string => typeof v === 'string');
        return issue(e.instancePath, `Unknown ${title} '${e.data}'${suggest(e.data, allowed)}`, e.keyword);
      }
      const allowed = (params['allowedValues'] as unknown[] | undefined) ?? parent.enum ?? [];
      const hint = typeof e.data === 'string' ? suggest(e.data, allowed.filter((v): v is string => typeof v === 'string')) : '';
      return issue(e.instancePath, `'${name}' must be one of ${allowed.map(show).join(', ')}${got}${hint}`, e.keyword);
    }
    case 'const':
      return issue(e.instancePath, `'${name}' must be ${show(params['allowedValue'])}${got}`, e.keyword);
    case 'type':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return issue(e.instancePath, `'${name}' must be ${describe(parent)}${got}`, e.keyword);
    case 'pattern':
      return issue(e.instancePath, `'${name}' ${custom ?? `must match the pattern ${String(params['pattern'])}`}${got}`, e.keyword);
    case 'minLength':
      return issue(e.instancePath, params['limit'] === 1 ? `'${name}' must not be empty` : `'${name}' must be at least ${String(params['limit'])} characters long${got}`, e.keyword);
    case 'minItems':
      return issue(e.instancePath, `'${name}' must have at least ${String(params['limit'])} item(s)${got}`, e.keyword);
    case 'maxItems':
      return issue(e.instancePath, `'${name}' must have at most ${String(params['limit'])} item(s)${got}`, e.keyword);
    case 'uniqueItems':
      return issue(e.instancePath, `'${name}' must not contain duplicates (items ${String(params['j'])} and ${String(params['i'])} are equal)`, e.keyword);
    default:
      return issue(e.instancePath, `'${name}' ${e.message ?? 'is invalid'}`, e.keyword);
  }
}

function defaultCompositeMessage(keyword: string, name: string, title: string | undefined): string {
  const what = title ? `The ${title}` : `'${name}'`;
  if (keyword === 'not') return `${what} uses a combination of properties that is not allowed`;
  if (keyword === 'oneOf') return `${what} must match exactly one of the allowed forms`;
  return `${what} does not match any of the allowed forms`;
}

function issue(pointer: string, message: string, keyword: string): SchemaIssue {
  return { pointer, onKey: false, message, severity: 'error', keyword };
}

// ---------------------------------------------------------------------------
// Message helpers

function describe(s: SchemaNode): string {
  if ('const' in s) return show(s.const);
  if (Array.isArray(s.enum)) return 'one of ' + s.enum.map(show).join(', ');
  const types = Array.isArray(s.type) ? s.type : typeof s.type === 'string' ? [s.type] : [];
  if (types.length === 0) return 'valid';
  return types.map((t) => {
    switch (t) {
      case 'integer': return 'an integer' + bounds(s);
      case 'number': return 'a number' + bounds(s);
      case 'string': return 'a string';
      case 'boolean': return 'a boolean (true or false)';
      case 'null': return 'null';
      case 'object': return 'an object';
      case 'array': {
        const items = typeof s.items === 'object' ? s.items : undefined;
        if (items?.type === 'string') return 'a list of strings';
        if (items?.type === 'object') return 'a list of objects';
        if (items?.type === 'integer') return 'a list of integers';
        return 'a list';
      }
      default: return t;
    }
  }).join(' or ');
}

function bounds(s: SchemaNode): string {
  const lo = s.minimum !== undefined ? `≥ ${s.minimum}` : s.exclusiveMinimum !== undefined ? `> ${s.exclusiveMinimum}` : undefined;
  const hi = s.maximum !== undefined ? `≤ ${s.maximum}` : s.exclusiveMaximum !== undefined ? `< ${s.exclusiveMaximum}` : undefined;
  if (s.minimum !== undefined && s.maximum !== undefined) return ` between ${s.minimum} and ${s.maximum}`;
  return [lo, hi].filter(Boolean).map((b) => ` ${b}`).join(' and');
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 60 ? text.slice(0, 57) + '...' : text;
}

/** "a dataset source", "an xml transform", "the oauth2 settings". */
function article(title: string): string {
  if (/(settings|properties|rules|operations)$/.test(title)) return 'the ' + title;
  return (/^[aeiou]/i.test(title) && !/^(one|uni|use)/i.test(title) ? 'an ' : 'a ') + title;
}

/** Readable name of the value at a JSON pointer: "batch_size", "datasets[0]", "entity". */
function nameOf(pointer: string): string {
  const segments = pointer.split('/').slice(1).map(unescapePointer);
  let suffix = '';
  while (segments.length && /^\d+$/.test(segments[segments.length - 1] ?? '')) {
    suffix = `[${segments.pop() ?? ''}]` + suffix;
  }
  const base = segments.length ? segments[segments.length - 1] : suffix ? '' : 'entity';
  return `${base}${suffix}`;
}

function escapePointer(s: string): string {
  return s.replace(/~/g, '~0').replace(/\//g, '~1');
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function resolvePointer(root: Json, pointer: string): Json | undefined {
  let cur: Json | undefined = root;
  for (const seg of pointer.split('/').slice(1).map(unescapePointer)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** " (did you mean 'x'?)" when a candidate is close enough, else "". */
function suggest(word: string, candidates: readonly string[]): string {
  const [best] = closest(word, candidates, 1);
  return best === undefined || best === word ? '' : ` (did you mean '${best}'?)`;
}
