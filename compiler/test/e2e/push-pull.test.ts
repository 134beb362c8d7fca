/**
 * The json sink (JSON push protocol) and the json source over http(s) (JSON pull protocol)
 * against local HTTP(S) servers, rule by rule from the Sesam docs (json-push, json-pull,
 * the json sink and source, the URL system): what requests arrive, in what order, with which
 * parameters, headers and bodies, and what happens when the server fails.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { REPO } from '../helpers.js';
import { ProjectRuntime } from '@dtl/runtime/engine/project';
import { start, type Running } from './running.js';

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: http.IncomingHttpHeaders;
  /** Raw header pairs, to see a header sent twice. */
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

type Handler = (req: Seen, res: http.ServerResponse, n: number) => void;

interface Server {
  readonly port: number;
  readonly seen: Seen[];
  /** Resolves at the next request that arrives (for tests that act while one is pending). */
  next(): Promise<Seen>;
  close(): Promise<void>;
}

const TLS = {
  cert: fs.readFileSync(path.join(REPO, 'compiler/test/fixtures/tls/127.0.0.1-cert.pem'), 'utf8'),
  key: fs.readFileSync(path.join(REPO, 'compiler/test/fixtures/tls/127.0.0.1-key.pem'), 'utf8'),
};

/** A server on 127.0.0.1 that records every request and lets `handler` answer (or not). */
async function serve(handler: Handler = (_q, res) => res.end('{}'), tls = false): Promise<Server> {
  const seen: Seen[] = [];
  let waiting: Array<(q: Seen) => void> = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://localhost');
      const q: Seen = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(parts).toString('utf8') };
      seen.push(q);
      const w = waiting;
      waiting = [];
      for (const f of w) f(q);
      handler(q, res, seen.length);
    });
  };
  const server = tls ? https.createServer(TLS, onRequest) : http.createServer(onRequest);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as { port: number }).port,
    seen,
    next: () => new Promise((ok) => waiting.push(ok)),
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

const FILES = { _id: 'files', type: 'system:url', base_url: './' };

/** An upstream pipe reading items.json into dataset `items`, and `push` sending it on with a json sink. */
function pushProject(port: number, items: unknown[], opts: { system?: Record<string, unknown>; sink?: Record<string, unknown>; pump?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    'items.json': JSON.stringify(items),
    'sesam.conf.json': [
      FILES,
      { _id: 'receiver', type: 'system:url', url_pattern: `http://127.0.0.1:${port}/api/receivers/%s/entities`, ...opts.system },
      { _id: 'items', type: 'pipe', source: { type: 'json', system: 'files', url: 'items.json' } },
      { _id: 'push', type: 'pipe', source: { type: 'dataset', dataset: 'items' }, sink: { type: 'json', system: 'receiver', url: 'out', ...opts.sink }, ...(opts.pump ? { pump: opts.pump } : {}) },
    ],
  };
}

function bodyIds(q: Seen): string[] {
  return (JSON.parse(q.body) as Array<{ _id: string }>).map((e) => e._id);
}

async function runFails(r: Running, pipe: string): Promise<Error> {
  try {
    await r.rt.runPipe(pipe);
  } catch (e) {
    return e as Error;
  }
  assert.fail(`pipe ${pipe} was expected to fail`);
}

const ids = (n: number): Array<{ _id: string; v: number }> => Array.from({ length: n }, (_, i) => ({ _id: `e${String(i).padStart(5, '0')}`, v: i }));

