/**
 * JSON files that are data rather than config (env files, test expectations, test specs,
 * dtl.config.json): parsed with JSON.parse, which is all they need when valid, and on a syntax
 * error explained as config files are: `file:line:column: message`, from the config parser.
 */
import { parseJson } from './parser.js';
import { LineIndex } from './lines.js';

export class JsonFileError extends Error {}

/** Parses `text` (a leading BOM is ignored); throws JsonFileError naming `display`'s line and column. */
export function parseJsonFile(text: string, display: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body) as unknown;
  } catch (e) {
    throw new JsonFileError(locateJsonError(body, display, e instanceof Error ? e.message : String(e)));
  }
}

/**
 * The first error the config parser finds; it reports everything JSON.parse rejects, but should
 * the two ever disagree, JSON.parse's own message is kept, placed by its character position.
 */
function locateJsonError(text: string, display: string, nativeMessage: string): string {
  const problem = parseJson(text).problems.find((p) => p.severity === 'error');
  if (problem) return `${display}:${problem.range.line}:${problem.range.column}: ${problem.message}`;
  const at = /at position (\d+)/.exec(nativeMessage);
  if (!at) return `${display}: ${nativeMessage}`;
  const offset = Math.min(Number(at[1]), text.length);
  const r = new LineIndex(text).range(offset, offset);
  return `${display}:${r.line}:${r.column}: ${nativeMessage.replace(/ (in JSON )?at position \d+.*$/, '')}`;
}
