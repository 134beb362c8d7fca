import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Decimal } from '../../src/values/decimal.js';
import { writeCanonical } from '../../src/values/json.js';
import { Bytes, DateTime, DateValue, Float, NI, URI, UUID, type Entity } from '../../src/values/types.js';
import { storeFixture } from './store-helpers.js';

describe('store: write semantics', () => {
  const fx = storeFixture('write', 'people');

  it('appends versions with metadata: _updated sequence, _previous, _ts, _hash', () => {
    const r = fx.ds.write([{ _id: 'a', name: 'A' }, { _id: 'b', name: 'B' }]);
    assert.equal(r.written, 2);
    assert.equal(r.unchanged, 0);
    assert.equal(r.deleted, 0);
    const [a, b] = r.versions;
    assert.equal(a!['_updated'], 0);
    assert.equal(b!['_updated'], 1);
    assert.equal(a!['_previous'], null);
    assert.equal(a!['_deleted'], false);
    assert.equal(typeof a!['_ts'], 'number');
    assert.ok((b!['_ts'] as number) > (a!['_ts'] as number), '_ts strictly increases');
    const nowUs = Date.now() * 1000;
    assert.ok(Math.abs((a!['_ts'] as number) - nowUs) < 60e6, '_ts is wall-clock microseconds');
    assert.equal(a!['_hash'], crypto.createHash('md5').update(writeCanonical({ _deleted: false, _id: 'a', name: 'A' })).digest('hex'));
    const r2 = fx.ds.write([{ _id: 'a', name: 'A2' }]);
    assert.equal(r2.versions[0]!['_previous'], 0);
    assert.equal(r2.versions[0]!['_updated'], 2);
    assert.equal(fx.ds.size, 3);
  });

  it('writes only when the hash of the content changes (A → B → A gives three versions)', () => {
    assert.equal(fx.ds.write([{ _id: 'x', v: 'A' }]).written, 1);
    assert.equal(fx.ds.write([{ _id: 'x', v: 'A' }]).unchanged, 1);
    assert.equal(fx.ds.write([{ _id: 'x', v: 'B' }]).written, 1);
    const r = fx.ds.write([{ _id: 'x', v: 'A' }]);
    assert.equal(r.written, 1);
    assert.equal(r.versions[0]!['_previous'], 1);
    fx.ds.commit();
    assert.deepEqual([...fx.ds.read(-1, { latestOnly: false })].map((e) => e['v']), ['A', 'B', 'A']);
    // Key order and dropped `_` keys do not change the hash.
    assert.equal(fx.ds.write([{ v: 'A', _ts: 5, _id: 'x', _updated: 99, _hash: 'zzz' }]).unchanged, 1);
  });

  it('processes a batch in order, including the same _id twice', () => {
    const r = fx.ds.write([{ _id: 'x', v: 1 }, { _id: 'x', v: 2 }, { _id: 'x', v: 2 }, { _id: 'y', v: 1 }]);
    assert.equal(r.written, 3);
    assert.equal(r.unchanged, 1);
    assert.deepEqual(r.versions.map((v) => [v['_id'], v['_updated'], v['_previous']]), [['x', 0, null], ['x', 1, 0], ['y', 2, null]]);
    assert.equal(fx.ds.latest('x')!['v'], 2);
  });

  it('drops root _ keys except _id and _deleted, keeps $ keys and nested _ keys', () => {
    const r = fx.ds.write([{ _id: 'a', _foo: 1, _ts: 7, _updated: 42, _previous: 3, _hash: 'h', $ids: [new NI('x:1')], nested: { _keep: true } }]);
    const v = r.versions[0]!;
    assert.deepEqual(Object.keys(v).sort(), ['$ids', '_deleted', '_hash', '_id', '_previous', '_ts', '_updated', 'nested']);
    assert.equal(v['_updated'], 0);
    assert.deepEqual(v['nested'], { _keep: true });
    assert.deepEqual(fx.ds.latest('a'), v);
  });

  it('normalises _deleted to a boolean: only true counts', () => {
    const r = fx.ds.write([{ _id: 'a', _deleted: 'true' }, { _id: 'b', _deleted: 1 }, { _id: 'c', _deleted: true }, { _id: 'd', _deleted: null }]);
    assert.deepEqual(r.versions.map((v) => v['_deleted']), [false, false, true, false]);
    assert.equal(r.deleted, 1);
    // A delete flip is a change even with the same content.
    assert.equal(fx.ds.write([{ _id: 'a', _deleted: true }]).written, 1);
    assert.equal(fx.ds.write([{ _id: 'a', _deleted: true }]).unchanged, 1);
    assert.equal(fx.ds.write([{ _id: 'a' }]).written, 1);
    assert.equal(fx.ds.countLive(), 3);
  });

  it('writes a deleted version for a new id (a delete is a version like any other)', () => {
    const r = fx.ds.write([{ _id: 'ghost', _deleted: true, x: 1 }]);
    assert.equal(r.written, 1);
    assert.equal(r.deleted, 1);
    assert.equal(fx.ds.latest('ghost')!['_deleted'], true);
    assert.equal(fx.ds.countLive(), 0);
  });

  it('_filtered deletes an existing live entity, and writes nothing otherwise', () => {
    fx.ds.write([{ _id: 'a', v: 1 }]);
    let r = fx.ds.write([{ _id: 'a', _filtered: true, v: 2 }]);
    assert.equal(r.written, 1);
    assert.equal(r.deleted, 1);
    const v = r.versions[0]!;
    assert.equal(v['_deleted'], true);
    assert.equal(v['v'], 2, 'content = the incoming properties');
    assert.equal(v['_filtered'], undefined);
    r = fx.ds.write([{ _id: 'a', _filtered: true, v: 3 }]);
    assert.equal(r.written, 0, 'already deleted');
    assert.equal(r.unchanged, 1);
    r = fx.ds.write([{ _id: 'new', _filtered: true }]);
    assert.equal(r.written, 0, 'never existed');
    assert.equal(fx.ds.latest('new'), undefined);
    r = fx.ds.write([{ _id: 'a', _filtered: false, v: 4 }]);
    assert.equal(r.written, 1, '_filtered: false is an ordinary write');
    assert.equal(fx.ds.latest('a')!['_deleted'], false);
  });

  it('rejects a batch with a bad _id, naming the position, and writes nothing of it', () => {
    fx.ds.write([{ _id: 'ok', v: 1 }]);
    const bad: unknown[] = [{ _id: 'a', v: 1 }, { v: 2 }];
    assert.throws(() => fx.ds.write(bad as Entity[]), /position 1.*_id/);
    assert.throws(() => fx.ds.write([{ _id: 'a' }, { _id: 7 }]), /position 1/);
    assert.throws(() => fx.ds.write([{ _id: 'a' }, [1] as unknown as Entity]), /position 1 is not a dict/);
    assert.throws(() => fx.ds.write([{ _id: 'a' }, { _id: 'b', n: Number.NaN }]), /position 1.*non-finite/);
    // A failure half-way undoes the versions already appended by the batch.
    assert.throws(() => fx.ds.write([{ _id: 'ok', v: 2 }, { _id: 'ok', v: 3 }, { _id: 'b', n: Infinity }]), /position 2/);
    assert.equal(fx.ds.latest('ok')!['v'], 1);
    assert.equal(fx.ds.size, 1);
    assert.equal(fx.ds.latest('a'), undefined);
    assert.equal(fx.ds.countLive(), 1);
    // The dataset is still fine afterwards.
    assert.equal(fx.ds.write([{ _id: 'a', v: 1 }]).versions[0]!['_updated'], 1);
    fx.ds.commit();
    assert.equal([...fx.ds.read(-1)].length, 2);
  });

  it('round-trips typed values exactly (decimal scale, integral float, bigint, transit types)', () => {
    const entity: Entity = {
      _id: 'typed',
      dec: Decimal.parse('73.50')!,
      decBig: Decimal.parse('12345678901234567890.123456789')!,
      float: new Float(2),
      floatFrac: new Float(0.1),
      big: 123456789012345678901234567890n,
      int: 9007199254740991,
      neg: -5,
      ni: new NI('crm:person:1'),
      uri: new URI('http://example.com/x'),
      dt: new DateTime(1_700_000_000_123_456_789n),
      date: new DateValue(2015, 12, 31),
      bytes: new Bytes(new Uint8Array([0, 1, 2, 255])),
      uuid: new UUID('6f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8'),
      list: [new Float(1), Decimal.parse('1.0')!, null, true, 'text', { inner: new Float(3) }],
      str: 'plain "quoted" \\ \u0000 ü ✓ 😀',
      tilde: '~not transit',
    };
    fx.ds.write([entity]);
    fx.ds.commit();
    fx.reopen();
    const back = fx.ds.latest('typed')!;
    for (const k of Object.keys(entity)) assert.deepEqual(back[k], entity[k], k);
    assert.equal((back['dec'] as Decimal).toString(), '73.50');
    assert.ok(back['float'] instanceof Float);
    assert.equal(typeof back['big'], 'bigint');
    const fromRead = [...fx.ds.read(-1)][0]!;
    assert.deepEqual(fromRead, back);
    assert.deepEqual(fx.ds.version(0), back);
  });

  it('keeps the sign of a float negative zero (Python writes -0.0)', () => {
    fx.ds.write([{ _id: 'z', neg: new Float(-0), pos: new Float(0) }]);
    fx.ds.commit();
    fx.reopen();
    const back = fx.ds.latest('z')!;
    assert.ok(Object.is((back['neg'] as Float).value, -0), 'the sign survives');
    assert.ok(Object.is((back['pos'] as Float).value, 0));
    const logText = fs.readFileSync(path.join(fx.dir, 'datasets', 'people', 'log-000001.jsonl'), 'utf8');
    assert.match(logText, /"neg":-0\.0,"pos":0\.0/);
    // A different sign is a different value: writing +0.0 over -0.0 makes a new version.
    assert.equal(fx.ds.write([{ _id: 'z', neg: new Float(0), pos: new Float(0) }]).written, 1);
  });

  it('keeps _id a plain string even when it looks like a transit value', () => {
    fx.ds.write([{ _id: '~:crm:1', v: 1 }, { _id: '~f1.5', f: new Float(1) }]);
    fx.ds.commit();
    assert.equal(fx.ds.latest('~:crm:1')!['_id'], '~:crm:1');
    assert.equal(fx.ds.latest('~f1.5')!['_id'], '~f1.5');
    assert.deepEqual([...fx.ds.read(-1)].map((e) => e['_id']), ['~:crm:1', '~f1.5']);
  });

  it('stores lines as their canonical API rendering, marking lines that need the exact reader', () => {
    fx.ds.write([{ _id: 'a', b: 1, a: { z: 1, y: [Decimal.parse('1.50')!] } }, { _id: 'f', x: new Float(1) }]);
    fx.ds.commit();
    const lines = [...fx.ds.readLines(-1)];
    const v0 = fx.ds.version(0)!;
    assert.equal(lines[0], writeCanonical(v0));
    assert.ok(lines[0]!.startsWith('{"_deleted":false,"_hash":"'));
    assert.match(lines[0]!, /"a":\{"y":\["~f1.50"\],"z":1\}/);
    assert.equal(lines[1], writeCanonical(fx.ds.version(1)!));
    assert.match(lines[1]!, /"x":1\.0/);
  });
});
