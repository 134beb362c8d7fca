/**
 * Every command that opens a data folder held by a running `dtl run` says so in one line and
 * exits 2, as a second `dtl run` always did; no stack trace.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTL, dtl, writeProject } from '../helpers.js';

/** Starts `dtl run` (serving, so it keeps the lock) and resolves once its API is up. */
function holdLock(project: string, data: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [DTL, 'run', project, '--data', data, '--port', '0', '--quiet'], { env: { ...process.env, NO_COLOR: '1' } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('API on')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`dtl run exited early (${code}): ${out}`)));
  });
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function assertLocked(r: { code: number; stderr: string }, prefix: string, pid: number): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`^${prefix}: data folder \\S+ is locked by another running process \\(pid ${pid}\\)`));
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

describe('a data folder locked by a running dtl run', function () {
  this.timeout(120_000);

  it('dataset, push, start, run and the bundle all report the lock and exit 2', async () => {
    const project = writeProject({
      'sesam.conf.json': [{ _id: 'inbound', type: 'pipe', source: { type: 'http_endpoint' } }],
      'a.json': '[{"_id": "a"}]',
    });
    const data = path.join(project, 'data');
    const out = path.join(project, 'out');
    assert.equal(dtl(['build', project, '-o', out]).code, 0);
    const server = await holdLock(project, data);
    try {
      const pid = server.pid!;
      assertLocked(dtl(['dataset', 'inbound', '--data', data]), 'dtl dataset', pid);
      assertLocked(dtl(['push', 'inbound', path.join(project, 'a.json'), project, '--data', data]), 'dtl push', pid);
      assertLocked(dtl(['start', project, '--data', data]), 'dtl start', pid);
      assertLocked(dtl(['run', project, '--data', data, '--once']), 'dtl run', pid);
      const b = spawnSync(process.execPath, [path.join(out, 'bundle.mjs'), '--once', '--data', data], { encoding: 'utf8' });
      assertLocked({ code: b.status ?? -1, stderr: b.stderr }, 'bundle\\.mjs', pid);
    } finally {
      await stopped(server);
    }
    assert.ok(!fs.existsSync(path.join(data, 'datasets', 'LOCK')), 'the server released its lock');
    assert.equal(dtl(['push', 'inbound', path.join(project, 'a.json'), project, '--data', data]).code, 0);
    assert.equal(dtl(['dataset', 'inbound', '--data', data]).code, 0);
  });
});
