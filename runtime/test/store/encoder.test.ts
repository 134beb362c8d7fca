/**
 * The write path serialises records straight into bytes (encoder.ts) and hashes them with
 * its own MD5 (md5.ts). These tests hold both to the plain definitions: a stored line is
 * `writeCanonical` (values/json.ts) of the version, UTF-8 encoded, with a leading space when
 * it holds floats or big integers, and `_hash` is the md5 of `writeCanonical` of the content
 * (data keys, `_deleted`, `_id`).
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { LineEncoder } from '../../src/store/encoder.js';
import { Store } from '../../src/store/index.js';
import { Md5, digestHex } from '../../src/store/md5.js';
import { prepareEntity, versionEntity } from '../../src/store/record.js';
import { Decimal } from '../../src/values/decimal.js';
import { hasInexactNumbers, writeCanonical } from '../../src/values/json.js';
import { Bytes, DateTime, DateValue, Float, NI, setProp, URI, UUID, type Dict, type Entity, type Value } from '../../src/values/types.js';
import { prng, removeDir, tempDir } from './store-helpers.js';

const md5 = (text: string): string => crypto.createHash('md5').update(text, 'utf8').digest('hex');

const STRINGS = [
  '',
  'plain',
  '978-6205123891',
  'quo"te',
  'back\\slash',
  'ctl\u0001\u001f',
  'tab\tnew\nline',
  'del\u007f',
  'latin1 é ÿ \u0080',
  'ünïcödé ✓',
  '😀 pair',
  'lone \udc00 low',
  'lone \ud800 high',
  'line sep \u2028 \u2029',
  '~:looks transit',
  '~fnot a decimal',
  'x'.repeat(300),
  'é'.repeat(200),
];

const KEYS = ['a', 'b', 'Z', '$y', '$ids', '_x', '_id', '_deleted', '__proto__', '10', '9', '', 'é', 'k"q', 'k\\b', 'k\nl', '😀', 'ean', 'price', 'quantity', 'constructor'];

const DECIMALS = ['34.13', '1.50', '-0.00', '0', '7', '1E+3', '-12.5E-10', '12345678901234567890.123456789', '0.000001', '1234567.0'];

const FLOATS = [0, -0, 1, -2, 2.5, 0.1, 1e21, 1e-7, 123456789.125, -1e300, 5e-324, 2 ** 53];

const INTS = [0, -0, 1, -1, 9, 10, 99, 2147483647, 2147483648, -2147483648, -2147483649, 9007199254740991, -9007199254740991, 1e15, 123456789012];

function scalar(rnd: (n: number) => number): Value {
  switch (rnd(13)) {
    case 0:
      return null;
    case 1:
      return rnd(2) === 0;
    case 2:
    case 3:
      return INTS[rnd(INTS.length)]!;
    case 4:
    case 5:
      return STRINGS[rnd(STRINGS.length)]!;
    case 6:
      return Decimal.parse(DECIMALS[rnd(DECIMALS.length)]!)!;
    case 7:
      return new Float(FLOATS[rnd(FLOATS.length)]!);
    case 8:
      return [12345678901234567890n, -98765432109876543210n, 2n ** 70n][rnd(3)]!;
    case 9:
      return [new NI('crm:person:1'), new NI('plain'), new NI('ns:é"x')][rnd(3)]!;
    case 10:
      return [new URI('http://example.com/x?q="1"'), new URI('http://ex.com/ü')][rnd(2)]!;
    case 11:
      return [new DateTime(1_700_000_000_123_456_789n), new DateTime(0n), new DateValue(2015, 12, 31), new UUID('6f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8')][rnd(4)]!;
    default:
      return new Bytes(new Uint8Array([0, 1, 2, 255].slice(0, rnd(5))));
  }
}

function value(rnd: (n: number) => number, depth: number): Value {
  const r = rnd(depth > 3 ? 1 : 10);
  if (r < 6) return scalar(rnd);
  if (r < 8) return Array.from({ length: rnd(5) }, () => value(rnd, depth + 1));
  return dict(rnd, depth + 1);
}

function dict(rnd: (n: number) => number, depth: number): Dict {
  // Some dicts have no prototype: for-in and Object.keys must agree on them too.
  const d: Dict = rnd(8) === 0 ? (Object.create(null) as Dict) : {};
  for (let i = 0, n = rnd(6); i < n; i++) setProp(d, KEYS[rnd(KEYS.length)]!, value(rnd, depth));
  return d;
}

function entity(rnd: (n: number) => number, i: number): Entity {
  const e: Entity = {};
  // Keys in varied insertion orders, so that shapes repeat, alternate and miss.
  const n = rnd(7);
  for (let k = 0; k < n; k++) setProp(e, KEYS[rnd(KEYS.length)]!, rnd(4) === 0 ? dict(rnd, 1) : value(rnd, 1));
  // Now and then a map-like dict: many keys, never the same list twice.
  if (rnd(8) === 0) {
    const m: Dict = {};
    for (let k = 0, n = 60 + rnd(20); k < n; k++) setProp(m, [`id${rnd(100000)}`, `k"${rnd(99)}`, `ü${rnd(99)}`, '__proto__'][rnd(4)]!, scalar(rnd));
    e['map'] = m;
  }
  e['_id'] = ['e' + i, 'ünï' + i, '😀' + i, 'lone\udc00' + i, 'q"' + i][rnd(5)]!;
  const flag = rnd(6);
  if (flag === 0) e['_deleted'] = true;
  if (flag === 1) e['_deleted'] = 'true';
  if (flag === 2) e['_filtered'] = true;
  return e;
}

/** An order as the benchmark generates them (the common case the encoder is tuned for). */
function order(rnd: (n: number) => number, i: number): Entity {
  const items = Array.from({ length: 1 + rnd(4) }, () => ({
    ean: `978-${1000000000 + rnd(999999999)}`,
    price: Decimal.parse(`${1 + rnd(99)}.${String(rnd(100)).padStart(2, '0')}`)!,
    quantity: 1 + rnd(3),
  }));
  const e: Entity = { _id: String(100000 + i), customer_id: String(rnd(40000)), items };
  if (rnd(3) === 0) e['discount'] = Decimal.parse(`0.${1 + rnd(3)}`)!;
  return e;
}

