import assert from 'node:assert/strict';
import { DICTIONARIES } from '../../src/functions/dictionaries.js';
import { STRINGS } from '../../src/functions/strings.js';
import type { FnContext, FunctionTable, Lambda } from '../../src/functions/types.js';
import { NI, type Value } from '../../src/values/types.js';
import { functionCaller, testContext } from '../helpers.js';

type Arg = Value | Lambda | undefined;
const fnIn = (cx: FnContext, table: FunctionTable, name: string): ((...args: Arg[]) => Value) => functionCaller(table, cx)(name);
const cx = testContext();
const D = (name: string) => fnIn(cx, DICTIONARIES, name);
const S = (name: string) => fnIn(cx, STRINGS, name);

describe('functions/dictionaries', () => {
  describe('dict', () => {
    it('documented examples', () => {
      assert.deepEqual(D('dict')(), {});
      assert.deepEqual(D('dict')([['A', 1], ['B', 2], ['C', 3]]), { A: 1, B: 2, C: 3 });
      assert.deepEqual(D('dict')(['X', 123, ['A', 1]]), { A: 1 });
      assert.deepEqual(D('dict')('a', S('upper')('a'), S('lower')('B'), 'B'), { a: 'A', b: 'B' });
    });
    it('last key wins; non-string keys and bad items are ignored', () => {
      assert.deepEqual(D('dict')([['A', 1], ['A', 2]]), { A: 2 });
      assert.deepEqual(D('dict')('a', 1, 'a', 2), { a: 2 });
      assert.deepEqual(D('dict')([[1, 'x'], ['k', null], ['a', 'b', 'c'], null]), { k: null });
      assert.deepEqual(D('dict')(null), {});
      assert.deepEqual(D('dict')(1, 'x', 'b', 2), { b: 2 });
      assert.deepEqual(D('dict')('a', 1, 'dangling'), { a: 1 });
    });
    it('__proto__ is an ordinary key', () => {
      const d = D('dict')('__proto__', 1) as Record<string, Value>;
      assert.deepEqual(Object.keys(d), ['__proto__']);
      assert.equal(Object.getPrototypeOf(d), Object.prototype);
    });
  });

  describe('has-key', () => {
    it('documented examples', () => {
      assert.equal(D('has-key')('a', { a: 1 }), true);
      assert.equal(D('has-key')('b', { a: 1 }), false);
      assert.equal(D('has-key')('a', [{ a: 1 }, 123]), true);
      assert.equal(D('has-key')('b', [{ a: 1 }, { b: 1 }]), false);
      assert.equal(D('has-key')('a', [123, { a: 1 }]), null);
    });
    it('edge cases', () => {
      assert.equal(D('has-key')('a', null), null);
      assert.equal(D('has-key')('a', []), null);
      assert.equal(D('has-key')(1, { '1': 1 }), false);
      assert.equal(D('has-key')('a', { a: null }), true);
      assert.equal(D('has-key')('toString', {}), false);
    });
  });

  describe('is-dict', () => {
    it('documented examples', () => {
      assert.equal(D('is-dict')({ _id: '1' }), true);
      assert.equal(D('is-dict')([{ a: 1 }, 123]), true);
      assert.equal(D('is-dict')([123, { a: 1 }]), false);
      assert.equal(D('is-dict')('abc'), false);
    });
    it('typed values and null are not dicts', () => {
      assert.equal(D('is-dict')(new NI('a:b')), false);
      assert.equal(D('is-dict')(null), false);
      assert.equal(D('is-dict')([]), false);
    });
  });

  describe('items / key-values / keys / values', () => {
    it('documented examples', () => {
      assert.deepEqual(D('items')([{ A: 1, B: 2 }, { C: 3 }]), [['A', 1], ['B', 2], ['C', 3]]);
      assert.deepEqual(D('items')(['X', 123, { A: 1 }]), [['A', 1]]);
      assert.deepEqual(D('key-values')([{ A: 1, B: 2 }, 123, { C: 3, A: 1 }]), [
        { key: 'A', value: 1 },
        { key: 'B', value: 2 },
        { key: 'C', value: 3 },
        { key: 'A', value: 1 },
      ]);
      assert.deepEqual(D('key-values')({ hello: 'world' }), { key: 'hello', value: 'world' });
      assert.deepEqual(D('keys')([{ A: 1, B: 2 }, { A: 1, C: 3 }]), ['A', 'B', 'A', 'C']);
      assert.deepEqual(D('keys')(['X', 123, { A: 1 }]), ['A']);
      assert.deepEqual(D('values')([{ A: 1, B: 2 }, { A: 1, C: 3 }]), [1, 2, 1, 3]);
      assert.deepEqual(D('values')(['X', 123, { A: 1 }]), [1]);
    });
    it('key-values shape: a list in is always a list out', () => {
      assert.deepEqual(D('key-values')([{ hello: 'world' }]), [{ key: 'hello', value: 'world' }]);
      assert.deepEqual(D('key-values')({ a: 1, b: 2 }), [{ key: 'a', value: 1 }, { key: 'b', value: 2 }]);
      assert.deepEqual(D('key-values')({}), []);
      assert.deepEqual(D('key-values')(null), []);
    });
    it('null and non-dicts give empty lists', () => {
      assert.deepEqual(D('items')(null), []);
      assert.deepEqual(D('items')({ A: 1 }), [['A', 1]]);
      assert.deepEqual(D('keys')('x'), []);
      assert.deepEqual(D('values')(null), []);
      assert.deepEqual(D('values')({ a: null }), [null]);
    });
  });

  describe('path', () => {
    it('documented examples', () => {
      assert.deepEqual(D('path')('age', [{ age: 23 }, { age: 24 }]), [23, 24]);
      const orders = [{ order_lines: [{ item_name: 'a' }, { item_name: 'b' }] }, { order_lines: { item_name: 'c' } }];
      assert.deepEqual(D('path')(['order_lines', 'item_name'], orders), ['a', 'b', 'c']);
      assert.equal(D('path')('age', { age: 24 }), 24);
      // The docs write Python's None in ["list", 1, "age", None]; it means null.
      assert.equal(D('path')([1, 'age', null], { age: 24 }), 24);
      assert.deepEqual(D('path')([1], { age: 24 }), { age: 24 });
      assert.deepEqual(D('path')([], { age: 24 }), { age: 24 });
      assert.equal(D('path')('foo', { bar: 123 }), null);
      assert.deepEqual(D('path')(['a', 'b'], [{ a: { b: 1 } }, { a: [{ b: 2 }, { b: 3 }] }]), [1, 2, 3]);
    });
    it('documented examples with namespaced identifiers (identity foo, property bar)', () => {
      const nscx = testContext({ namespaced: true, identityNamespace: 'foo', propertyNamespace: 'bar' });
      const P = fnIn(nscx, DICTIONARIES, 'path');
      const e = { a: 1, 'foo:a': 2, 'bar:a': [3, 4] };
      assert.equal(P('foo:a', e), 2);
      assert.deepEqual(P('a', e), [1, 2, 3, 4]);
      assert.equal(P('::a', e), 1);
      assert.deepEqual(P(':a', e), [3, 4]);
    });
    it('edge cases', () => {
      assert.equal(D('path')('a', null), null);
      assert.equal(D('path')('a', 'text'), null);
      assert.deepEqual(D('path')('a', []), []);
      assert.equal(D('path')(null, 5), 5);
    });
  });

  describe('apply-ns', () => {
    it('documented examples', () => {
      assert.deepEqual(D('apply-ns')('myns', { _id: '123', foo: 1, $bar: { baz: 2 } }), { _id: 'myns:123', 'myns:foo': 1, $bar: { baz: 2 } });
      assert.deepEqual(
        D('apply-ns')(
          { property_namespace: 'myns', identity_namespace: 'myns', skip_underscore: false, skip_dollar: false, recursive: true },
          { _id: '123', foo: 1, $bar: { baz: 2 } },
        ),
        { 'myns:_id': 'myns:123', 'myns:foo': 1, 'myns:$bar': { 'myns:baz': 2 } },
      );
      assert.deepEqual(
        D('apply-ns')(
          { property_namespace: 'myns', identity_namespace: null, skip_underscore: false, skip_dollar: false, recursive: false },
          { _id: '123', 'myns:foo': 1, $bar: { baz: 2 } },
        ),
        { 'myns:_id': '123', 'myns:foo': 1, 'myns:$bar': { baz: 2 } },
      );
    });
    it('defaults come from the pipe; recursion reaches dicts in lists', () => {
      const c = testContext({ identityNamespace: 'ident', propertyNamespace: 'prop' });
      const A = fnIn(c, DICTIONARIES, 'apply-ns');
      assert.deepEqual(A({}, { _id: 'x', a: [{ b: 1 }, 2], 'q:c': { d: 1 } }), { _id: 'ident:x', 'prop:a': [{ 'prop:b': 1 }, 2], 'q:c': { 'prop:d': 1 } });
      assert.deepEqual(A({ recursive: false }, { a: { b: 1 } }), { 'prop:a': { b: 1 } });
      assert.deepEqual(A({ property_namespace: null }, { _id: 'x', a: 1 }), { _id: 'ident:x', a: 1 });
    });
    it('maps over lists, drops non-dicts; bad config → null', () => {
      assert.deepEqual(D('apply-ns')('n', [{ a: 1 }, 3]), [{ 'n:a': 1 }]);
      assert.equal(D('apply-ns')('n', 3), null);
      assert.equal(D('apply-ns')(3, { a: 1 }), null);
      assert.equal(D('apply-ns')({ property_namespace: 5 }, { a: 1 }), null);
    });
  });

  describe('strip-ns', () => {
    it('documented example', () => {
      assert.deepEqual(D('strip-ns')({ 'ns1:b': 1, 'ns2:c': 2 }), { b: 1, c: 2 });
    });
    it('recursive, keys only, last colon', () => {
      assert.deepEqual(D('strip-ns')({ _id: 'a:1', 'x:l': [{ 'y:z': new NI('q:r') }], 'a:b:c': 1 }), { _id: 'a:1', l: [{ z: new NI('q:r') }], c: 1 });
      assert.deepEqual(D('strip-ns')([{ 'a:x': 1 }, 'no']), [{ x: 1 }]);
      assert.equal(D('strip-ns')(null), null);
    });
  });

  it('the table has the 10 functions of this file', () => {
    assert.deepEqual(Object.keys(DICTIONARIES).sort(), ['apply-ns', 'dict', 'has-key', 'is-dict', 'items', 'key-values', 'keys', 'path', 'strip-ns', 'values']);
  });
});
