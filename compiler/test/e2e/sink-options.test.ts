/**
 * Sink options through the CLI (`dtl check`, `dtl run --once`, `dtl dataset`): the
 * csv_endpoint sink's Python csv dialect (doublequote, escapechar, quoting "none",
 * byte_order_mark) and the dataset sink's guards (prevent_multiple_versions, circuit breakers).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dtl, tempDir, writeProject } from '../helpers.js';
import { start, stopMidRun } from './running.js';

interface Project {
  readonly dir: string;
  readonly data: string;
}

function project(config: unknown[], files: Record<string, unknown> = {}): Project {
  return { dir: writeProject({ 'sesam.conf.json': config, ...files }), data: path.join(tempDir(), 'data') };
}

function run(p: Project): { code: number; stderr: string } {
  const r = dtl(['run', p.dir, '--once', '--data', p.data, '--quiet']);
  return { code: r.code, stderr: r.stderr };
}

function runOk(p: Project): void {
  const r = run(p);
  assert.equal(r.code, 0, r.stderr);
}

/** A dataset's versions (latest only unless `history`) as `_id` plus content, without metadata. */
function contents(p: Project, id: string, history = false): Record<string, unknown>[] {
  const r = dtl(['dataset', id, '--data', p.data, ...(history ? ['--history'] : []), '--deleted']);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as Record<string, unknown>[]).map((e) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) if (k === '_id' || k === '_deleted' || !k.startsWith('_')) out[k] = v;
    return out;
  });
}

/** A file the json source of `feedPipe` reads. */
function feed(p: Project, file: string, entities: unknown[]): void {
  fs.writeFileSync(path.join(p.dir, 'files', file), JSON.stringify(entities));
}

const FILES = { _id: 'files', type: 'system:url', base_url: 'files/' };

const feedPipe = (id: string, file: string, sink: Record<string, unknown>): Record<string, unknown> => ({
  _id: id,
  type: 'pipe',
  source: { type: 'json', system: 'files', url: file },
  sink: { type: 'dataset', ...sink },
});

