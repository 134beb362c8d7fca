/**
 * Errors a pipe run fails with because of the project or its data, not a bug: command lines
 * print their message alone (no stack trace) and exit 1.
 */
import { PipeFailure } from './compiled-pipe.js';
import { MissingSecretError } from './secrets.js';
import { SinkError } from './sinks.js';
import { SourceError } from './sources.js';

export function isRunError(e: unknown): e is Error {
  return e instanceof PipeFailure || e instanceof SourceError || e instanceof SinkError || e instanceof MissingSecretError;
}
