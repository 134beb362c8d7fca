/**
 * `$SECRET(name)` in system and pipe component configs (passwords, tokens, headers), as
 * Sesam's secrets manager fills them in. Locally a secret comes from the project's
 * `secrets.json` or the environment variable `DTL_SECRET_<name>`. The build leaves the
 * references in the manifest (secrets never reach the build folder); the runtime resolves
 * them in memory, and a component that refers to a secret nobody provides fails when it
 * is used, naming the secret, instead of sending the reference as text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type SecretLookup = (name: string) => string | undefined;

/** secrets.json of the project, then DTL_SECRET_<name>. */
export function projectSecrets(projectRoot: string): SecretLookup {
  const file = path.join(projectRoot, 'secrets.json');
  let secrets: Record<string, string> = {};
  if (fs.existsSync(file)) {
    try {
      secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
    } catch (e) {
      throw new Error(`${file} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return (name) => (Object.prototype.hasOwnProperty.call(secrets, name) && typeof secrets[name] === 'string' ? secrets[name] : process.env[`DTL_SECRET_${name}`]);
}

const REF = /\$SECRET\(([^()]*)\)/g;

/** `config` with every `$SECRET(name)` in its strings filled in, and the names nobody provides. */
export function resolveSecrets<T>(config: T, lookup: SecretLookup): { value: T; missing: string[] } {
  const missing = new Set<string>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('$SECRET(')) return v;
      return v.replace(REF, (ref, name: string) => {
        const s = lookup(name.trim());
        if (s === undefined) {
          missing.add(name.trim());
          return ref;
        }
        return s;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(config) as T, missing: [...missing] };
}

export class MissingSecretError extends Error {}

/** The error for a component whose config names secrets nobody provides. */
export function missingSecrets(what: string, names: readonly string[]): MissingSecretError {
  const list = names.map((n) => `'${n}'`).join(', ');
  const vars = names.map((n) => `DTL_SECRET_${n}`).join(', ');
  return new MissingSecretError(`${what} refers to the secret${names.length > 1 ? 's' : ''} ${list}, which neither secrets.json in the project nor the environment (${vars}) provides.`);
}