describe('sink options through the CLI', function () {
  this.timeout(120_000);

  describe('csv_endpoint follows Python csv writer semantics', () => {
    const source = { _id: 'src', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a', name: 'Smith, "J"' }] } };
    const csvPipe = (id: string, sink: Record<string, unknown>): Record<string, unknown> => ({
      _id: id,
      type: 'pipe',
      source: { type: 'dataset', dataset: 'src' },
      sink: { type: 'csv_endpoint', columns: ['_id', 'name'], ...sink },
    });
    const published = (p: Project, id: string): Buffer => fs.readFileSync(path.join(p.data, 'publishers', `${id}.csv`));

    it('doublequote false escapes the quote character with escapechar (a backslash when none is set)', () => {
      const p = project([source, csvPipe('esc', { doublequote: false, escapechar: '\\' }), csvPipe('dflt', { doublequote: false }), csvPipe('pipe-esc', { doublequote: false, escapechar: '|' })]);
      assert.equal(dtl(['check', p.dir, '--format', 'json']).stdout.trim(), '[]');
      runOk(p);
      assert.equal(published(p, 'esc').toString(), '_id,name\r\na,"Smith, \\"J\\""\r\n');
      assert.equal(published(p, 'dflt').toString(), '_id,name\r\na,"Smith, \\"J\\""\r\n');
      assert.equal(published(p, 'pipe-esc').toString(), '_id,name\r\na,"Smith, |"J|""\r\n');
    });

    it('quoting "none" escapes the delimiter and the quote character with escapechar', () => {
      const p = project([source, csvPipe('none', { quoting: 'none', escapechar: '\\' })]);
      runOk(p);
      assert.equal(published(p, 'none').toString(), '_id,name\r\na,Smith\\, \\"J\\"\r\n');
    });

    it('quoting "none" without escapechar fails the pipe, naming it and the entity', () => {
      const p = project([source, csvPipe('none', { quoting: 'none' })]);
      const r = run(p);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Pipe 'none'.*entity "a" \(column "name"\).*","/);
      assert.match(r.stderr, /no "escapechar" is set/);
      assert.equal(fs.existsSync(path.join(p.data, 'publishers', 'none.csv')), false);
    });

    it('byte_order_mark starts the file with a UTF-8 BOM; without it there is none', () => {
      const p = project([source, csvPipe('bom', { columns: ['_id'], byte_order_mark: true }), csvPipe('plain', { columns: ['_id'] })]);
      runOk(p);
      assert.deepEqual([...published(p, 'bom')], [0xef, 0xbb, 0xbf, ...Buffer.from('_id\r\na\r\n')]);
      assert.equal(published(p, 'plain').toString(), '_id\r\na\r\n');
    });

    describe('encoding and encode_error_strategy', () => {
      const accents = { _id: 'acc', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a', name: 'Ærø €5 ę' }] } };
      const encPipe = (id: string, sink: Record<string, unknown>): Record<string, unknown> => ({ ...csvPipe(id, sink), source: { type: 'dataset', dataset: 'acc' } });

      it('writes the configured encoding; characters it lacks follow the strategy (default backslashreplace)', () => {
        const p = project([
          accents,
          encPipe('l1', { encoding: 'latin-1' }),
          encPipe('cp', { encoding: 'windows-1252', encode_error_strategy: 'xmlcharrefreplace' }),
          encPipe('asc', { encoding: 'ascii', encode_error_strategy: 'replace' }),
          encPipe('ign', { encoding: 'ISO-8859-1', encode_error_strategy: 'ignore' }),
          encPipe('u16', { encoding: 'utf-16' }),
        ]);
        assert.equal(dtl(['check', p.dir, '--format', 'json']).stdout.trim(), '[]');
        runOk(p);
        const head = Buffer.from('_id,name\r\na,', 'latin1');
        assert.deepEqual(published(p, 'l1'), Buffer.concat([head, Buffer.from('\xc6r\xf8 \\u20ac5 \\u0119\r\n', 'latin1')]));
        // windows-1252 has the euro sign (0x80), not ę.
        assert.deepEqual(published(p, 'cp'), Buffer.concat([head, Buffer.from('\xc6r\xf8 \x805 &#281;\r\n', 'latin1')]));
        assert.equal(published(p, 'asc').toString('latin1'), '_id,name\r\na,?r? ?5 ?\r\n');
        assert.equal(published(p, 'ign').toString('latin1'), '_id,name\r\na,\xc6r\xf8 5 \r\n');
        assert.deepEqual(published(p, 'u16'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('_id,name\r\na,Ærø €5 ę\r\n', 'utf16le')]));
      });

      it('UTF-8 (the default) has no bytes for a lone surrogate: the strategy handles it, as in Python', () => {
        const lone = { _id: 'lone', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'a', name: 'x\ud800y' }] } };
        const p = project([lone, { ...csvPipe('u8', {}), source: { type: 'dataset', dataset: 'lone' } }, { ...csvPipe('u8-replace', { encode_error_strategy: 'replace' }), source: { type: 'dataset', dataset: 'lone' } }]);
        runOk(p);
        assert.equal(published(p, 'u8').toString('latin1'), '_id,name\r\na,x\\ud800y\r\n');
        assert.equal(published(p, 'u8-replace').toString('latin1'), '_id,name\r\na,x?y\r\n');
      });

      it('an encoding the runtime cannot write, or does not know, is a build error at its position', () => {
        for (const [encoding, why] of [
          ['shift_jis', /sesam\.conf\.json:\d+:\d+.*Pipe 'enc'.*"shift_jis" is not an encoding the local runtime can write/],
          ['no-such-encoding', /sesam\.conf\.json:\d+:\d+.*Pipe 'enc'.*"no-such-encoding" is not an encoding the local runtime can write/],
        ] as const) {
          const p = project([accents, encPipe('enc', { encoding })]);
          const r = run(p);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, why);
          const build = dtl(['build', p.dir, '-o', path.join(tempDir(), 'out')]);
          assert.equal(build.code, 1);
          assert.match(build.stderr, why);
        }
      });
    });
  });

  describe('xml_endpoint sink and xml transform', () => {
    const people = { _id: 'people', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'p1', name: 'Ann', member: true, '<person>': 'Ann A.' }] } };

    it('a run writes the xml_endpoint document to the publishers folder; the xml transform puts the XML in a property', () => {
      const p = project([
        people,
        { _id: 'doc', type: 'pipe', source: { type: 'dataset', dataset: 'people' }, sink: { type: 'xml_endpoint', wrapper: 'all', byte_order_mark: true } },
        {
          _id: 'with-xml',
          type: 'pipe',
          source: { type: 'dataset', dataset: 'people' },
          transform: [
            { type: 'xml', 'xml-property': 'xml', 'root-attributes': { xmlns: 'urn:x' } },
            { type: 'dtl', rules: { default: [['copy', '_id'], ['copy', 'xml']] } },
          ],
        },
      ]);
      assert.equal(dtl(['check', p.dir, '--format', 'json']).stdout.trim(), '[]');
      runOk(p);
      // Entities read from a dataset have their properties in stored (sorted) order.
      assert.deepEqual(fs.readFileSync(path.join(p.data, 'publishers', 'doc.xml')), Buffer.from('\ufeff<all><person member="True" name="Ann">Ann A.</person></all>'));
      assert.deepEqual(contents(p, 'with-xml'), [{ _id: 'p1', _deleted: false, xml: '<person xmlns="urn:x" member="True" name="Ann">Ann A.</person>' }]);
    });

    it('an entity of the wrong shape fails the pipe, naming the entity', () => {
      const p = project([
        { _id: 'flat', type: 'pipe', source: { type: 'embedded', entities: [{ _id: 'f1', name: 'no tag' }] } },
        { _id: 'doc', type: 'pipe', source: { type: 'dataset', dataset: 'flat' }, sink: { type: 'xml_endpoint' } },
      ]);
      const r = run(p);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Pipe 'doc': the xml_endpoint sink cannot write entity "f1": an object has no tag property/);
      assert.equal(fs.existsSync(path.join(p.data, 'publishers', 'doc.xml')), false);
    });
  });

  describe('dataset sink: prevent_multiple_versions', () => {
    it('true: a second version of an existing entity fails the pipe and nothing of the batch is written', () => {
      const p = project([FILES, feedPipe('pmv', 'pmv.json', { prevent_multiple_versions: true })], { 'files/pmv.json': [{ _id: 'a', v: 1 }] });
      assert.equal(dtl(['check', p.dir, '--format', 'json']).stdout.trim(), '[]');
      runOk(p);
      // Reading an unchanged entity again writes nothing, so it is no second version.
      feed(p, 'pmv.json', [{ _id: 'a', v: 1 }, { _id: 'b', v: 1 }]);
      runOk(p);
      feed(p, 'pmv.json', [{ _id: 'c', v: 1 }, { _id: 'a', v: 2 }, { _id: 'b', v: 1 }]);
      const r = run(p);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Pipe 'pmv'.*prevent_multiple_versions.*entity "a"/);
      assert.deepEqual(contents(p, 'pmv', true), [
        { _id: 'a', _deleted: false, v: 1 },
        { _id: 'b', _deleted: false, v: 1 },
      ]);
    });

    it('"ignore": updates to existing entities are dropped, new entities are written', () => {
      const p = project([FILES, feedPipe('pmv', 'pmv.json', { prevent_multiple_versions: 'ignore' })], { 'files/pmv.json': [{ _id: 'a', v: 1 }] });
      runOk(p);
      feed(p, 'pmv.json', [{ _id: 'a', v: 2 }, { _id: 'b', v: 1 }, { _id: 'b', v: 2 }]);
      runOk(p);
      assert.deepEqual(contents(p, 'pmv', true), [
        { _id: 'a', _deleted: false, v: 1 },
        { _id: 'b', _deleted: false, v: 1 },
      ]);
    });
  });

  describe('dataset sink: circuit breaker', () => {
    const ids = (n: number, from = 0): { _id: string }[] => Array.from({ length: n }, (_, i) => ({ _id: `e${from + i}` }));

    it('circuit_breaker_threshold_count: not on the initial sync; later, more new entities than the count trip it and nothing of the run is committed', () => {
      const p = project([FILES, feedPipe('cb', 'cb.json', { circuit_breaker_threshold_count: 2 })], { 'files/cb.json': ids(5) });
      assert.equal(dtl(['check', p.dir, '--format', 'json']).stdout.trim(), '[]');
      // The dataset is not populated before the first run completes: five entities pass.
      runOk(p);
      assert.equal(contents(p, 'cb').length, 5);
      // Exactly the count passes.
      feed(p, 'cb.json', ids(7));
      runOk(p);
      assert.equal(contents(p, 'cb').length, 7);
      feed(p, 'cb.json', ids(10));
      const r = run(p);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Pipe 'cb'.*circuit breaker.*tripped.*more than the limit of 2 /);
      assert.deepEqual(contents(p, 'cb', true).map((e) => e._id), ids(7).map((e) => e._id));
    });

    it('circuit_breaker_threshold_factor: deletions count, so a sporadically empty source cannot wipe the dataset', () => {
      const p = project([FILES, feedPipe('cb', 'cb.json', { circuit_breaker_threshold_factor: 0.5 })], { 'files/cb.json': ids(6) });
      runOk(p);
      // Six ids (a deleted one still counts), factor 0.5: at most three changes per run.
      feed(p, 'cb.json', ids(5));
      runOk(p);
      feed(p, 'cb.json', ids(1));
      const r = run(p);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /Pipe 'cb'.*circuit breaker.*limit of 3 \(circuit_breaker_threshold_factor 0\.5 of 6 entities\)/);
      assert.deepEqual(
        contents(p, 'cb').map((e) => [e._id, e._deleted]),
        [['e0', false], ['e1', false], ['e2', false], ['e3', false], ['e4', false], ['e5', true]],
      );
      // Three deletions are within the limit.
      feed(p, 'cb.json', ids(2));
      runOk(p);
      assert.deepEqual(contents(p, 'cb').filter((e) => e._deleted === false).map((e) => e._id), ['e0', 'e1']);
    });

    it('with both thresholds the larger limit applies', () => {
      const p = project([FILES, feedPipe('cb', 'cb.json', { circuit_breaker_threshold_factor: 0.1, circuit_breaker_threshold_count: 3 })], { 'files/cb.json': ids(10) });
      runOk(p);
      feed(p, 'cb.json', ids(13));
      runOk(p);
      feed(p, 'cb.json', ids(17));
      const r = run(p);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /limit of 3 \(circuit_breaker_threshold_count\)/);
      assert.equal(contents(p, 'cb').length, 13);
    });
  });
});

