/**
 * The HTTP API against careless and hostile clients, over real loopback HTTP: requests that
 * must fail cleanly (a JSON error, the right status, nothing written) and JSON push sequences
 * that must not lose or keep data they should not.
 */
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { ProjectRuntime } from '@dtl/runtime/engine/project';
import { startApi, type ApiServer } from '@dtl/runtime/engine/http';
import { buildProject } from '../../src/codegen/build.js';
import { checkProject } from '../../src/check/check-project.js';
import { importBuild } from '../../src/cli/project-commands.js';
import { loadProject } from '../../src/project/load.js';
import { tempDir, writeProject } from '../helpers.js';
import { start } from './running.js';

const CONFIG = [
  { _id: 'people', type: 'pipe', source: { type: 'http_endpoint' } },
  // A receiver whose transform gives the entities new ids.
  {
    _id: 'renamed',
    type: 'pipe',
    source: { type: 'http_endpoint' },
    transform: { type: 'dtl', rules: { default: [['copy', '*'], ['add', '_id', ['concat', 'x-', '_S._id']], ['filter', ['neq', '_S.drop', true]]] } },
  },
  { _id: 'once', type: 'pipe', source: { type: 'http_endpoint' }, sink: { type: 'dataset', dataset: 'once', prevent_multiple_versions: true } },
  { _id: 'guarded', type: 'pipe', source: { type: 'http_endpoint' }, sink: { type: 'dataset', dataset: 'guarded', circuit_breaker_threshold_count: 1 } },
  { _id: 'kept', type: 'pipe', source: { type: 'http_endpoint' }, sink: { type: 'dataset', dataset: 'kept', deletion_tracking: false } },
];

const MAX_BODY = 16_384;

interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** Sends raw bytes and reads one response (its body by Content-Length). */
function raw(port: number, request: string | Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const complete = (): RawResponse | undefined => {
      const end = got.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const head = got.subarray(0, end).toString('latin1').toLowerCase();
      const length = Number(/content-length: (\d+)/.exec(head)?.[1] ?? 0);
      if (got.length < end + 4 + length) return undefined;
      return { status: Number(/^http\/1\.1 (\d+)/.exec(head)?.[1] ?? 0), headers: head, body: got.subarray(end + 4, end + 4 + length).toString('utf8') };
    };
    socket.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      const r = complete();
      if (r) {
        socket.destroy();
        resolve(r);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error(`connection closed before a whole response: ${JSON.stringify(got.toString('latin1'))}`)));
    socket.write(request);
  });
}

