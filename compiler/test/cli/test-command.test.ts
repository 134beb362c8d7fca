/** `dtl test`: sesam-py style tests, offline. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copySample, dtl, writeProject } from '../helpers.js';

describe('dtl test', function () {
  this.timeout(120_000);

  it('passes on the tutorial sample and --update rewrites the expected file byte for byte', () => {
    const project = copySample('tutorial');
    const expected = path.join(project, 'expected', 'customers-with-orders.json');
    const before = fs.readFileSync(expected, 'utf8');
    const r = dtl(['test', project]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All tests passed! Ran 1 test\./);
    assert.equal(dtl(['test', project, '--update']).code, 0);
    assert.equal(fs.readFileSync(expected, 'utf8'), before);
  });

  it('fails with a unified diff when the output differs', () => {
    const project = copySample('tutorial');
    const expected = path.join(project, 'expected', 'customers-with-orders.json');
    fs.writeFileSync(expected, fs.readFileSync(expected, 'utf8').replace('"~f59.90"', '"~f0"').replace('"~f123.90"', '"~f1.00"'));
    const r = dtl(['test', project]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Pipe customers-with-orders \(customers-with-orders\) failed: Content mismatch/);
    assert.match(r.stderr, /^-    "total": "~f1\.00",$/m);
    assert.match(r.stderr, /^\+    "total": "~f123\.90",$/m);
    assert.match(r.stdout, /Failed 1 of 1 tests!/);
  });

  it('compares as sesam-py does: blacklist, _ keys, ignore_deletes, sort order, testdata, file format', () => {
    const project = writeProject({
      'pipes/in.conf.json': { _id: 'in', type: 'pipe', source: { type: 'http_endpoint' } },
      'pipes/out.conf.json': {
        _id: 'out',
        type: 'pipe',
        source: { type: 'dataset', dataset: 'in' },
        transform: { type: 'dtl', rules: { default: [['copy', '*'], ['add', 'stamp', ['now']], ['add', 'html', '<b>&</b>'], ['add', 'nested', { _secret: 1, keep: 2 }]] } },
        sink: { type: 'http_endpoint' },
      },
      'testdata/in.json': [{ _id: 'b', n: 2 }, { _id: 'a', n: 1 }],
      'expected/out.test.json': { blacklist: ['stamp'] },
    });
    const up = dtl(['test', project, '--update']);
    assert.equal(up.code, 0, up.stderr);
    const text = fs.readFileSync(path.join(project, 'expected', 'out.json'), 'utf8');
    assert.equal(
      text,
      '[\n  {\n    "_id": "a",\n    "html": "\\u003cb\\u003e\\u0026\\u003c/b\\u003e",\n    "n": 1,\n    "nested": {\n      "keep": 2\n    }\n  },\n  {\n    "_id": "b",\n    "html": "\\u003cb\\u003e\\u0026\\u003c/b\\u003e",\n    "n": 2,\n    "nested": {\n      "keep": 2\n    }\n  }\n]\n',
    );
    const r = dtl(['test', project]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Pushed 2 test entities to in/);
    // Without the blacklist the changing timestamp makes the test fail.
    fs.writeFileSync(path.join(project, 'expected', 'out.test.json'), '{}');
    const f = dtl(['test', project]);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /\+    "stamp": "~t/);
  });

  it('reports a spec that names a missing pipe and an invalid spec file', () => {
    const project = copySample('tutorial');
    fs.writeFileSync(path.join(project, 'expected', 'ghost.test.json'), '{"pipe": "ghost"}');
    const r = dtl(['test', project]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /refers to pipe 'ghost', which the project does not have/);
    fs.writeFileSync(path.join(project, 'expected', 'ghost.test.json'), '[1');
    const bad = dtl(['test', project]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Test spec is not valid JSON: \S*ghost\.test\.json:1:3: /);
  });
});
