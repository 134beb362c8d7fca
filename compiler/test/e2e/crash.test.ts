/**
 * kill -9 at random moments of `node bundle.mjs --once`: nothing committed is lost, nothing
 * is torn, and the next run resumes and ends with exactly the datasets of an uninterrupted run.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dtl, tempDir, withoutVolatile, writeProject } from '../helpers.js';

function feed(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += JSON.stringify({ _id: String(i), group: String(i % 97), price: `~f${(i % 1000) / 100 + 1}` }) + '\n';
  return out;
}

const CONFIG = [
  { _id: 'files', type: 'system:url', base_url: './' },
  { _id: 'items', type: 'pipe', source: { type: 'json', system: 'files', url: 'items.jsonl' } },
  { _id: 'groups', type: 'pipe', source: { type: 'json', system: 'files', url: 'groups.jsonl' } },
  {
    _id: 'priced',
    type: 'pipe',
    source: { type: 'dataset', dataset: 'items' },
    transform: { type: 'dtl', rules: { default: [['copy', '*'], ['add', 'group_name', ['first', ['hops', { datasets: ['groups g'], where: ['eq', '_S.group', 'g._id'], return: 'g.name' }]]], ['add', 'double', ['multiply', 2, '_S.price']]] } },
  },
];

function runToEnd(bundle: string, data: string): void {
  const r = spawnSync(process.execPath, [bundle, '--once', '--data', data, '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

function datasets(data: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const id of ['items', 'groups', 'priced']) {
    const r = dtl(['dataset', id, '--data', data]);
    assert.equal(r.code, 0, r.stderr);
    out[id] = withoutVolatile(JSON.parse(r.stdout));
  }
  return out;
}

describe('crash safety of a running project (SIGKILL)', function () {
  this.timeout(300_000);

  it('resumes after kill -9 and ends exactly like an uninterrupted run', async () => {
    let groups = '';
    for (let g = 0; g < 97; g++) groups += JSON.stringify({ _id: String(g), name: `group ${g}` }) + '\n';
    const dir = writeProject({ 'items.jsonl': feed(60_000), 'groups.jsonl': groups, 'sesam.conf.json': CONFIG });
    const out = path.join(dir, 'out');
    assert.equal(dtl(['build', dir, '-o', out]).code, 0);
    const bundle = path.join(out, 'bundle.mjs');

    const clean = path.join(tempDir(), 'clean');
    runToEnd(bundle, clean);
    const expected = datasets(clean);

    const crashed = path.join(tempDir(), 'crashed');
    let killed = 0;
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, [bundle, '--once', '--data', crashed, '--quiet'], { stdio: 'ignore' });
      const delay = 150 + Math.floor(Math.random() * 1500);
      const exited = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          resolve(false);
        }, delay);
        child.on('exit', () => {
          clearTimeout(t);
          resolve(true);
        });
      });
      if (!exited) {
        killed++;
        await new Promise((r) => child.on('close', r));
      }
    }
    runToEnd(bundle, crashed);
    assert.deepEqual(datasets(crashed), expected);
    // Every stored line is whole JSON and versions are contiguous.
    for (const id of ['items', 'priced']) {
      const r = dtl(['dataset', id, '--data', crashed, '--history']);
      const versions = JSON.parse(r.stdout) as { _updated: number }[];
      versions.forEach((v, i) => assert.equal(v._updated, i));
    }
    assert.ok(killed >= 1, 'at least one run was killed mid-way');
    // A further run changes nothing.
    const again = spawnSync(process.execPath, [bundle, '--once', '--data', crashed], { encoding: 'utf8' });
    assert.match(again.stdout, /priced: \d+ processed, 0 written/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
