import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { atomicWriteJson, readJsonFile, Store } from '../../src/store/index.js';
import { Child, removeDir, tempDir } from './store-helpers.js';

describe('store: data folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('folder');
  });
  afterEach(() => {
    removeDir(dir);
  });

  it('gives a dataset a generation at creation that survives reopening and changes when it is deleted and created again', () => {
    const store = Store.open(dir);
    const ds = store.dataset('g');
    ds.write([{ _id: 'e' }]);
    ds.commit();
    const first = ds.generation;
    assert.match(String(first), /^[0-9a-f-]{36}$/);
    store.close();
    let again = Store.open(dir);
    assert.equal(again.dataset('g').generation, first);
    again.deleteDataset('g');
    const recreated = again.dataset('g');
    recreated.write([{ _id: 'e' }]);
    recreated.commit();
    assert.notEqual(recreated.generation, first);
    const second = recreated.generation;
    again.close();
    again = Store.open(dir);
    assert.equal(again.dataset('g').generation, second);
    again.close();
  });

  it('maps any dataset id to a directory inside the folder', () => {
    const store = Store.open(dir);
    const odd = ['../x', 'a/b', '..', '.', 'crm:person', 'with space', 'Ünïcødé ✓', 'a\\b', 'A', 'a', 'x'.repeat(400), 'ü'.repeat(150), 'lone \ud800 surrogate', 'CON', '%41'];
    for (const id of odd) {
      const ds = store.dataset(id);
      ds.write([{ _id: 'e', id }]);
      ds.commit();
    }
    const root = path.join(dir, 'datasets');
    const names = fs.readdirSync(root);
    assert.equal(names.length, odd.length, 'one directory each, no collisions (A and a included)');
    for (const name of names) {
      assert.ok(!name.includes('/') && !name.includes('\\') && name !== '.' && name !== '..', name);
      assert.ok(Buffer.byteLength(name) <= 255, 'fits a file name');
      assert.ok(fs.statSync(path.join(root, name)).isDirectory());
    }
    assert.deepEqual(fs.readdirSync(path.dirname(dir)).filter((n) => n === 'x'), [], 'nothing escaped the folder');
    assert.deepEqual(store.datasetIds(), [...odd].sort());
    store.close();
    const again = Store.open(dir);
    assert.deepEqual(again.datasetIds(), [...odd].sort());
    for (const id of odd) assert.equal(again.dataset(id).latest('e')!['id'], id);
    again.close();
  });

  it('returns the same instance per id; exists and datasetIds follow commits', () => {
    const store = Store.open(dir);
    assert.equal(store.dataset('a'), store.dataset('a'));
    assert.equal(store.exists('a'), false);
    assert.deepEqual(store.datasetIds(), []);
    store.dataset('a').write([{ _id: '1' }]);
    assert.equal(store.exists('a'), true, 'pending writes count');
    store.dataset('a').commit();
    store.dataset('b');
    assert.deepEqual(store.datasetIds(), ['a']);
    assert.equal(store.exists('b'), false);
    assert.throws(() => store.dataset(''), /non-empty/);
    store.close();
    assert.throws(() => store.dataset('a'), /closed/);
  });

  it('deletes datasets; old instances become unusable, new ones start empty', () => {
    const store = Store.open(dir);
    const a = store.dataset('a');
    a.write([{ _id: '1' }]);
    a.commit();
    a.write([{ _id: '2' }]);
    store.deleteDataset('a');
    assert.throws(() => a.latest('1'), /closed/);
    assert.equal(store.exists('a'), false);
    assert.deepEqual(store.datasetIds(), []);
    const fresh = store.dataset('a');
    assert.notEqual(fresh, a);
    assert.equal(fresh.size, 0);
    assert.equal(fresh.latest('1'), undefined);
    store.deleteDataset('never-existed');
    store.close();
    assert.deepEqual(fs.readdirSync(path.join(dir, 'datasets')), []);
  });

  it('exists() remembers missing datasets until one is made, and reads committed ones from disk', () => {
    let store = Store.open(dir);
    for (let i = 0; i < 20_000; i++) assert.equal(store.exists(`nope-${i}`), false);
    assert.equal(store.exists('c'), false);
    store.dataset('c').write([{ _id: '1' }]);
    assert.equal(store.exists('c'), true, 'a dataset made after a miss is seen');
    store.dataset('c').commit();
    store.close();
    store = Store.open(dir);
    assert.equal(store.exists('c'), true, 'a committed dataset is found on disk without an instance');
    assert.deepEqual(store.datasetIds(), ['c']);
    store.deleteDataset('c');
    assert.equal(store.exists('c'), false);
    store.close();
  });

  it('locks the folder against a second store in this process', () => {
    const store = Store.open(dir);
    assert.throws(() => Store.open(dir), /already open in this process/);
    store.close();
    Store.open(dir).close();
  });

  it('locks the folder against another live process, and takes over a dead one\'s lock', async () => {
    const child = new Child(['hold', dir]);
    try {
      await child.waitFor((l) => l === 'locked');
      const pid = child.proc.pid!;
      assert.throws(
        () => Store.open(dir),
        (e: Error) => e.message.includes(String(pid)) && e.message.includes(dir) && /locked by another running process/.test(e.message),
      );
    } finally {
      await child.kill();
    }
    // The holder died without closing: its lock is stale.
    assert.ok(fs.existsSync(path.join(dir, 'LOCK')));
    const store = Store.open(dir);
    assert.equal(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8').trim().split(' ')[0], String(process.pid));
    store.close();
    assert.ok(!fs.existsSync(path.join(dir, 'LOCK')), 'close releases the lock');
  });

  it('atomicWriteJson and readJsonFile', () => {
    const file = path.join(dir, 'x.json');
    assert.equal(readJsonFile(file), undefined);
    atomicWriteJson(file, { a: [1, 'b'] });
    assert.deepEqual(readJsonFile(file), { a: [1, 'b'] });
    atomicWriteJson(file, 2);
    assert.equal(readJsonFile<number>(file), 2);
    assert.deepEqual(fs.readdirSync(dir), ['x.json'], 'no temporary files left');
  });
});
