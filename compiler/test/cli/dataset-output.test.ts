/**
 * `dtl dataset` writes its JSON array entity by entity: the text is the same as before for small
 * datasets, and a dataset whose whole text would not fit in memory (or in one V8 string) prints.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTL, dtl, tempDir, writeProject } from '../helpers.js';

const RECEIVER = [{ _id: 'inbound', type: 'pipe', source: { type: 'http_endpoint' } }];

/** A project with one http_endpoint pipe, and `n` entities of about `pad` characters pushed to it. */
function pushed(n: number, pad: number): { project: string; data: string } {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(JSON.stringify({ _id: `e${i}`, n: i, pad: 'x'.repeat(pad), nested: { list: [i, 'two', { deep: true }] } }));
  const project = writeProject({ 'sesam.conf.json': RECEIVER, 'feed.jsonl': lines.join('\n') + '\n' });
  const data = path.join(project, '.dtl');
  const r = dtl(['push', 'inbound', path.join(project, 'feed.jsonl'), project, '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  return { project, data };
}

describe('dtl dataset output', function () {
  this.timeout(180_000);

  it('prints 2-space indented JSON with sorted keys, across many output chunks', () => {
    const { data } = pushed(300, 500);
    for (const extra of [[], ['--history']]) {
      const r = dtl(['dataset', 'inbound', '--data', data, ...extra]);
      assert.equal(r.code, 0, r.stderr);
      const parsed = JSON.parse(r.stdout) as { _id: string; nested: unknown }[];
      assert.equal(parsed.length, 300);
      assert.deepEqual(parsed[7]!.nested, { list: [7, 'two', { deep: true }] });
      // JSON.parse keeps the (sorted) key order, so this is exactly the expected text.
      assert.equal(r.stdout, JSON.stringify(parsed, null, 2) + '\n');
    }
  });

  it('prints an empty dataset as []', () => {
    const project = writeProject({ 'sesam.conf.json': RECEIVER, 'none.json': '[]' });
    const data = path.join(project, '.dtl');
    assert.equal(dtl(['push', 'inbound', path.join(project, 'none.json'), project, '--data', data]).code, 0);
    const r = dtl(['dataset', 'inbound', '--data', data]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '[]\n');
  });

  it('streams: a dataset several times larger than the heap prints, with and without --history', () => {
    // 40,000 entities of 2 KB are about 90 MB of output; with a 64 MB heap, building the
    // whole array (or its text) first runs out of memory, writing entity by entity does not.
    const { data } = pushed(40_000, 2000);
    for (const extra of [[], ['--history']]) {
      const file = path.join(tempDir(), 'out.json');
      const fd = fs.openSync(file, 'w');
      try {
        const r = spawnSync(process.execPath, ['--max-old-space-size=64', DTL, 'dataset', 'inbound', '--data', data, ...extra], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
      } finally {
        fs.closeSync(fd);
      }
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(text.startsWith('[\n  {\n    "_deleted": false,\n    "_hash": '), text.slice(0, 60));
      assert.ok(text.endsWith('\n  }\n]\n'));
      const ids = (JSON.parse(text) as { _id: string }[]).map((e) => e._id);
      assert.equal(ids.length, 40_000);
      assert.equal(ids[39_999], 'e39999');
    }
  });
});