/** The content that `_hash` covers: root data keys (no `_` keys), `_deleted`, `_id`. */
function content(e: Entity): Dict {
  const c: Dict = { _deleted: e['_deleted'] === true || e['_filtered'] === true, _id: e['_id']! };
  for (const k of Object.keys(e)) if (!k.startsWith('_')) setProp(c, k, e[k]!);
  return c;
}

/** The stored line, by definition. */
function expectedLine(e: Entity, previous: number | null, ts: number, updated: number): { line: string; hash: string } {
  const c = content(e);
  const hash = md5(writeCanonical(c));
  const line = writeCanonical({ ...c, _hash: hash, _previous: previous, _ts: ts, _updated: updated });
  return { line: (hasInexactNumbers(c) ? ' ' : '') + line, hash };
}

describe('store: byte encoder and md5', () => {
  it('md5 over pieces of a buffer is crypto md5 of their concatenation', () => {
    const rnd = prng(17);
    const buf = crypto.randomBytes(4096);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const m = new Md5();
    for (let t = 0; t < 3000; t++) {
      m.reset();
      const parts: Buffer[] = [];
      let p = rnd(64);
      for (let k = 0, n = 1 + rnd(4); k < n; k++) {
        const len = rnd(2) === 0 ? rnd(12) : rnd(400);
        m.update(view, p, p + len);
        parts.push(buf.subarray(p, p + len));
        p += len + rnd(16);
      }
      m.finish();
      assert.equal(digestHex(m.h), crypto.hash('md5', Buffer.concat(parts)));
    }
  });

  it('writes exactly the canonical line and hash of varied entities (one encoder, shapes cached)', () => {
    const rnd = prng(7);
    // A small initial buffer makes the encoder grow in the middle of records.
    const enc = new LineEncoder(64);
    for (let i = 0; i < 4000; i++) {
      const e = i % 3 === 0 ? order(rnd, i) : entity(rnd, i);
      const deleted = e['_filtered'] === true || e['_deleted'] === true;
      const previous = rnd(3) === 0 ? -1 : rnd(2) === 0 ? rnd(10) : rnd(2 ** 40);
      const ts = 1_700_000_000_000_000 + rnd(2 ** 30);
      if (rnd(50) === 0) enc.pos = 0;
      const start = enc.pos;
      enc.record(e, i, e['_id'] as string, deleted, previous, ts, i);
      const want = expectedLine(e, previous < 0 ? null : previous, ts, i);
      const got = enc.buf.subarray(start, enc.pos);
      assert.equal(got.toString('utf8'), want.line, `line of entity ${i}`);
      assert.ok(got.equals(Buffer.from(want.line, 'utf8')), `bytes of entity ${i}`);
      assert.equal(digestHex(enc.hash), want.hash, `hash of entity ${i}`);
      assert.equal(enc.hashText(), want.hash);
      assert.equal(enc.inexact, want.line.startsWith(' '));
    }
  });

  it('the same keys in any insertion order give the same line; guesses survive a polluted prototype', () => {
    const enc = new LineEncoder();
    const lineOf = (e: Entity): string => {
      const start = enc.pos;
      enc.record(e, 0, e['_id'] as string, false, -1, 1, 0);
      return enc.buf.toString('utf8', start, enc.pos);
    };
    const a = lineOf({ _id: 'x', b: 1, a: { y: 2, x: [{ q: 1, p: 2 }] }, '10': 3, '9': 4 });
    const b = lineOf({ '9': 4, a: { x: [{ p: 2, q: 1 }], y: 2 }, _id: 'x', '10': 3, b: 1 });
    assert.equal(a, b);
    assert.equal(a, expectedLine({ _id: 'x', b: 1, a: { y: 2, x: [{ q: 1, p: 2 }] }, '10': 3, '9': 4 }, null, 1, 0).line);
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto['polluted'] = 1;
      // for-in would list `polluted` for every object: the encoder must not trust it.
      for (const e of [{ _id: 'x', b: 1, a: { x: [{ p: 2, q: 1 }], y: 2 }, '10': 3, '9': 4 }, { _id: 'x', b: 1, polluted: 2 }] as Entity[]) {
        assert.equal(lineOf(e), expectedLine(e, null, 1, 0).line);
      }
    } finally {
      delete proto['polluted'];
    }
  });

  it('stores the canonical lines through a dataset: bytes, hashes, versions, reopen and unchanged rewrites', () => {
    const dir = tempDir('encoder');
    try {
      let store = Store.open(dir);
      let ds = store.dataset('varied');
      const rnd = prng(99);
      const batches: Entity[][] = [];
      for (let b = 0; b < 6; b++) batches.push(Array.from({ length: 150 }, (_, i) => (i % 2 === 0 ? order(rnd, b * 150 + i) : entity(rnd, b * 150 + i))));
      const expected: string[] = [];
      const latestHash = new Map<string, { hash: string; updated: number; deleted: boolean }>();
      for (const batch of batches) {
        const r = ds.write(batch);
        let k = 0;
        for (const e of batch) {
          const id = e['_id'] as string;
          const cur = latestHash.get(id);
          const { hash } = expectedLine(e, null, 0, 0);
          const filtered = e['_filtered'] === true;
          if (filtered ? cur === undefined || cur.deleted : cur !== undefined && cur.hash === hash) continue;
          const v = r.versions[k++]!;
          const want = expectedLine(e, cur === undefined ? null : cur.updated, v['_ts'] as number, v['_updated'] as number);
          assert.equal(v['_hash'], hash);
          expected.push(want.line.trimStart());
          // The version entity is the stored line, read back.
          assert.equal(writeCanonical(v), want.line.trimStart());
          // ...with keys in stored order, as the reference builder makes them.
          const ref = versionEntity(prepareEntity(e, 0), cur === undefined ? null : cur.updated, v['_ts'] as number, v['_updated'] as number);
          assert.deepEqual(Object.keys(v), Object.keys(ref));
          latestHash.set(id, { hash, updated: v['_updated'] as number, deleted: v['_deleted'] === true });
        }
        assert.equal(k, r.versions.length);
        ds.commit();
      }
      assert.deepEqual([...ds.readLines(-1, { latestOnly: false })], expected);
      assert.deepEqual([...ds.read(-1, { latestOnly: false })].map((e) => writeCanonical(e)), expected);
      store.close();
      // After a reopen the hashes come from the id-map tables.
      store = Store.open(dir);
      ds = store.dataset('varied');
      for (const [id, st] of latestHash) assert.equal(ds.latest(id)!['_hash'], st.hash, id);
      let unchanged = 0;
      let total = 0;
      for (const batch of batches) {
        const last = new Map<string, Entity>();
        for (const e of batch) last.set(e['_id'] as string, e);
        const r = ds.write([...last.values()].filter((e) => e['_filtered'] !== true));
        unchanged += r.unchanged;
        total += last.size - [...last.values()].filter((e) => e['_filtered'] === true).length;
      }
      // Ids are unique across batches: rewriting them changes nothing.
      assert.equal(unchanged, total);
      ds.rollback();
      for (const id of latestHash.keys()) assert.equal(ds.write([{ ...ds.latest(id)! }]).unchanged, 1, `rewrite of ${id}`);
      store.close();
    } finally {
      removeDir(dir);
    }
  });

  it('an unstorable value undoes the batch, including new and updated ids of the memtable', () => {
    const dir = tempDir('encoder-undo');
    try {
      const store = Store.open(dir);
      const ds = store.dataset('u');
      ds.write([{ _id: 'a', v: 1 }, { _id: 'b', v: 1 }]);
      ds.commit();
      ds.write([{ _id: 'c', v: 1 }]);
      const before = ['a', 'b', 'c', 'd'].map((id) => ds.latest(id));
      assert.throws(
        () => ds.write([{ _id: 'a', v: 2 }, { _id: 'c', v: 2 }, { _id: 'd', v: 1 }, { _id: 'd', v: 2 }, { _id: 'e', nested: [{ x: Number.NaN }] }]),
        /position 4 \(_id "e"\): property "nested": cannot store the non-finite number NaN/,
      );
      assert.deepEqual(['a', 'b', 'c', 'd'].map((id) => ds.latest(id)), before);
      assert.equal(ds.size, 3);
      assert.equal(ds.countLive(), 3);
      assert.equal(ds.write([{ _id: 'a', v: 1 }, { _id: 'c', v: 1 }]).unchanged, 2);
      const r = ds.write([{ _id: 'd', v: 1 }, { _id: 'e', v: 1 }]);
      assert.deepEqual(r.versions.map((v) => [v['_id'], v['_updated'], v['_previous']]), [['d', 3, null], ['e', 4, null]]);
      store.close();
    } finally {
      removeDir(dir);
    }
  });

  it('returnVersions: false writes the same and returns counts only', () => {
    const dir = tempDir('encoder-nov');
    try {
      const store = Store.open(dir);
      const a = store.dataset('a');
      const b = store.dataset('b');
      const rnd = prng(5);
      const batch = Array.from({ length: 300 }, (_, i) => (i % 2 === 0 ? order(rnd, i % 200) : entity(rnd, i % 200)));
      const ra = a.write(batch);
      const rb = b.write(batch, { returnVersions: false });
      assert.deepEqual([rb.written, rb.unchanged, rb.deleted, rb.versions.length], [ra.written, ra.unchanged, ra.deleted, 0]);
      a.commit();
      b.commit();
      const strip = (l: string): string => l.replace(/"_ts":\d+/, '"_ts":0');
      assert.deepEqual([...b.readLines(-1, { latestOnly: false })].map(strip), [...a.readLines(-1, { latestOnly: false })].map(strip));
      store.close();
    } finally {
      removeDir(dir);
    }
  });
});
