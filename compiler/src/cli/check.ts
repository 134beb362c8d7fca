/** `dtl check PATH`: lint a project for CI. */
import { parseArgs } from 'node:util';
import { checkProject, type CheckResult } from '../check/check-project.js';
import { loadToolConfig, projectEnv } from '../check/tool-config.js';
import type { EnvVars } from '../config/env.js';
import { loadProject, type Project } from '../project/load.js';
import { formatGithub, formatJson, formatSarif } from './formats/machine.js';
import { formatPretty, summaryLine } from './formats/pretty.js';
import { type CliIO, UsageError, toolVersion } from './io.js';

/** A project with its check result and the env it was checked with. */
export interface Loaded {
  project: Project;
  check: CheckResult;
  env: EnvVars | undefined;
}

/** Loads and checks a project the way every command does (tool config, env file). */
export function loadAndCheck(target: string, envFile: string | undefined): Loaded {
  const project = loadProject(target);
  const toolConfig = loadToolConfig(project.root);
  const env = projectEnv(project.root, toolConfig, envFile);
  return { project, check: checkProject(project, { env, toolConfig }), env };
}

export const CHECK_HELP = `Usage: dtl check [PATH] [options]

Checks a Sesam config project (a folder in the sesam-py layout, or one file holding an array
of entities) and prints diagnostics. PATH defaults to the current folder.

Options:
  --format FORMAT      pretty (default), json, sarif or github
  --env FILE           env file (sesam-py format) for $ENV(...) references
  --max-warnings N     exit 1 when there are more than N warnings
  --quiet              report errors only
  -h, --help           show this help

Exit status: 0 clean, 1 errors (or too many warnings), 2 usage error or unreadable input.`;

const FORMATS = ['pretty', 'json', 'sarif', 'github'] as const;

export async function runCheck(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'pretty' },
      env: { type: 'string' },
      'max-warnings': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.out(CHECK_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('dtl check takes one PATH');
  const format = values.format as string;
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`Unknown format '${format}' (use ${FORMATS.join(', ')})`);
  let maxWarnings = Infinity;
  if (values['max-warnings'] !== undefined) {
    const n = Number(values['max-warnings']);
    if (!Number.isInteger(n) || n < 0) throw new UsageError('--max-warnings takes a whole number ≥ 0');
    maxWarnings = n;
  }
  const target = positionals[0] ?? '.';
  const { project, check: result } = loadAndCheck(target, values.env);
  let diags = result.diagnostics;
  if (values.quiet) diags = diags.filter((d) => d.severity === 'error');

  switch (format) {
    case 'json':
      io.out(formatJson(diags));
      break;
    case 'sarif':
      io.out(formatSarif(diags, toolVersion()));
      break;
    case 'github':
      if (diags.length > 0) io.out(formatGithub(diags));
      break;
    default: {
      const sources = new Map(project.files.map((f) => [f.display, f.text]));
      if (diags.length > 0) io.out(formatPretty(diags, { color: io.color, sources }) + '\n');
      io.out(summaryLine(diags, project.files.length, io.color));
    }
  }
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
  if (errors > 0) return 1;
  if (warnings > maxWarnings) {
    if (format === 'pretty') io.err(`Too many warnings: ${warnings} (maximum ${maxWarnings}).`);
    return 1;
  }
  return 0;
}
