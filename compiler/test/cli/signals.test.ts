/**
 * SIGINT and SIGTERM during a long run: `dtl run` ends the run in flight after its batch,
 * commits what it did, and the next run completes the work. Real processes, real signals.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTL, dtl, writeProject } from '../helpers.js';

const ENTITIES = 150_000;

function bigProject(): string {
  const lines = Array.from({ length: ENTITIES }, (_, i) => `{"_id": "e${i}", "n": ${i}}`).join('\n') + '\n';
  return writeProject({
    'feed.jsonl': lines,
    'sesam.conf.json': [
      { _id: 'files', type: 'system:url', base_url: './' },
      { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'files', url: 'feed.jsonl' }, pump: { schedule_interval: 3600 } },
      {
        _id: 'copy',
        type: 'pipe',
        source: { type: 'dataset', dataset: 'feed' },
        transform: { type: 'dtl', rules: { default: [['copy', '*'], ['add', 'label', ['concat', 'n-', ['string', '_S.n']]]] } },
        pump: { schedule_interval: 3600 },
      },
    ],
  });
}

/** Whether the first dataset has appeared in the data folder: the first pipe is at work. */
function writing(data: string): boolean {
  const dir = path.join(data, 'datasets', 'datasets');
  return fs.existsSync(dir) && fs.readdirSync(dir).length > 0;
}

/** Runs `dtl run ARGS`, sends `signal` once the first pipe is writing, and resolves with the outcome. */
function interrupt(args: string[], data: string, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const child = spawn(process.execPath, [DTL, 'run', ...args], { env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  let sentAt = 0;
  const send = (): void => {
    if (sentAt === 0) {
      sentAt = Date.now();
      child.kill(signal);
    }
  };
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setInterval(() => {
    if (writing(data)) send();
  }, 10);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, ms: sentAt ? Date.now() - sentAt : -1 });
    });
  });
}

function count(data: string, dataset: string): number {
  const r = dtl(['dataset', dataset, '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as unknown[]).length;
}

describe('signals during a run', function () {
  this.timeout(180_000);

  it('SIGTERM during the first pass of a serving run stops after the batch in flight; the next run completes', async () => {
    const project = bigProject();
    const data = path.join(project, 'data');
    const r = await interrupt([project, '--data', data, '--port', '0'], data, 'SIGTERM');
    assert.ok(r.ms >= 0, `the run ended before the signal: ${r.stdout}${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Stopping: finishing the batch in flight/);
    assert.match(r.stderr, /stopped after \d+ entities; the next run continues/);
    assert.doesNotMatch(r.stdout, /API on/, 'a stop during the first pass does not start serving');
    assert.ok(r.ms < 5000, `took ${r.ms} ms to stop`);
    const again = dtl(['run', project, '--data', data, '--once', '--quiet']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(count(data, 'copy'), ENTITIES);
  });

  it('SIGINT during dtl run --once exits 130 after the batch in flight, with what it did committed', async () => {
    const project = bigProject();
    const data = path.join(project, 'data');
    const r = await interrupt([project, '--data', data, '--once'], data, 'SIGINT');
    assert.ok(r.ms >= 0, `the run ended before the signal: ${r.stdout}${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    const again = dtl(['run', project, '--data', data, '--once', '--quiet']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(count(data, 'feed'), ENTITIES);
    assert.equal(count(data, 'copy'), ENTITIES);
  });
});
