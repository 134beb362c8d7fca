import assert from 'node:assert/strict';
import { LISTS } from '../../src/functions/lists.js';
import { LOGIC } from '../../src/functions/logic.js';
import { STRINGS } from '../../src/functions/strings.js';
import { DICTIONARIES } from '../../src/functions/dictionaries.js';
import type { FunctionTable, Lambda } from '../../src/functions/types.js';
import { Decimal } from '../../src/values/decimal.js';
import { path } from '../../src/values/path.js';
import { Float, URI, type Value } from '../../src/values/types.js';
import { functionCaller, testContext } from '../helpers.js';

type Arg = Value | Lambda | undefined;
const cx = testContext();
const fn = (table: FunctionTable, name: string): ((...args: Arg[]) => Value) => functionCaller(table, cx)(name);
const L = (name: string) => fn(LISTS, name);
// Stand-ins for compiled function expressions.
const upper: Lambda = (x) => fn(STRINGS, 'upper')(x);
const lower: Lambda = (x) => fn(STRINGS, 'lower')(x);
const len: Lambda = (x) => fn(STRINGS, 'length')(x);
const str: Lambda = (x) => fn(STRINGS, 'string')(x);
const get = (key: string): Lambda => (x) => path(x, [key]);

describe('functions/lists', () => {
  describe('combine', () => {
    it('documented examples', () => {
      assert.deepEqual(L('combine')(null), []);
      assert.deepEqual(L('combine')(1), [1]);
      assert.deepEqual(L('combine')(1, 4), [1, 4]);
      assert.deepEqual(L('combine')(1, [2, 3]), [1, 2, 3]);
      assert.deepEqual(L('combine')(1, [2, 3, [4]]), [1, 2, 3, [4]]);
      assert.deepEqual(L('combine')([1, 2], [3, 4], 5), [1, 2, 3, 4, 5]);
    });
    it('null arguments contribute nothing, empty lists too', () => {
      assert.deepEqual(L('combine')(null, [], 'a', null), ['a']);
      assert.deepEqual(L('combine')(), []);
    });
  });

  describe('count', () => {
    it('documented examples', () => {
      assert.equal(L('count')([2, 4, 6]), 3);
      assert.equal(L('count')(null), 0);
      assert.equal(L('count')(123), 1);
      assert.equal(L('count')(path({ orders: [{ a: 1 }, { a: 2 }] }, ['orders'])), 2);
    });
    it('a dict is one value; [] is zero', () => {
      assert.equal(L('count')({ a: 1, b: 2 }), 1);
      assert.equal(L('count')([]), 0);
    });
  });

  describe('distinct', () => {
    it('documented examples', () => {
      assert.deepEqual(L('distinct')(undefined, [4, 2, 5, 4, 3]), [4, 2, 5, 3]);
      assert.deepEqual(L('distinct')(upper, ['a', 'A', 'B', 'b']), ['a', 'B']);
      assert.deepEqual(L('distinct')(undefined, path({ tags: ['x', 'y', 'x'] }, ['tags'])), ['x', 'y']);
      const lines = [{ ean: 1, n: 'a' }, { ean: 2, n: 'b' }, { ean: 1, n: 'c' }];
      assert.deepEqual(L('distinct')(get('ean'), lines), [{ ean: 1, n: 'a' }, { ean: 2, n: 'b' }]);
    });
    it('equal numbers across types are duplicates; first wins', () => {
      const d = new Decimal(100, -2);
      assert.deepEqual(L('distinct')(undefined, [1, new Float(1), d, 2]), [1, 2]);
      assert.deepEqual(L('distinct')(undefined, [{ a: 1, b: 2 }, { b: 2, a: 1 }]), [{ a: 1, b: 2 }]);
    });
    it('null and scalars', () => {
      assert.deepEqual(L('distinct')(undefined, null), []);
      assert.deepEqual(L('distinct')(undefined, 'a'), ['a']);
      assert.deepEqual(L('distinct')(undefined, [null, null, 1]), [null, 1]);
    });
  });

  describe('enumerate', () => {
    it('documented examples', () => {
      assert.deepEqual(L('enumerate')(undefined, 'a'), { key: 0, value: 'a' });
      assert.deepEqual(L('enumerate')(1, 'a'), { key: 1, value: 'a' });
      assert.deepEqual(L('enumerate')(undefined, [17, 32, 21]), [
        { key: 0, value: 17 },
        { key: 1, value: 32 },
        { key: 2, value: 21 },
      ]);
      assert.deepEqual(L('enumerate')(2, [17, 32, 21]), [
        { key: 2, value: 17 },
        { key: 3, value: 32 },
        { key: 4, value: 21 },
      ]);
    });
    it('edge cases', () => {
      assert.equal(L('enumerate')(undefined, null), null);
      assert.deepEqual(L('enumerate')(undefined, []), []);
      assert.equal(L('enumerate')('x', [1]), null);
      assert.deepEqual(L('enumerate')(9007199254740991, [1, 2]), [
        { key: 9007199254740991, value: 1 },
        { key: 9007199254740992n, value: 2 },
      ]);
    });
  });

  describe('filter', () => {
    it('documented examples', () => {
      const gt42: Lambda = (x) => fn(LOGIC, 'gt')(path(x, ['age']), 42);
      assert.deepEqual(L('filter')(gt42, [{ age: 30 }, { age: 50 }, { age: 40 }]), [{ age: 50 }]);
      const gt100: Lambda = (x) => fn(LOGIC, 'gt')(path(x, ['amount']), 100);
      const orders = [{ amount: 150 }, { amount: 50 }, { amount: 101 }];
      assert.deepEqual(L('filter')(gt100, orders), [{ amount: 150 }, { amount: 101 }]);
    });
    it('uses DTL truthiness: 0 and "" are true, [] is false', () => {
      assert.deepEqual(L('filter')((x) => x, [0, '', [], false, null, [false]]), [0, '', [false]]);
      assert.deepEqual(L('filter')((x) => x, null), []);
      assert.deepEqual(L('filter')((x) => x, 5), [5]);
    });
  });

  describe('first / last / nth', () => {
    it('documented examples', () => {
      assert.equal(L('first')(['a', 'b', 'c']), 'a');
      assert.equal(L('first')(path({ tags: ['t1', 't2'] }, ['tags'])), 't1');
      assert.equal(L('first')(123), 123);
      assert.equal(L('last')(['a', 'b', 'c']), 'c');
      assert.equal(L('last')(path({ tags: ['t1', 't2'] }, ['tags'])), 't2');
      assert.equal(L('nth')(1, ['a', 'b', 'c']), 'b');
      assert.equal(L('nth')(5, ['a', 'b', 'c']), null);
      assert.equal(L('nth')(1, path({ tags: ['t1', 't2'] }, ['tags'])), 't2');
    });
    it('empty and null give null', () => {
      assert.equal(L('first')([]), null);
      assert.equal(L('first')(null), null);
      assert.equal(L('last')([]), null);
      assert.equal(L('last')(null), null);
      assert.equal(L('nth')(0, []), null);
      assert.equal(L('nth')(0, null), null);
    });
    it('nth of a non-list only for index 0; negative counts from the end', () => {
      assert.equal(L('nth')(0, 'x'), 'x');
      assert.equal(L('nth')(1, 'x'), null);
      assert.equal(L('nth')(-1, ['a', 'b', 'c']), 'c');
      assert.equal(L('nth')(-4, ['a', 'b', 'c']), null);
      assert.equal(L('nth')('1', ['a', 'b']), null);
      assert.equal(L('nth')([1, 0], ['a', 'b']), 'b');
      assert.equal(L('nth')(2n ** 70n, ['a']), null);
    });
  });

  describe('flatten', () => {
    it('documented examples', () => {
      assert.deepEqual(L('flatten')([1, 2, [3, 4]]), [1, 2, 3, 4]);
      assert.deepEqual(L('flatten')([[1, 2], [3, [4], 5]]), [1, 2, 3, [4], 5]);
      const e = { sisters: ['a', 'b'], brothers: 'c' };
      assert.deepEqual(L('flatten')([path(e, ['sisters']), path(e, ['brothers'])]), ['a', 'b', 'c']);
    });
    it('builds a new list; null → []', () => {
      const input: Value[] = [1, 2];
      const out = L('flatten')(input);
      assert.deepEqual(out, [1, 2]);
      assert.notEqual(out, input);
      assert.deepEqual(L('flatten')(null), []);
      assert.deepEqual(L('flatten')('a'), ['a']);
    });
  });

  describe('group', () => {
    const firstF: Lambda = (x) => L('first')(x);
    const second: Lambda = (x) => L('nth')(1, x);
    const rows = [['Adresse1', 'A'], ['Adresse2', 'B'], ['Adresse2', 'C']];
    it('documented examples', () => {
      assert.deepEqual(L('group')(firstF, second, rows), [['Adresse1', ['A']], ['Adresse2', ['B', 'C']]]);
      assert.deepEqual(L('group')(upper, lower, 'Hello'), [['HELLO', ['hello']]]);
      assert.deepEqual(fn(DICTIONARIES, 'dict')(L('group')(firstF, second, rows)), { Adresse1: ['A'], Adresse2: ['B', 'C'] });
    });
    it('keys group by value equality; null input → []', () => {
      assert.deepEqual(L('group')((x) => x, (x) => x, [1, new Float(1), 2]), [[1, [1, new Float(1)]], [2, [2]]]);
      assert.deepEqual(L('group')((x) => x, (x) => x, null), []);
    });
  });

  describe('group-by', () => {
    it('documented examples', () => {
      assert.deepEqual(L('group-by')(len, undefined, ['phi', 'alpha', 'rho']), { '3': ['phi', 'rho'], '5': ['alpha'] });
      assert.deepEqual(L('group-by')(upper, undefined, ['a', 'b']), { '"A"': ['a'], '"B"': ['b'] });
      assert.deepEqual(L('group-by')(upper, str, ['a', 'b']), { A: ['a'], B: ['b'] });
      const lines: Value[] = [{ ean: 'x1' }, { ean: 'x2' }, { ean: 'x1', q: 2 }];
      assert.deepEqual(L('group-by')(get('ean'), undefined, lines), { '"x1"': [{ ean: 'x1' }, { ean: 'x1', q: 2 }], '"x2"': [{ ean: 'x2' }] });
      const people = [{ gender: 'f' }, { gender: 'm' }];
      assert.deepEqual(L('group-by')(get('gender'), undefined, people), { '"f"': [{ gender: 'f' }], '"m"': [{ gender: 'm' }] });
    });
    it('keys are transit JSON', () => {
      assert.deepEqual(L('group-by')(undefined, undefined, [new Decimal(15, -1), null, [1, 'a'], new URI('http://x/')]), {
        '~f1.5': [new Decimal(15, -1)],
        'null': [null],
        '[1, "a"]': [[1, 'a']],
        '~rhttp://x/': [new URI('http://x/')],
      });
    });
    it('STRING_F results that are not strings fall back to transit JSON', () => {
      assert.deepEqual(L('group-by')(len, (k) => k, ['ab']), { '2': ['ab'] });
    });
    it('__proto__ is an ordinary key', () => {
      const out = L('group-by')((x) => x, str, ['__proto__']) as Record<string, Value>;
      assert.deepEqual(Object.keys(out), ['__proto__']);
    });
  });

  describe('in', () => {
    it('documented examples', () => {
      assert.equal(L('in')('a', ['a', 'b', 'c']), true);
      assert.equal(L('in')('d', ['a', 'b', 'c']), false);
      assert.equal(L('in')([10], 10), true);
      assert.equal(L('in')([], 10), false);
      assert.equal(L('in')(null, [null]), false);
      assert.equal(L('in')([null], [1, null, 2]), true);
      assert.equal(L('in')(['a', 'c'], ['a', 'b', 'c']), true);
      assert.equal(L('in')(['a', 'c', 'd'], ['a', 'b', 'c']), false);
    });
    it('numbers match across types', () => {
      assert.equal(L('in')(new Decimal(10, 0), [new Float(10)]), true);
      assert.equal(L('in')('10', [10]), false);
    });
  });

  describe('insert', () => {
    it('documented examples', () => {
      assert.deepEqual(L('insert')(1, 2, 3), [2, 3]);
      assert.deepEqual(L('insert')(1, [1, 2], [3, 4]), [1, [3, 4], 2]);
      assert.deepEqual(L('insert')(-2, [1, 2, 3], 4), [1, 4, 2, 3]);
    });
    it('clamps like list.insert, does not modify the input', () => {
      const xs: Value[] = [1, 2];
      assert.deepEqual(L('insert')(10, xs, 9), [1, 2, 9]);
      assert.deepEqual(L('insert')(-10, xs, 9), [9, 1, 2]);
      assert.deepEqual(xs, [1, 2]);
      assert.deepEqual(L('insert')(0, null, 'a'), ['a']);
      assert.deepEqual(L('insert')(0, null, null), [null]);
      assert.equal(L('insert')('x', [1], 2), null);
    });
  });

  describe('is-empty / is-not-empty / is-list', () => {
    it('documented examples', () => {
      assert.equal(L('is-empty')(path({ hobbies: [] }, ['hobbies'])), true);
      assert.equal(L('is-empty')(path({}, ['hobbies'])), true);
      assert.equal(L('is-not-empty')(path({ hobbies: ['x'] }, ['hobbies'])), true);
      assert.equal(L('is-not-empty')(path({}, ['hobbies'])), false);
      assert.equal(L('is-list')(['foo:bar']), true);
      assert.equal(L('is-list')('foo:bar'), false);
      assert.equal(L('is-list')([new URI('foo:bar'), 12345]), true);
      assert.equal(L('is-list')({ '1': 2 }), false);
      assert.equal(L('is-list')([['1', 2]]), true);
    });
    it('edge cases', () => {
      assert.equal(L('is-empty')(null), true);
      assert.equal(L('is-empty')(0), false);
      assert.equal(L('is-empty')([null]), false);
      assert.equal(L('is-list')([]), true);
      assert.equal(L('is-list')(null), false);
    });
  });

  describe('list', () => {
    it('documented examples', () => {
      assert.deepEqual(L('list')(), []);
      assert.deepEqual(L('list')('a', 'b', 'c'), ['a', 'b', 'c']);
      assert.deepEqual(L('list')('a', ['b'], 'c'), ['a', ['b'], 'c']);
    });
    it('keeps nulls', () => {
      assert.deepEqual(L('list')(null, []), [null, []]);
    });
  });

  describe('map', () => {
    it('documented examples', () => {
      assert.deepEqual(L('map')(lower, ['A', 'B', 'C']), ['a', 'b', 'c']);
      const distinctF: Lambda = (x) => L('distinct')(undefined, x);
      assert.deepEqual(L('map')(distinctF, [['A', 'A'], ['B', 'C']]), [['A'], ['B', 'C']]);
    });
    it('always a list; results kept as they are', () => {
      assert.deepEqual(L('map')(lower, 'A'), ['a']);
      assert.deepEqual(L('map')(lower, null), []);
      assert.deepEqual(L('map')(lower, ['A', 1]), ['a', null]);
    });
  });

  describe('map-dict', () => {
    it('documented examples', () => {
      const plus1: Lambda = (x) => (typeof x === 'number' ? x + 1 : null);
      assert.deepEqual(L('map-dict')(upper, plus1, { A: 1, B: 2 }), { A: 2, B: 3 });
      // ["if", ["gt", ["length", "_."], 2], ["concat", "x:", "_."]] — no ELSE gives null.
      const keyF: Lambda = (k) => (fn(LOGIC, 'gt')(len(k), 2) ? fn(STRINGS, 'concat')('x:', k) : null);
      assert.deepEqual(L('map-dict')(keyF, (v) => v, [{ abc: 1, ab: 2, abcd: 3 }, { def: 4 }, { gh: 5 }]), [
        { 'x:abc': 1, 'x:abcd': 3 },
        { 'x:def': 4 },
      ]);
    });
    it('non-dicts are dropped; an emptied single dict gives null', () => {
      assert.deepEqual(L('map-dict')(upper, (v) => v, [1, { a: 1 }, 'x']), [{ A: 1 }]);
      assert.equal(L('map-dict')(() => 1, (v) => v, { a: 1 }), null);
      assert.equal(L('map-dict')(upper, (v) => v, null), null);
      assert.equal(L('map-dict')(upper, (v) => v, {}), null);
    });
  });

  describe('map-values', () => {
    it('documented examples', () => {
      assert.deepEqual(L('map-values')(lower, { key1: 'A', key2: 'B' }), ['a', 'b']);
      assert.deepEqual(L('map-values')(lower, [{ key1: 'A', key2: 'B' }, 100, { key1: 'B', key2: 'A', key3: 'C' }]), ['a', 'b', 'b', 'a', 'c']);
    });
    it('null → []', () => {
      assert.deepEqual(L('map-values')(lower, null), []);
    });
  });

  describe('max / min', () => {
    it('documented examples', () => {
      assert.equal(L('max')(undefined, [4, 2, 5, 3]), 5);
      assert.equal(L('max')(undefined, ['b', 2, 'a', 3]), 'b');
      assert.deepEqual(L('max')(undefined, [{ x: 1 }, 'b', 2, 'a']), { x: 1 });
      assert.equal(L('min')(undefined, [4, 2, 5, 3]), 2);
      assert.equal(L('min')(undefined, ['b', 2, 'a', 3]), 2);
      assert.equal(L('min')(undefined, [{ x: 1 }, 'b', 'a']), 'a');
      assert.equal(L('min')(undefined, ['B', 'b', 'A', 'a']), 'A');
      const orders = [{ amount: 5 }, { amount: 50 }, { amount: 1 }];
      assert.deepEqual(L('max')(get('amount'), orders), { amount: 50 });
      assert.deepEqual(L('min')(get('amount'), orders), { amount: 1 });
    });
    it('mixed numeric types; decimals keep their scale; ties keep the first', () => {
      const d = new Decimal(250, -2);
      assert.equal(L('max')(undefined, [1, new Float(2.25), d]), d);
      assert.deepEqual(L('min')(undefined, [new Decimal(10, -1), 1]), new Decimal(10, -1));
      assert.deepEqual(L('max')(get('a'), [{ a: 1, i: 1 }, { a: 1, i: 2 }]), { a: 1, i: 1 });
      assert.equal(L('max')(undefined, [2n ** 64n, 5]), 2n ** 64n);
    });
    it('empty and null give null; a scalar is its own extreme', () => {
      assert.equal(L('max')(undefined, []), null);
      assert.equal(L('min')(undefined, null), null);
      assert.equal(L('min')(undefined, 7), 7);
      assert.equal(L('min')(undefined, [null, 1]), null);
    });
  });

  describe('range', () => {
    it('documented examples', () => {
      assert.deepEqual(L('range')(0, 4, undefined), [0, 1, 2, 3]);
      assert.deepEqual(L('range')(4, 0, -1), [4, 3, 2, 1]);
    });
    it('edge cases', () => {
      assert.deepEqual(L('range')(0, 10, 3), [0, 3, 6, 9]);
      assert.deepEqual(L('range')(5, 0, undefined), []);
      assert.equal(L('range')(0, 4, 0), null);
      assert.equal(L('range')(0, new Float(4), undefined), null);
      assert.equal(L('range')(null, 4, undefined), null);
      assert.deepEqual(L('range')(2n ** 60n, 2n ** 60n + 2n, undefined), [2n ** 60n, 2n ** 60n + 1n]);
    });
  });

  describe('reversed', () => {
    it('documented examples', () => {
      assert.deepEqual(L('reversed')([1, 3, 2]), [2, 3, 1]);
      assert.deepEqual(L('reversed')(L('sorted')(undefined, ['b', 'c', 'a'])), ['c', 'b', 'a']);
    });
    it('non-lists pass through; input untouched', () => {
      const xs: Value[] = [1, 2];
      L('reversed')(xs);
      assert.deepEqual(xs, [1, 2]);
      assert.equal(L('reversed')('ab'), 'ab');
      assert.equal(L('reversed')(null), null);
    });
  });

  describe('slice', () => {
    const xs = [0, 1, 2, 3, 4, 5, 6];
    it('documented examples', () => {
      assert.deepEqual(L('slice')(2, -2, 2, xs), [2, 4]);
      assert.deepEqual(L('slice')(2, undefined, undefined, xs), [2, 3, 4, 5, 6]);
    });
    it('python slice semantics', () => {
      assert.deepEqual(L('slice')(2, 4, undefined, xs), [2, 3]);
      assert.deepEqual(L('slice')(-3, undefined, undefined, xs), [4, 5, 6]);
      assert.deepEqual(L('slice')(5, 1, -2, xs), [5, 3]);
      assert.deepEqual(L('slice')(null, null, -1, xs), [6, 5, 4, 3, 2, 1, 0]);
      assert.deepEqual(L('slice')(100, undefined, undefined, xs), []);
      assert.deepEqual(L('slice')(-100, 2, undefined, xs), [0, 1]);
      assert.equal(L('slice')(0, 2, 0, xs), null);
      assert.equal(L('slice')('a', undefined, undefined, xs), null);
      assert.deepEqual(L('slice')(0, undefined, undefined, 'x'), ['x']);
      assert.deepEqual(L('slice')(0, undefined, undefined, null), []);
    });
  });

  describe('sorted / sorted-descending', () => {
    it('documented examples', () => {
      assert.deepEqual(L('sorted')(undefined, [4, 2, 5, 4, 3]), [2, 3, 4, 4, 5]);
      assert.deepEqual(L('sorted')(undefined, ['b', 2, { x: 1 }, 'a', 4]), [2, 4, 'a', 'b', { x: 1 }]);
      assert.deepEqual(L('sorted')(undefined, [{ x: 1 }, { x: 'abc' }, { x: 2 }]), [{ x: 1 }, { x: 2 }, { x: 'abc' }]);
      assert.deepEqual(L('sorted')(get('age'), [{ age: 30 }, { age: 50 }, { age: 20 }]), [{ age: 20 }, { age: 30 }, { age: 50 }]);
      assert.deepEqual(L('sorted')(undefined, path({ tags: ['b', 'a'] }, ['tags'])), ['a', 'b']);
      assert.deepEqual(L('sorted-descending')(undefined, [4, 2, 5, 4, 3]), [5, 4, 4, 3, 2]);
      assert.deepEqual(L('sorted-descending')(undefined, ['b', 2, { x: 1 }, 'a', 4]), [{ x: 1 }, 'b', 'a', 4, 2]);
      assert.deepEqual(L('sorted-descending')(undefined, [{ x: 1 }, { x: 'abc' }, { x: 2 }]), [{ x: 'abc' }, { x: 2 }, { x: 1 }]);
      assert.deepEqual(L('sorted-descending')(get('age'), [{ age: 30 }, { age: 50 }, { age: 20 }]), [{ age: 50 }, { age: 30 }, { age: 20 }]);
      assert.deepEqual(L('sorted-descending')(undefined, path({ tags: ['b', 'a', 'c'] }, ['tags'])), ['c', 'b', 'a']);
    });
    it('entity data model example: ints, floats and decimals sort together', () => {
      assert.deepEqual(L('sorted')(undefined, [new Float(1.5), 'b', 1, 'a', 2]), [1, new Float(1.5), 2, 'a', 'b']);
      assert.deepEqual(L('sorted')(undefined, [new Decimal(15, -1), 1, 2]), [1, new Decimal(15, -1), 2]);
    });
    it('mixed-type rank order', () => {
      assert.deepEqual(L('sorted')(undefined, [[1], 'a', { a: 1 }, true, null, 3]), [null, true, 3, 'a', { a: 1 }, [1]]);
    });
    it('stable in both directions', () => {
      const rows: Value[] = [{ k: 1, i: 'a' }, { k: 0, i: 'b' }, { k: 1, i: 'c' }, { k: 0, i: 'd' }];
      assert.deepEqual(L('sorted')(get('k'), rows), [rows[1], rows[3], rows[0], rows[2]]);
      assert.deepEqual(L('sorted-descending')(get('k'), rows), [rows[0], rows[2], rows[1], rows[3]]);
    });
    it('non-lists are returned as they are; the input is not modified', () => {
      assert.equal(L('sorted')(undefined, 'x'), 'x');
      assert.equal(L('sorted')(undefined, null), null);
      const xs: Value[] = [2, 1];
      L('sorted')(undefined, xs);
      assert.deepEqual(xs, [2, 1]);
    });
  });

  describe('sum', () => {
    it('documented examples', () => {
      assert.equal(L('sum')([2, 4, 6]), 12);
      assert.equal(L('sum')(path({ amounts: [1, 2] }, ['amounts'])), 3);
    });
    it('ignores non-numbers; empty is 0; promotes types; keeps decimal scale', () => {
      assert.equal(L('sum')([1, 'x', true, null, [5]]), 1);
      assert.equal(L('sum')([]), 0);
      assert.equal(L('sum')(null), 0);
      assert.deepEqual(L('sum')([new Decimal(7350, -2), new Decimal(1040, -2)]), new Decimal(8390, -2));
      assert.deepEqual(L('sum')([1, new Float(0.5)]), new Float(1.5));
      assert.deepEqual(L('sum')([1, new Decimal(5, -1)]), new Decimal(15, -1));
      assert.equal(L('sum')([9007199254740991, 1]), 9007199254740992n);
    });
  });

  it('the table has all 28 functions', () => {
    assert.equal(Object.keys(LISTS).length, 28);
  });
});
