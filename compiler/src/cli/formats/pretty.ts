/** Human output: one header line per diagnostic and a code frame with a caret under the range. */
import type { Diagnostic } from '../../diagnostics.js';

export interface PrettyOptions {
  readonly color: boolean;
  /** File path → its text, for code frames. */
  readonly sources: ReadonlyMap<string, string>;
}

const COLORS = { red: 31, yellow: 33, cyan: 36, gray: 90, bold: 1 } as const;

export function formatPretty(diags: readonly Diagnostic[], opts: PrettyOptions): string {
  const paint = (c: keyof typeof COLORS, s: string): string => (opts.color ? `\u001b[${COLORS[c]}m${s}\u001b[0m` : s);
  const lines: string[] = [];
  const splitCache = new Map<string, string[]>();
  for (const d of diags) {
    const sevColor = d.severity === 'error' ? 'red' : d.severity === 'warning' ? 'yellow' : 'cyan';
    lines.push(`${paint('bold', `${d.file}:${d.range.line}:${d.range.column}`)} ${paint(sevColor, d.severity)} ${d.message} ${paint('gray', `[${d.code}]`)}`);
    const text = opts.sources.get(d.file);
    if (text === undefined) continue;
    let fileLines = splitCache.get(d.file);
    if (!fileLines) {
      fileLines = text.split(/\r?\n/);
      splitCache.set(d.file, fileLines);
    }
    const lineText = fileLines[d.range.line - 1];
    if (lineText === undefined) continue;
    const num = String(d.range.line);
    const gutter = ' '.repeat(num.length);
    const start = d.range.column - 1;
    const endCol = d.range.endLine === d.range.line ? d.range.endColumn - 1 : lineText.length;
    const width = Math.max(1, endCol - start);
    const shown = lineText.replace(/\t/g, ' ');
    lines.push(`${paint('gray', `${num} |`)} ${shown}`);
    lines.push(`${paint('gray', `${gutter} |`)} ${' '.repeat(start)}${paint(sevColor, '^'.repeat(Math.min(width, Math.max(1, shown.length - start))))}`);
  }
  return lines.join('\n');
}

export function summaryLine(diags: readonly Diagnostic[], fileCount: number, color: boolean): string {
  const errors = diags.filter((d) => d.severity === 'error').length;
  const warnings = diags.filter((d) => d.severity === 'warning').length;
  const infos = diags.length - errors - warnings;
  if (diags.length === 0) return `No problems found in ${fileCount} file${fileCount === 1 ? '' : 's'}.`;
  const parts = [`${errors} error${errors === 1 ? '' : 's'}`, `${warnings} warning${warnings === 1 ? '' : 's'}`];
  if (infos > 0) parts.push(`${infos} info`);
  const text = `${diags.length} problem${diags.length === 1 ? '' : 's'} (${parts.join(', ')}) in ${fileCount} file${fileCount === 1 ? '' : 's'}.`;
  return color ? `\u001b[1m${text}\u001b[0m` : text;
}
