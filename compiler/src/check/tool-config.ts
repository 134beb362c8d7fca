/**
 * `dtl.config.json` at the project root: rule severities, rules turned off, the default env
 * file and datasets produced outside the project. The CLI and the language server read the
 * same file so the editor and CI agree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadEnvFile, type EnvVars } from '../config/env.js';
import { JsonFileError, parseJsonFile } from '../syntax/data-file.js';
import type { Severity } from '../diagnostics.js';
import { didYouMean } from '../util/suggest.js';
import { RULES, isRuleCode, type RuleCode } from './codes.js';

export interface ToolConfig {
  /** Per-code severity, or 'off'. */
  readonly rules: Partial<Record<RuleCode, Severity | 'off'>>;
  /** Env file (relative to the project root) used when --env is not given. */
  readonly env?: string;
  /** Datasets that exist on the node but are produced outside this project. */
  readonly externalDatasets: readonly string[];
}

export const DEFAULT_TOOL_CONFIG: ToolConfig = { rules: {}, externalDatasets: [] };

export class ToolConfigError extends Error {}

export const TOOL_CONFIG_FILE = 'dtl.config.json';

/** The env variables a project is checked with: `envFile` if given, else the tool config's `env`. */
export function projectEnv(root: string, toolConfig: ToolConfig, envFile?: string): EnvVars | undefined {
  const file = envFile ?? (toolConfig.env ? path.resolve(root, toolConfig.env) : undefined);
  return file ? loadEnvFile(file) : undefined;
}

export function loadToolConfig(root: string): ToolConfig {
  const file = path.join(root, TOOL_CONFIG_FILE);
  if (!fs.existsSync(file)) return DEFAULT_TOOL_CONFIG;
  let data: unknown;
  try {
    data = parseJsonFile(fs.readFileSync(file, 'utf8'), file);
  } catch (e) {
    throw new ToolConfigError(e instanceof JsonFileError ? `${TOOL_CONFIG_FILE} is not valid JSON: ${e.message}` : `${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseToolConfig(data, file);
}

export function parseToolConfig(data: unknown, file: string): ToolConfig {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ToolConfigError(`${file}: must be a JSON object`);
  const obj = data as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!['rules', 'env', 'externalDatasets', '$schema'].includes(key)) {
      throw new ToolConfigError(`${file}: unknown key '${key}' (known: rules, env, externalDatasets)`);
    }
  }
  const rules: Partial<Record<RuleCode, Severity | 'off'>> = {};
  if (obj.rules !== undefined) {
    if (typeof obj.rules !== 'object' || obj.rules === null || Array.isArray(obj.rules)) throw new ToolConfigError(`${file}: "rules" must be an object of rule code → severity`);
    for (const [code, sev] of Object.entries(obj.rules as Record<string, unknown>)) {
      if (!isRuleCode(code)) throw new ToolConfigError(`${file}: unknown rule '${code}'.${didYouMean(code, Object.keys(RULES))}`);
      if (sev !== 'off' && sev !== 'error' && sev !== 'warning' && sev !== 'info') {
        throw new ToolConfigError(`${file}: rule '${code}' must be "error", "warning", "info" or "off"`);
      }
      rules[code] = sev;
    }
  }
  if (obj.env !== undefined && typeof obj.env !== 'string') throw new ToolConfigError(`${file}: "env" must be a path string`);
  const ext = obj.externalDatasets;
  if (ext !== undefined && (!Array.isArray(ext) || !ext.every((x) => typeof x === 'string'))) {
    throw new ToolConfigError(`${file}: "externalDatasets" must be a list of dataset ids`);
  }
  return { rules, env: obj.env as string | undefined, externalDatasets: (ext as string[] | undefined) ?? [] };
}
