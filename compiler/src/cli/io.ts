/** Output plumbing for the CLI: where text goes, and whether colour is allowed. */
import { compilerVersion } from '../paths.js';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Colour only on a terminal and never with NO_COLOR (https://no-color.org). */
  readonly color: boolean;
}

export function processIO(): CliIO {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    color: !noColor && process.stdout.isTTY === true && process.env.TERM !== 'dumb',
  };
}

export class UsageError extends Error {}

export function toolVersion(): string {
  return compilerVersion();
}
