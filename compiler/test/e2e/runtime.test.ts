/**
 * The runtime's sources, sinks, DTL control flow and dependency tracking, on real projects
 * compiled and run in this process.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Entity } from '@dtl/runtime/values/types';
import { buildProject } from '../../src/codegen/build.js';
import { checkProject } from '../../src/check/check-project.js';
import { loadProject } from '../../src/project/load.js';
import { prng, tempDir, withServer, writeProject } from '../helpers.js';
import { start, type Running, stopMidRun } from './running.js';

const ids = (list: Record<string, unknown>[]): unknown[] => list.map((e) => e._id);

/** Entities posted to an http_endpoint pipe as one incremental (non-full) request. */
const receive = (r: Running, pipe: string, entities: Entity[]): Promise<unknown> => r.rt.receive(pipe, entities, { isFull: false, isFirst: false, isLast: false });

/** Pipes fed through the receiver API. */
const receivers = (...ids: string[]): Record<string, unknown>[] => ids.map((id) => ({ _id: id, type: 'pipe', source: { type: 'http_endpoint' } }));

/** A DTL pipe over a dataset. */
const dtlPipe = (id: string, dataset: string, rules: Record<string, unknown>): Record<string, unknown> => ({
  _id: id,
  type: 'pipe',
  source: { type: 'dataset', dataset },
  transform: { type: 'dtl', rules },
});

