/** `dtl test`: sesam-py style tests, offline. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copySample, dtl, writeProject } from '../helpers.js';

/** A source pipe with embedded entities (an input pipe: never tested). */
function embedded(id: string, entities: unknown[]): unknown {
  return { _id: id, type: 'pipe', source: { type: 'embedded', entities } };
}

/** An endpoint pipe reading `from`, with DTL rules. */
function endpoint(id: string, from: string, rules: unknown[] = [['copy', '*']]): unknown {
  return { _id: id, type: 'pipe', source: { type: 'dataset', dataset: from }, transform: { type: 'dtl', rules: { default: rules } }, sink: { type: 'http_endpoint' } };
}

/** Config text for src → out with these rules; a string '@N' is written as the number text N. */
function withRules(rules: unknown[], entities: unknown[] = [{ _id: 'a' }]): string {
  return JSON.stringify([embedded('src', entities), endpoint('out', 'src', rules)]).replace(/"@([-+.\w]+)"/g, '$1');
}

function read(project: string, rel: string): string {
  return fs.readFileSync(path.join(project, rel), 'utf8');
}

describe('dtl test', function () {
  this.timeout(120_000);

  it('the tutorial sample carries a test of its internal pipe: it passes, noting that sesam-py would not run it, and --update keeps it byte for byte', () => {
    const project = copySample('tutorial');
    const before = read(project, 'expected/customers-with-orders.json');
    const r = dtl(['test', project]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All tests passed! Ran 1 test\./);
    assert.match(r.stderr, /Note: pipe 'customers-with-orders' is an internal pipe; sesam-py only tests output and endpoint pipes/);
    const up = dtl(['test', project, '--update']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.equal(read(project, 'expected/customers-with-orders.json'), before);
    assert.equal(fs.existsSync(path.join(project, 'expected', 'customers-with-orders.test.json')), true, 'the spec is kept');
    fs.writeFileSync(path.join(project, 'expected', 'customers-with-orders.json'), before.replace('"~f83.90"', '"~f83.91"'));
    const f = dtl(['test', project]);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /Content mismatch/);
  });

  it('passes after --update, which rewrites the expected file byte for byte; a change fails with a unified diff', () => {
    const project = writeProject({
      'sesam.conf.json': [embedded('src', [{ _id: 'a', price: '~f59.90' }]), endpoint('out', 'src')],
      'expected/out.test.json': '{}',
    });
    assert.equal(dtl(['test', project, '--update']).code, 0);
    const before = read(project, 'expected/out.json');
    assert.equal(before, '[\n  {\n    "_id": "a",\n    "price": "~f59.90"\n  }\n]\n');
    const r = dtl(['test', project]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /All tests passed! Ran 1 test\./);
    assert.equal(dtl(['test', project, '--update']).code, 0);
    assert.equal(read(project, 'expected/out.json'), before);
    fs.writeFileSync(path.join(project, 'expected', 'out.json'), before.replace('"~f59.90"', '"~f1.00"'));
    const f = dtl(['test', project]);
    assert.equal(f.code, 1);
    assert.match(f.stderr, /Pipe out \(out\) failed: Content mismatch/);
    assert.match(f.stderr, /^-    "price": "~f1\.00"$/m);
    assert.match(f.stderr, /^\+    "price": "~f59\.90"$/m);
    assert.match(f.stdout, /Failed 1 of 1 tests!\nFailed pipe id \(spec file\):\nout \(expected\/out\.test\.json\)/);
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

  it('compares numbers as Python reads them: big integers exactly, 5.0 is not 5', () => {
    const project = writeProject({
      // Config text: JSON.stringify cannot write 9007199254740993 exactly.
      'sesam.conf.json': withRules([['add', 'mid', '@9007199254740993'], ['add', 'y', 5]]),
      'expected/out.test.json': '{}',
    });
    const write = (text: string): void => fs.writeFileSync(path.join(project, 'expected', 'out.json'), text);
    write('[{"_id": "a", "mid": 9007199254740993, "y": 5}]');
    assert.equal(dtl(['test', project]).code, 0);
    write('[{"_id": "a", "mid": 9007199254740992, "y": 5}]');
    const offByOne = dtl(['test', project]);
    assert.equal(offByOne.code, 1);
    assert.match(offByOne.stderr, /^-    "mid": 9007199254740992,\n\+    "mid": 9007199254740993,$/m);
    write('[{"_id": "a", "mid": 9007199254740993, "y": 5.0}]');
    const float = dtl(['test', project]);
    assert.equal(float.code, 1);
    assert.match(float.stderr, /^-    "y": 5\.0\n\+    "y": 5$/m);
  });

  it("--update writes sesam-py's bytes: big integers as its number fixing leaves them, floats as repr, U+2028 raw, Python's _id order", () => {
    const project = writeProject({
      'sesam.conf.json': withRules([['copy', '*'], ['add', 'big', '@1180591620717411303424'], ['add', 'mid', '@9007199254740993'], ['add', 'f17', '@1e17'], ['add', 'ls', 'a\u2028b']], [{ _id: 'a b' }, { _id: 'a' }]),
      'expected/out.test.json': '{}',
    });
    assert.equal(dtl(['test', project, '--update']).code, 0);
    const entity = (id: string): string => `  {\n    "_id": "${id}",\n    "big": 1180591620717411300000,\n    "f17": 1e+17,\n    "ls": "a\u2028b",\n    "mid": 9007199254740993\n  }`;
    assert.equal(read(project, 'expected/out.json'), `[\n${entity('a')},\n${entity('a b')}\n]\n`);
    const r = dtl(['test', project]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  it("resolves a spec's file under expected/ unless it already starts with expected/", () => {
    const project = writeProject({
      'sesam.conf.json': [embedded('src', [{ _id: 'a', x: 1 }]), endpoint('out', 'src')],
      'expected/out.test.json': '{"file": "expected/out-data.json"}',
      'expected/out-data.json': '[\n  {\n    "_id": "a",\n    "x": 1\n  }\n]\n',
    });
    const r = dtl(['test', project]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(fs.existsSync(path.join(project, 'expected', 'expected')), false);
  });

  it('tests the output and endpoint pipes sesam-py chooses, each needing a test, and any other pipe given a spec or an expected file', () => {
    const expectedA = '[\n  {\n    "_id": "a",\n    "x": 1\n  }\n]\n';
    const project = writeProject({
      'sesam.conf.json': [
        embedded('src', [{ _id: 'a', x: 1 }]),
        { _id: 'internal', type: 'pipe', source: { type: 'dataset', dataset: 'src' } },
        endpoint('out', 'src'),
        { _id: 'nulled', type: 'pipe', source: { type: 'dataset', dataset: 'src' }, sink: { type: 'null' } },
        { _id: 'served-input', type: 'pipe', source: { type: 'embedded', entities: [] }, sink: { type: 'http_endpoint' } },
      ],
      'expected/out.test.json': '{}',
      'expected/out.json': expectedA,
    });
    const missing = dtl(['test', project]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^No tests references pipe 'nulled'$/m);
    assert.doesNotMatch(missing.stderr, /'(internal|served-input|src)'/);
    assert.match(missing.stdout, /^Missing 1 tests!\nMissing test for pipe:\nnulled$/m);
    assert.doesNotMatch(missing.stdout, /Failed/);

    // An expected file alone is a test (the spec {}), on any pipe; an internal one gets a note.
    fs.writeFileSync(path.join(project, 'expected', 'nulled.json'), expectedA);
    fs.writeFileSync(path.join(project, 'expected', 'internal.json'), expectedA.replace('"x": 1', '"x": 2'));
    const implied = dtl(['test', project]);
    assert.equal(implied.code, 1, implied.stdout + implied.stderr);
    assert.match(implied.stderr, /^Note: pipe 'internal' is an internal pipe; sesam-py only tests output and endpoint pipes and would not run 'expected\/internal\.json' \(no spec\)\.$/m);
    assert.match(implied.stdout, /^Failed 1 of 3 tests!\nFailed pipe id \(spec file\):\ninternal \(expected\/internal\.test\.json\)$/m);

    const up = dtl(['test', project, '--update']);
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.equal(read(project, 'expected/nulled.test.json'), '{\n}', 'output pipes get the spec sesam-py needs');
    assert.equal(fs.existsSync(path.join(project, 'expected', 'internal.test.json')), false, 'other tests stay as they are');
    assert.equal(read(project, 'expected/internal.json'), expectedA);
    assert.match(up.stdout, /3 tests updated!/);
    const after = dtl(['test', project]);
    assert.equal(after.code, 0, after.stdout + after.stderr);
    assert.match(after.stdout, /All tests passed! Ran 3 tests\./);
  });

  it('reports a spec that names a missing pipe or a missing expected file, and an invalid spec file', () => {
    const project = writeProject({ 'sesam.conf.json': [embedded('src', [{ _id: 'a' }]), endpoint('out', 'src')], 'expected/out.test.json': '{}' });
    fs.writeFileSync(path.join(project, 'expected', 'ghost.test.json'), '{"pipe": "ghost"}');
    const r = dtl(['test', project]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /references a non-existing pipe 'ghost'/);
    assert.match(r.stderr, /^Test spec 'expected\/out\.test\.json' references non-existing 'expected' output file 'expected\/out\.json'$/m);
    fs.writeFileSync(path.join(project, 'expected', 'ghost.test.json'), '[1');
    const bad = dtl(['test', project]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Test spec is not valid JSON: \S*ghost\.test\.json:1:3: /);
  });

  describe('xml and csv endpoints', () => {
    const src = embedded('src', [
      { _id: 'b', name: 'Bee & co', n: 2 },
      { _id: 'a', name: 'Ay', n: 1 },
    ]);
    const xmlPipe = {
      _id: 'xml-out',
      type: 'pipe',
      source: { type: 'dataset', dataset: 'src' },
      transform: { type: 'dtl', rules: { default: [['add', '<item>', '_S.name'], ['add', 'n', '_S.n'], ['add', 'who', '_B.who']] } },
      sink: { type: 'xml_endpoint', wrapper: 'items' },
    };
    const csvPipe = { _id: 'csv-out', type: 'pipe', source: { type: 'dataset', dataset: 'src' }, sink: { type: 'csv_endpoint', columns: ['_id', 'name'] } };
    const specs = {
      'expected/xml-out.test.json': JSON.stringify({ endpoint: 'xml', file: 'xml-out.xml', parameters: { who: 'me' } }),
      'expected/csv-out.test.json': JSON.stringify({ endpoint: 'csv', file: 'csv-out.csv' }),
    };

    it('--update writes the xml document pretty-printed (request parameters bound to _B) and the csv file as published; both then pass', () => {
      const project = writeProject({ 'sesam.conf.json': [src, xmlPipe, csvPipe], ...specs });
      const up = dtl(['test', project, '--update']);
      assert.equal(up.code, 0, up.stdout + up.stderr);
      assert.equal(
        read(project, 'expected/xml-out.xml'),
        ['<items>', '  <item n="2" who="me">Bee &amp; co</item>', '  <item n="1" who="me">Ay</item>', '</items>', ''].join('\n'),
      );
      assert.equal(read(project, 'expected/csv-out.csv'), '_id,name\r\nb,Bee & co\r\na,Ay\r\n');
      const r = dtl(['test', project]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /All tests passed! Ran 2 tests\./);
    });

    it('xml compares content, not layout; a changed value fails with a diff, and so does any changed csv byte', () => {
      const project = writeProject({
        'sesam.conf.json': [src, xmlPipe, csvPipe],
        ...specs,
        'expected/xml-out.xml': '<?xml version="1.0"?>\n<items><item n="2" who="me">Bee &amp; co</item>\n\n     <item n="1" who="me">Ay</item></items>',
        'expected/csv-out.csv': '_id,name\r\nb,Bee & co\r\na,Ay\r\n',
      });
      // The declaration differs (the expected file has one): that is content, as in lxml.
      let r = dtl(['test', project]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      fs.writeFileSync(path.join(project, 'expected', 'xml-out.xml'), '<items><item n="2" who="me">Bee &amp; co</item>\n\n     <item n="1" who="me">Ay</item></items>');
      r = dtl(['test', project]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      fs.writeFileSync(path.join(project, 'expected', 'xml-out.xml'), '<items><item n="2" who="you">Bee &amp; co</item><item n="1" who="me">Ay</item></items>');
      fs.writeFileSync(path.join(project, 'expected', 'csv-out.csv'), '_id,name\nb,Bee & co\na,Ay\n');
      r = dtl(['test', project]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Pipe xml-out \(xml-out\) failed: Content mismatch/);
      assert.match(r.stderr, /-  <item n="2" who="you">Bee &amp; co<\/item>\n\+  <item n="2" who="me">Bee &amp; co<\/item>/);
      assert.match(r.stderr, /Pipe csv-out \(csv-out\) failed: Content mismatch/);
      assert.match(r.stdout, /Failed 2 of 2 tests!/);
    });

    it('an endpoint the pipe does not publish, or one that cannot be tested offline, fails that test with the reason', () => {
      const project = writeProject({
        'sesam.conf.json': [src, csvPipe],
        'expected/csv-out.test.json': JSON.stringify({ endpoint: 'xml', file: 'csv-out.xml' }),
        'expected/csv-out.xml': '<x/>',
        'expected/other.test.json': JSON.stringify({ pipe: 'csv-out', endpoint: 'sdshare', file: 'csv-out.txt' }),
        'expected/csv-out.txt': '',
      });
      const r = dtl(['test', project]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Test 'csv-out': pipe 'csv-out' has no xml publisher \(its sink is csv_endpoint\)/);
      assert.match(r.stderr, /Test 'other': the 'sdshare' endpoint cannot be tested offline/);
    });
  });
});
