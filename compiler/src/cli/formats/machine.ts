/** Machine-readable outputs: JSON, SARIF 2.1.0 and GitHub workflow annotations. */
import * as path from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import { RULES } from '../../check/codes.js';

export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

export function toJsonDiagnostics(diags: readonly Diagnostic[]): JsonDiagnostic[] {
  return diags.map((d) => ({
    file: d.file,
    line: d.range.line,
    column: d.range.column,
    endLine: d.range.endLine,
    endColumn: d.range.endColumn,
    severity: d.severity,
    code: d.code,
    message: d.message,
  }));
}

export function formatJson(diags: readonly Diagnostic[]): string {
  return JSON.stringify(toJsonDiagnostics(diags), null, 2);
}

export function formatSarif(diags: readonly Diagnostic[], version: string): string {
  const level = (s: Diagnostic['severity']): string => (s === 'info' ? 'note' : s);
  const rules = Object.entries(RULES).map(([id, info]) => ({
    id,
    shortDescription: { text: info.description },
    defaultConfiguration: { level: level(info.severity) },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'dtl', version, informationUri: 'https://docs.sesam.io/hub/dtl/', rules } },
        results: diags.map((d) => ({
          ruleId: d.code,
          ...(ruleIndex.has(d.code) ? { ruleIndex: ruleIndex.get(d.code) } : {}),
          level: level(d.severity),
          message: { text: d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: d.file.split(path.sep).join('/') },
                region: { startLine: d.range.line, startColumn: d.range.column, endLine: d.range.endLine, endColumn: d.range.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

/** GitHub Actions workflow commands (`::error file=…,line=…::message`). */
export function formatGithub(diags: readonly Diagnostic[]): string {
  const esc = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escProp = (s: string): string => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return diags
    .map((d) => {
      const cmd = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'notice';
      const props = [
        `file=${escProp(d.file.split(path.sep).join('/'))}`,
        `line=${d.range.line}`,
        `col=${d.range.column}`,
        `endLine=${d.range.endLine}`,
        `endColumn=${d.range.endColumn}`,
        `title=${escProp(d.code)}`,
      ].join(',');
      return `::${cmd} ${props}::${esc(d.message)}`;
    })
    .join('\n');
}
