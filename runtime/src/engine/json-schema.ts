/**
 * The json_schema transform (docs: JSON Schema validation transform): each entity is
 * validated against `schema`; `key_valid` (default "valid") says whether it passed and
 * `key_errors` (default "errors") lists the messages when it did not. Sesam validates with
 * Python's jsonschema, so the messages are written the way that library writes them
 * (`'born' is a required property`), in the order it finds them (the schema's own key
 * order), with values shown as Python's repr() shows them. Validation itself is ajv's.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import { Decimal } from '../values/decimal.js';
import { Float, Typed, isDict, type Dict, type Entity, type Value } from '../values/types.js';

export class SchemaError extends Error {}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A value as the validator sees it, and what it came from (for the messages). */
function toJson(v: Value): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Decimal) return v.toNumber();
  if (v instanceof Float) return v.value;
  if (v instanceof Typed) return JSON.parse(JSON.stringify(v)) as Json;
  if (Array.isArray(v)) return v.map(toJson);
  const out: { [k: string]: Json } = {};
  for (const k in v) out[k] = toJson((v as Dict)[k]!);
  return out;
}

/** Python's repr() of a value of the entity (Decimal('73.50'), True, None, 'text'). */
export function pyRepr(v: Value | undefined): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return pyStr(v);
  if (v instanceof Decimal) return `Decimal('${v.toString()}')`;
  if (v instanceof Float) return v.toString();
  if (v instanceof Typed) return pyStr(String(JSON.parse(JSON.stringify(v))));
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.keys(v)
    .map((k) => `${pyStr(k)}: ${pyRepr((v as Dict)[k])}`)
    .join(', ')}}`;
}

function pyStr(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  const body = s.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
  return q + (q === "'" ? body.replace(/'/g, "\\'") : body) + q;
}

/** The value at an ajv instance path (`/items/0/name`) in the original entity. */
function at(root: Value, instancePath: string): Value | undefined {
  let v: Value | undefined = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(v)) v = v[Number(k)];
    else if (isDict(v as Value)) v = (v as Dict)[k];
    else return undefined;
  }
  return v;
}

/** jsonschema's message for one error. */
function message(e: ErrorObject, entity: Value): string {
  const inst = pyRepr(at(entity, e.instancePath));
  const p = e.params as Record<string, unknown>;
  const json = (x: unknown): string => pyRepr(x as Value);
  switch (e.keyword) {
    case 'required':
      return `${pyStr(String(p.missingProperty))} is a required property`;
    case 'type': {
      const types = String(p.type).split(',');
      return `${inst} is not of type ${types.map((t) => pyStr(t)).join(', ')}`;
    }
    case 'enum':
      return `${inst} is not one of ${json(p.allowedValues)}`;
    case 'const':
      return `${json(p.allowedValue)} was expected`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum': {
      const strict = e.keyword.startsWith('exclusive');
      const low = e.keyword.endsWith('inimum');
      return `${inst} is ${low ? 'less' : 'greater'} than ${strict ? 'or equal to ' : ''}the ${low ? 'minimum' : 'maximum'} of ${json(p.limit)}`;
    }
    case 'minLength':
    case 'minItems':
      return `${inst} is too short`;
    case 'maxLength':
    case 'maxItems':
      return `${inst} is too long`;
    case 'pattern':
      return `${inst} does not match ${pyStr(String(p.pattern))}`;
    case 'uniqueItems':
      return `${inst} has non-unique elements`;
    case 'multipleOf':
      return `${inst} is not a multiple of ${json(p.multipleOf)}`;
    case 'minProperties':
      return `${inst} does not have enough properties`;
    case 'maxProperties':
      return `${inst} has too many properties`;
    case 'anyOf':
      return `${inst} is not valid under any of the given schemas`;
    case 'oneOf':
      return Array.isArray(p.passingSchemas) ? `${inst} is valid under each of ${p.passingSchemas.join(', ')}` : `${inst} is not valid under any of the given schemas`;
    case 'not':
      return `${inst} should not be valid under ${json(e.schema)}`;
    case 'dependencies':
    case 'dependentRequired':
      return `${pyStr(String(p.missingProperty))} is a dependency of ${pyStr(String(p.property))}`;
    default:
      return `${inst} ${e.message ?? 'is not valid'}`;
  }
}

/**
 * jsonschema reports all properties an `additionalProperties: false` refuses in one error
 * (`('a', 'b' were unexpected)`, sorted); ajv gives one error each.
 */
function mergeAdditional(errors: readonly ErrorObject[]): Array<ErrorObject | string> {
  const out: Array<ErrorObject | string> = [];
  for (let i = 0; i < errors.length; i++) {
    const e = errors[i]!;
    if (e.keyword !== 'additionalProperties') {
      out.push(e);
      continue;
    }
    const names = [String(e.params.additionalProperty)];
    while (errors[i + 1]?.keyword === 'additionalProperties' && errors[i + 1]!.instancePath === e.instancePath && errors[i + 1]!.schemaPath === e.schemaPath) {
      names.push(String(errors[++i]!.params.additionalProperty));
    }
    names.sort();
    out.push(`Additional properties are not allowed (${names.map(pyStr).join(', ')} ${names.length === 1 ? 'was' : 'were'} unexpected)`);
  }
  return out;
}

/** Python's jsonschema reports errors in the order of the schema's keys, at every level. */
function schemaOrder(schema: unknown, schemaPath: string): number[] {
  const key: number[] = [];
  let node: unknown = schema;
  for (const raw of schemaPath.replace(/^#/, '').split('/').slice(1)) {
    const k = decodeURIComponent(raw.replace(/~1/g, '/').replace(/~0/g, '~'));
    if (Array.isArray(node)) {
      key.push(Number(k));
      node = node[Number(k)];
    } else if (node !== null && typeof node === 'object') {
      key.push(Object.keys(node).indexOf(k));
      node = (node as Record<string, unknown>)[k];
    } else break;
  }
  return key;
}

function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Whether a json_schema transform's schema comes from its schema_url (fetched, see schema-url.ts), which then wins over any `schema`. */
export function hasSchemaUrl(config: Readonly<Record<string, unknown>>): boolean {
  return config.schema_url !== undefined && config.schema_url !== null;
}

export interface SchemaTransform {
  apply(e: Entity): Entity;
}

/**
 * Compiles a json_schema transform's effective config, whose `schema` is the embedded one or
 * the one fetched from schema_url (`from` then says where from, see schema-url.ts); a schema
 * ajv cannot compile is a SchemaError.
 */
export function jsonSchemaTransform(config: Readonly<Record<string, unknown>>, from?: string): SchemaTransform {
  const schema = config.schema;
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw new SchemaError(hasSchemaUrl(config) ? "the json_schema transform's schema_url was not fetched before entities reached it" : 'the json_schema transform needs a "schema" object');
  }
  const draft2020 = typeof (schema as Record<string, unknown>).$schema === 'string' && /2019-09|2020-12/.test((schema as Record<string, string>).$schema!);
  // As Python's jsonschema by default: every error, formats not checked, unknown keywords ignored.
  const options = { allErrors: true, strict: false, validateFormats: false, logger: false as const };
  let validate: ValidateFunction;
  try {
    validate = (draft2020 ? new Ajv2020.default(options) : new Ajv.default(options)).compile(schema);
  } catch (e) {
    throw new SchemaError(`the json_schema transform's schema${from === undefined ? '' : ` from ${from}`} is not valid: ${e instanceof Error ? e.message : String(e)}`);
  }
  const keyValid = typeof config.key_valid === 'string' ? config.key_valid : 'valid';
  const keyErrors = typeof config.key_errors === 'string' ? config.key_errors : 'errors';
  return {
    apply(e) {
      const out: Dict = { ...e };
      if (validate(toJson(e))) {
        out[keyValid] = true;
        return out;
      }
      const errors = [...(validate.errors ?? [])].sort((a, b) => compareKeys(schemaOrder(schema, a.schemaPath), schemaOrder(schema, b.schemaPath)));
      out[keyValid] = false;
      out[keyErrors] = mergeAdditional(errors).map((x) => (typeof x === 'string' ? x : message(x, e)));
      return out;
    },
  };
}
