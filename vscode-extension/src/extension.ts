/** The VS Code client: starts the dtl language server over stdio for Sesam config files. */
import * as path from 'node:path';
import type { ExtensionContext } from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export function activate(context: ExtensionContext): void {
  const server = context.asAbsolutePath(path.join('..', 'language-server', 'bin', 'dtl-language-server.js'));
  const serverOptions: ServerOptions = {
    run: { command: 'node', args: [server], transport: TransportKind.stdio },
    debug: { command: 'node', args: [server], transport: TransportKind.stdio },
  };
  const clientOptions: LanguageClientOptions = { documentSelector: [{ scheme: 'file', pattern: '**/*.conf.json' }] };
  client = new LanguageClient('dtl', 'Sesam DTL', serverOptions, clientOptions);
  void client.start();
}

export function deactivate(): Promise<void> | undefined {
  return client?.stop();
}
