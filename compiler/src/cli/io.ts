/** Output plumbing for the CLI: where text goes, and whether colour is allowed. */
import { terminalStatus, type StatusLine } from '@dtl/runtime/engine/cli';
import { compilerVersion } from '../paths.js';

export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** Writes text to standard output as is; resolves when the stream can take more. */
  write(text: string): Promise<void>;
  /** Colour only on a terminal and never with NO_COLOR (https://no-color.org). */
  readonly color: boolean;
  /** A status line on standard error when it is a terminal (progress of long runs). */
  readonly status?: StatusLine;
}

export function processIO(): CliIO {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    write: streamWriter(process.stdout),
    status: terminalStatus(process.stderr),
    color: !noColor && process.stdout.isTTY === true && process.env.TERM !== 'dumb',
  };
}

/** Standard output was closed by its reader (`dtl dataset … | head`): there is no point going on. */
export class OutputClosedError extends Error {}

/**
 * A writer that waits for 'drain' when the stream's buffer is full, so that long output (a big
 * dataset) does not pile up in memory when the reader is slower than we are. A closed pipe
 * (EPIPE) is reported as an 'error' event after the write; the listener keeps that from
 * crashing the process and makes the next write fail with OutputClosedError instead.
 */
function streamWriter(stream: NodeJS.WriteStream): (text: string) => Promise<void> {
  let failure: Error | undefined;
  let listening = false;
  const fail = (e: Error): Error => (isCode(e, 'EPIPE') ? new OutputClosedError(e.message) : e);
  return (text) => {
    if (!listening) {
      listening = true;
      stream.on('error', (e) => (failure = e));
    }
    if (failure) return Promise.reject(fail(failure));
    if (stream.write(text)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        stream.off('drain', done);
        stream.off('error', done);
        if (failure) reject(fail(failure));
        else resolve();
      };
      stream.on('drain', done);
      stream.on('error', done);
    });
  };
}

function isCode(e: Error, code: string): boolean {
  return (e as { code?: unknown }).code === code;
}

export class UsageError extends Error {}

export function toolVersion(): string {
  return compilerVersion();
}
