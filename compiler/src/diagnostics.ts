/**
 * Diagnostics: what every check produces and every front door (CLI, language server) prints.
 */
import type { Range } from './syntax/tree.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable, kebab-case rule code (`dtl-unknown-function`); see check/codes.ts. */
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  /** Path of the file, as given to the checker (relative to the project root when possible). */
  readonly file: string;
  readonly range: Range;
  /** Suggested replacement text for the range, when there is an obvious fix. */
  readonly fix?: { readonly title: string; readonly replacement: string };
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  if (a.range.start !== b.range.start) return a.range.start - b.range.start;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}
