/**
 * The json_schema transform's schema_url: the schema fetched through a system:url (a local
 * folder or an http server), once per run and per request, for pump runs, receivers, the pipe
 * entities API and publishers; what a schema that cannot be fetched or used does; and what
 * `dtl check` / `dtl build` say about the transform's system.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startApi } from '@dtl/runtime/engine/http';
import { buildProject } from '../../src/codegen/build.js';
import { checkProject } from '../../src/check/check-project.js';
import { loadProject } from '../../src/project/load.js';
import { dtl, tempDir, withServer, writeProject, type SeenRequest } from '../helpers.js';
import { start } from './running.js';

const PERSON = { type: 'object', properties: { name: { type: 'string' }, born: { type: 'string' } }, required: ['name', 'born'] };
/** The docs' example entities and what comes out of the docs' example transform. */
const MEN = [{ _id: '3', name: 'Jim' }, { _id: '5', name: 'Bob', born: '1972-03-12' }];
const VALIDATED = [['3', false, ["'born' is a required property"]], ['5', true, undefined]];

const men = { _id: 'men', type: 'pipe', source: { type: 'embedded', entities: MEN } };

/** A pipe validating `men` with the schema at `url` through `system`. */
function validated(system: string, url = 'person.json', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { _id: 'men-validated', type: 'pipe', source: { type: 'dataset', dataset: 'men' }, transform: { type: 'json_schema', schema_url: url, system, ...extra } };
}

/** Id, validity and errors of each entity, by id. */
const shape = (list: Record<string, unknown>[]): unknown[] => [...list].sort((a, b) => String(a._id).localeCompare(String(b._id))).map((e) => [e._id, e.valid, e.errors]);