describe('HTTP API against hostile clients', function () {
  this.timeout(60_000);
  let rt: ProjectRuntime;
  let api: ApiServer;
  let base: string;
  const logged: string[] = [];
  let onLog: ((line: string) => void) | undefined;

  before(async () => {
    const dir = writeProject({ 'sesam.conf.json': CONFIG });
    const check = checkProject(loadProject(dir));
    assert.deepEqual(check.diagnostics.filter((d) => d.severity === 'error'), []);
    const out = await buildProject(check, { outDir: path.join(dir, '.dtl', 'build'), bundle: false, toolVersion: 'test' });
    const { manifest, modules } = await importBuild(out);
    const log = (line: string): void => {
      logged.push(line);
      onLog?.(line);
    };
    rt = new ProjectRuntime(manifest, modules, { dataDir: path.join(tempDir(), 'data'), projectRoot: dir, log });
    api = await startApi(rt, 0, '127.0.0.1', { maxBody: MAX_BODY });
    base = `http://127.0.0.1:${api.port}/api`;
  });

  after(async () => {
    await api.close();
    rt.close();
  });

  const post = (url: string, body: unknown, type = 'application/json'): Promise<Response> =>
    fetch(base + url, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const error = async (r: Response): Promise<string> => {
    assert.match(String(r.headers.get('content-type')), /application\/json/);
    return ((await r.json()) as { error: string }).error;
  };
  /** The dataset's latest versions as [_id, _deleted, …fields]. */
  const contents = async (dataset: string, ...fields: string[]): Promise<unknown[][]> => {
    const r = await fetch(`${base}/datasets/${dataset}/entities`);
    if (r.status === 404) return [];
    const all = (await r.json()) as Record<string, unknown>[];
    return all.map((e) => [e._id, e._deleted, ...fields.map((f) => e[f])]);
  };
  const full = (pipe: string, seq: string, extra: string): string => `/receivers/${pipe}/entities?is_full=true&sequence_id=${seq}&${extra}`;

  it('a full sync through a transform that renames ids deletes only what the sequence did not send', async () => {
    assert.equal((await post('/receivers/renamed/entities', [{ _id: 'old' }])).status, 200);
    assert.equal((await post(full('renamed', 's1', 'is_first=true&request_id=1'), [{ _id: 'a' }, { _id: 'b' }])).status, 200);
    const last = await post(full('renamed', 's1', 'request_id=2&previous_request_id=1&is_last=true'), [{ _id: 'c' }, { _id: 'old', drop: true }]);
    assert.equal(last.status, 200);
    assert.deepEqual(await last.json(), { written: 2, deleted: 0 }, 'the filtered entity is deleted by the filter, not by the sync');
    assert.deepEqual((await contents('renamed')).sort(), [['x-a', false], ['x-b', false], ['x-c', false], ['x-old', true]]);
  });

  it('a full sync into a sink with deletion_tracking false deletes nothing', async () => {
    assert.equal((await post('/receivers/kept/entities', [{ _id: 'k1' }])).status, 200);
    const r = await post(full('kept', 'k', 'is_first=true&is_last=true&request_id=1'), [{ _id: 'k2' }]);
    assert.deepEqual(await r.json(), { written: 1, deleted: 0 });
    assert.deepEqual(await contents('kept'), [['k1', false], ['k2', false]]);
  });

  it('a refused request is a 409 that writes nothing and leaves the sequence where it was, so it can be sent again', async () => {
    assert.equal((await post('/receivers/once/entities', [{ _id: 'a', v: 1 }])).status, 200);
    // A second version of "a" under prevent_multiple_versions: the client's conflict, not a server error.
    const refused = await post(full('once', 'q', 'is_first=true&request_id=1'), [{ _id: 'b', v: 1 }, { _id: 'a', v: 2 }]);
    assert.equal(refused.status, 409);
    assert.match(await error(refused), /prevent_multiple_versions.*"a"/);
    assert.deepEqual(await contents('once', 'v'), [['a', false, 1]], 'nothing of the refused batch was written');
    // The same first request without the offending entity starts the sequence after all.
    assert.equal((await post(full('once', 'q', 'is_first=true&request_id=1'), [{ _id: 'b', v: 1 }])).status, 200);
    // A refused follow-up does not move previous_request_id on.
    assert.equal((await post(full('once', 'q', 'request_id=2&previous_request_id=1'), [{ _id: 'c', v: 1 }, { _id: 'a', v: 3 }])).status, 409);
    const last = await post(full('once', 'q', 'request_id=2&previous_request_id=1&is_last=true'), [{ _id: 'c', v: 1 }, { _id: 'a', v: 1 }]);
    assert.equal(last.status, 200);
    assert.deepEqual(await last.json(), { written: 1, deleted: 0 });
    assert.deepEqual(await contents('once', 'v'), [['a', false, 1], ['b', false, 1], ['c', false, 1]]);
  });

  it('entities of a refused request do not count as sent when the full sync ends', async () => {
    assert.equal((await post('/receivers/guarded/entities', [{ _id: 'a' }, { _id: 'b' }])).status, 200);
    // Two changes where the circuit breaker allows one.
    const tripped = await post(full('guarded', 'g', 'is_first=true&request_id=1'), [{ _id: 'a' }, { _id: 'b', v: 2 }, { _id: 'c' }]);
    assert.equal(tripped.status, 409);
    assert.match(await error(tripped), /circuit breaker/);
    assert.equal((await post(full('guarded', 'g', 'is_first=true&request_id=1'), [{ _id: 'a' }])).status, 200);
    const last = await post(full('guarded', 'g', 'request_id=2&previous_request_id=1&is_last=true'), []);
    assert.deepEqual(await last.json(), { written: 0, deleted: 1 });
    assert.deepEqual(await contents('guarded'), [['a', false], ['b', true]]);
  });

  it('refuses values nested too deeply with a 400 naming the entity, and writes nothing', async () => {
    const deep = (n: number): unknown => {
      let v: unknown = 1;
      for (let i = 0; i < n; i++) v = { a: v };
      return v;
    };
    // Within the limit is fine; beyond it is the client's error (6000 levels once ran the stack out: a 500).
    assert.equal((await post('/receivers/people/entities', [{ _id: 'ok', v: deep(900) }])).status, 200);
    const body = `[{"_id": "fine"}, {"_id": "deep", "v": ${'['.repeat(6000)}${']'.repeat(6000)}}]`;
    const r = await fetch(base + '/receivers/people/entities', { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(body) });
    assert.equal(r.status, 400);
    assert.match(await error(r), /Entity 1 \(_id "deep"\) nests deeper than 1000 levels/);
    assert.deepEqual((await contents('people')).map((e) => e[0]), ['ok']);
  });

  it('refuses a body over the limit by its Content-Length before it is sent, and while it streams', async () => {
    const head = (length: number): string => `POST /api/receivers/people/entities HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;
    // Only the headers are sent: the answer must not wait for a body that would be refused anyway.
    const early = await raw(api.port, head(10 * MAX_BODY));
    assert.equal(early.status, 413);
    assert.match(early.body, /"error":"Request body larger than 16384 bytes"/);
    const chunk = (s: string): string => `${Buffer.byteLength(s).toString(16)}\r\n${s}\r\n`;
    const entity = JSON.stringify({ _id: 'big', pad: 'x'.repeat(4000) });
    const streamed = await raw(
      api.port,
      'POST /api/receivers/people/entities HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n' + chunk('[' + entity) + chunk(`,${entity}`.repeat(5)) + chunk(']') + '0\r\n\r\n',
    );
    assert.equal(streamed.status, 413);
    assert.deepEqual((await contents('people')).map((e) => e[0]), ['ok']);
  });

  it('answers HEAD like GET without a body, and OPTIONS with the allowed methods', async () => {
    const head = await fetch(base + '/datasets/people/entities', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('x-dataset-populated'), 'true');
    assert.equal(await head.text(), '');
    const options = await fetch(base + '/receivers/people/entities', { method: 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.equal(options.headers.get('allow'), 'POST, OPTIONS');
    assert.equal((await fetch(base + '/datasets/people', { method: 'OPTIONS' })).headers.get('allow'), 'GET, HEAD, OPTIONS');
  });

  it('a client that disconnects mid-body gets nothing written and no server error logged', async () => {
    const url = '/api/receivers/people/entities';
    const seen = new Promise<string>((resolve) => {
      onLog = (line) => {
        if (line.includes(url)) resolve(line);
      };
    });
    const socket = net.connect(api.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`POST ${url} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n[{"_id": "cut"}, {"_id": "of`);
    socket.destroy();
    const line = await seen;
    onLog = undefined;
    assert.match(line, /cut off by the client/);
    assert.ok(!logged.some((l) => l.startsWith('API error')), logged.join('\n'));
    assert.deepEqual((await contents('people')).map((e) => e[0]), ['ok']);
  });

  it('takes True and False as Python clients send them', async () => {
    const r = await post('/receivers/renamed/entities?is_full=True&sequence_id=py&request_id=1&is_first=True&is_last=True', [{ _id: 'a' }, { _id: 'b' }]);
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { written: 0, deleted: 1 });
    assert.equal((await fetch(base + '/datasets/people/entities?history=False')).status, 200);
  });

  it('answers requests Node cannot parse with JSON errors', async () => {
    const long = await raw(api.port, `GET /api/datasets/${'a'.repeat(20_000)}/entities HTTP/1.1\r\nhost: x\r\n\r\n`);
    assert.equal(long.status, 431);
    assert.match(long.headers, /content-type: application\/json/);
    assert.match(JSON.parse(long.body).error, /too large/);
    const garbled = await raw(api.port, 'GET /api/datasets HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n');
    assert.equal(garbled.status, 400);
    assert.match(JSON.parse(garbled.body).error, /Malformed HTTP request/);
  });

  it('says what is wrong with an entity, and which one', async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('/receivers/people/entities', [{ _id: 'fine' }, { _id: 7 }]), 400, /^Entity 1 has no string "_id" \(it has 7\)$/],
      [post('/receivers/people/entities', [{ _id: 'fine' }, 'text']), 400, /^Expected entities \(JSON objects\), found string at entity 1$/],
      [post('/receivers/people/entities', '[{"_id": "x"}]', 'application/json-seq'), 415, /Content-Type must be application\/json/],
      [post('/receivers/nope/entities', '[]', 'text/plain'), 404, /No pipe 'nope'/],
      [post('/receivers', '[]'), 404, /No such endpoint: \/api\/receivers/],
    ];
    for (const [req, status, msg] of cases) {
      const r = await req;
      assert.equal(r.status, status, r.url);
      assert.match(await error(r), msg);
    }
    assert.deepEqual((await contents('people')).map((e) => e[0]), ['ok']);
  });
});

