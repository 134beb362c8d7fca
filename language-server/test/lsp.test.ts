/** The language server over stdio, driven by a minimal LSP client. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SERVER = fileURLToPath(new URL('../../bin/dtl-language-server.js', import.meta.url));

class Client {
  private buf = Buffer.alloc(0);
  private nextId = 1;
  private readonly waiting = new Map<number, (v: unknown) => void>();
  readonly notifications: { method: string; params: unknown }[] = [];
  private listeners: (() => void)[] = [];

  constructor(readonly proc: ChildProcessWithoutNullStreams) {
    proc.stdout.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (;;) {
        const sep = this.buf.indexOf('\r\n\r\n');
        if (sep < 0) return;
        const len = Number(/Content-Length: (\d+)/i.exec(this.buf.subarray(0, sep).toString())![1]);
        if (this.buf.length < sep + 4 + len) return;
        const msg = JSON.parse(this.buf.subarray(sep + 4, sep + 4 + len).toString()) as { id?: number; method?: string; params?: unknown; result?: unknown };
        this.buf = this.buf.subarray(sep + 4 + len);
        if (msg.id !== undefined && msg.method === undefined) this.waiting.get(msg.id)?.(msg.result);
        else if (msg.method) {
          this.notifications.push({ method: msg.method, params: msg.params });
          for (const l of this.listeners) l();
        }
      }
    });
  }

  private send(msg: object): void {
    const body = JSON.stringify({ jsonrpc: '2.0', ...msg });
    this.proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  request(method: string, params: unknown): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ method, params });
  }

  waitFor<T>(pred: (n: { method: string; params: unknown }) => T | undefined, ms = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (const n of this.notifications) {
          const r = pred(n);
          if (r !== undefined) {
            resolve(r);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const t = setTimeout(() => reject(new Error('timed out waiting for a notification')), ms);
      this.listeners.push(() => {
        if (check()) clearTimeout(t);
      });
    });
  }
}

describe('language server (LSP over stdio)', function () {
  this.timeout(60_000);

  it('publishes the same diagnostics as dtl check, live as the buffer changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dtl-lsp-'));
    fs.mkdirSync(path.join(dir, 'pipes'));
    const file = path.join(dir, 'pipes', 'p.conf.json');
    const text = JSON.stringify({ _id: 'p', type: 'pipe', source: { type: 'embedded', entities: [] }, transform: { type: 'dtl', rules: { default: [['add', 'x', ['concatt', 'a']]] } } }, null, 2);
    fs.writeFileSync(file, text);
    const proc = spawn(process.execPath, [SERVER, '--stdio']);
    const client = new Client(proc);
    try {
      await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {}, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'p' }] });
      client.notify('initialized', {});
      const uri = pathToFileURL(file).href;
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'json', version: 1, text } });
      type Diags = { uri: string; diagnostics: { code: string; message: string; range: { start: { line: number; character: number } } }[] };
      const first = await client.waitFor((n) => (n.method === 'textDocument/publishDiagnostics' && (n.params as Diags).uri === uri && (n.params as Diags).diagnostics.length > 0 ? (n.params as Diags) : undefined));
      const d = first.diagnostics.find((x) => x.code === 'dtl-unknown-function')!;
      assert.match(d.message, /Unknown function 'concatt'\. Did you mean 'concat'\?/);
      const line = text.split('\n')[d.range.start.line]!;
      assert.equal(line.slice(d.range.start.character, d.range.start.character + 9), '"concatt"');
      // Fix it in the editor (unsaved): the diagnostics clear.
      client.notifications.length = 0;
      client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: text.replace('concatt', 'concat') }] });
      const cleared = await client.waitFor((n) => (n.method === 'textDocument/publishDiagnostics' && (n.params as Diags).uri === uri ? (n.params as Diags) : undefined));
      assert.deepEqual(cleared.diagnostics, []);
    } finally {
      proc.kill();
    }
  });

  it('checks a project in a subfolder of the workspace as dtl check does (its systems, a BOM, no false reports)', async () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'dtl-lsp-ws-'));
    const root = path.join(ws, 'projects', 'orders');
    fs.mkdirSync(path.join(root, 'pipes'), { recursive: true });
    fs.mkdirSync(path.join(root, 'systems'));
    // sesam-py tooling writes files with a byte order mark; dtl check tolerates it.
    fs.writeFileSync(path.join(root, 'systems', 'feed.conf.json'), '\ufeff' + JSON.stringify({ _id: 'feed', type: 'system:url', base_url: 'data/' }));
    const file = path.join(root, 'pipes', 'orders.conf.json');
    const text = JSON.stringify({ _id: 'orders', type: 'pipe', source: { type: 'json', system: 'feed', url: 'orders.json' } }, null, 2);
    fs.writeFileSync(file, text);
    const proc = spawn(process.execPath, [SERVER, '--stdio']);
    const client = new Client(proc);
    try {
      await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(ws).href, capabilities: {}, workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }] });
      client.notify('initialized', {});
      const uri = pathToFileURL(file).href;
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'json', version: 1, text } });
      type Diags = { uri: string; diagnostics: { code: string; message: string }[] };
      const published = (u: string): Promise<Diags> => client.waitFor((n) => (n.method === 'textDocument/publishDiagnostics' && (n.params as Diags).uri === u ? (n.params as Diags) : undefined));
      assert.deepEqual((await published(uri)).diagnostics, []);
      assert.deepEqual((await published(pathToFileURL(path.join(root, 'systems', 'feed.conf.json')).href)).diagnostics, []);
    } finally {
      proc.kill();
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
