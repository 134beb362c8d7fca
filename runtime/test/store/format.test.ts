import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { canonical } from '../../src/store/canonical.js';
import { decodeStored } from '../../src/store/decode.js';
import { FdCache } from '../../src/store/files.js';
import { hashString } from '../../src/store/hash.js';
import { decodeKey, encodeKey } from '../../src/store/keys.js';
import { prepareEntity, recordLine } from '../../src/store/record.js';
import { sortByLanes } from '../../src/store/sort.js';
import { EntryBatch, TableSet } from '../../src/store/tableset.js';
import { Decimal } from '../../src/values/decimal.js';
import { writeCanonical } from '../../src/values/json.js';
import { decodeDeep } from '../../src/values/transit.js';
import { Bytes, DateTime, Float, NI, type Dict, type Value } from '../../src/values/types.js';
import { prng, removeDir, tempDir } from './store-helpers.js';

function randomValue(rnd: (n: number) => number, depth = 0): Value {
  switch (rnd(depth > 2 ? 9 : 11)) {
    case 0:
      return null;
    case 1:
      return rnd(2) === 0;
    case 2:
      return rnd(2000) - 1000;
    case 3:
      return ['plain', 'quo"te', 'back\\slash', 'ctl\u0001', 'ünï', '😀', 'lone\udc00', '~:ni', ''][rnd(9)]!;
    case 4:
      return new Float([0, 1.5, -2, 1e21, 1e-7, 0.1][rnd(6)]!);
    case 5:
      return Decimal.parse(['1.50', '-0.00', '12345678901234567890.5', '7', '1E+3'][rnd(5)]!)!;
    case 6:
      return 12345678901234567890n * BigInt(rnd(3) - 1);
    case 7:
      return [new NI('a:b'), new DateTime(1_000_000_123n), new Bytes(new Uint8Array([1, 2, 3]))][rnd(3)]!;
    case 8:
      return rnd(3) === 0 ? 9007199254740991 : -0;
    case 9:
      return Array.from({ length: rnd(4) }, () => randomValue(rnd, depth + 1));
    default: {
      const d: Dict = {};
      for (let i = 0, n = rnd(5); i < n; i++) d[['b', 'a', '_x', '$y', 'Z', '10', '9', 'é'][rnd(8)]!] = randomValue(rnd, depth + 1);
      return d;
    }
  }
}