describe('runtime: sources, sinks and DTL semantics', function () {
  this.timeout(60_000);

  it('a long run reports its progress between batches (the terminal status line of dtl run)', async () => {
    const reports: Array<[string, number]> = [];
    const dir = writeProject({
      'sesam.conf.json': [{ _id: 'files', type: 'system:url', base_url: './' }, { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'files', url: 'feed.jsonl' } }],
      'feed.jsonl': Array.from({ length: 5000 }, (_, i) => JSON.stringify({ _id: `e${i}` })).join('\n'),
    });
    const r = await start({}, dir, path.join(tempDir(), 'data'), { progress: { everyMs: 0, report: (pipe, n) => reports.push([pipe, n]) } });
    await r.rt.runOnce();
    // Sources yield 2,000 entities at a time: a report after each batch.
    assert.deepEqual(reports, [['feed', 2000], ['feed', 4000], ['feed', 5000]]);
    r.close();
  });

  it("leftover temporary files of a killed state save are removed when the data folder is opened; the states stay", async () => {
    const data = path.join(tempDir(), 'data');
    const first = await start({ 'sesam.conf.json': [{ _id: 'e', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a' }] } }] }, undefined, data);
    await first.rt.runOnce();
    first.close();
    const stale = path.join(data, 'pipes', 'e.json.tmp-4242-7');
    fs.writeFileSync(stale, '{"half');
    const again = await start({ 'sesam.conf.json': [{ _id: 'e', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a' }] } }] }, undefined, data);
    assert.equal(fs.existsSync(stale), false);
    assert.deepEqual(fs.readdirSync(path.join(data, 'pipes')), ['e.json']);
    again.close();
  });

  it('embedded source: every run is a full run, removed entities are deleted', async () => {
    const conf = (entities: unknown[]): unknown => [{ _id: 'things', type: 'pipe', source: { type: 'embedded', entities } }];
    const dir = writeProject({ 'sesam.conf.json': conf([{ _id: 'a', n: 1 }, { _id: 'b', n: 2 }]) });
    const data = path.join(tempDir(), 'data');
    let r = await start({}, dir, data);
    await r.rt.runOnce();
    assert.deepEqual(ids(r.dataset('things')), ['a', 'b']);
    r.close();
    fs.writeFileSync(path.join(dir, 'sesam.conf.json'), JSON.stringify(conf([{ _id: 'a', n: 1 }])));
    r = await start({}, dir, data);
    await r.rt.runOnce();
    assert.deepEqual(ids(r.dataset('things')), ['a']);
    const b = r.dataset('things', { deleted: true }).find((e) => e._id === 'b')!;
    assert.equal(b._deleted, true);
    r.close();
  });

  it('csv source over a local file through a system:url', async () => {
    const r = await start({
      'data/people.csv': 'id;name;age\n1;Ann;30\n2;Bob;\n',
      'sesam.conf.json': [
        { _id: 'files', type: 'system:url', base_url: 'data/' },
        { _id: 'people', type: 'pipe', source: { type: 'csv', system: 'files', url: 'people.csv', primary_key: 'id', delimiter: ';' } },
      ],
    });
    await r.rt.runOnce();
    assert.deepEqual(r.dataset('people').map((e) => [e._id, e.name, e.age]), [['1', 'Ann', '30'], ['2', 'Bob', undefined]]);
    r.close();
  });

  it('json source over http(s) through a system:url', async () => {
    const seen = await withServer(
      async (port, requests) => {
        const r = await start({
          'sesam.conf.json': [
            { _id: 'remote', type: 'system:url', url_pattern: `http://127.0.0.1:${port}/api/%s` },
            { _id: 'things', type: 'pipe', source: { type: 'json', system: 'remote', url: 'things' } },
          ],
        });
        await r.rt.runOnce();
        assert.deepEqual(r.dataset('things').map((e) => [e._id, e.price]), [['x', '~f12.50']]);
        r.close();
        return requests;
      },
      () => ({ body: '[{"_id": "x", "price": 12.50}]' }),
    );
    // The second pass of runOnce fetches again, finds nothing new and ends the run.
    assert.deepEqual(seen.map((q) => [q.method, q.url.pathname]), [['GET', '/api/things'], ['GET', '/api/things']]);
  });

  it('a json sink with only an absolute url pushes there; a json source on a microservice system is a build error', async () => {
    const seen = await withServer(async (port, requests) => {
      const r = await start({
        'sesam.conf.json': [
          { _id: 'things', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a' }] } },
          { _id: 'out', type: 'pipe', source: { type: 'dataset', dataset: 'things' }, sink: { type: 'json', url: `http://127.0.0.1:${port}/receivers/out/entities` } },
        ],
      });
      await r.rt.runOnce();
      r.close();
      return requests;
    });
    assert.deepEqual(seen.map((q) => q.url.pathname), ['/receivers/out/entities', '/receivers/out/entities']);
    assert.deepEqual((JSON.parse(seen[0]!.body) as Record<string, unknown>[]).map((e) => e._id), ['a']);
    const dir = writeProject({
      'sesam.conf.json': [
        { _id: 'svc', type: 'system:microservice', docker: { image: 'some/image:1', port: 5000 } },
        { _id: 'from-svc', type: 'pipe', source: { type: 'json', system: 'svc', url: '/entities' } },
      ],
    });
    const out = await buildProject(checkProject(loadProject(dir)), { outDir: path.join(dir, 'build'), bundle: false, toolVersion: 'test' });
    assert.equal(out.ok, false);
    const d = out.diagnostics.find((x) => x.code === 'build-unsupported');
    assert.match(String(d?.message), /the json source uses system 'svc', a system:microservice, which the local runtime cannot start/);
    assert.equal(d?.range.line, fs.readFileSync(path.join(dir, 'sesam.conf.json'), 'utf8').split('\n').findIndex((l) => l.includes('"system": "svc"')) + 1);
  });

  it('a documented function the local runtime lacks (the PGP ones) is a build error at the call; phone numbers build and run', async () => {
    const dir = writeProject({
      'sesam.conf.json': [
        { _id: 'src', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a', phone: '22225555' }] } },
        {
          _id: 'pgp',
          type: 'pipe',
          source: { type: 'dataset', dataset: 'src' },
          transform: { type: 'dtl', rules: { default: [['add', 'x', ['encrypt-pgp', 'key', '_S.phone']]] } },
        },
      ],
    });
    const out = await buildProject(checkProject(loadProject(dir)), { outDir: path.join(dir, 'build'), bundle: false, toolVersion: 'test' });
    assert.equal(out.ok, false);
    const d = out.diagnostics.find((x) => x.code === 'build-unsupported');
    assert.match(String(d?.message), /Pipe 'pgp': the function 'encrypt-pgp' is not available on the local runtime/);
    const r = await start({
      'sesam.conf.json': [
        { _id: 'src', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a', phone: '22225555' }] } },
        {
          _id: 'tel',
          type: 'pipe',
          source: { type: 'dataset', dataset: 'src' },
          transform: { type: 'dtl', rules: { default: [['copy', '_id'], ['add', 'tel', ['phonenumber-parse', 'NO', '_S.phone']], ['add', 'intl', ['phonenumber-format', 'international', '_T.tel']]] } },
        },
      ],
    });
    await r.rt.runOnce();
    assert.deepEqual(r.dataset('tel').map((e) => [e.tel, e.intl]), [['~rtel:+47-22-22-55-55', '+47 22 22 55 55']]);
    r.close();
  });

  it("ni-collapse and ni-expand (deprecated) follow the service metadata's namespaces.default, as the docs' examples show", async () => {
    const defaults = { foo: 'http://psi.test.no/', sesam_male: 'http://sesam.io/people/male/', sesam_female: 'http://sesam.io/people/female/', sesam: 'http://sesam.io/people/' };
    const urls = ['http://psi.test.no/bar', 'http://sesam.io/people/employees', 'http://sesam.io/people/male/john', 'http://sesam.io/people/female/jane', 'http://example.com/path'];
    const r = await start({
      'sesam.conf.json': [
        { _id: 'node', type: 'metadata', namespaces: { default: defaults } },
        { _id: 'src', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a', urls }] } },
        {
          _id: 'nis',
          type: 'pipe',
          source: { type: 'dataset', dataset: 'src' },
          transform: { type: 'dtl', rules: { default: [['copy', '_id'], ['add', 'nis', ['ni-collapse', '_S.urls']], ['add', 'back', ['ni-expand', '_T.nis']], ['add', 'unknown', ['ni-expand', '~:unknown:path']]] } },
        },
      ],
    });
    await r.rt.runOnce();
    const [e] = r.dataset('nis');
    assert.deepEqual(e?.nis, ['~:foo:bar', '~:sesam:employees', '~:sesam_male:john', '~:sesam_female:jane', '~:http://example.com/path']);
    assert.deepEqual(e?.back, urls);
    assert.equal(e?.unknown, 'unknown:path');
    r.close();
  });

  it("the json_schema transform validates entities as the docs' example shows; trigger_on limits it", async () => {
    const schema = { type: 'object', properties: { name: { type: 'string' }, born: { type: 'string' } }, required: ['name', 'born'] };
    const r = await start({
      'sesam.conf.json': [
        { _id: 'men', type: 'pipe', source: { type: 'embedded', entities: [{ _id: '3', name: 'Jim' }, { _id: '5', name: 'Bob', born: '1972-03-12' }, { _id: '9', name: 'Al', role: 'admin' }] } },
        { _id: 'men-validated', type: 'pipe', source: { type: 'dataset', dataset: 'men' }, transform: { type: 'json_schema', schema } },
        { _id: 'some-validated', type: 'pipe', source: { type: 'dataset', dataset: 'men' }, transform: { type: 'json_schema', schema, trigger_on: { key: 'role', value: 'ad*' } } },
      ],
    });
    await r.rt.runOnce();
    assert.deepEqual(
      r.dataset('men-validated').map((e) => [e._id, e.valid, e.errors]),
      [['3', false, ["'born' is a required property"]], ['5', true, undefined], ['9', false, ["'born' is a required property"]]],
    );
    assert.deepEqual(r.dataset('some-validated').map((e) => [e._id, e.valid]), [['3', undefined], ['5', undefined], ['9', false]], 'only the entity whose role matches is validated');
    r.close();
    const bad = writeProject({ 'sesam.conf.json': [{ _id: 'x', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a' }] }, transform: { type: 'json_schema', schema: { type: 'nonsense' } } }] });
    const b = await start({}, bad);
    await assert.rejects(b.rt.runOnce(), /Pipe 'x': the json_schema transform's schema is not valid/);
    b.close();
  });

  it('$SECRET(...) in system and source configs is filled in from secrets.json or DTL_SECRET_<name>, never written to the build; a missing one fails naming it', async () => {
    process.env.DTL_SECRET_from_env = 'env-value';
    try {
      const seen = await withServer(
        async (port, requests) => {
          const system = { _id: 'api', type: 'system:url', base_url: `http://127.0.0.1:${port}/`, authentication: 'basic', username: 'u', password: '$SECRET(pw)', headers: { 'x-token': 'Bearer $SECRET(token)' } };
          const dir = writeProject({
            'sesam.conf.json': [system, { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'api', url: 'items.json', headers: { 'x-env': '$SECRET(from_env)' } } }],
            'secrets.json': { pw: 'p4ss', token: 't0ken' },
          });
          const r = await start({}, dir);
          await r.rt.runOnce();
          r.close();
          const sent = requests.length;
          for (const f of [...fs.readdirSync(dir, { recursive: true, withFileTypes: true }), ...fs.readdirSync(r.data, { recursive: true, withFileTypes: true })]) {
            if (f.isFile() && f.name !== 'secrets.json') assert.doesNotMatch(fs.readFileSync(path.join(f.parentPath, f.name), 'utf8'), /p4ss|t0ken/, `${f.name} holds a secret`);
          }
          const missing = await start({
            'sesam.conf.json': [{ ...system, password: '$SECRET(nobody)' }, { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'api', url: 'items.json' } }],
          });
          await assert.rejects(missing.rt.runOnce(), /system 'api' refers to the secrets 'nobody', 'token', which neither secrets.json in the project nor the environment \(DTL_SECRET_nobody, DTL_SECRET_token\) provides/);
          missing.close();
          assert.equal(requests.length, sent, 'the system with a missing secret sent nothing');
          return requests;
        },
        () => ({ body: '[{"_id": "a"}]' }),
      );
      assert.ok(seen.length > 0);
      assert.equal(seen[0]!.headers.authorization, `Basic ${Buffer.from('u:p4ss').toString('base64')}`);
      assert.equal(seen[0]!.headers['x-token'], 'Bearer t0ken');
      assert.equal(seen[0]!.headers['x-env'], 'env-value');
    } finally {
      delete process.env.DTL_SECRET_from_env;
    }
  });

  it('a json source follows redirects (as Python requests does), dropping credentials when the host changes', async () => {
    await withServer(async (portB, seenB) => {
      const seenA = await withServer(
        async (portA, requests) => {
          const r = await start({
            'sesam.conf.json': [
              { _id: 'api', type: 'system:url', base_url: `http://127.0.0.1:${portA}/`, headers: { Authorization: 'Bearer t' } },
              { _id: 'moved', type: 'pipe', source: { type: 'json', system: 'api', url: 'old.json' } },
              { _id: 'away', type: 'pipe', source: { type: 'json', system: 'api', url: 'away.json' } },
            ],
          });
          await r.rt.runOnce();
          assert.deepEqual(ids(r.dataset('moved')), ['a']);
          assert.deepEqual(ids(r.dataset('away')), ['b']);
          r.close();
          return requests;
        },
        (q) =>
          q.url.pathname === '/old.json'
            ? { status: 301, location: '/new/items.json' }
            : q.url.pathname === '/away.json'
              ? { status: 302, location: `http://127.0.0.1:${portB}/b.json` }
              : { body: '[{"_id": "a"}]' },
      );
      assert.ok(seenA.some((q) => q.url.pathname === '/new/items.json' && q.headers.authorization === 'Bearer t'), 'the same host keeps the credentials');
      assert.ok(seenB.length > 0 && seenB.every((q) => q.headers.authorization === undefined), 'another host does not get them');
    }, () => ({ body: '[{"_id": "b"}]' }));
  });

  it('json source with supports_since reads a growing JSON-lines file incrementally, and a rewritten one in full', async () => {
    const dir = writeProject({
      'feed.jsonl': '{"_id": "a", "v": 1}\n{"_id": "b", "v": 1}\n',
      'sesam.conf.json': [
        { _id: 'files', type: 'system:url', base_url: './' },
        { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'files', url: 'feed.jsonl', supports_since: true } },
      ],
    });
    const r = await start({}, dir);
    let s = await r.rt.runOnce();
    assert.equal(s.runs[0]!.processed, 2);
    fs.appendFileSync(path.join(dir, 'feed.jsonl'), '{"_id": "a", "v": 2}\n');
    s = await r.rt.runOnce();
    assert.equal(s.runs[0]!.processed, 1, 'only the appended line is read');
    assert.deepEqual(r.dataset('feed').map((e) => [e._id, e.v]), [['b', 1], ['a', 2]]);
    // A rewritten file (different bytes before the offset) is read from the start, and what is gone is deleted.
    fs.writeFileSync(path.join(dir, 'feed.jsonl'), '{"_id": "c", "v": 9}\n{"_id": "d", "v": 9}\n{"_id": "e", "v": 9}\n');
    s = await r.rt.runOnce();
    assert.equal(s.runs[0]!.processed, 3);
    assert.deepEqual(ids(r.dataset('feed')).sort(), ['c', 'd', 'e']);
    r.close();
  });

  it('a csv_endpoint file follows changes of its source dataset, not just the first run', async () => {
    const r = await start({
      'sesam.conf.json': [...receivers('people'), { _id: 'pub', type: 'pipe', source: { type: 'dataset', dataset: 'people' }, sink: { type: 'csv_endpoint', columns: ['_id', 'name'] } }],
    });
    const csv = (): string => fs.readFileSync(path.join(r.data, 'publishers', 'pub.csv'), 'utf8');
    await receive(r, 'people', [{ _id: 'a', name: 'Ann' }, { _id: 'b', name: 'Bob' }]);
    await r.rt.runOnce();
    assert.equal(csv(), '_id,name\r\na,Ann\r\nb,Bob\r\n');
    await receive(r, 'people', [{ _id: 'a', name: 'Anna' }, { _id: 'b', _deleted: true }]);
    await r.rt.runOnce();
    assert.equal(csv(), '_id,name\r\na,Anna\r\n');
    r.close();
  });

  it('union_datasets prefixes ids; merge_datasets merges by id', async () => {
    const r = await start({
      'sesam.conf.json': [
        { _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [{ _id: '1', from: 'a' }] } },
        { _id: 'b', type: 'pipe', source: { type: 'embedded', entities: [{ _id: '1', from: 'b' }, { _id: '2', from: 'b' }] } },
        { _id: 'u', type: 'pipe', source: { type: 'union_datasets', datasets: ['a', 'b'] } },
        { _id: 'm', type: 'pipe', source: { type: 'merge_datasets', datasets: ['a', 'b'] } },
      ],
    });
    await r.rt.runOnce();
    assert.deepEqual(r.dataset('u').map((e) => [e._id, e.from]), [['a:1', 'a'], ['b:1', 'b'], ['b:2', 'b']]);
    assert.deepEqual(r.dataset('m').map((e) => [e._id, e.from]).sort(), [['1', 'b'], ['2', 'b']]);
    r.close();
  });

  it('filter deletes what passed before; discard leaves it; create emits more entities', async () => {
    const dir = writeProject({
      'sesam.conf.json': [
        { _id: 'src', type: 'pipe', source: { type: 'http_endpoint' } },
        { _id: 'filtered', type: 'pipe', source: { type: 'dataset', dataset: 'src' }, transform: { type: 'dtl', rules: { default: [['copy', '*'], ['filter', ['gt', '_S.n', 1]]] } } },
        { _id: 'discarded', type: 'pipe', source: { type: 'dataset', dataset: 'src' }, transform: { type: 'dtl', rules: { default: [['copy', '*'], ['discard', ['gt', '_S.n', 1]]] } } },
        {
          _id: 'created',
          type: 'pipe',
          source: { type: 'dataset', dataset: 'src' },
          transform: { type: 'dtl', rules: { default: [['copy', '_id'], ['create', ['apply', 'child', '_S.kids']]], child: [['add', '_id', ['concat', '_P._S._id', '-', '_S.']]] } },
        },
      ],
    });
    const r = await start({}, dir);
    await r.rt.receive('src', [{ _id: 'x', n: 5, kids: ['k1', 'k2'] }], { isFull: false, isFirst: false, isLast: false });
    await r.rt.runOnce();
    assert.deepEqual(ids(r.dataset('filtered')), ['x']);
    assert.deepEqual(ids(r.dataset('discarded')), ['x']);
    assert.deepEqual(ids(r.dataset('created')), ['x', 'x-k1', 'x-k2']);
    await r.rt.receive('src', [{ _id: 'x', n: 0, kids: ['k1'] }], { isFull: false, isFirst: false, isLast: false });
    await r.rt.runOnce();
    assert.deepEqual(ids(r.dataset('filtered')), [], 'filter turned into a delete');
    assert.equal(r.dataset('filtered', { deleted: true })[0]!._deleted, true);
    assert.deepEqual(ids(r.dataset('discarded')), ['x'], 'discard does not delete');
    r.close();
  });

  it('fail! stops the run with the message and does not advance the pipe', async () => {
    const r = await start({
      'sesam.conf.json': [
        { _id: 'src', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'bad', ok: false }] } },
        { _id: 'strict', type: 'pipe', source: { type: 'dataset', dataset: 'src' }, transform: { type: 'dtl', rules: { default: [['copy', '*'], ['if', ['not', '_S.ok'], ['fail!', 'Entity is not ok']]] } } },
      ],
    });
    await assert.rejects(r.rt.runOnce(), /Pipe 'strict' stopped by fail! on entity "bad": Entity is not ok/);
    assert.deepEqual(r.dataset('strict'), []);
    await assert.rejects(r.rt.runOnce(), /Entity is not ok/, 'the next run retries the same entity');
    r.close();
  });

  it('a target without a string _id fails id_required with the source id in the message', async () => {
    const r = await start({
      'sesam.conf.json': [
        { _id: 'src', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 's1' }] } },
        { _id: 'noid', type: 'pipe', source: { type: 'dataset', dataset: 'src' }, transform: { type: 'dtl', rules: { default: [['add', '_id', 42]] } } },
      ],
    });
    await assert.rejects(r.rt.runOnce(), /Pipe 'noid': the target entity made from source entity "s1" has no string _id/);
    r.close();
  });

  it('source entities may lack _id when DTL gives them one (the docs getting-started config), and fail naming the pipe when nothing does', async () => {
    const r = await start({
      'sesam.conf.json': [
        {
          _id: 'person',
          type: 'pipe',
          source: { type: 'embedded', entities: [{ ssn: '01018012345', name: 'Kari' }] },
          transform: { type: 'dtl', rules: { default: [['copy', '*'], ['add', '_id', '_S.ssn']] } },
        },
      ],
    });
    await r.rt.runOnce();
    assert.deepEqual(r.dataset('person').map((e) => [e._id, e.name]), [['01018012345', 'Kari']]);
    r.close();
    const bare = await start({ 'sesam.conf.json': [{ _id: 'bare', type: 'pipe', source: { type: 'embedded', entities: [{ name: 'no id' }] } }] });
    await assert.rejects(bare.rt.runOnce(), /Pipe 'bare': a source entity without an "_id" reaches the sink/);
    bare.close();
    const badId = await start({ 'sesam.conf.json': [{ _id: 'num', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 7 }] } }] });
    await assert.rejects(badId.rt.runOnce(), /Pipe 'num': an entity from the embedded source has an "_id" that is not a string \(7\)/);
    badId.close();
  });

  it('namespaced identifiers: added before the first transform, removed after the last', async () => {
    const r = await start({
      'sesam.conf.json': [
        { _id: 'node', type: 'metadata', namespaced_identifiers: true },
        { _id: 'crm', type: 'pipe', source: { type: 'embedded', entities: [{ _id: '1', name: 'Ann' }] } },
        { _id: 'out', type: 'pipe', source: { type: 'dataset', dataset: 'crm' }, transform: { type: 'dtl', rules: { default: [['copy', '_id'], ['add', 'name', ['upper', '_S.name']]] } }, remove_namespaces: true },
      ],
    });
    await r.rt.runOnce();
    assert.deepEqual(r.dataset('crm').map((e) => [e._id, e['crm:name']]), [['crm:1', 'Ann']]);
    assert.deepEqual(r.dataset('out').map((e) => [e._id, e.name]), [['1', 'ANN']]);
    r.close();
  });

  it('a hops nested in a hops return sees the rule target (_T) through both levels', async () => {
    const r = await start({
      'sesam.conf.json': [
        { _id: 'orders', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'o1', customer_id: 'c1' }] } },
        { _id: 'tags', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 't1', order: 'o1', tag: 'gold' }, { _id: 't2', order: 'o1', tag: 'tin' }] } },
        {
          _id: 'report',
          type: 'pipe',
          source: { type: 'embedded', entities: [{ _id: 'c1' }] },
          transform: {
            type: 'dtl',
            rules: {
              default: [
                ['add', 'tag', 'gold'],
                ['add', 'found', ['hops', { datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'], return: ['hops', { datasets: ['tags b'], where: ['eq', 'b.tag', '_T.tag'], return: 'b._id' }] }]],
              ],
            },
          },
        },
      ],
    });
    await r.rt.runOnce();
    assert.deepEqual(r.dataset('report').map((e) => [e._id, e.found]), [['c1', [['t1']]]]);
    r.close();
  });

  it('dependency tracking follows apply-hops chains two datasets deep', async () => {
    // customer → orders (by customer_id) → products (by ean): a product rename reaches the customer.
    const r = await start({
      'sesam.conf.json': [
        ...receivers('customers', 'orders', 'products'),
        dtlPipe('report', 'customers', {
          default: [['copy', '_id'], ['add', 'lines', ['apply-hops', 'line', { datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'] }]]],
          line: [['add', 'product', ['hops', { datasets: ['products p'], where: ['eq', '_S.ean', 'p.ean'], return: 'p.name' }]]],
        }),
      ],
    });
    const push = (pipe: string, entities: Entity[]): Promise<unknown> => receive(r, pipe, entities);
    await push('customers', [{ _id: 'c1' }, { _id: 'c2' }]);
    await push('orders', [{ _id: 'o1', customer_id: 'c1', ean: 'e1' }, { _id: 'o2', customer_id: 'c2', ean: 'e2' }]);
    await push('products', [{ _id: 'p1', ean: 'e1', name: 'Apple' }, { _id: 'p2', ean: 'e2', name: 'Pear' }]);
    await r.rt.runOnce();
    assert.deepEqual(r.dataset('report').map((e) => [e._id, e.lines]), [['c1', [{ product: ['Apple'] }]], ['c2', [{ product: ['Pear'] }]]]);
    const manifestDeps = r.rt.manifest.pipes.find((p) => p.id === 'report')!.dependencies;
    assert.deepEqual(manifestDeps.map((d) => [d.dataset, d.path]), [['orders', ['customers']], ['products', ['orders', 'customers']]]);
    await push('products', [{ _id: 'p1', ean: 'e1', name: 'Green apple' }]);
    const s = await r.rt.runOnce();
    const run = s.runs.find((x) => x.pipe === 'report')!;
    assert.equal(run.tracked, 1, 'only c1 is reprocessed');
    assert.deepEqual(r.dataset('report').map((e) => [e._id, e.lines]), [['c2', [{ product: ['Pear'] }]], ['c1', [{ product: ['Green apple'] }]]]);
    // Moving an order to another customer reprocesses both (old and new join keys).
    await push('orders', [{ _id: 'o1', customer_id: 'c2', ean: 'e1' }]);
    const s2 = await r.rt.runOnce();
    assert.equal(s2.runs.find((x) => x.pipe === 'report')!.tracked, 2);
    const byId = Object.fromEntries(r.dataset('report').map((e) => [e._id, e.lines]));
    assert.deepEqual(byId, { c1: [], c2: [{ product: ['Green apple'] }, { product: ['Pear'] }] }); // hops order: by CRC-32 of the order ids
    r.close();
  });

  it('dependency tracking follows recursive hops to any depth: a change three levels down reprocesses the sources above it', async () => {
    const r = await start({
      'sesam.conf.json': [
        ...receivers('people', 'parents'),
        dtlPipe('lineage', 'people', {
          default: [['copy', '_id'], ['add', 'names', ['sorted', ['map', '_.name', ['hops', { datasets: ['parents b'], where: [['eq', '_S.parent', 'b._id']], recurse: true }]]]]],
        }),
      ],
    });
    await receive(r, 'people', [{ _id: 'a1', parent: 'b1' }, { _id: 'a2', parent: 'b9' }]);
    await receive(r, 'parents', [{ _id: 'b1', parent: 'b2', name: 'one' }, { _id: 'b2', parent: 'b3', name: 'two' }, { _id: 'b3', name: 'three' }, { _id: 'b9', name: 'nine' }]);
    await r.rt.runOnce();
    const names = (): Record<string, unknown> => Object.fromEntries(r.dataset('lineage').map((e) => [e._id, e.names]));
    // The root (the person, who has no name) comes first: exclude_root is off.
    assert.deepEqual(names(), { a1: [null, 'one', 'three', 'two'], a2: [null, 'nine'] });
    await receive(r, 'parents', [{ _id: 'b3', parent: 'b4', name: 'THREE' }, { _id: 'b4', name: 'four' }]);
    const s = await r.rt.runOnce();
    assert.equal(s.runs.find((x) => x.pipe === 'lineage')!.tracked, 1, 'only a1 is reprocessed');
    assert.deepEqual(names(), { a1: [null, 'THREE', 'four', 'one', 'two'], a2: [null, 'nine'] });
    await receive(r, 'parents', [{ _id: 'b2', _deleted: true }]);
    await r.rt.runOnce();
    assert.deepEqual(names(), { a1: [null, 'one'], a2: [null, 'nine'] });
    r.close();
  });

  it('dependency tracking follows apply-hops through a return that projects the hopped entity (a path or an expression)', async () => {
    const r = await start({
      'sesam.conf.json': [
        ...receivers('a', 'b', 'c'),
        dtlPipe('by-path', 'a', {
          default: [['copy', '_id'], ['add', 'bs', ['apply-hops', 'r', { datasets: ['b b'], where: [['eq', '_S.k', 'b.k']], return: 'b.x' }]]],
          r: [['add', 'cs', ['hops', { datasets: ['c c'], where: [['eq', '_S.m', 'c.m']], return: 'c.v' }]]],
        }),
        dtlPipe('by-expr', 'a', {
          default: [['copy', '_id'], ['add', 'bs', ['apply-hops', 'r', { datasets: ['b b'], where: [['eq', '_S.k', 'b.k']], return: ['dict', 'm', 'b.ref'] }]]],
          r: [['add', 'cs', ['hops', { datasets: ['c c'], where: [['eq', '_S.m', 'c.m']], return: 'c.v' }]]],
        }),
      ],
    });
    await receive(r, 'a', [{ _id: 'a1', k: 'x' }, { _id: 'a2', k: 'y' }]);
    await receive(r, 'b', [{ _id: 'b1', k: 'x', x: { m: 'm1' }, ref: 'm1' }, { _id: 'b2', k: 'y', x: { m: 'm2' }, ref: 'm2' }]);
    await receive(r, 'c', [{ _id: 'c1', m: 'm1', v: 1 }, { _id: 'c2', m: 'm2', v: 1 }]);
    await r.rt.runOnce();
    await receive(r, 'c', [{ _id: 'c1', m: 'm1', v: 2 }]);
    const s = await r.rt.runOnce();
    for (const pipe of ['by-path', 'by-expr']) {
      assert.equal(s.runs.find((x) => x.pipe === pipe)!.tracked, 1, `${pipe}: only a1 is reprocessed`);
      assert.deepEqual(Object.fromEntries(r.dataset(pipe).map((e) => [e._id, e.bs])), { a1: [{ cs: [2] }], a2: [{ cs: [1] }] }, pipe);
    }
    r.close();
  });

  it('a join dependency tracking cannot follow is a build warning at its position, unless the hops says track-dependencies false', async () => {
    const hops = (extra: Record<string, unknown>): Record<string, unknown> => ({ datasets: ['b b'], where: [['eq', '_T.x', 'b.k']], ...extra });
    const warnings = async (extra: Record<string, unknown>): Promise<{ code: string; line: number }[]> => {
      const dir = writeProject({
        'sesam.conf.json': [...receivers('a', 'b'), dtlPipe('o', 'a', { default: [['add', 'x', 1], ['add', 'bs', ['hops', hops(extra)]]] })],
      });
      const check = checkProject(loadProject(dir));
      const out = await buildProject(check, { outDir: path.join(dir, 'out'), bundle: false, toolVersion: 'test' });
      assert.ok(out.ok, 'a warning does not stop the build');
      return out.diagnostics.filter((d) => d.code.startsWith('build-')).map((d) => ({ code: d.code, line: d.range.line }));
    };
    const found = await warnings({});
    assert.equal(found.length, 1);
    assert.equal(found[0]!.code, 'build-untracked');
    assert.deepEqual(await warnings({ 'track-dependencies': false }), []);
  });

  it('dependency tracking reprocesses exactly the joined entities when thousands of hopped entities change at once', async () => {
    const r = await start({
      'sesam.conf.json': [
        ...receivers('customers', 'orders'),
        dtlPipe('totals', 'customers', { default: [['copy', '_id'], ['add', 'sum', ['sum', ['hops', { datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer'], return: 'o.n' }]]]] }),
      ],
    });
    const push = (pipe: string, entities: Entity[]): Promise<unknown> => receive(r, pipe, entities);
    const customers = Array.from({ length: 600 }, (_, i) => ({ _id: `c${i}` }));
    await push('customers', customers);
    await push('orders', Array.from({ length: 3000 }, (_, i) => ({ _id: `o${i}`, customer: `c${i % 600}`, n: 1 })));
    await r.rt.runOnce();
    assert.ok(r.dataset('totals').every((e) => e.sum === 5));
    // 2,500 orders change (more than two tracking batches): those of customers 0..499 get n = 2,
    // and 100 of them move from customer c(k) to c(k+500).
    const changed: Entity[] = [];
    for (let i = 0; i < 3000; i++) {
      const c = i % 600;
      if (c >= 500) continue;
      changed.push({ _id: `o${i}`, customer: i < 100 ? `c${c + 500}` : `c${c}`, n: 2 });
    }
    assert.equal(changed.length, 2500);
    await push('orders', changed);
    const s = await r.rt.runOnce();
    assert.equal(s.runs.find((x) => x.pipe === 'totals')!.tracked, 600, 'every customer is joined to a changed order (old or new key)');
    const sums = Object.fromEntries(r.dataset('totals').map((e) => [e._id, e.sum]));
    // o0..o99 moved from c0..c99 to c500..c599 with n = 2.
    assert.equal(sums['c0'], 8);
    assert.equal(sums['c150'], 10);
    assert.equal(sums['c500'], 7);
    // A change that touches no join key of a tracked customer reprocesses nothing more.
    await push('orders', [{ _id: 'o5', customer: 'c505', n: 2 }]);
    assert.equal((await r.rt.runOnce()).runs.find((x) => x.pipe === 'totals')!.tracked, 0);
    r.close();
  });

  it('incremental runs after random changes end where one full run on the final inputs does', async () => {
    // The full run joins through the in-memory hash join; the incremental runs through the
    // persistent join index and dependency tracking. Both must agree, whatever changed.
    const config = {
      'sesam.conf.json': [
        ...receivers('customers', 'orders'),
        dtlPipe('totals', 'customers', {
          default: [
            ['copy', '*'],
            ['add', 'ids', ['sorted', ['hops', { datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer'], return: 'o._id' }]]],
            ['add', 'sum', ['sum', ['hops', { datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer'], return: 'o.n' }]]],
          ],
        }),
      ],
    };
    const rnd = prng(2024);
    const customerKey = (): unknown => {
      const pick = (): string => `c${rnd(40)}`;
      const r = rnd(10);
      return r === 0 ? null : r === 1 ? [pick(), pick()] : pick();
    };
    const customers = new Map<string, Entity>();
    const orders = new Map<string, Entity>();
    const incremental = await start(config);
    const push = async (r: Running, pipe: string, entities: Entity[]): Promise<void> => {
      if (entities.length > 0) await receive(r, pipe, entities);
    };
    for (let round = 0; round < 8; round++) {
      const cs: Entity[] = [];
      for (let i = 0; i < (round === 0 ? 40 : rnd(6)); i++) {
        const id = `c${round === 0 ? i : rnd(45)}`;
        const e: Entity = rnd(8) === 0 && round > 0 ? { _id: id, _deleted: true } : { _id: id, name: `name${rnd(3)}` };
        customers.set(id, e);
        cs.push(e);
      }
      const os: Entity[] = [];
      for (let i = 0; i < (round === 0 ? 300 : rnd(60)); i++) {
        const id = `o${round === 0 ? i : rnd(320)}`;
        const e: Entity = rnd(10) === 0 && round > 0 ? { _id: id, _deleted: true } : { _id: id, customer: customerKey() as Entity[string], n: rnd(5) };
        orders.set(id, e);
        os.push(e);
      }
      await push(incremental, 'customers', cs);
      await push(incremental, 'orders', os);
      await incremental.rt.runOnce();
    }
    const live = (m: Map<string, Entity>): Entity[] => [...m.values()].filter((e) => e['_deleted'] !== true);
    const full = await start(config);
    await push(full, 'customers', live(customers));
    await push(full, 'orders', live(orders));
    await full.rt.runOnce();
    const view = (r: Running): Record<string, unknown> => Object.fromEntries(r.dataset('totals').map((e) => [e._id, [e.name, e.ids, e.sum]]));
    const expected = view(full);
    assert.ok(Object.keys(expected).length > 20);
    assert.deepEqual(view(incremental), expected);
    incremental.close();
    full.close();
  });

  it('a schedule further away than a timer can wait (a yearly cron, a month-long interval) waits instead of firing at once', async () => {
    const r = await start({
      'sesam.conf.json': [
        { _id: 'yearly', type: 'pipe', source: { type: 'embedded', entities: [{ _id: '1' }] }, pump: { cron_expression: '0 0 1 1 ?' } },
        { _id: 'monthly', type: 'pipe', source: { type: 'embedded', entities: [{ _id: '1' }] }, pump: { schedule_interval: 3_000_000 } },
      ],
    });
    r.rt.startScheduler();
    await new Promise((ok) => setTimeout(ok, 600));
    await r.rt.stop();
    for (const id of ['yearly', 'monthly']) assert.equal(fs.existsSync(path.join(r.data, 'pipes', `${id}.json`)), false, `${id} did not run`);
    r.close();
  });

  it('the startup pass of a continuous run skips manual pipes and cron pipes (unless run_at_startup); --once runs them all', async () => {
    const pipe = (id: string, pump: Record<string, unknown>): Record<string, unknown> => ({ _id: id, type: 'pipe', source: { type: 'embedded', entities: [{ _id: '1' }] }, pump });
    const r = await start({
      'sesam.conf.json': [
        pipe('manual', { mode: 'manual' }),
        pipe('cron', { cron_expression: '0 0 1 1 ?' }),
        pipe('cron-startup', { cron_expression: '0 0 1 1 ?', run_at_startup: true }),
        pipe('interval', { schedule_interval: 60 }),
        pipe('off', { mode: 'off' }),
      ],
    });
    const ran = async (pass: Promise<{ runs: readonly { pipe: string }[] }>): Promise<string[]> => [...new Set((await pass).runs.map((x) => x.pipe))].sort();
    assert.deepEqual(await ran(r.rt.runStartupPass()), ['cron-startup', 'interval']);
    assert.deepEqual(await ran(r.rt.runOnce()), ['cron', 'cron-startup', 'interval', 'manual']);
    r.close();
  });

  it('stopping during a long run ends it after the batch in flight, commits that much, and the next run completes the work', async () => {
    const lines = Array.from({ length: 60_000 }, (_, i) => `{"_id": "e${i}", "n": ${i}}`).join('\n') + '\n';
    const r = await start({
      'feed.jsonl': lines,
      'sesam.conf.json': [
        { _id: 'files', type: 'system:url', base_url: './' },
        { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'files', url: 'feed.jsonl' } },
        dtlPipe('copy', 'feed', { default: [['copy', '*'], ['add', 'twice', ['multiply', 2, '_S.n']]] }),
      ],
    });
    await r.rt.runPipe('feed');
    const res = await stopMidRun(r, 'copy');
    assert.ok(res.processed > 0 && res.processed < 60_000, `processed ${res.processed}`);
    assert.equal(r.dataset('copy').length, res.processed, 'what was processed is committed');
    r.close();
    const again = await start({}, r.dir, r.data);
    await again.rt.runOnce();
    const out = again.dataset('copy');
    assert.equal(out.length, 60_000);
    assert.equal(out[59_999]!.twice, 2 * 59_999);
    again.close();
  });

  it('the scheduler runs pipes on their interval and stops cleanly', async () => {
    const r = await start({
      'sesam.conf.json': [{ _id: 'tick', type: 'pipe', source: { type: 'embedded', entities: [{ _id: '1' }] }, pump: { schedule_interval: 0.2 } }],
    });
    r.rt.startScheduler();
    await new Promise((ok) => setTimeout(ok, 1200));
    await r.rt.stop();
    const state = JSON.parse(fs.readFileSync(path.join(r.data, 'pipes', 'tick.json'), 'utf8')) as { runs: number };
    assert.ok(state.runs >= 2, `ran ${state.runs} times`);
    assert.deepEqual(ids(r.dataset('tick')), ['1']);
    r.close();
  });
});
