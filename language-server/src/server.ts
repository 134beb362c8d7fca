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
import { loadToolConfig, projectEnv, type ToolConfig } from '@dtl/compiler/check/tool-config';
import type { EnvVars } from '@dtl/compiler/config/env';
import { configFilesOf, projectFromFiles, readConfigFile, type ConfigFile } from '@dtl/compiler/project/load';
import { loadPrecompiledValidators } from '@dtl/compiler/config/schemas';
import type { Diagnostic } from '@dtl/compiler/diagnostics';

/** Editors send a change per keystroke; checking waits for a pause this long. */
const CHECK_DELAY_MS = 150;

/**
 * The project a file belongs to: the folder above its `pipes/` or `systems/` folder, else the
 * folder it is in (where a `sesam.conf.json` or `node-metadata.conf.json` lives) — the same
 * project `dtl check` would load.
 */
export function projectRootOf(file: string): string {
  for (let dir = path.dirname(file); ; ) {
    const name = path.basename(dir);
    if (name === 'pipes' || name === 'systems') return path.dirname(dir);
    const up = path.dirname(dir);
    if (up === dir) return path.dirname(file);
    dir = up;
  }
}

export async function startServer(): Promise<void> {
  await loadPrecompiledValidators();
  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  /** Parsed files by path with the text they came from, reused while it is unchanged (most files, most keystrokes). */
  const parsed = new Map<string, { text: string; file: ConfigFile }>();
  const pending = new Map<string, NodeJS.Timeout>();

  connection.onInitialize(() => ({ capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental } }));

  /** A file as the editor has it: the open buffer, else the file on disk. */
  const fileOf = (root: string, p: string): ConfigFile => {
    const open = documents.get(pathToFileURL(p).href);
    let text: string;
    try {
      text = open ? open.getText() : fs.readFileSync(p, 'utf8');
    } catch {
      text = '';
    }
    const known = parsed.get(p);
    if (known?.text === text) return known.file;
    const file = readConfigFile(root, p, text, p);
    parsed.set(p, { text, file });
    return file;
  };

  const check = (root: string, changed: string): void => {
    let paths: string[];
    try {
      paths = configFilesOf(root).files;
    } catch {
      paths = [];
    }
    if (!paths.includes(changed)) paths.push(changed);
    const files = paths.map((p) => fileOf(root, p));
    let toolConfig: ToolConfig | undefined;
    let env: EnvVars | undefined;
    try {
      toolConfig = loadToolConfig(root);
      env = projectEnv(root, toolConfig);
    } catch {
      // A broken dtl.config.json or env file is reported by `dtl check`; the editor checks on without it.
    }
    const result = checkProject(projectFromFiles(root, files), { toolConfig, env });
    const byFile = new Map<string, LspDiagnostic[]>(paths.map((p) => [p, []]));
    for (const d of result.diagnostics) byFile.get(d.file)?.push(toLsp(d));
    for (const [p, diags] of byFile) void connection.sendDiagnostics({ uri: pathToFileURL(p).href, diagnostics: diags });
  };

  const schedule = (uri: string): void => {
    if (!uri.startsWith('file:')) return;
    const file = fileURLToPath(uri);
    const root = projectRootOf(file);
    clearTimeout(pending.get(root));
    pending.set(
      root,
      setTimeout(() => {
        pending.delete(root);
        check(root, file);
      }, CHECK_DELAY_MS),
    );
  };

  documents.onDidChangeContent((e) => schedule(e.document.uri));
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
