/** The `dtl` command line: dispatch to subcommands, turn user errors into exit status 2. */
import { ProjectLoadError } from '../project/load.js';
import { ToolConfigError } from '../check/tool-config.js';
import { EnvFileError } from '../config/env.js';
import { DataFolderLockedError } from '@dtl/runtime/store/lock';
import { loadPrecompiledValidators } from '../config/schemas.js';
import { CHECK_HELP, runCheck } from './check.js';
import { type CliIO, UsageError, processIO, toolVersion } from './io.js';

const HELP = `dtl — offline toolchain for Sesam DTL and pipe configs

Usage: dtl <command> [options]

Commands:
  check [PATH]            lint a config project (exit 0 clean, 1 problems, 2 usage error)
  build [PATH] -o OUT     compile every pipe to JavaScript plus a manifest and one bundle
  run [PATH]              compile and run the project on the file-backed runtime
  test [PATH]             run sesam-py style tests (expected/*.json) offline
  dataset ID              print a dataset's entities as JSON
  push PIPE FILE [PATH]   send entities to an http_endpoint pipe without a server
  start [PATH]            build, run until quiescent and print every dataset (the tutorial demo)
  eval EXPR               evaluate a DTL expression against an entity

Options:
  -h, --help              help (also: dtl <command> --help)
  -v, --version           print the version

Run 'dtl <command> --help' for a command's options.`;

type Command = (argv: string[], io: CliIO) => Promise<number>;

const COMMANDS: Record<string, { run: () => Promise<Command>; help?: string }> = {
  check: { run: async () => runCheck, help: CHECK_HELP },
  build: { run: async () => (await import('./project-commands.js')).runBuild },
  run: { run: async () => (await import('./project-commands.js')).runRun },
  start: { run: async () => (await import('./project-commands.js')).runStart },
  dataset: { run: async () => (await import('./project-commands.js')).runDataset },
  push: { run: async () => (await import('./project-commands.js')).runPush },
  test: { run: async () => (await import('./test-command.js')).runTest },
  eval: { run: async () => (await import('./eval-command.js')).runEval },
};

export async function main(argv: string[], io: CliIO = processIO()): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '-h' || cmd === '--help' || cmd === 'help') {
    io.out(HELP);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '-v' || cmd === '--version' || cmd === 'version') {
    io.out(toolVersion());
    return 0;
  }
  const entry = COMMANDS[cmd];
  if (!entry) {
    io.err(`dtl: unknown command '${cmd}'. Run 'dtl --help' for the list of commands.`);
    return 2;
  }
  try {
    await loadPrecompiledValidators();
    const run = await entry.run();
    return await run(rest, io);
  } catch (e) {
    if (isUserError(e)) {
      io.err(`dtl ${cmd}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/**
 * Errors that describe the user's situation (bad arguments or input, a data folder another
 * process holds) rather than a bug: reported as one line with exit status 2, no stack trace.
 */
function isUserError(e: unknown): e is Error {
  return e instanceof UsageError || e instanceof ProjectLoadError || e instanceof ToolConfigError || e instanceof EnvFileError || e instanceof DataFolderLockedError || isParseArgsError(e);
}

function isParseArgsError(e: unknown): boolean {
  return e instanceof Error && typeof (e as { code?: unknown }).code === 'string' && String((e as unknown as { code: string }).code).startsWith('ERR_PARSE_ARGS');
}
