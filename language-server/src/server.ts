/**
 * The language server: a thin LSP adapter over the compiler's project check. It keeps the
 * editor's unsaved buffers, re-checks the project they belong to and publishes diagnostics,
 * so the editor shows exactly what `dtl check` prints in CI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DiagnosticSeverity, ProposedFeatures, TextDocumentSyncKind, TextDocuments, createConnection, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node.js';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkProject } from '@dtl/compiler/check/check-project';
import { loadToolConfig, type ToolConfig } from '@dtl/compiler/check/tool-config';
import { configFilesOf, projectFromFiles, type ConfigFile } from '@dtl/compiler/project/load';
import { parseJson } from '@dtl/compiler/syntax/parser';
import { loadPrecompiledValidators } from '@dtl/compiler/config/schemas';
import type { Diagnostic } from '@dtl/compiler/diagnostics';

export async function startServer(): Promise<void> {
  await loadPrecompiledValidators();
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  let roots: string[] = [];

  connection.onInitialize((params) => {
    roots = (params.workspaceFolders ?? []).map((f) => fileURLToPath(f.uri));
    if (roots.length === 0 && params.rootUri) roots = [fileURLToPath(params.rootUri)];
    return { capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental } };
  });

  const rootOf = (file: string): string => {
    const r = roots.filter((x) => file.startsWith(x + path.sep)).sort((a, b) => b.length - a.length)[0];
    if (r) return r;
    const dir = path.dirname(file);
    return path.basename(dir) === 'pipes' || path.basename(dir) === 'systems' ? path.dirname(dir) : dir;
  };

  const validate = (uri: string): void => {
    if (!uri.startsWith('file:')) return;
    const file = fileURLToPath(uri);
    const root = rootOf(file);
    let paths: string[];
    try {
      paths = configFilesOf(root).files;
    } catch {
      paths = [];
    }
    if (!paths.includes(file)) paths.push(file);
    const files: ConfigFile[] = paths.map((p) => {
      const open = documents.get(pathToFileURL(p).href);
      const text = open ? open.getText() : fs.readFileSync(p, 'utf8');
      return { path: p, display: p, rel: path.relative(root, p).split(path.sep).join('/'), text, parse: parseJson(text) };
    });
    let toolConfig: ToolConfig | undefined;
    try {
      toolConfig = loadToolConfig(root);
    } catch {
      toolConfig = undefined;
    }
    const result = checkProject(projectFromFiles(root, files), { toolConfig });
    const byFile = new Map<string, LspDiagnostic[]>(paths.map((p) => [p, []]));
    for (const d of result.diagnostics) byFile.get(d.file)?.push(toLsp(d));
    for (const [p, diags] of byFile) void connection.sendDiagnostics({ uri: pathToFileURL(p).href, diagnostics: diags });
  };

  documents.onDidChangeContent((e) => validate(e.document.uri));
  documents.listen(connection);
  connection.listen();
}

function toLsp(d: Diagnostic): LspDiagnostic {
  return {
    range: { start: { line: d.range.line - 1, character: d.range.column - 1 }, end: { line: d.range.endLine - 1, character: d.range.endColumn - 1 } },
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: d.code,
    source: 'dtl',
    message: d.message,
  };
}