describe('circuit breaker and a stopped run (in process)', function () {
  this.timeout(120_000);

  it('a run stopped midway with an armed breaker commits nothing and saves no progress; the next run redoes it all', async () => {
    const feedLines = (k: number): string => Array.from({ length: 60_000 }, (_, i) => `{"_id": "e${i}", "n": ${i * k}}`).join('\n') + '\n';
    const r = await start({
      'feed.jsonl': feedLines(1),
      'sesam.conf.json': [
        { _id: 'files', type: 'system:url', base_url: './' },
        { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'files', url: 'feed.jsonl' } },
        { _id: 'copy', type: 'pipe', source: { type: 'dataset', dataset: 'feed' }, sink: { type: 'dataset', circuit_breaker_threshold_count: 1_000_000 } },
      ],
    });
    await r.rt.runOnce();
    fs.writeFileSync(path.join(r.dir, 'feed.jsonl'), feedLines(2));
    await r.rt.runPipe('feed');
    // The copy run is incremental over 60,000 changed versions, with the breaker armed.
    const res = await stopMidRun(r, 'copy');
    assert.ok(res.processed < 60_000, `processed ${res.processed}`);
    assert.equal(r.dataset('copy').filter((e) => e.n !== Number(String(e._id).slice(1))).length, 0, 'nothing of the stopped run is committed');
    r.close();
    const again = await start({}, r.dir, r.data);
    await again.rt.runOnce();
    assert.equal(again.dataset('copy').filter((e) => e.n !== 2 * Number(String(e._id).slice(1))).length, 0, 'the next run wrote every change');
    again.close();
  });
});
