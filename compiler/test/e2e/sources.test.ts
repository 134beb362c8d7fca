/**
 * json and csv sources on edge cases users hit: files without a final newline, rewritten
 * feeds, encodings, column filters, dialect guessing, the json pull protocol's `since` and
 * headers, and `if_source_empty`.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dtl, tempDir, withServer, writeProject } from '../helpers.js';
import { start } from './running.js';

const files = { _id: 'files', type: 'system:url', base_url: './' };
const values = (list: Record<string, unknown>[], key: string): unknown[][] => list.map((e) => [e._id, e[key]]);

describe('runtime: json and csv source edge cases', function () {
  this.timeout(60_000);

  it('a followed JSON-lines file whose last line has no newline is read whole, and the next appended line too', async () => {
    const dir = writeProject({
      'feed.jsonl': '{"_id": "a", "v": 1}\n{"_id": "b", "v": 1}',
      'sesam.conf.json': [files, { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'files', url: 'feed.jsonl', supports_since: true } }],
    });
    const r = await start({}, dir);
    await r.rt.runOnce();
    assert.deepEqual(values(r.dataset('feed'), 'v'), [['a', 1], ['b', 1]]);
    fs.appendFileSync(path.join(dir, 'feed.jsonl'), '\n{"_id": "c", "v": 1}\n');
    const s = await r.rt.runOnce();
    assert.equal(s.runs[0]!.processed, 1, 'only the appended line');
    assert.deepEqual(values(r.dataset('feed'), 'v'), [['a', 1], ['b', 1], ['c', 1]]);
    r.close();
  });

  it('a followed file whose last line is still being written waits for it, then reads it once complete', async () => {
    const dir = writeProject({
      'feed.jsonl': '{"_id": "a"}\n{"_id": "b", "v": ',
      'sesam.conf.json': [files, { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'files', url: 'feed.jsonl', supports_since: true } }],
    });
    const r = await start({}, dir);
    await r.rt.runOnce();
    assert.deepEqual(r.dataset('feed').map((e) => e._id), ['a']);
    // The unchanged file is not skipped: its unread tail is still pending.
    await r.rt.runOnce();
    fs.appendFileSync(path.join(dir, 'feed.jsonl'), '2}\n');
    await r.rt.runOnce();
    assert.deepEqual(values(r.dataset('feed'), 'v'), [['a', undefined], ['b', 2]]);
    r.close();
  });

  it('a followed file that is a JSON array after whitespace or a BOM is read as an array', async () => {
    const r = await start({
      'arr.json': '\ufeff  \n[{"_id": "a"},\n{"_id": "b"}]\n',
      'sesam.conf.json': [files, { _id: 'arr', type: 'pipe', source: { type: 'json', system: 'files', url: 'arr.json', supports_since: true } }],
    });
    await r.rt.runOnce();
    assert.deepEqual(r.dataset('arr').map((e) => e._id), ['a', 'b']);
    r.close();
  });

  it('a followed file rewritten in place with the same length up to the old end is read in full', async () => {
    const line = (id: string, v: string): string => `{"_id": "${id}", "v": "${v}"}\n`;
    const old = Array.from({ length: 300 }, (_, i) => line(`e${i}`, 'old')).join('');
    const dir = writeProject({
      'feed.jsonl': old,
      'sesam.conf.json': [files, { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'files', url: 'feed.jsonl', supports_since: true } }],
    });
    const r = await start({}, dir);
    await r.rt.runOnce();
    // e0 changes and e1 becomes q1 (same byte lengths), and a line is appended.
    fs.writeFileSync(path.join(dir, 'feed.jsonl'), line('e0', 'new') + line('q1', 'old') + old.slice(2 * line('e0', 'old').length) + line('e300', 'new'));
    await r.rt.runOnce();
    const by = new Map(r.dataset('feed', { deleted: true }).map((e) => [e._id, e]));
    assert.equal(by.get('e0')?.v, 'new');
    assert.equal(by.get('e1')?._deleted, true, 'what is gone from a fully read file is deleted');
    assert.equal(by.get('q1')?.v, 'old');
    assert.equal(by.get('e300')?.v, 'new');
    r.close();
  });

  it('csv: encoding, strict decoding errors naming the file, whitelist and blacklist, and a guessed delimiter', async () => {
    const dir = writeProject({
      'sesam.conf.json': [
        files,
        { _id: 'latin', type: 'pipe', source: { type: 'csv', system: 'files', url: 'latin.csv', primary_key: 'id', encoding: 'iso-8859-1' } },
        { _id: 'white', type: 'pipe', source: { type: 'csv', system: 'files', url: 'people.csv', primary_key: 'id', whitelist: ['id', 'name', 'ssn'], blacklist: ['ssn'] } },
        { _id: 'black', type: 'pipe', source: { type: 'csv', system: 'files', url: 'people.csv', primary_key: 'id', blacklist: ['ssn'] } },
        { _id: 'semi', type: 'pipe', source: { type: 'csv', system: 'files', url: 'semi.csv', primary_key: 'id' } },
      ],
    });
    fs.writeFileSync(path.join(dir, 'latin.csv'), Buffer.from('id,name\n1,Bj\xf8rn\n', 'latin1'));
    fs.writeFileSync(path.join(dir, 'people.csv'), 'id,name,ssn,age\n1,Ann,123,30\n');
    fs.writeFileSync(path.join(dir, 'semi.csv'), 'id;name;note\n1;a;"x;y"\n2;b;z\n');
    const r = await start({}, dir);
    await r.rt.runOnce();
    assert.deepEqual(values(r.dataset('latin'), 'name'), [['1', 'Bjørn']]);
    assert.deepEqual(r.dataset('white').map((e) => Object.keys(e).filter((k) => !k.startsWith('_')).sort()), [['id', 'name']]);
    assert.deepEqual(r.dataset('black').map((e) => Object.keys(e).filter((k) => !k.startsWith('_')).sort()), [['age', 'id', 'name']]);
    assert.deepEqual(values(r.dataset('semi'), 'note'), [['1', 'x;y'], ['2', 'z']]);
    r.close();

    const bad = await start({
      'sesam.conf.json': [files, { _id: 'utf', type: 'pipe', source: { type: 'csv', system: 'files', url: 'latin.csv', primary_key: 'id' } }],
    });
    fs.writeFileSync(path.join(bad.dir, 'latin.csv'), Buffer.from('id,name\n1,Bj\xf8rn\n', 'latin1'));
    await assert.rejects(bad.rt.runOnce(), /latin\.csv is not valid utf-8 text/);
    assert.deepEqual(bad.dataset('utf'), []);
    bad.close();
  });

  it('csv: single-byte encodings decode as Python does (windows-1252 is not Latin-1; ascii rejects high bytes)', async () => {
    // Bytes 0x80 (€ in windows-1252), 0xe6 (æ), and 0x81, which windows-1252 leaves undefined.
    const r = await start({
      'sesam.conf.json': [
        files,
        { _id: 'cp', type: 'pipe', source: { type: 'csv', system: 'files', url: 'cp.csv', primary_key: 'id', encoding: 'windows-1252' } },
        { _id: 'cp-replace', type: 'pipe', source: { type: 'csv', system: 'files', url: 'undef.csv', primary_key: 'id', encoding: 'cp1252', decode_error_strategy: 'replace' } },
        { _id: 'koi', type: 'pipe', source: { type: 'csv', system: 'files', url: 'koi.csv', primary_key: 'id', encoding: 'KOI8-R' } },
      ],
    });
    fs.writeFileSync(path.join(r.dir, 'cp.csv'), Buffer.from('id,name\n1,\x805 bl\xe6\n', 'latin1'));
    fs.writeFileSync(path.join(r.dir, 'undef.csv'), Buffer.from('id,name\n1,a\x81b\n', 'latin1'));
    fs.writeFileSync(path.join(r.dir, 'koi.csv'), Buffer.from('id,name\n1,\xf0\xd2\xc9\xd7\xc5\xd4\n', 'latin1'));
    await r.rt.runOnce();
    assert.deepEqual(values(r.dataset('cp'), 'name'), [['1', '€5 blæ']]);
    assert.deepEqual(values(r.dataset('cp-replace'), 'name'), [['1', 'a\ufffdb']]);
    assert.deepEqual(values(r.dataset('koi'), 'name'), [['1', 'Привет']]);
    r.close();

    const strict = await start({
      'sesam.conf.json': [
        files,
        { _id: 'asc', type: 'pipe', source: { type: 'csv', system: 'files', url: 'high.csv', primary_key: 'id', encoding: 'ascii' } },
      ],
    });
    fs.writeFileSync(path.join(strict.dir, 'high.csv'), Buffer.from('id,name\n1,caf\xe9\n', 'latin1'));
    await assert.rejects(strict.rt.runOnce(), /high\.csv is not valid ascii text: byte 0xe9 at offset 13/);
    assert.deepEqual(strict.dataset('asc'), []);
    strict.close();
  });

  it('csv: an encoding the runtime cannot read is a build error at its position', () => {
    const dir = writeProject({
      'sesam.conf.json': [files, { _id: 'x', type: 'pipe', source: { type: 'csv', system: 'files', url: 'x.csv', primary_key: 'id', encoding: 'klingon-8' } }],
    });
    const r = dtl(['build', dir, '-o', path.join(tempDir(), 'out')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /sesam\.conf\.json:\d+:\d+.*Pipe 'x': the csv source's encoding "klingon-8" is not an encoding the local runtime can read/);
  });

  it('json over http(s) with supports_since sends the latest _updated as since, and the system and source headers', async () => {
    let served = 0;
    const seen = await withServer(
      async (port, requests) => {
        const r = await start({
          'sesam.conf.json': [
            { _id: 'remote', type: 'system:url', base_url: `http://127.0.0.1:${port}/`, headers: { 'x-sys': 's', 'x-both': 'from-system' } },
            { _id: 'feed', type: 'pipe', source: { type: 'json', system: 'remote', url: 'feed', supports_since: true, headers: { 'x-both': 'from-source' } } },
          ],
        });
        await r.rt.runOnce();
        await r.rt.runOnce();
        assert.deepEqual(values(r.dataset('feed'), 'v'), [['a', 1], ['b', 2], ['c', 3]], 'an incremental read deletes nothing');
        r.close();
        return requests;
      },
      () => {
        served++;
        return { body: served === 1 ? '[{"_id": "a", "v": 1, "_updated": 7}, {"_id": "b", "v": 2, "_updated": 9}]' : served === 2 ? '[]' : '[{"_id": "c", "v": 3, "_updated": 12}]' };
      },
    );
    assert.deepEqual(seen.map((q) => q.url.search), ['', '?since=9', '?since=9', '?since=12'].slice(0, seen.length));
    assert.ok(seen.length >= 3);
    for (const q of seen) {
      assert.equal(q.headers['x-sys'], 's');
      assert.equal(q.headers['x-both'], 'from-source', 'the source header wins over the system default');
    }
  });

  it('if_source_empty "fail" fails the pipe on an empty full read and deletes nothing; "accept" (the default) deletes', async () => {
    const dir = writeProject({
      'list.json': '[{"_id": "a"}, {"_id": "b"}]',
      'sesam.conf.json': [
        files,
        { _id: 'open', type: 'pipe', source: { type: 'json', system: 'files', url: 'list.json' } },
        { _id: 'guarded', type: 'pipe', source: { type: 'json', system: 'files', url: 'list.json', if_source_empty: 'fail' } },
      ],
    });
    const r = await start({}, dir);
    await r.rt.runOnce();
    fs.writeFileSync(path.join(dir, 'list.json'), '[]');
    await assert.rejects(r.rt.runOnce(), /Pipe 'guarded': the source returned no entities and "if_source_empty" is "fail"/);
    assert.deepEqual(r.dataset('guarded').map((e) => e._id), ['a', 'b']);
    assert.deepEqual(r.dataset('open').map((e) => e._id), [], 'accept deletes what the empty source no longer has');
    r.close();
  });

  it('global_defaults.if_source_empty in the service metadata applies to pipes that do not set it', async () => {
    const dir = writeProject({
      'list.json': '[{"_id": "a"}]',
      'sesam.conf.json': [
        { _id: 'node', type: 'metadata', global_defaults: { if_source_empty: 'fail' } },
        files,
        { _id: 'accepting', type: 'pipe', source: { type: 'json', system: 'files', url: 'list.json', if_source_empty: 'accept' } },
        { _id: 'defaulted', type: 'pipe', source: { type: 'json', system: 'files', url: 'list.json' } },
      ],
    });
    const r = await start({}, dir);
    await r.rt.runOnce();
    fs.writeFileSync(path.join(dir, 'list.json'), '[]');
    await assert.rejects(r.rt.runOnce(), /Pipe 'defaulted': the source returned no entities and "if_source_empty" is "fail"/);
    assert.deepEqual(r.dataset('defaulted').map((e) => e._id), ['a']);
    assert.deepEqual(r.dataset('accepting').map((e) => e._id), [], 'the pipe\'s own setting wins');
    r.close();
  });
});
