/**
 * The json_schema transform's `schema_url` (docs: JSON Schema validation transform): instead
 * of an embedded `schema`, the transform names a URL system (`system`) and a URL relative to
 * it, and "the retrieved schema will be stored in the effective config of the pipe under
 * schema". Locally the schema is fetched once per pipe run (and once per request for the
 * pipe entities API, receivers, publishers and `dtl test`), before any entity goes through,
 * and read the way json and csv sources read: the system's base_url or url_pattern joined
 * with the URL; an http(s) address is fetched with the system's headers, authentication,
 * timeouts and TLS settings, anything else is a local file relative to the project.
 *
 * When a transform gives both, schema_url wins: what it fetches takes the place of `schema`,
 * as in the effective config the docs describe.
 */
import { PipeFailure } from './compiled-pipe.js';
import { SchemaError, hasSchemaUrl, jsonSchemaTransform, type SchemaTransform } from './json-schema.js';
import type { ManifestPipe, ManifestSystem, ManifestTransform } from './manifest.js';
import { MissingSecretError, missingSecrets, resolveSecrets, type SecretLookup } from './secrets.js';
import { MissingSourceFileError, readLocation, withReadRetries, type ReadAttempt, type SourceEnv } from './sources.js';
import { systemUrl } from './system-url.js';

export interface SchemaFetchEnv extends Pick<SourceEnv, 'pipeId' | 'projectRoot' | 'pump'> {
  /** The project's systems, with their secrets filled in (project.ts). */
  readonly systems: ReadonlyMap<string, ManifestSystem>;
  readonly secrets: SecretLookup;
}

/**
 * The validators of the pipe's json_schema transforms that have a schema_url, built from the
 * schemas fetched now; undefined when the pipe has none. A schema that cannot be fetched, is
 * not JSON or is not a valid schema fails the pipe, naming the pipe and the URL.
 */
export async function fetchSchemas(pipe: ManifestPipe, env: SchemaFetchEnv): Promise<Map<ManifestTransform, SchemaTransform> | undefined> {
  let out: Map<ManifestTransform, SchemaTransform> | undefined;
  for (const t of pipe.transforms) {
    if (t.type !== 'json_schema' || !hasSchemaUrl(t.config)) continue;
    out ??= new Map();
    out.set(t, await fetchSchema(t, env));
  }
  return out;
}

async function fetchSchema(t: ManifestTransform, env: SchemaFetchEnv): Promise<SchemaTransform> {
  const pipeId = env.pipeId;
  const resolved = resolveSecrets(t.config, env.secrets);
  if (resolved.missing.length > 0) throw new PipeFailure(missingSecrets(`Pipe '${pipeId}': the json_schema transform`, resolved.missing).message);
  const config = resolved.value;
  const rel = config.schema_url;
  const sysId = config.system;
  const fail = (why: string): PipeFailure => new PipeFailure(`Pipe '${pipeId}': cannot fetch the json_schema transform's schema_url ${JSON.stringify(rel)}: ${why}.`);
  if (typeof rel !== 'string') throw fail('schema_url must be a string');
  if (typeof sysId !== 'string') throw fail('the transform has no "system" (the system:url to fetch it through)');
  const sys = env.systems.get(sysId);
  if (sys === undefined) throw fail(`system '${sysId}' is not defined`);
  if (sys.type !== 'system:url') throw fail(`system '${sysId}' is a ${sys.type}, not a system:url`);
  const location = systemUrl(sys, rel) ?? rel;
  // Read errors are retried as a json source's are (the pump's max_read_retries, the system's
  // retry_strategy), and the error the run fails with says what was being read.
  const read = async (): Promise<ReadAttempt<Buffer>> => {
    let attempt: ReadAttempt<Buffer>;
    try {
      attempt = await readLocation(location, sys, env);
    } catch (e) {
      // A system the runtime cannot use (a secret nobody provides, an unsupported authentication).
      if (e instanceof MissingSecretError) throw fail(e.message.replace(/\.$/, ''));
      throw e;
    }
    if ('value' in attempt) return attempt;
    const { failure } = attempt;
    const error = failure.error instanceof MissingSourceFileError ? new MissingSourceFileError(pipeId, failure.error.file, fail(failure.reason).message) : fail(failure.reason);
    return { failure: { ...failure, error } };
  };
  const body = await withReadRetries(read, sys, env);
  let schema: unknown;
  try {
    schema = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (e) {
    throw fail(`${location} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
    throw fail(`${location} holds ${Array.isArray(schema) ? 'a list' : JSON.stringify(schema)}, not a JSON schema (an object)`);
  }
  try {
    // The effective config: the fetched schema under `schema`.
    return jsonSchemaTransform({ ...config, schema }, location);
  } catch (e) {
    if (e instanceof SchemaError) throw new PipeFailure(`Pipe '${pipeId}': ${e.message}.`);
    throw e;
  }
}
