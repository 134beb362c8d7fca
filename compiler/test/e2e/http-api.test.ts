/** The HTTP API of a running project, over real loopback HTTP. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProjectRuntime } from '@dtl/runtime/engine/project';
import { startApi, type ApiServer } from '@dtl/runtime/engine/http';
import { buildProject } from '../../src/codegen/build.js';
import { checkProject } from '../../src/check/check-project.js';
import { importBuild } from '../../src/cli/project-commands.js';
import { loadProject } from '../../src/project/load.js';
import { tempDir, writeProject } from '../helpers.js';

const CONFIG = [
  { _id: 'people', type: 'pipe', source: { type: 'http_endpoint' } },
  {
    _id: 'adults',
    type: 'pipe',
    source: { type: 'dataset', dataset: 'people' },
    transform: { type: 'dtl', rules: { default: [['copy', '*'], ['add', 'adult', ['gte', '_S.age', 18]], ['filter', ['neq', '_S._deleted', true]]] } },
  },
  { _id: 'people-feed', type: 'pipe', source: { type: 'dataset', dataset: 'adults' }, transform: { type: 'dtl', rules: { default: [['copy', '_id'], ['copy', '_deleted'], ['add', 'who', ['concat', '_S._id', '-', ['string', '_B.tag']]]] } }, sink: { type: 'http_endpoint' } },
  { _id: 'people-csv', type: 'pipe', source: { type: 'dataset', dataset: 'adults' }, sink: { type: 'csv_endpoint', columns: ['_id', 'age', 'adult'], filename: 'people.csv' } },
  {
    _id: 'tagged-csv',
    type: 'pipe',
    source: { type: 'dataset', dataset: 'adults' },
    transform: { type: 'dtl', rules: { default: [['copy', '_id'], ['copy', '_deleted'], ['add', 'tag', ['if-null', '_B.tag', 'none']]] } },
    sink: { type: 'csv_endpoint', columns: ['_id', 'tag'] },
  },
  {
    _id: 'people-xml',
    type: 'pipe',
    source: { type: 'dataset', dataset: 'adults' },
    transform: { type: 'dtl', rules: { default: [['copy', '_deleted'], ['add', '<person>', '_S._id'], ['add', 'age', '_S.age'], ['add', 'tag', '_B.tag']] } },
    sink: { type: 'xml_endpoint', wrapper: 'people', 'root-attributes': { xmlns: 'urn:p' }, 'include-xml-decl': true, content_disposition: 'inline' },
  },
];

describe('HTTP API', function () {
  this.timeout(60_000);
  let rt: ProjectRuntime;
  let api: ApiServer;
  let base: string;
  let dataDir: string;

  before(async () => {
    const dir = writeProject({ 'sesam.conf.json': CONFIG });
    const project = loadProject(dir);
    const check = checkProject(project);
    assert.deepEqual(check.diagnostics.filter((d) => d.severity === 'error'), []);
    const out = await buildProject(check, { outDir: path.join(dir, '.dtl', 'build'), bundle: false, toolVersion: 'test' });
    const { manifest, modules } = await importBuild(out);
    dataDir = path.join(tempDir(), 'data');
    rt = new ProjectRuntime(manifest, modules, { dataDir, projectRoot: dir });
    api = await startApi(rt, 0);
    base = `http://127.0.0.1:${api.port}/api`;
  });

  after(async () => {
    await api.close();
    rt.close();
  });

  const post = (url: string, body: string, type = 'application/json'): Promise<Response> => fetch(base + url, { method: 'POST', headers: { 'content-type': type }, body });
  const json = async (r: Response): Promise<unknown> => JSON.parse(await r.text());

  it('receives entities for an http_endpoint pipe and serves the dataset', async () => {
    const r = await post('/receivers/people/entities', JSON.stringify([{ _id: 'a', age: 30, score: 1.50 }, { _id: 'b', age: 12 }]).replace('1.5', '1.50'));
    assert.equal(r.status, 200);
    assert.deepEqual(await json(r), { written: 2, deleted: 0 });
    const d = (await json(await fetch(base + '/datasets/people/entities'))) as Record<string, unknown>[];
    assert.deepEqual(d.map((e) => [e._id, e._updated, e._previous, e._deleted]), [['a', 0, null, false], ['b', 1, null, false]]);
    assert.equal(d[0]!.score, '~f1.50', 'a JSON fraction from outside is a decimal that keeps its scale');
    assert.match(String(d[0]!._hash), /^[0-9a-f]{32}$/);
    // The same content again writes nothing.
    assert.deepEqual(await json(await post('/receivers/people/entities', '{"_id": "a", "age": 30, "score": 1.50}')), { written: 0, deleted: 0 });
  });

  it('pumps a pipe on request and shows source and transformed entities', async () => {
    const run = (await json(await post('/pipes/adults/pump', 'operation=start', 'application/x-www-form-urlencoded'))) as { written: number };
    assert.equal(run.written, 2);
    const src = (await json(await fetch(base + '/pipes/adults/entities?transformed=false'))) as Record<string, unknown>[];
    assert.deepEqual(src.map((e) => [e._id, e.adult]), [['a', undefined], ['b', undefined]]);
    const out = (await json(await fetch(base + '/pipes/adults/entities'))) as Record<string, unknown>[];
    assert.deepEqual(out.map((e) => [e._id, e.adult]), [['a', true], ['b', false]]);
  });

  it('honours since, limit and history', async () => {
    await post('/receivers/people/entities', '[{"_id": "a", "age": 31}]');
    const latest = (await json(await fetch(base + '/datasets/people/entities'))) as Record<string, unknown>[];
    assert.deepEqual(latest.map((e) => [e._id, e._updated]), [['b', 1], ['a', 2]]);
    const history = (await json(await fetch(base + '/datasets/people/entities?history=true'))) as Record<string, unknown>[];
    assert.deepEqual(history.map((e) => [e._id, e._updated, e._previous]), [['a', 0, null], ['b', 1, null], ['a', 2, 0]]);
    const since = (await json(await fetch(base + '/datasets/people/entities?since=1&history=true'))) as Record<string, unknown>[];
    assert.deepEqual(since.map((e) => e._updated), [2]);
    const limited = (await json(await fetch(base + '/datasets/people/entities?history=true&limit=2'))) as unknown[];
    assert.equal(limited.length, 2);
    const info = (await json(await fetch(base + '/datasets/people'))) as Record<string, unknown>;
    assert.deepEqual([info._id, info.versions, info.entities], ['people', 3, 2]);
  });

  it('full syncs with the JSON push protocol: deletes what the sequence did not send, 409 on conflicts', async () => {
    const seq = 'seq-1';
    const q = (extra: string): string => `/receivers/people/entities?is_full=true&sequence_id=${seq}&${extra}`;
    assert.equal((await post(q('is_first=true&request_id=1'), '[{"_id": "a", "age": 31}]')).status, 200);
    // is_full may not change within a sequence: accepting it would delete what it wrote at is_last.
    const switched = await post(`/receivers/people/entities?is_full=false&sequence_id=${seq}&request_id=9&previous_request_id=1`, '[{"_id": "b", "age": 99}]');
    assert.equal(switched.status, 409);
    assert.match(((await json(switched)) as { error: string }).error, /is_full must not change/);
    const conflict = await post(q('request_id=3&previous_request_id=7'), '[]');
    assert.equal(conflict.status, 409);
    assert.match(((await json(conflict)) as { error: string }).error, /previous_request_id/);
    const last = await post(q('request_id=2&previous_request_id=1&is_last=true'), '[]');
    assert.equal(last.status, 200);
    assert.deepEqual(await json(last), { written: 0, deleted: 1 });
    const all = (await json(await fetch(base + '/datasets/people/entities'))) as Record<string, unknown>[];
    assert.deepEqual(all.map((e) => [e._id, e._deleted]), [['a', false], ['b', true]]);
    // The deleted version keeps the content it had, as deletion tracking after a full run does.
    assert.equal(all.find((e) => e._id === 'b')?.age, 12);
    assert.deepEqual(await json(await fetch(base + '/datasets/people/entities?deleted=false')).then((x) => (x as Record<string, unknown>[]).map((e) => e._id)), ['a']);
    const badFirst = await post(`/receivers/people/entities?is_full=true&sequence_id=zzz&request_id=5&previous_request_id=4`, '[]');
    assert.equal(badFirst.status, 409);
  });

  it('publishes endpoint sinks with request parameters bound to _B, and CSV', async () => {
    await rt.runOnce();
    const feed = (await json(await fetch(base + '/publishers/people-feed/entities?tag=x1'))) as Record<string, unknown>[];
    // Deleted entities flow through DTL like any other (the rules copy _deleted along).
    assert.deepEqual(feed.map((e) => [e.who, e._deleted]), [['a-x1', false], ['b-x1', true]]);
    // The json pull protocol's since and limit, and a file name after the path for downloads.
    const adults = (await json(await fetch(base + '/datasets/adults/entities'))) as Record<string, unknown>[];
    const after = (await json(await fetch(base + `/publishers/people-feed/entities?since=${String(adults[0]!._updated)}`))) as Record<string, unknown>[];
    assert.deepEqual(after.map((e) => e._id), ['b']);
    const one = (await json(await fetch(base + '/publishers/people-feed/entities?limit=1'))) as Record<string, unknown>[];
    assert.deepEqual(one.map((e) => e._id), ['a']);
    const named = await fetch(base + '/publishers/people-feed/entities/export.json');
    assert.equal(named.status, 200);
    assert.equal(((await json(named)) as unknown[]).length, 2);
    assert.equal((await fetch(base + '/publishers/people-csv/csv/export.csv')).status, 200);
    assert.equal((await fetch(base + '/datasets/adults/entities/export.json')).status, 404, 'only publishers take a file name');
    // The json pull protocol's response headers.
    const pulled = await fetch(base + '/datasets/adults/entities');
    assert.equal(pulled.headers.get('x-dataset-populated'), 'true');
    assert.equal(pulled.headers.get('x-dataset-max-updated'), String(adults[adults.length - 1]!._updated));
    assert.match(String(pulled.headers.get('x-dataset-generation')), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(pulled.headers.get('x-dataset-filtered'), null);
    const published = await fetch(base + '/publishers/people-feed/entities');
    assert.equal(published.headers.get('x-dataset-filtered'), 'true', 'a publisher with a transform filters the stream');
    assert.equal(published.headers.get('x-dataset-generation'), pulled.headers.get('x-dataset-generation'), 'a publisher describes its source dataset');
    const csv = await fetch(base + '/publishers/people-csv/csv');
    assert.equal(csv.status, 200);
    assert.match(String(csv.headers.get('content-type')), /text\/csv/);
    // Python's csv writer writes str(True).
    assert.equal(await csv.text(), '_id,age,adult\r\na,31,True\r\n');
    assert.equal(csv.headers.get('content-disposition'), 'attachment; filename="people.csv"', 'the sink\'s filename, attachment by default');
    const xml = await fetch(base + '/publishers/people-xml/xml?tag=t1');
    assert.equal(xml.status, 200);
    assert.equal(xml.headers.get('content-type'), 'application/xml; charset=utf-8');
    assert.equal(xml.headers.get('content-disposition'), null, 'served inline without a file name');
    assert.equal(await xml.text(), '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<people xmlns="urn:p"><person age="31" tag="t1">a</person></people>');
    const namedXml = await fetch(base + '/publishers/people-xml/xml/all%20people.xml');
    assert.equal(namedXml.headers.get('content-disposition'), 'inline; filename="all people.xml"');
    assert.equal((await fetch(base + '/publishers/people-xml/csv')).status, 404, 'an xml publisher serves no csv');
  });

  it("a publisher request's parameters are its own: concurrent requests and the pump never see them", async () => {
    const [a, b] = await Promise.all([fetch(base + '/publishers/tagged-csv/csv?tag=one'), fetch(base + '/publishers/tagged-csv/csv?tag=two')]);
    assert.equal(await a.text(), '_id,tag\r\na,one\r\n');
    assert.equal(await b.text(), '_id,tag\r\na,two\r\n');
    await rt.runOnce();
    assert.equal(fs.readFileSync(path.join(dataDir, 'publishers', 'tagged-csv.csv'), 'utf8'), '_id,tag\r\na,none\r\n');
    assert.equal(await (await fetch(base + '/publishers/tagged-csv/csv')).text(), '_id,tag\r\na,none\r\n');
  });

  it('answers bad requests with JSON errors and the right status', async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [fetch(base + '/datasets/nope/entities'), 404, /No dataset 'nope'/],
      [fetch(base + '/pipes/nope'), 404, /No pipe 'nope'/],
      [fetch(base + '/receivers/people/entities'), 405, /GET is not allowed/],
      [post('/receivers/people/entities', '[{"_id": "x"}]', 'text/plain'), 415, /Content-Type must be application\/json/],
      [post('/receivers/people/entities', '[{"_id": "x",, }]'), 400, /not valid JSON.*line 1/],
      [post('/receivers/people/entities', '[{"name": "no id"}]'), 400, /has no string "_id"/],
      [post('/receivers/people/entities', '[1, 2]'), 400, /Expected entities/],
      [post('/receivers/adults/entities', '[]'), 404, /not a receiver/],
      [fetch(base + '/datasets/people/entities?since=abc'), 400, /'since' must be an integer/],
      [fetch(base + '/datasets/people/entities?history=maybe'), 400, /'history' must be true or false/],
      [fetch(base + '/datasets/%E0%A4%A/entities'), 400, /Malformed percent-encoding/],
      [fetch(base + '/nothing-here'), 404, /No such endpoint/],
      [post('/pipes/adults/pump', 'operation=explode', 'application/x-www-form-urlencoded'), 400, /Unknown pump operation/],
    ];
    for (const [req, status, msg] of cases) {
      const r = await req;
      assert.equal(r.status, status, `${r.url}: ${r.status}`);
      assert.match(String(r.headers.get('content-type')), /application\/json/);
      assert.match(((await json(r)) as { error: string }).error, msg);
    }
  });

  it('never touches files outside the data folder, whatever the id', async () => {
    const before = fs.readdirSync(path.dirname(dataDir));
    for (const id of ['..%2F..%2Fetc%2Fpasswd', '..', '%2E%2E', 'a%00b']) {
      const r = await fetch(base + `/datasets/${id}/entities`);
      assert.ok([400, 404].includes(r.status), `${id} → ${r.status}`);
      const p = await post(`/receivers/${id}/entities`, '[]');
      assert.ok([400, 404].includes(p.status));
    }
    assert.deepEqual(fs.readdirSync(path.dirname(dataDir)), before);
  });
});