describe('HTTP API: a pump reset during a run', function () {
  this.timeout(60_000);

  it('is carried out after the run, which would otherwise save its progress over it', async () => {
    // The pipe's source is this server; the second read waits until the test lets it go.
    const asked: string[] = [];
    let letGo = (): void => {};
    const held = new Promise<void>((resolve) => (letGo = resolve));
    let reached = (): void => {};
    const holding = new Promise<void>((resolve) => (reached = resolve));
    const source = http.createServer((req, res) => {
      asked.push(new URL(req.url ?? '/', 'http://localhost').search);
      const answer = (): void => void res.end('[{"_id": "a", "_updated": 5}]');
      if (asked.length !== 2) return answer();
      reached();
      void held.then(answer);
    });
    await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
    const port = (source.address() as net.AddressInfo).port;
    const r = await start({
      'sesam.conf.json': [
        { _id: 'remote', type: 'system:url', base_url: `http://127.0.0.1:${port}/` },
        { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'remote', url: 'feed', supports_since: true } },
      ],
    });
    const api = await startApi(r.rt, 0);
    try {
      await r.rt.runPipe('feed');
      let ran = false;
      const running = r.rt.runPipe('feed').then(() => (ran = true));
      await holding;
      const reset = fetch(`http://127.0.0.1:${api.port}/api/pipes/feed/pump`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'operation=reset' });
      // Were the reset done at once it would answer now, with the run still waiting; the second
      // only bounds how long a correct reset (which waits for the run) is waited for.
      await Promise.race([reset, new Promise((resolve) => setTimeout(resolve, 1000))]);
      letGo();
      const answered = await reset;
      assert.equal(answered.status, 200);
      assert.equal(ran, true, 'the reset was answered after the run ended');
      await running;
      await r.rt.runPipe('feed');
      assert.deepEqual(asked, ['', '?since=5', ''], 'the run after the reset reads from the start');
    } finally {
      await api.close();
      r.close();
      source.close();
    }
  });
});