describe('json_schema transform: schema_url', function () {
  this.timeout(60_000);

  it('reads the schema from a local folder system:url relative to the project, again on each run', async () => {
    const r = await start({
      'sesam.conf.json': [{ _id: 'schemas', type: 'system:url', base_url: 'schemas/' }, men, validated('schemas')],
      'schemas/person.json': PERSON,
    });
    await r.rt.runOnce();
    assert.deepEqual(shape(r.dataset('men-validated')), VALIDATED);
    // A new schema is what the next run validates with.
    fs.writeFileSync(path.join(r.dir, 'schemas', 'person.json'), JSON.stringify({ ...PERSON, required: ['name'] }));
    await r.rt.resetPipe('men-validated');
    await r.rt.runPipe('men-validated');
    assert.deepEqual(shape(r.dataset('men-validated')), [['3', true, undefined], ['5', true, undefined]]);
    r.close();
  });

  it("fetches it over http with the system's basic authentication and headers ($SECRET filled in), once per run, for receivers, the pipe entities API and publishers too", async () => {
    const schemaRequests = (seen: SeenRequest[]): SeenRequest[] => seen.filter((q) => q.url.pathname === '/schemas/person.json');
    await withServer(
      async (port, seen) => {
        const r = await start({
          'sesam.conf.json': [
            { _id: 'schema-server', type: 'system:url', base_url: `http://127.0.0.1:${port}/schemas/`, authentication: 'basic', username: 'reader', password: '$SECRET(pw)', headers: { 'x-api-key': '$SECRET(key)' } },
            men,
            validated('schema-server'),
            { _id: 'incoming', type: 'pipe', source: { type: 'http_endpoint' }, transform: { type: 'json_schema', schema_url: 'person.json', system: 'schema-server', key_valid: 'ok' } },
            { _id: 'men-published', type: 'pipe', source: { type: 'dataset', dataset: 'men' }, transform: { type: 'json_schema', schema_url: 'person.json', system: 'schema-server' }, sink: { type: 'http_endpoint' } },
          ],
          'secrets.json': { pw: 's3cret', key: 'k-42' },
        });
        const summary = await r.rt.runOnce();
        assert.deepEqual(shape(r.dataset('men-validated')), VALIDATED);
        const runs = summary.runs.filter((x) => x.pipe === 'men-validated').length;
        assert.ok(runs >= 1);
        const fetched = schemaRequests(seen);
        assert.equal(fetched.length, runs, 'one fetch per run of the pipe');
        for (const q of fetched) {
          assert.equal(q.method, 'GET');
          assert.equal(q.headers.authorization, 'Basic ' + Buffer.from('reader:s3cret').toString('base64'));
          assert.equal(q.headers['x-api-key'], 'k-42');
        }

        await r.rt.receive('incoming', [{ _id: 'p', name: 'Pat' }], { isFull: false, isFirst: false, isLast: false });
        assert.deepEqual(r.dataset('incoming').map((e) => [e._id, e.ok, e.errors]), [['p', false, ["'born' is a required property"]]]);

        const api = await startApi(r.rt, 0);
        try {
          const base = `http://127.0.0.1:${api.port}/api`;
          const preview = (await (await fetch(`${base}/pipes/men-validated/entities`)).json()) as Record<string, unknown>[];
          assert.deepEqual(shape(preview), VALIDATED);
          const published = (await (await fetch(`${base}/publishers/men-published/entities`)).json()) as Record<string, unknown>[];
          assert.deepEqual(shape(published), VALIDATED);
          // The untransformed preview needs no schema.
          const before = schemaRequests(seen).length;
          const raw = (await (await fetch(`${base}/pipes/men-validated/entities?transformed=false`)).json()) as Record<string, unknown>[];
          assert.deepEqual(shape(raw), [['3', undefined, undefined], ['5', undefined, undefined]]);
          assert.equal(schemaRequests(seen).length, before);
        } finally {
          await api.close();
        }
        // Runs, then the receiver request, the preview and the publisher request.
        assert.equal(schemaRequests(seen).length, runs + 3);
        r.close();
      },
      (q) => {
        if (q.url.pathname !== '/schemas/person.json') return { status: 404, body: 'no such file' };
        if (q.headers.authorization !== 'Basic ' + Buffer.from('reader:s3cret').toString('base64')) return { status: 401, body: 'who are you?' };
        return { body: JSON.stringify(PERSON) };
      },
    );
  });

  it('a schema that cannot be fetched or used fails the run naming the pipe and the URL, and the pipe writes nothing', async () => {
    await withServer(
      async (port) => {
        const base = `http://127.0.0.1:${port}/schemas/`;
        const cases: Array<[string, RegExp]> = [
          ['missing.json', new RegExp(`^Pipe 'men-validated': cannot fetch the json_schema transform's schema_url "missing\\.json": ${base}missing\\.json answered 404 Not Found\\.$`)],
          ['broken.json', new RegExp(`^Pipe 'men-validated': cannot fetch the json_schema transform's schema_url "broken\\.json": ${base}broken\\.json is not valid JSON: `)],
          ['nonsense.json', new RegExp(`^Pipe 'men-validated': the json_schema transform's schema from ${base}nonsense\\.json is not valid: `)],
        ];
        for (const [file, message] of cases) {
          const r = await start({ 'sesam.conf.json': [{ _id: 'schema-server', type: 'system:url', base_url: base }, men, validated('schema-server', file)] });
          await assert.rejects(r.rt.runOnce(), (e: Error) => message.test(e.message));
          assert.deepEqual(r.dataset('men').map((e) => e._id), ['3', '5'], 'the other pipe ran');
          assert.equal(r.rt.store.exists('men-validated'), false, `${file}: nothing written`);
          assert.equal(fs.existsSync(path.join(r.data, 'pipes', 'men-validated.json')), false, `${file}: no state saved`);
          // The pipe entities API answers with the same message.
          const api = await startApi(r.rt, 0);
          try {
            const res = await fetch(`http://127.0.0.1:${api.port}/api/pipes/men-validated/entities`);
            assert.equal(res.status, 500);
            assert.match(((await res.json()) as { error: string }).error, message);
          } finally {
            await api.close();
          }
          r.close();
        }
      },
      (q) => {
        if (q.url.pathname === '/schemas/broken.json') return { body: '{"type": "object", ' };
        if (q.url.pathname === '/schemas/nonsense.json') return { body: '{"type": "nonsense"}' };
        return { status: 404, type: 'text/plain', body: 'not here' };
      },
    );
    const r = await start({ 'sesam.conf.json': [{ _id: 'schemas', type: 'system:url', base_url: 'schemas/' }, men, validated('schemas')] });
    const file = path.join(r.dir, 'schemas', 'person.json');
    await assert.rejects(r.rt.runOnce(), { message: `Pipe 'men-validated': cannot fetch the json_schema transform's schema_url "person.json": the file ${file} does not exist.` });
    assert.equal(r.rt.store.exists('men-validated'), false);
    r.close();
  });

  it('dtl check accepts schema_url with a system:url and reports an unknown system where it is named; dtl build refuses a system that is not a system:url', async () => {
    const clean = checkProject(loadProject(writeProject({ 'sesam.conf.json': [{ _id: 'schemas', type: 'system:url', base_url: 'schemas/' }, men, validated('schemas')] })));
    assert.deepEqual(clean.diagnostics.map((d) => `${d.code}: ${d.message}`), []);

    const unknownDir = writeProject({ 'sesam.conf.json': [{ _id: 'schemas', type: 'system:url', base_url: 'schemas/' }, men, validated('schemaz')] });
    const unknown = checkProject(loadProject(unknownDir)).diagnostics.find((d) => d.code === 'system-unknown');
    assert.match(String(unknown?.message), /^Unknown system 'schemaz'\./);
    const lines = fs.readFileSync(path.join(unknownDir, 'sesam.conf.json'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('"system": "schemaz"'));
    assert.equal(path.resolve(String(unknown?.file)), path.join(unknownDir, 'sesam.conf.json'));
    assert.deepEqual([unknown?.range.line, unknown?.range.column], [line + 1, lines[line]!.indexOf('"schemaz"') + 1]);

    const svcDir = writeProject({ 'sesam.conf.json': [{ _id: 'svc', type: 'system:microservice', docker: { image: 'some/image:1', port: 5000 } }, men, validated('svc')] });
    const out = await buildProject(checkProject(loadProject(svcDir)), { outDir: path.join(svcDir, 'build'), bundle: false, toolVersion: 'test' });
    assert.equal(out.ok, false);
    const d = out.diagnostics.find((x) => x.code === 'build-unsupported');
    assert.equal(d?.message, "Pipe 'men-validated': the json_schema transform fetches its schema_url through system 'svc', a system:microservice; the local runtime fetches it through a system:url only.");
    const svcLines = fs.readFileSync(path.join(svcDir, 'sesam.conf.json'), 'utf8').split('\n');
    assert.equal(d?.range.line, svcLines.findIndex((l) => l.includes('"system": "svc"')) + 1);
  });

  it('$ENV in the transform is substituted at build time, as in sources', async () => {
    const dir = writeProject({
      'sesam.conf.json': [{ _id: 'schemas', type: 'system:url', base_url: 'schemas/' }, men, validated('schemas', '$ENV(schema-file)')],
      'schemas/person.json': PERSON,
    });
    const check = checkProject(loadProject(dir), { env: { 'schema-file': 'person.json' } });
    const out = await buildProject(check, { outDir: path.join(dir, 'build'), bundle: false, toolVersion: 'test', env: { 'schema-file': 'person.json' } });
    assert.ok(out.ok, JSON.stringify(out.diagnostics));
    assert.equal(out.manifest?.pipes.find((p) => p.id === 'men-validated')?.transforms[0]?.config.schema_url, 'person.json');
  });
});

describe('json_schema transform: schema_url from the command line', function () {
  this.timeout(120_000);
  const config = [{ _id: 'schemas', type: 'system:url', base_url: 'schemas/' }, men, validated('schemas')];
  const datasetShape = (data: string): unknown[] => {
    const r = dtl(['dataset', 'men-validated', '--data', data]);
    assert.equal(r.code, 0, r.stderr);
    return shape(JSON.parse(r.stdout) as Record<string, unknown>[]);
  };

  it('dtl run --once fails (exit 1) naming the missing schema file and writes nothing for the pipe; dtl build + node bundle.mjs --once validate with the schema', () => {
    const dir = writeProject({ 'sesam.conf.json': config });
    const data = path.join(tempDir(), 'data');
    const failed = dtl(['run', dir, '--once', '--data', data]);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stderr, new RegExp(`^dtl run: Pipe 'men-validated': cannot fetch the json_schema transform's schema_url "person\\.json": the file \\S+person\\.json does not exist\\.$`, 'm'));
    assert.match(dtl(['dataset', 'men-validated', '--data', data]).stderr, /no dataset 'men-validated'/);

    fs.mkdirSync(path.join(dir, 'schemas'));
    fs.writeFileSync(path.join(dir, 'schemas', 'person.json'), JSON.stringify(PERSON));
    const out = path.join(dir, 'out');
    const built = dtl(['build', dir, '-o', out]);
    assert.equal(built.code, 0, built.stdout + built.stderr);
    // The bundle carries ajv: the project has a json_schema transform.
    assert.doesNotMatch(fs.readFileSync(path.join(out, 'bundle.mjs'), 'utf8'), /the json_schema transform: this bundle was built without it/);
    const bundled = path.join(tempDir(), 'data');
    const run = spawnSync(process.execPath, [path.join(out, 'bundle.mjs'), '--once', '--data', bundled], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.deepEqual(datasetShape(bundled), VALIDATED);
  });

  it('dtl test runs an endpoint pipe with schema_url, and fails naming the schema when it cannot be read', () => {
    const endpoint = { ...validated('schemas'), _id: 'out', sink: { type: 'http_endpoint' } };
    const dir = writeProject({ 'sesam.conf.json': [config[0], men, endpoint], 'schemas/person.json': PERSON });
    const update = dtl(['test', dir, '--update']);
    assert.equal(update.code, 0, update.stdout + update.stderr);
    const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected', 'out.json'), 'utf8')) as Record<string, unknown>[];
    assert.deepEqual(shape(expected), VALIDATED);
    const verify = dtl(['test', dir]);
    assert.equal(verify.code, 0, verify.stdout + verify.stderr);
    assert.match(verify.stdout, /All tests passed! Ran 1 test\./);
    fs.rmSync(path.join(dir, 'schemas', 'person.json'));
    const failed = dtl(['test', dir]);
    assert.equal(failed.code, 1, failed.stdout + failed.stderr);
    assert.match(failed.stderr, /^dtl test: Pipe 'out': cannot fetch the json_schema transform's schema_url "person\.json": the file \S+ does not exist\.$/m);
  });
});
