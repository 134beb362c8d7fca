/**
 * `$ENV(name)` and `$SECRET(name)` references in config strings, and env files in sesam-py's
 * format (a JSON object of variable → value, possibly with a UTF-8 BOM).
 */
import * as fs from 'node:fs';
import { JsonFileError, parseJsonFile } from '../syntax/data-file.js';

export type EnvVars = Readonly<Record<string, unknown>>;

export interface EnvReference {
  readonly kind: 'ENV' | 'SECRET';
  readonly name: string;
  /** Offsets of the whole reference within the string value. */
  readonly start: number;
  readonly end: number;
}

export interface EnvScan {
  readonly refs: EnvReference[];
  readonly problems: { message: string; start: number; end: number }[];
}

export class EnvFileError extends Error {}

export function loadEnvFile(file: string): EnvVars {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new EnvFileError(`Cannot read env file ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let data: unknown;
  try {
    data = parseJsonFile(text, file);
  } catch (e) {
    if (e instanceof JsonFileError) throw new EnvFileError(`Env file is not valid JSON: ${e.message}`);
    throw e;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new EnvFileError(`Env file ${file} must hold a JSON object of variable names to values.`);
  }
  return data as EnvVars;
}

const REF = /\$(ENV|SECRET)\(/g;

/** Finds the references in one string, and malformed or nested ones. */
export function scanReferences(text: string): EnvScan {
  const refs: EnvReference[] = [];
  const problems: EnvScan['problems'] = [];
  if (text.indexOf('$') < 0) return { refs, problems };
  REF.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = REF.exec(text))) {
    const start = m.index;
    const open = start + m[0].length;
    const close = text.indexOf(')', open);
    const nested = text.slice(open, close < 0 ? text.length : close).search(/\$(ENV|SECRET)\(/);
    if (close < 0) {
      problems.push({ message: `Unterminated $${m[1]}( reference: a ')' is missing.`, start, end: text.length });
      break;
    }
    if (nested >= 0) {
      problems.push({ message: `$ENV(...) and $SECRET(...) references cannot be nested.`, start, end: close + 1 });
      REF.lastIndex = close + 1;
      continue;
    }
    const name = text.slice(open, close);
    if (!/^[^\s()$]+$/.test(name)) {
      problems.push({ message: `'${text.slice(start, close + 1)}' is not a valid reference: the name must be non-empty without spaces.`, start, end: close + 1 });
    } else {
      refs.push({ kind: m[1] as 'ENV' | 'SECRET', name, start, end: close + 1 });
    }
    REF.lastIndex = close + 1;
  }
  return { refs, problems };
}

/**
 * Substitutes `$ENV` references: a string that is exactly one reference becomes the variable's
 * JSON value; otherwise the values are spliced in as text. Unknown variables and `$SECRET`
 * references are left as written.
 */
export function substituteEnv(text: string, env: EnvVars): unknown {
  const { refs } = scanReferences(text);
  if (refs.length === 0) return text;
  const whole = refs.length === 1 && refs[0]!.start === 0 && refs[0]!.end === text.length;
  if (whole) {
    const r = refs[0]!;
    if (r.kind === 'ENV' && Object.prototype.hasOwnProperty.call(env, r.name)) return env[r.name];
    return text;
  }
  let out = '';
  let pos = 0;
  for (const r of refs) {
    out += text.slice(pos, r.start);
    if (r.kind === 'ENV' && Object.prototype.hasOwnProperty.call(env, r.name)) {
      const v = env[r.name];
      out += typeof v === 'string' ? v : JSON.stringify(v);
    } else out += text.slice(r.start, r.end);
    pos = r.end;
  }
  return out + text.slice(pos);
}

/** Deep substitution over plain JSON data. */
export function substituteEnvDeep(v: unknown, env: EnvVars): unknown {
  if (typeof v === 'string') return substituteEnv(v, env);
  if (Array.isArray(v)) return v.map((x) => substituteEnvDeep(x, env));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = substituteEnvDeep(x, env);
    return out;
  }
  return v;
}
