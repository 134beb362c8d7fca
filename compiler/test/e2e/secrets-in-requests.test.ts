/**
 * `$SECRET(...)` in source and sink configs is filled in wherever the runtime reads or writes
 * through them, not only in pump runs: the pipe entities API and `dtl test` read the source,
 * receivers write to the sink. A secret nobody provides is a one-line error, not a crash.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { startApi } from '@dtl/runtime/engine/http';
import { dtl, dtlAsync, tempDir, withServer, writeProject } from '../helpers.js';
import { start } from './running.js';

const TOKEN = 'Bearer s3cret';

/** A json source behind a system whose request header holds a secret; the server only answers it. */
function feedProject(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'sesam.conf.json': [
      { _id: 'api', type: 'system:url', base_url: `http://127.0.0.1:${port}/` },
      { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'api', url: 'items.json', headers: { authorization: '$SECRET(token)' } } },
    ],
    'secrets.json': { token: TOKEN },
    ...extra,
  };
}

const guarded = (req: { headers: Record<string, unknown> }): { status?: number; body?: string } =>
  req.headers['authorization'] === TOKEN ? { body: JSON.stringify([{ _id: 'a', n: 1 }]) } : { status: 401, body: '{}' };

describe('$SECRET(...) beyond pump runs', function () {
  this.timeout(60_000);

  it('the pipe entities API reads the source with its secrets filled in', async () => {
    await withServer(async (port, seen) => {
      const r = await start(feedProject(port));
      const api = await startApi(r.rt, 0);
      try {
        for (const transformed of ['true', 'false']) {
          const res = await fetch(`http://127.0.0.1:${api.port}/api/pipes/feed/entities?transformed=${transformed}`);
          assert.equal(res.status, 200, await res.clone().text());
          assert.deepEqual(((await res.json()) as { _id: string }[]).map((e) => e._id), ['a']);
        }
        assert.ok(seen.length >= 2 && seen.every((q) => q.headers['authorization'] === TOKEN), 'every request carried the secret');
      } finally {
        await api.close();
        r.close();
      }
    }, guarded);
  });

  it('a receiver writes to a json push sink with its secrets filled in', async () => {
    await withServer(async (port, seen) => {
      const r = await start({
        'sesam.conf.json': [
          { _id: 'out', type: 'system:url', base_url: `http://127.0.0.1:${port}/` },
          { _id: 'in', type: 'pipe', source: { type: 'http_endpoint' }, sink: { type: 'json', system: 'out', url: 'receive', headers: { authorization: '$SECRET(token)' } } },
        ],
        'secrets.json': { token: TOKEN },
      });
      try {
        await r.rt.receive('in', [{ _id: 'x' }], { isFull: false, isFirst: false, isLast: false });
        assert.equal(seen.length, 1);
        assert.equal(seen[0]!.headers['authorization'], TOKEN);
        assert.deepEqual((JSON.parse(seen[0]!.body) as { _id: string }[]).map((e) => e._id), ['x']);
      } finally {
        r.close();
      }
    });
  });

  it('dtl test reads the source with its secrets filled in', async () => {
    await withServer(async (port, seen) => {
      const dir = writeProject(feedProject(port, { 'expected/feed.json': [{ _id: 'a', n: 1 }] }));
      // The server runs in this process: the CLI must not block it.
      const r = await dtlAsync(['test', dir]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /All tests passed/);
      assert.ok(seen.length > 0 && seen.every((q) => q.headers['authorization'] === TOKEN), 'every request carried the secret');
    }, guarded);
  });

  it('a source secret nobody provides fails dtl run and dtl test with one line naming it', async () => {
    const dir = writeProject({
      'sesam.conf.json': [
        { _id: 'api', type: 'system:url', base_url: 'http://127.0.0.1:9/' },
        { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'api', url: 'x.json', headers: { 'x-token': '$SECRET(nope)' } } },
      ],
      'expected/feed.json': [],
    });
    const message = "Pipe 'feed': the source refers to the secret 'nope', which neither secrets.json in the project nor the environment (DTL_SECRET_nope) provides.";
    const run = dtl(['run', dir, '--once', '--data', path.join(tempDir(), 'd')]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr.trim(), `dtl run: ${message}`);
    const test = dtl(['test', dir]);
    assert.equal(test.code, 1);
    // (After the note that sesam-py would not test an internal pipe.)
    assert.equal(test.stderr.trim().split('\n').pop(), `dtl test: ${message}`);
    assert.doesNotMatch(test.stderr, /^\s+at /m, 'no stack trace');
  });
});
