/**
 * A full run (a reset, or a changed config) that is interrupted must not lose its deletion
 * tracking: the next run starts the full run over instead of continuing incrementally from
 * where the interrupted one saved its position, which would never delete what the full run
 * no longer produces.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTL, dtl, writeProject } from '../helpers.js';

const ENTITIES = 40_000;

function config(prefix: string): unknown[] {
  return [
    { _id: 'files', type: 'system:url', base_url: './' },
    { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'files', url: 'feed.jsonl' } },
    {
      _id: 'copy',
      type: 'pipe',
      source: { type: 'dataset', dataset: 'feed' },
      transform: { type: 'dtl', rules: { default: [['copy', '*'], ['add', '_id', ['concat', prefix, '_S._id']]] } },
    },
  ];
}

/** Total size of a dataset's log segments (pending lines reach them at the end of each write batch). */
function logBytes(data: string, folder: string): number {
  const dir = path.join(data, 'datasets', 'datasets', folder);
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir).filter((f) => f.startsWith('log-')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
}

/** `dtl run --once`, SIGTERM as soon as the copy pipe has written a batch beyond `bytes`. */
function stopWhileCopying(project: string, data: string, folder: string, bytes: number): Promise<{ code: number | null; stderr: string; signalled: boolean }> {
  const child = spawn(process.execPath, [DTL, 'run', project, '--once', '--data', data], { env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  let signalled = false;
  child.stdout.resume();
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setInterval(() => {
    if (!signalled && logBytes(data, folder) > bytes) {
      signalled = true;
      child.kill('SIGTERM');
    }
  }, 5);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearInterval(timer);
      resolve({ code, stderr, signalled });
    });
  });
}

function liveIds(data: string, dataset: string): string[] {
  const r = dtl(['dataset', dataset, '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { _id: string; _deleted?: boolean }[]).filter((e) => e._deleted !== true).map((e) => e._id);
}

describe('an interrupted full run', function () {
  this.timeout(120_000);

  it('still tracks deletions: the next run starts the full run over', async () => {
    const feed = Array.from({ length: ENTITIES }, (_, i) => `{"_id": "e${i}", "n": ${i}}`).join('\n') + '\n';
    const project = writeProject({ 'feed.jsonl': feed, 'sesam.conf.json': config('a-') });
    const data = path.join(project, 'data');
    try {
      const first = dtl(['run', project, '--once', '--data', data, '--quiet']);
      assert.equal(first.code, 0, first.stderr);
      const folder = fs.readdirSync(path.join(data, 'datasets', 'datasets')).find((f) => f.includes('copy'))!;
      assert.ok(folder, 'the copy dataset exists');
      const before = logBytes(data, folder);

      // A new config: the copy pipe reprocesses from the start, and every old id is gone.
      fs.writeFileSync(path.join(project, 'sesam.conf.json'), JSON.stringify(config('b-')));
      const stopped = await stopWhileCopying(project, data, folder, before);
      assert.ok(stopped.signalled, `the run ended before the copy pipe wrote: ${stopped.stderr}`);
      assert.equal(stopped.code, 143, stopped.stderr);
      assert.match(stopped.stderr, /pipe copy: stopped after \d+ entities/);

      const rest = dtl(['run', project, '--once', '--data', data, '--quiet']);
      assert.equal(rest.code, 0, rest.stderr);
      const live = liveIds(data, 'copy');
      // What an uninterrupted run leaves: the new ids only.
      assert.equal(live.filter((id) => id.startsWith('a-')).length, 0, 'ids the full run no longer produces are deleted');
      assert.equal(live.filter((id) => id.startsWith('b-')).length, ENTITIES);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