describe('store: formats', () => {
  it('canonical() is writeCanonical, and records are the canonical rendering of the version', () => {
    const rnd = prng(3);
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(rnd);
      assert.equal(canonical(v), writeCanonical(v));
      const e: Dict = { _id: 'id' + i, _deleted: rnd(2) === 0, _junk: 1 };
      for (let k = 0; k < 4; k++) e[['b', 'a', '$y', 'Z', '10', 'é', '', '_x'][rnd(8)]!] = randomValue(rnd);
      const p = prepareEntity(e, i);
      const line = recordLine(p, rnd(2) === 0 ? null : 5, 1_700_000_000_000_000, i);
      const content: Dict = { _deleted: e['_deleted'] === true, _id: e['_id']! };
      for (const k of Object.keys(e)) if (!k.startsWith('_')) content[k] = e[k]!;
      assert.equal(line.trimStart(), writeCanonical({ ...content, _hash: p.hash, _previous: JSON.parse(line.trimStart())._previous, _ts: 1_700_000_000_000_000, _updated: i }));
    }
  });

  it('decodeStored() is decodeDeep() (with the decimal fast path)', () => {
    const texts = ['~f1.50', '~f-0.00', '~f0', '~f-12', '~f123456789012345', '~f1234567890123456', '~f.5', '~f5.', '~f1e3', '~f+1', '~f1.2.3', '~f', '~f-', '~:a', '~t2020-01-01', 'x'];
    for (const t of texts) {
      const a = decodeStored(JSON.parse(JSON.stringify({ v: [t] })));
      const b = decodeDeep(JSON.parse(JSON.stringify({ v: [t] })));
      assert.deepEqual(a, b, t);
      if ((b as Dict)['v'] instanceof Decimal) assert.equal(String(((a as Dict)['v'] as Value[])[0]), String(((b as Dict)['v'] as Value[])[0]));
    }
    assert.ok(Object.is(((decodeStored(['~f-0.00']) as Value[])[0] as Decimal).coef, -0));
  });

  it('table keys survive lone surrogates', () => {
    for (const s of ['plain', 'ünï', '😀', 'a\ud800b', '\udc00', '']) {
      const b = encodeKey(s);
      assert.equal(decodeKey(b, 0, b.length), s);
    }
    assert.notDeepEqual(encodeKey('\ud800'), encodeKey('\udbff'));
  });

  it('radix sort orders by (lane A, lane B) and breaks ties with the comparator', () => {
    const rnd = prng(11);
    for (const n of [0, 1, 100, 5000]) {
      const sa = new Uint32Array(n);
      const sb = new Uint32Array(n);
      const key = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        sa[i] = rnd(4) === 0 ? 7 : rnd(2 ** 31) * 2;
        sb[i] = rnd(3) === 0 ? 0xffffffff : rnd(5);
        key[i] = rnd(1000);
      }
      const perm = sortByLanes(sa, sb, n, (i, j) => key[i]! - key[j]!);
      const expected = [...Array(n).keys()].sort((i, j) => sa[i]! - sa[j]! || sb[i]! - sb[j]! || key[i]! - key[j]!);
      assert.deepEqual([...perm].map((i) => [sa[i], sb[i], key[i]]), expected.map((i) => [sa[i], sb[i], key[i]]));
    }
  });

  it('tables: groups spanning blocks, exact lookups and ordered scans', () => {
    const dir = tempDir('table');
    const fds = new FdCache(8);
    try {
      let no = 0;
      const set = new TableSet(dir, fds, [], 4, () => `t-${++no}.sst`);
      const b = new EntryBatch(20_000, 4);
      for (let i = 0; i < 20_000; i++) {
        // 20 groups of 1000 entries share lane A, as one index key's entries do.
        const at = b.add(1000 + (i % 20) * 7, hashString('id' + i), 'k' + (i % 20), 'id' + i);
        b.values.writeUInt32LE(i, at * 4);
      }
      set.addBatch(b);
      const [t] = set.layers();
      for (let g = 0; g < 20; g++) {
        const seen: number[] = [];
        t!.scanGroup(1000 + g * 7, -1, (buf, _ks, _ke, vs) => {
          seen.push(buf.readUInt32LE(vs));
        });
        assert.equal(seen.length, 1000, `group ${g}`);
        assert.ok(seen.every((i) => i % 20 === g));
      }
      for (const i of [0, 7, 12347, 19999]) {
        const k = Buffer.concat([Buffer.from('k' + (i % 20)), Buffer.from([0xff]), Buffer.from('id' + i)]);
        assert.equal(t!.get(1000 + (i % 20) * 7, hashString('id' + i), k)?.readUInt32LE(0), i);
      }
      assert.equal(t!.get(1001, 5, Buffer.from('x')), undefined);
      const s = t!.scanner();
      let n = 0;
      let prev = [-1, -1];
      for (; !s.done; s.next(), n++) {
        assert.ok(s.sa > prev[0]! || (s.sa === prev[0] && s.sb >= prev[1]!), 'in table order');
        prev = [s.sa, s.sb];
      }
      assert.equal(n, 20_000);
    } finally {
      fds.closeAll();
      removeDir(dir);
    }
  });

  it('table sets: newest wins, merges keep the newest entry and drop tombstones at the bottom', () => {
    const dir = tempDir('tables');
    const fds = new FdCache(8);
    try {
      let no = 0;
      const set = new TableSet(dir, fds, [], 1, () => `t-${++no}.sst`, (buf, vs) => buf[vs] === 0);
      const model = new Map<string, number>();
      const rnd = prng(5);
      for (let round = 0; round < 40; round++) {
        const b = new EntryBatch(50, 1);
        const seen = new Set<string>();
        for (let i = 0; i < 50; i++) {
          const k = 'key' + rnd(300);
          if (seen.has(k)) continue;
          seen.add(k);
          const v = rnd(4);
          const at = b.add(hashString(k), 0, k);
          b.values[at] = v;
          model.set(k, v);
        }
        set.addBatch(b);
        const plan = set.planCommit();
        set.applyCommit(plan);
      }
      const layers = set.layers();
      assert.ok(layers.length < 20, `merged (${layers.length} tables)`);
      for (let k = 0; k < 300; k++) {
        const key = 'key' + k;
        let found: number | undefined;
        for (const t of layers) {
          const v = t.get(hashString(key), 0, encodeKey(key));
          if (v) {
            found = v[0];
            break;
          }
        }
        const want = model.get(key);
        if (want === undefined) assert.equal(found, undefined);
        // A tombstone (0) either is still there or was dropped along with everything older.
        else if (want === 0) assert.ok(found === undefined || found === 0, key);
        else assert.equal(found, want, key);
      }
      const files = fs.readdirSync(dir).sort();
      assert.deepEqual(files, set.files().sort(), 'merged-away tables are deleted');
      assert.ok(files.every((f) => fs.statSync(path.join(dir, f)).size > 0));
    } finally {
      fds.closeAll();
      removeDir(dir);
    }
  });
});
