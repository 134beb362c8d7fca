/** Shared helpers for CLI-level tests: run `dtl` as a real process, make temp projects. */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as http from 'node:http';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const DTL = path.join(REPO, 'compiler', 'bin', 'dtl.js');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function dtl(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(process.execPath, [DTL, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs dtl asynchronously (for tests that serve HTTP at the same time). */
export function dtlAsync(args: string[], opts: { cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DTL, ...args], { cwd: opts.cwd ?? REPO, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function tempDir(prefix = 'dtl-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A copy of a sample project in a fresh temp folder (without any .dtl data). */
export function copySample(name: string): string {
  const dir = path.join(tempDir(), name);
  fs.cpSync(path.join(REPO, 'samples', name), dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}.dtl`) });
  return dir;
}

export function writeProject(files: Record<string, string | unknown>): string {
  const dir = tempDir('dtl-proj-');
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/** Drops the fields that legitimately differ between runs and machines. */
export function withoutVolatile(entities: unknown): unknown {
  if (Array.isArray(entities)) return entities.map(withoutVolatile);
  if (entities && typeof entities === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(entities)) if (k !== '_ts' && k !== '_hash') out[k] = v;
    return out;
  }
  return entities;
}

/** A request as a test receiver saw it: path, query, method, headers and the body text. */
export interface SeenRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Runs `fn` with the port of a local HTTP server that records every request and answers with
 * `reply` (200 and `{}` by default); the server is closed afterwards.
 */
export async function withServer<T>(fn: (port: number, seen: SeenRequest[]) => Promise<T>, reply: (req: SeenRequest) => { status?: number; type?: string; body?: string; location?: string } = () => ({})): Promise<T> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r: SeenRequest = { url: new URL(req.url!, 'http://localhost'), method: req.method ?? '', headers: req.headers, body };
      seen.push(r);
      const out = reply(r);
      res.writeHead(out.status ?? 200, { 'content-type': out.type ?? 'application/json', ...(out.location === undefined ? {} : { location: out.location }) });
      res.end(out.body ?? '{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    return await fn((server.address() as { port: number }).port, seen);
  } finally {
    server.close();
  }
}

/** Deterministic pseudo-random integers in [0, n) (mulberry32), so failures reproduce. */
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}
