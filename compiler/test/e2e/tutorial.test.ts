/**
 * The seed's tutorial, run offline through the CLI: the datasets equal the document's
 * (ignoring _ts and _hash), adding order 1003 reprocesses exactly Maria Hawkins, and a json
 * push sink delivers customers-with-orders with the JSON push protocol.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO, copySample, dtl, dtlAsync, tempDir, withServer, withoutVolatile } from '../helpers.js';

const SEED = path.join(REPO, 'samples', 'tutorial', 'seed');

function seed(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(SEED, `${name}.json`), 'utf8'));
}

function dataset(project: string, id: string, history = false): Record<string, unknown>[] {
  const r = dtl(['dataset', id, '--data', path.join(project, '.dtl'), ...(history ? ['--history'] : [])]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
}

function addOrder1003(project: string): void {
  const file = path.join(project, 'orders', 'orders.json');
  const text = fs.readFileSync(file, 'utf8').trimEnd();
  assert.ok(text.endsWith(']'));
  fs.writeFileSync(file, text.slice(0, -1).trimEnd() + ',\n    {"_id": "1003",\n     "customer_id": "2",\n     "items": [\n         {"ean": "978-0295332333", "price": 19.95, "quantity": 1 }\n     ]}\n]\n');
}

describe('tutorial (seed): offline run through the CLI', function () {
  this.timeout(120_000);

  it('checks clean', () => {
    const r = dtl(['check', 'samples/tutorial', '--format', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), []);
  });

  it('produces the seed document’s datasets', () => {
    const project = copySample('tutorial');
    const r = dtl(['run', project, '--once']);
    assert.equal(r.code, 0, r.stderr);
    for (const name of ['customers', 'orders', 'customers-with-orders']) {
      assert.deepEqual(withoutVolatile(dataset(project, name)), withoutVolatile(seed(name)), name);
    }
  });

  it('npm start prints the three datasets and where they are stored', () => {
    const project = copySample('tutorial');
    const r = dtl(['start', project]);
    assert.equal(r.code, 0, r.stderr);
    for (const name of ['customers', 'orders', 'customers-with-orders']) assert.match(r.stdout, new RegExp(`Dataset ${name} \\(\\d+ entit(y|ies), stored in ${path.join(project, '.dtl', 'datasets').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`));
    assert.match(r.stdout, /"total": "~f123\.90"/);
  });

  it('adding order 1003 gives Maria Hawkins a new version and leaves John Smith alone', () => {
    const project = copySample('tutorial');
    assert.equal(dtl(['run', project, '--once']).code, 0);
    const before = dataset(project, 'customers-with-orders', true);
    addOrder1003(project);
    const r = dtl(['run', project, '--once']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /customers-with-orders: 1 processed \(1 by dependency tracking\), 1 written/);
    const orders = dataset(project, 'orders');
    const o1003 = orders.find((o) => o._id === '1003');
    assert.deepEqual(withoutVolatile(o1003), { _deleted: false, _id: '1003', _previous: null, _updated: 3, customer_id: '2', items: [{ ean: '978-0295332333', price: '~f19.95', quantity: 1 }] });
    const after = dataset(project, 'customers-with-orders', true);
    assert.equal(after.length, before.length + 1, 'exactly one new version');
    const maria = after[after.length - 1]!;
    assert.deepEqual(withoutVolatile(maria), {
      _deleted: false,
      _id: '2',
      _previous: 1,
      _updated: 2,
      name: 'Maria Hawkins',
      order_count: 2,
      orders: [
        { items: [{ ean: '978-0195367133', price: '~f39.95', quantity: 1 }], total: '~f39.95' },
        { items: [{ ean: '978-0295332333', price: '~f19.95', quantity: 1 }], total: '~f19.95' },
      ],
      total: '~f59.90',
      type: 'customer',
    });
    // John Smith's only version is untouched.
    assert.deepEqual(after.filter((e) => e._id === '1'), before.filter((e) => e._id === '1'));
    // A further run changes nothing.
    assert.match(dtl(['run', project, '--once']).stdout, /customers-with-orders: 0 processed, 0 written/);
  });

  it('a json push sink delivers customers-with-orders with the JSON push protocol', async () => {
    const project = copySample('tutorial');
    await withServer(async (port, seen) => {
      const conf = path.join(project, 'sesam.conf.json');
      const entities = JSON.parse(fs.readFileSync(conf, 'utf8')) as unknown[];
      entities.push(
        { _id: 'customer-receiver-system', type: 'system:url', base_url: `http://127.0.0.1:${port}/` },
        { _id: 'push-customers-with-orders', type: 'pipe', source: { type: 'dataset', dataset: 'customers-with-orders' }, sink: { type: 'json', system: 'customer-receiver-system', url: 'receiver' } },
      );
      fs.writeFileSync(conf, JSON.stringify(entities, null, 4));
      const requests = (): { query: Record<string, string>; body: Record<string, unknown>[] }[] =>
        seen.map((q) => {
          assert.equal(q.url.pathname, '/receiver');
          assert.equal(q.method, 'POST');
          assert.match(String(q.headers['content-type']), /application\/json/);
          return { query: Object.fromEntries(q.url.searchParams), body: JSON.parse(q.body) as Record<string, unknown>[] };
        });
      const r = await dtlAsync(['run', project, '--once']);
      assert.equal(r.code, 0, r.stderr);
      const pushed = requests();
      assert.equal(pushed.length, 2, JSON.stringify(pushed.map((q) => q.query)));
      const [first, last] = pushed as [(typeof pushed)[0], (typeof pushed)[0]];
      const seq = first.query.sequence_id!;
      assert.match(seq, /^[0-9a-f-]{36}$/);
      assert.deepEqual(first.query, { is_first: 'true', is_full: 'true', request_id: '1', sequence_id: seq });
      assert.deepEqual(last.query, { is_full: 'true', request_id: '2', sequence_id: seq, previous_request_id: '1', is_last: 'true' });
      assert.deepEqual(withoutVolatile(first.body), withoutVolatile(seed('customers-with-orders')));
      assert.deepEqual(last.body, []);

      // The new order: only Maria's new version is pushed, as an incremental request.
      addOrder1003(project);
      seen.length = 0;
      const r2 = await dtlAsync(['run', project, '--once']);
      assert.equal(r2.code, 0, r2.stderr);
      const again = requests();
      assert.equal(again.length, 1);
      assert.equal(again[0]!.query.is_full, 'false');
      assert.equal(again[0]!.query.is_first, undefined);
      assert.deepEqual(again[0]!.body.map((e) => [e._id, e.total, e._previous]), [['2', '~f59.90', 1]]);
    });
  });

  it('builds a bundle that runs with plain node and no compiler', () => {
    const project = copySample('tutorial');
    const out = path.join(project, 'build');
    const b = dtl(['build', project, '-o', out]);
    assert.equal(b.code, 0, b.stderr);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { pipes: { id: string; hops: string[]; dependencies: { dataset: string; path: string[]; join: { hopped: string; source: string } }[] }[] };
    const cwo = manifest.pipes.find((p) => p.id === 'customers-with-orders')!;
    assert.deepEqual(cwo.hops, ['orders']);
    assert.deepEqual(cwo.dependencies, [{ dataset: 'orders', path: ['customers'], join: { hopped: '"o.customer_id"', source: '"_S._id"' } }]);
    // Move the bundle away from the repository's node_modules: it must be self-contained.
    const elsewhere = tempDir('dtl-bundle-');
    fs.copyFileSync(path.join(out, 'bundle.mjs'), path.join(elsewhere, 'bundle.mjs'));
    const data = path.join(elsewhere, 'data');
    // The bundle finds the project through the manifest's relative root; run it from its build folder.
    const r = spawnSync(process.execPath, [path.join(out, 'bundle.mjs'), '--once', '--data', data], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    assert.equal(r.status, 0, r.stderr);
    const text = fs.readFileSync(path.join(out, 'bundle.mjs'), 'utf8');
    assert.doesNotMatch(text, /from ["'](@dtl|chevrotain|ajv|esbuild)/, 'the bundle imports nothing but node builtins');
    const ds = dtl(['dataset', 'customers-with-orders', '--data', data]);
    assert.deepEqual(withoutVolatile(JSON.parse(ds.stdout)), withoutVolatile(seed('customers-with-orders')));
  });

  it('a project with errors does not build', () => {
    const project = copySample('tutorial');
    const conf = path.join(project, 'sesam.conf.json');
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace('"concat"', '"concatt"'));
    const r = dtl(['build', project, '-o', path.join(project, 'out')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /sesam\.conf\.json:\d+:\d+ error Unknown function 'concatt'\. Did you mean 'concat'\?/);
    assert.ok(!fs.existsSync(path.join(project, 'out', 'bundle.mjs')));
  });
});