describe('json push sink and json pull source against local servers', function () {
  this.timeout(60_000);

  describe('JSON push protocol', () => {
    it('a full sync is one sequence: is_first, a chain of request ids, batch_size entities per request, an is_last request; an incremental run sends changes and deletes', async () => {
      const s = await serve();
      try {
        const r = await start(pushProject(s.port, ids(5), { sink: { batch_size: 2 } }));
        await r.rt.runOnce();
        assert.equal(s.seen.length, 4);
        const seq = s.seen[0]!.query.sequence_id!;
        // The sink ends every full sync with its own (here empty) is_last request.
        assert.deepEqual(
          s.seen.map((q) => q.query),
          [
            { is_first: 'true', is_full: 'true', request_id: '1', sequence_id: seq },
            { is_full: 'true', request_id: '2', sequence_id: seq, previous_request_id: '1' },
            { is_full: 'true', request_id: '3', sequence_id: seq, previous_request_id: '2' },
            { is_full: 'true', request_id: '4', sequence_id: seq, previous_request_id: '3', is_last: 'true' },
          ],
        );
        assert.deepEqual(s.seen.map(bodyIds), [['e00000', 'e00001'], ['e00002', 'e00003'], ['e00004'], []]);
        for (const q of s.seen) {
          assert.equal(q.method, 'POST');
          assert.equal(q.path, '/api/receivers/out/entities');
          assert.equal(q.headers['content-type'], 'application/json');
        }

        // One entity changed, one gone upstream: the next run is incremental.
        s.seen.length = 0;
        fs.writeFileSync(path.join(r.dir, 'items.json'), JSON.stringify([...ids(5).slice(0, 3), { _id: 'e00003', v: 33 }]));
        await r.rt.runOnce();
        assert.equal(s.seen.length, 1);
        const q = s.seen[0]!;
        assert.notEqual(q.query.sequence_id, seq, 'every sync has its own sequence_id');
        assert.deepEqual(q.query, { is_full: 'false', request_id: '1', sequence_id: q.query.sequence_id });
        const sent = (JSON.parse(q.body) as Array<Record<string, unknown>>).map((e) => [e._id, e.v, e._deleted]);
        assert.deepEqual(sent, [['e00003', 33, false], ['e00004', 4, true]]);
        r.close();
      } finally {
        await s.close();
      }
    });

    it('an empty full sync is one request with is_first and is_last and an empty array', async () => {
      const s = await serve();
      try {
        const r = await start(pushProject(s.port, []));
        await r.rt.runOnce();
        assert.equal(s.seen.length, 1);
        assert.deepEqual(s.seen[0]!.query, { is_first: 'true', is_full: 'true', request_id: '1', sequence_id: s.seen[0]!.query.sequence_id, is_last: 'true' });
        assert.equal(s.seen[0]!.body, '[]');
        r.close();
      } finally {
        await s.close();
      }
    });

    it('a 500 or a closed connection is retried with the same request; the sequence goes on', async () => {
      const s = await serve((_q, res, n) => {
        if (n === 1) return res.socket?.destroy();
        if (n === 2) {
          res.statusCode = 500;
          return res.end('boom');
        }
        res.end('{}');
      });
      try {
        const r = await start(pushProject(s.port, ids(3), { sink: { batch_size: 2 } }));
        await r.rt.runOnce();
        assert.deepEqual(
          s.seen.map((q) => [q.query.request_id, q.query.is_first, q.query.is_last, bodyIds(q).length]),
          [['1', 'true', undefined, 2], ['1', 'true', undefined, 2], ['1', 'true', undefined, 2], ['2', undefined, undefined, 1], ['3', undefined, 'true', 0]],
        );
        assert.equal(new Set(s.seen.map((q) => q.query.sequence_id)).size, 1);
        r.close();
      } finally {
        await s.close();
      }
    });

    it('a 409 stops the run; the next run starts a new full sync from the beginning', async () => {
      const s = await serve((_q, res, n) => {
        res.statusCode = n === 2 ? 409 : 200;
        res.end('{}');
      });
      try {
        const r = await start(pushProject(s.port, ids(5), { sink: { batch_size: 2 } }));
        await r.rt.runPipe('items');
        assert.match((await runFails(r, 'push')).message, /409 Conflict/);
        assert.equal(s.seen.length, 2, 'no retry of a 409 and no further requests');
        await r.rt.runPipe('push');
        const again = s.seen.slice(2);
        assert.deepEqual(again.map((q) => [q.query.is_first, q.query.is_full, q.query.request_id, q.query.is_last]), [
          ['true', 'true', '1', undefined],
          [undefined, 'true', '2', undefined],
          [undefined, 'true', '3', undefined],
          [undefined, 'true', '4', 'true'],
        ]);
        assert.notEqual(again[0]!.query.sequence_id, s.seen[0]!.query.sequence_id);
        assert.deepEqual(again.flatMap(bodyIds), ids(5).map((e) => e._id));
        r.close();
      } finally {
        await s.close();
      }
    });

    it('a full sync stopped halfway is redone as a new full sync, not continued incrementally without is_last', async () => {
      // The runner writes to the sink every 10000 entities and checks for a stop between
      // source chunks, so the first request is held until stop() has been called.
      let release: () => void = () => {};
      const held = new Promise<void>((ok) => (release = ok));
      const s = await serve((_q, res, n) => {
        if (n === 1) void held.then(() => res.end('{}'));
        else res.end('{}');
      });
      try {
        const r = await start(pushProject(s.port, ids(12_000), { sink: { batch_size: 10_000 } }));
        await r.rt.runPipe('items');
        const first = s.next();
        const running = r.rt.runPipe('push');
        await first;
        const stopping = r.rt.stop();
        release();
        assert.equal((await running).stopped, true);
        await stopping;
        r.close();
        // The same build again (a rebuild would count as a config change and reprocess anyway).
        const rt2 = new ProjectRuntime(r.rt.manifest, r.modules, r.rt.options);
        await rt2.runPipe('push');
        const again = s.seen.slice(1);
        assert.deepEqual(
          again.map((q) => [q.query.is_first, q.query.is_full, q.query.is_last, bodyIds(q).length]),
          [['true', 'true', undefined, 10_000], [undefined, 'true', undefined, 2000], [undefined, 'true', 'true', 0]],
        );
        rt2.close();
      } finally {
        await s.close();
      }
    });
  });

  describe('retrying failed writes (pump retry properties, the URL system\'s retry_strategy)', () => {
    /** A server answering with `statuses` in turn (0: the connection is closed unanswered), then 200; it notes when each request came. */
    async function failing(statuses: number[]): Promise<Server & { at: number[] }> {
      const at: number[] = [];
      const s = await serve((_q, res, n) => {
        at.push(Date.now());
        const status = statuses[n - 1] ?? 200;
        if (status === 0) return res.socket?.destroy();
        res.statusCode = status;
        res.end(status === 200 ? '{}' : 'nope');
      });
      return Object.assign(s, { at });
    }
    const gaps = (at: number[]): number[] => at.slice(1).map((t, i) => t - at[i]!);
    const requestIds = (s: Server): string[] => s.seen.map((q) => q.query.request_id!);

    it('max_consecutive_write_errors write errors are tolerated, each followed by write_retry_delay seconds before the same request is tried again', async () => {
      const s = await failing([503, 0, 500]);
      const logged: string[] = [];
      try {
        const r = await start(pushProject(s.port, ids(1), { pump: { batch_retries: 0, max_consecutive_write_errors: 4, write_retry_delay: 0.5 } }), undefined, undefined, { log: (m) => logged.push(m) });
        await r.rt.runPipe('items');
        await r.rt.runPipe('push');
        // Three failures of request 1 (with no batch retries each is a write error), then it
        // succeeds and the sync ends with its is_last request.
        assert.deepEqual(requestIds(s), ['1', '1', '1', '1', '2']);
        assert.equal(new Set(s.seen.slice(0, 4).map((q) => q.body)).size, 1, 'the same entities each time');
        for (const gap of gaps(s.at).slice(0, 3)) assert.ok(gap >= 480, `waited write_retry_delay between write errors (${gaps(s.at).join(', ')} ms)`);
        assert.ok(gaps(s.at)[3]! < 400, 'no wait after a success');
        assert.equal(logged.filter((m) => /write error \d of at most 4 in a row .*write_retry_delay/.test(m)).length, 3, logged.join('\n'));
        r.close();
      } finally {
        await s.close();
      }
    });

    it('batch_retries retries a failed request before it counts as a write error; the run fails at max_consecutive_write_errors write errors in a row', async () => {
      const s = await failing(Array(100).fill(503));
      try {
        const r = await start(pushProject(s.port, ids(1), { pump: { batch_retries: 2, max_consecutive_write_errors: 2, write_retry_delay: 0.05 } }));
        await r.rt.runPipe('items');
        const err = await runFails(r, 'push');
        assert.match(err.message, /answered 503 Service Unavailable: nope \(2 write errors in a row, max_consecutive_write_errors is 2\)/);
        assert.equal(s.seen.length, 6, '2 write errors of 1 + 2 attempts each');
        r.close();
      } finally {
        await s.close();
      }
    });

    it('retry_strategy sets the retry properties per status code (codes, ranges, lists, "default" for no answer); the pump\'s own setting wins', async () => {
      const system = {
        retry_strategy: {
          '429': { batch_retries: 0, max_consecutive_write_errors: 3, write_retry_delay: 0.4 },
          '500,502-504': { batch_retries: 1 },
          default: { batch_retries: 0 },
        },
      };
      // Request 1 gets two 429s (write errors, 0.4 s apart), the is_last request one 503
      // (retried at once as a batch retry).
      let s = await failing([429, 429, 200, 503]);
      try {
        const r = await start(pushProject(s.port, ids(1), { system }));
        await r.rt.runPipe('items');
        await r.rt.runPipe('push');
        assert.deepEqual(requestIds(s), ['1', '1', '1', '2', '2']);
        assert.ok(gaps(s.at)[0]! >= 380 && gaps(s.at)[1]! >= 380, `write_retry_delay of the 429 entry (${gaps(s.at).join(', ')} ms)`);
        r.close();
      } finally {
        await s.close();
      }
      // A closed connection has no status: "default" (no batch retries) applies, and the
      // docs' default of one write error ends the run.
      s = await failing([0]);
      try {
        const r = await start(pushProject(s.port, ids(1), { system }));
        await r.rt.runPipe('items');
        assert.match((await runFails(r, 'push')).message, /cannot push to /);
        assert.equal(s.seen.length, 1);
        r.close();
      } finally {
        await s.close();
      }
      // Set on the pump, max_consecutive_write_errors overrides the 429 entry's.
      s = await failing([429, 429, 429]);
      try {
        const r = await start(pushProject(s.port, ids(1), { system, pump: { max_consecutive_write_errors: 2 } }));
        await r.rt.runPipe('items');
        assert.match((await runFails(r, 'push')).message, /answered 429 .*\(2 write errors in a row, max_consecutive_write_errors is 2\)/);
        assert.equal(s.seen.length, 2);
        r.close();
      } finally {
        await s.close();
      }
    });

    it('a stop ends the wait before a retry instead of sitting out write_retry_delay', async () => {
      const s = await failing(Array(100).fill(503));
      try {
        const r = await start(pushProject(s.port, ids(1), { pump: { batch_retries: 0, max_consecutive_write_errors: 10, write_retry_delay: 60 } }));
        await r.rt.runPipe('items');
        const first = s.next();
        const running = runFails(r, 'push');
        await first;
        const t0 = Date.now();
        await r.rt.stop();
        assert.match((await running).message, /stopped while waiting to retry a failed write \(.*answered 503/);
        assert.ok(Date.now() - t0 < 5000);
        assert.equal(s.seen.length, 1);
        r.close();
      } finally {
        await s.close();
      }
    });

    it('a changed retry property does not make the pipe start over', async () => {
      const s = await serve();
      try {
        const project = pushProject(s.port, ids(2));
        const r = await start(project);
        await r.rt.runOnce();
        assert.equal(s.seen.length, 2);
        r.close();
        const conf = project['sesam.conf.json'] as Array<Record<string, unknown>>;
        conf[3]!.pump = { write_retry_delay: 5, batch_retries: 1 };
        const again = await start(project, undefined, r.data);
        await again.rt.runPipe('push');
        assert.equal(s.seen.length, 2, 'nothing new to push, no new full sync');
        again.close();
      } finally {
        await s.close();
      }
    });
  });

  describe('retrying failed reads (max_read_retries, read_retry_delay, the URL system\'s retry_strategy)', () => {
    /**
     * A JSON pull endpoint over entities x1..x<n> with _updated 1..n (honouring since and
     * limit) that first answers with `statuses` in turn (0: the connection is closed
     * unanswered); it notes when each request came.
     */
    async function flaky(statuses: number[], n = 3): Promise<Server & { at: number[] }> {
      const at: number[] = [];
      const s = await serve((q, res, count) => {
        at.push(Date.now());
        const status = statuses[count - 1] ?? 200;
        if (status === 0) return res.socket?.destroy();
        res.statusCode = status;
        if (status !== 200) return res.end('nope');
        const since = q.query.since === undefined ? 0 : Number(q.query.since);
        const limit = q.query.limit === undefined ? Infinity : Number(q.query.limit);
        res.end(JSON.stringify(Array.from({ length: n }, (_, i) => ({ _id: `x${i + 1}`, _updated: i + 1 })).filter((e) => e._updated > since).slice(0, limit)));
      });
      return Object.assign(s, { at });
    }
    const gaps = (at: number[]): number[] => at.slice(1).map((t, i) => t - at[i]!);
    /** A project with pipe `feed` reading the server's /feed with a json source. */
    function feedProject(port: number, opts: { system?: Record<string, unknown>; source?: Record<string, unknown>; pump?: Record<string, unknown> } = {}): Record<string, unknown> {
      return {
        'sesam.conf.json': [
          { _id: 'remote', type: 'system:url', base_url: `http://127.0.0.1:${port}/`, ...opts.system },
          { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'remote', url: 'feed', ...opts.source }, ...(opts.pump ? { pump: opts.pump } : {}) },
        ],
      };
    }

    it('a read failing max_read_retries times is retried read_retry_delay seconds apart and the run succeeds; retries count per request (page); a changed read retry property does not make the pipe start over', async () => {
      // The first page fails three times (503, a closed connection, 500), the second once.
      const s = await flaky([503, 0, 500, 200, 503]);
      const logged: string[] = [];
      try {
        const project = feedProject(s.port, { source: { supports_since: true, is_chronological: true, page_size: 2 }, pump: { max_read_retries: 3, read_retry_delay: 0.3 } });
        const r = await start(project, undefined, undefined, { log: (m) => logged.push(m) });
        await r.rt.runPipe('feed');
        assert.deepEqual(
          s.seen.map((q) => q.query),
          [{ limit: '2' }, { limit: '2' }, { limit: '2' }, { limit: '2' }, { since: '2', limit: '2' }, { since: '2', limit: '2' }, { since: '3', limit: '2' }],
        );
        const g = gaps(s.at);
        for (const i of [0, 1, 2, 4]) assert.ok(g[i]! >= 280, `read_retry_delay before each retry (${g.join(', ')} ms)`);
        assert.ok(g[3]! < 250 && g[5]! < 250, `no wait after a successful read (${g.join(', ')} ms)`);
        assert.deepEqual(r.dataset('feed').map((e) => e._id), ['x1', 'x2', 'x3']);
        const retries = logged.filter((m) => /^pipe feed: read error \(.*\); retry \d of at most 3 in 0\.3 s \(read_retry_delay\)$/.test(m));
        assert.equal(retries.length, 4, logged.join('\n'));
        assert.match(retries[1]!, /cannot fetch http:\/\/127\.0\.0\.1:\d+\/feed\?limit=2: .*; retry 2 of/);
        r.close();

        // Other read retry settings: the next run continues from its since marker.
        const conf = project['sesam.conf.json'] as Array<Record<string, unknown>>;
        conf[1]!.pump = { max_read_retries: 1, read_retry_delay: 2 };
        const before = s.seen.length;
        const again = await start(project, undefined, r.data);
        await again.rt.runPipe('feed');
        assert.deepEqual(s.seen.slice(before).map((q) => q.query), [{ since: '3', limit: '2' }]);
        again.close();
      } finally {
        await s.close();
      }
    });

    it('with fewer read retries than failures the run fails with the read error, naming the pipe and the retries made; without retry properties it fails at the first, as before', async () => {
      let s = await flaky(Array(100).fill(503));
      try {
        const r = await start(feedProject(s.port, { pump: { max_read_retries: 2, read_retry_delay: 0.05 } }));
        const err = await runFails(r, 'feed');
        assert.match(err.message, /^Pipe 'feed': http:\/\/127\.0\.0\.1:\d+\/feed answered 503 Service Unavailable \(after 2 read retries, max_read_retries is 2\)\.$/);
        assert.equal(s.seen.length, 3, 'one read and two retries');
        r.close();
        s.seen.length = 0;
        const plain = await start(feedProject(s.port));
        assert.match((await runFails(plain, 'feed')).message, /^Pipe 'feed': http:\/\/127\.0\.0\.1:\d+\/feed answered 503 Service Unavailable\.$/);
        assert.equal(s.seen.length, 1);
        plain.close();
      } finally {
        await s.close();
      }
      // A refused connection is a read error too.
      s = await flaky([]);
      const port = s.port;
      await s.close();
      const refused = await start(feedProject(port, { pump: { max_read_retries: 1 } }));
      assert.match((await runFails(refused, 'feed')).message, /^Pipe 'feed': cannot fetch http:\/\/127\.0\.0\.1:\d+\/feed: .*ECONNREFUSED.* \(after 1 read retry, max_read_retries is 1\)$/);
      refused.close();
    });

    it('a local source file that is missing is read once it turns up within the read retries; without them the run fails at once', async () => {
      const project = {
        'sesam.conf.json': [
          FILES,
          { _id: 'people', type: 'pipe', source: { type: 'csv', system: 'files', url: 'people.csv', primary_key: 'id' }, pump: { max_read_retries: 5, read_retry_delay: 0.2 } },
          { _id: 'plain', type: 'pipe', source: { type: 'csv', system: 'files', url: 'people.csv', primary_key: 'id' } },
        ],
      };
      const r = await start(project);
      assert.match((await runFails(r, 'plain')).message, /^Pipe 'plain': the source file .*people\.csv does not exist\.$/);
      const t0 = Date.now();
      setTimeout(() => fs.writeFileSync(path.join(r.dir, 'people.csv'), 'id,name\n1,Ann\n'), 300);
      await r.rt.runPipe('people');
      assert.ok(Date.now() - t0 >= 300);
      assert.deepEqual(r.dataset('people').map((e) => [e._id, e.name]), [['1', 'Ann']]);
      fs.rmSync(path.join(r.dir, 'people.csv'));
      const err = await runFails(r, 'people');
      assert.match(err.message, /^Pipe 'people': the source file .*people\.csv does not exist \(after 5 read retries, max_read_retries is 5\)\.$/);
      r.close();
    });

    it('retry_strategy sets max_read_retries and read_retry_delay per status code ("default" for no answer); the pump\'s own settings win', async () => {
      const system = {
        retry_strategy: {
          '429': { max_read_retries: 2, read_retry_delay: 2 },
          '500-599': { max_read_retries: 1 },
          default: { max_read_retries: 0 },
        },
      };
      const attempt = async (statuses: number[], pump?: Record<string, unknown>): Promise<{ s: Server & { at: number[] }; error?: Error; ms: number }> => {
        const s = await flaky(statuses);
        const r = await start(feedProject(s.port, { system, pump }));
        const t0 = Date.now();
        let error: Error | undefined;
        try {
          await r.rt.runPipe('feed');
        } catch (e) {
          error = e as Error;
        }
        const ms = Date.now() - t0;
        r.close();
        await s.close();
        return { s, error, ms };
      };
      // 429: two retries, 2 s apart.
      let a = await attempt([429, 429]);
      assert.equal(a.error, undefined);
      assert.equal(a.s.seen.length, 3);
      assert.ok(gaps(a.s.at).every((g) => g >= 1950), `the 429 entry's read_retry_delay (${gaps(a.s.at).join(', ')} ms)`);
      // A 503 falls in the range: one retry (at once), then the run fails.
      a = await attempt([503, 503, 503]);
      assert.match(a.error?.message ?? '', /answered 503 Service Unavailable \(after 1 read retry, max_read_retries is 1\)\.$/);
      assert.equal(a.s.seen.length, 2);
      // A closed connection has no status: "default", no retry.
      a = await attempt([0]);
      assert.match(a.error?.message ?? '', /^Pipe 'feed': cannot fetch /);
      assert.equal(a.s.seen.length, 1);
      // Set on the pump: max_read_retries over "default" and over the 429 entry, read_retry_delay over the 429 entry.
      a = await attempt([0, 0], { max_read_retries: 2 });
      assert.equal(a.error, undefined);
      assert.equal(a.s.seen.length, 3);
      a = await attempt([429], { max_read_retries: 0 });
      assert.match(a.error?.message ?? '', /answered 429 Too Many Requests\.$/);
      assert.equal(a.s.seen.length, 1);
      a = await attempt([429, 429], { read_retry_delay: 0.1 });
      assert.equal(a.error, undefined);
      assert.equal(a.s.seen.length, 3);
      assert.ok(gaps(a.s.at).every((g) => g >= 90 && g < 1500), `the pump's read_retry_delay (${gaps(a.s.at).join(', ')} ms)`);
    });

    it('a stop ends the wait before a read retry instead of sitting out read_retry_delay', async () => {
      const s = await flaky(Array(100).fill(503));
      try {
        const r = await start(feedProject(s.port, { pump: { max_read_retries: 5, read_retry_delay: 60 } }));
        const first = s.next();
        const running = runFails(r, 'feed');
        await first;
        const t0 = Date.now();
        await r.rt.stop();
        assert.match((await running).message, /^Pipe 'feed': stopped while waiting to retry a failed read \(http:.*\/feed answered 503 Service Unavailable\)$/);
        assert.ok(Date.now() - t0 < 5000);
        assert.equal(s.seen.length, 1);
        r.close();
      } finally {
        await s.close();
      }
    });
  });

  describe('URL system', () => {
    it('headers: system defaults, sink headers on top, a differently cased Content-Type replaces the default', async () => {
      const s = await serve();
      try {
        const r = await start(
          pushProject(s.port, ids(1), { system: { headers: { 'X-Sys': 's', 'X-Both': 'system' } }, sink: { headers: { 'x-both': 'sink', 'Content-Type': 'application/json; charset=UTF-8' } } }),
        );
        await r.rt.runOnce();
        const q = s.seen[0]!;
        assert.equal(q.headers['x-sys'], 's');
        assert.equal(q.headers['x-both'], 'sink');
        assert.equal(q.headers['content-type'], 'application/json; charset=UTF-8');
        const named = (h: string): number => q.rawHeaders.filter((x, i) => i % 2 === 0 && x.toLowerCase() === h).length;
        assert.equal(named('content-type'), 1);
        assert.equal(named('x-both'), 1);
        r.close();
      } finally {
        await s.close();
      }
    });

    it('authentication "basic" sends username and password; a jwt_token is sent as a bearer token over any Authorization header', async () => {
      const s = await serve((q, res) => res.end(q.method === 'GET' ? '[]' : '{}'));
      try {
        const r = await start({
          'items.json': JSON.stringify(ids(1)),
          'sesam.conf.json': [
            FILES,
            { _id: 'basic', type: 'system:url', url_pattern: `http://127.0.0.1:${s.port}/basic/%s`, authentication: 'basic', username: 'ann', password: 'sécret:1' },
            { _id: 'jwt', type: 'system:url', url_pattern: `http://127.0.0.1:${s.port}/jwt/%s`, authentication: 'jwt', jwt_token: 'tok.en', headers: { Authorization: 'other' } },
            { _id: 'items', type: 'pipe', source: { type: 'json', system: 'files', url: 'items.json' } },
            { _id: 'push-basic', type: 'pipe', source: { type: 'dataset', dataset: 'items' }, sink: { type: 'json', system: 'basic', url: 'x' } },
            { _id: 'pull-jwt', type: 'pipe', source: { type: 'json', system: 'jwt', url: 'y' } },
          ],
        });
        await r.rt.runPipe('items');
        await r.rt.runPipe('push-basic');
        await r.rt.runPipe('pull-jwt');
        const auth = Object.fromEntries(s.seen.map((q) => [q.path, q.headers.authorization]));
        assert.deepEqual(auth, { '/basic/x': 'Basic ' + Buffer.from('ann:sécret:1').toString('base64'), '/jwt/y': 'bearer tok.en' });
        r.close();
      } finally {
        await s.close();
      }
    });

    it('base_url is URL-joined with the url (the docs advise a trailing "/"); url_pattern puts the url at %s', async () => {
      const s = await serve((_q, res) => res.end('[]'));
      try {
        const r = await start({
          'sesam.conf.json': [
            { _id: 'noslash', type: 'system:url', base_url: `http://127.0.0.1:${s.port}/files` },
            { _id: 'slash', type: 'system:url', base_url: `http://127.0.0.1:${s.port}/api/` },
            { _id: 'pattern', type: 'system:url', url_pattern: `http://127.0.0.1:${s.port}/p/%s/entities?x=1` },
            { _id: 'a', type: 'pipe', source: { type: 'json', system: 'noslash', url: 'data.json' } },
            { _id: 'b', type: 'pipe', source: { type: 'json', system: 'slash', url: 'data.json' } },
            { _id: 'c', type: 'pipe', source: { type: 'json', system: 'slash', url: '/root.json' } },
            { _id: 'd', type: 'pipe', source: { type: 'json', system: 'pattern', url: 'things' } },
          ],
        });
        for (const p of ['a', 'b', 'c', 'd']) await r.rt.runPipe(p);
        assert.deepEqual(
          s.seen.map((q) => [q.path, q.query]),
          [['/data.json', {}], ['/api/data.json', {}], ['/root.json', {}], ['/p/things/entities', { x: '1' }]],
        );
        r.close();
      } finally {
        await s.close();
      }
    });

    it('read_timeout: a server that never answers fails the push and the pull instead of hanging', async () => {
      const s = await serve(() => {});
      try {
        const r = await start(pushProject(s.port, ids(1), { system: { read_timeout: 1 } }));
        await r.rt.runPipe('items');
        assert.match((await runFails(r, 'push')).message, /cannot push to .*read_timeout/);
        r.close();
        const p = await start({
          'sesam.conf.json': [
            { _id: 'slow', type: 'system:url', base_url: `http://127.0.0.1:${s.port}/`, read_timeout: 1 },
            { _id: 'pull', type: 'pipe', source: { type: 'json', system: 'slow', url: 'feed' } },
          ],
        });
        assert.match((await runFails(p, 'pull')).message, /cannot fetch .*read_timeout/);
        p.close();
      } finally {
        await s.close();
      }
    });

    it('a refused connection fails the push with the reason', async () => {
      const s = await serve();
      const port = s.port;
      await s.close();
      const r = await start(pushProject(port, ids(1)));
      await r.rt.runPipe('items');
      assert.match((await runFails(r, 'push')).message, /cannot push to http:\/\/127\.0\.0\.1:\d+\/api\/receivers\/out\/entities: .*ECONNREFUSED/);
      r.close();
    });

    it('verify_ssl: off by default (a self-signed certificate is accepted); on, the certificate must verify, with custom_ca_pem_chain as the trusted chain', async () => {
      const s = await serve((_q, res) => res.end('[{"_id": "a"}]'), true);
      try {
        const system = (id: string, extra: Record<string, unknown>): Record<string, unknown> => ({ _id: id, type: 'system:url', base_url: `https://127.0.0.1:${s.port}/`, ...extra });
        const r = await start({
          'sesam.conf.json': [
            system('default', {}),
            system('strict', { verify_ssl: true }),
            system('custom', { verify_ssl: true, custom_ca_pem_chain: TLS.cert }),
            { _id: 'p-default', type: 'pipe', source: { type: 'json', system: 'default', url: 'x' } },
            { _id: 'p-strict', type: 'pipe', source: { type: 'json', system: 'strict', url: 'x' } },
            { _id: 'p-custom', type: 'pipe', source: { type: 'json', system: 'custom', url: 'x' } },
          ],
        });
        await r.rt.runPipe('p-default');
        assert.deepEqual(r.dataset('p-default').map((e) => e._id), ['a']);
        assert.match((await runFails(r, 'p-strict')).message, /cannot fetch https:.*(self[- ]signed|certificate)/i);
        await r.rt.runPipe('p-custom');
        assert.deepEqual(r.dataset('p-custom').map((e) => e._id), ['a']);
        r.close();
      } finally {
        await s.close();
      }
    });
  });

  describe('JSON pull protocol', () => {
    /** A JSON pull endpoint over entities with _updated 1..n, honouring since and limit. */
    function pullEndpoint(n: number): Handler {
      return (q, res) => {
        const since = q.query.since === undefined ? 0 : Number(q.query.since);
        const limit = q.query.limit === undefined ? Infinity : Number(q.query.limit);
        const out = Array.from({ length: n }, (_, i) => ({ _id: `x${i + 1}`, _updated: i + 1 }))
          .filter((e) => e._updated > since)
          .slice(0, limit);
        res.end(JSON.stringify(out));
      };
    }

    it('page_size pages with since and limit until an empty page (with supports_since and is_chronological)', async () => {
      const s = await serve(pullEndpoint(5));
      try {
        const r = await start({
          'sesam.conf.json': [
            { _id: 'remote', type: 'system:url', base_url: `http://127.0.0.1:${s.port}/` },
            { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'remote', url: 'feed', supports_since: true, is_chronological: true, page_size: 2 } },
          ],
        });
        await r.rt.runPipe('feed');
        assert.deepEqual(
          s.seen.map((q) => q.query),
          [{ limit: '2' }, { since: '2', limit: '2' }, { since: '4', limit: '2' }, { since: '5', limit: '2' }],
        );
        assert.deepEqual(r.dataset('feed').map((e) => e._id), ['x1', 'x2', 'x3', 'x4', 'x5']);
        s.seen.length = 0;
        await r.rt.runPipe('feed');
        assert.deepEqual(s.seen.map((q) => q.query), [{ since: '5', limit: '2' }]);
        r.close();
      } finally {
        await s.close();
      }
    });

    it('page_size is not used without is_chronological (the docs: paging needs all three continuation properties)', async () => {
      const s = await serve(pullEndpoint(3));
      try {
        const r = await start({
          'sesam.conf.json': [
            { _id: 'remote', type: 'system:url', base_url: `http://127.0.0.1:${s.port}/` },
            { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'remote', url: 'feed', supports_since: true, page_size: 2 } },
          ],
        });
        await r.rt.runPipe('feed');
        assert.deepEqual(s.seen.map((q) => q.query), [{}]);
        assert.equal(r.dataset('feed').length, 3);
        r.close();
      } finally {
        await s.close();
      }
    });

    it('subset is sent as the JSON-encoded subset request parameter; a gzip-encoded answer is read', async () => {
      const s = await serve((_q, res) => {
        res.setHeader('content-encoding', 'gzip');
        res.end(zlib.gzipSync('[{"_id": "A", "vowel": true}]'));
      });
      try {
        const r = await start({
          'sesam.conf.json': [
            { _id: 'remote', type: 'system:url', base_url: `http://127.0.0.1:${s.port}/` },
            { _id: 'vowels', type: 'pipe', source: { type: 'json', system: 'remote', url: 'datasets/letters/entities', subset: ['eq', '_S.vowel', true] } },
          ],
        });
        await r.rt.runPipe('vowels');
        assert.equal(s.seen[0]!.query.subset, '["eq", "_S.vowel", true]');
        assert.match(String(s.seen[0]!.headers['accept-encoding']), /gzip/);
        assert.deepEqual(r.dataset('vowels').map((e) => e._id), ['A']);
        r.close();
      } finally {
        await s.close();
      }
    });

    it('a failing endpoint fails the pipe and deletes nothing', async () => {
      let fail = false;
      const s = await serve((_q, res) => {
        res.statusCode = fail ? 503 : 200;
        res.end(fail ? 'down' : '[{"_id": "a"}, {"_id": "b"}]');
      });
      try {
        const r = await start({
          'sesam.conf.json': [
            { _id: 'remote', type: 'system:url', base_url: `http://127.0.0.1:${s.port}/` },
            { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'remote', url: 'feed' } },
          ],
        });
        await r.rt.runPipe('feed');
        fail = true;
        assert.match((await runFails(r, 'feed')).message, /answered 503/);
        assert.deepEqual(r.dataset('feed').map((e) => e._id), ['a', 'b']);
        r.close();
      } finally {
        await s.close();
      }
    });
  });
});
