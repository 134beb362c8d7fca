import assert from 'node:assert/strict';
import { IDENTIFIERS, parseUuid } from '../../src/functions/identifiers.js';
import type { FnContext } from '../../src/functions/types.js';
import { NI, URI, UUID, type Value } from '../../src/values/types.js';
import { functionCaller, testContext } from '../helpers.js';

const fnIn = (cx: FnContext, name: string): ((...args: (Value | undefined)[]) => Value) => functionCaller(IDENTIFIERS, cx)(name);
const cx = testContext();
const I = (name: string) => fnIn(cx, name);

describe('functions/identifiers', () => {
  describe('is-uri / uri', () => {
    it('documented examples', () => {
      assert.equal(I('is-uri')(I('uri')('foo:bar')), true);
      assert.equal(I('is-uri')('foo:bar'), false);
      assert.equal(I('is-uri')([I('uri')('foo:bar'), 12345]), true);
      assert.equal(I('is-uri')([1, I('uri')('foo:bar')]), false);
      assert.deepEqual(I('uri')('http://www.example.org/'), new URI('http://www.example.org/'));
      assert.deepEqual(I('uri')(['http://www.example.org/', 'http://www.sesam.io/', 12345]), [new URI('http://www.example.org/'), new URI('http://www.sesam.io/')]);
    });
    it('no escaping; URIs pass; null and other types', () => {
      assert.deepEqual(I('uri')('a b'), new URI('a b'));
      assert.deepEqual(I('uri')(new URI('x:y')), new URI('x:y'));
      assert.equal(I('uri')(null), null);
      assert.equal(I('uri')(1), null);
      assert.equal(I('is-uri')(null), false);
    });
  });

  describe('url-quote / url-unquote', () => {
    it('documented examples', () => {
      assert.equal(I('url-quote')(undefined, '/foo bar/baz'), '%2Ffoo%20bar%2Fbaz');
      assert.equal(I('url-quote')('/', '/foo bar/baz'), '/foo%20bar/baz');
      assert.deepEqual(I('url-quote')(undefined, ['å', 1, 2, new URI('http://example.com'), 'foo bar']), ['%C3%A5', 'foo%20bar']);
      assert.equal(I('url-unquote')('%2Ffoo%20bar%2Fbaz'), '/foo bar/baz');
      // Labelled `url-quote` in the docs, but the example (and its result) is url-unquote's.
      assert.deepEqual(I('url-unquote')([1, '%C3%A5', new URI('http://example.com'), 'foo%20bar']), ['å', 'foo bar']);
    });
    it('python quote: always-safe set, safe chars ASCII only, astral characters', () => {
      assert.equal(I('url-quote')(undefined, 'aZ09_.-~'), 'aZ09_.-~');
      assert.equal(I('url-quote')(undefined, '?&=+:@'), '%3F%26%3D%2B%3A%40');
      assert.equal(I('url-quote')(':@', 'a:b@c d'), 'a:b@c%20d');
      assert.equal(I('url-quote')('å', 'å'), '%C3%A5');
      assert.equal(I('url-quote')(undefined, '😀'), '%F0%9F%98%80');
      assert.equal(I('url-quote')(null, '/'), '%2F');
      assert.equal(I('url-quote')(5, '/'), null);
      assert.equal(I('url-quote')(undefined, null), null);
    });
    it('python unquote: bad escapes stay, invalid UTF-8 becomes U+FFFD, + stays', () => {
      assert.equal(I('url-unquote')('100%'), '100%');
      assert.equal(I('url-unquote')('%zz%4'), '%zz%4');
      assert.equal(I('url-unquote')('%ff'), '\ufffd');
      assert.equal(I('url-unquote')('a+b'), 'a+b');
      assert.equal(I('url-unquote')('%F0%9F%98%80'), '😀');
      assert.equal(I('url-unquote')(3), null);
    });
  });

  describe('is-uuid / uuid', () => {
    it('documented examples', () => {
      assert.equal(I('is-uuid')(I('uuid')()), true);
      assert.equal(I('is-uuid')(new UUID('9f598f65-eea5-4906-a8f5-82f6d8e69726')), true);
      assert.equal(I('is-uuid')('some-string'), false);
      assert.equal(I('is-uuid')([I('uuid')(), '12345']), true);
      assert.equal(I('is-uuid')(['12345', I('uuid')()]), false);
      assert.deepEqual(I('uuid')('abc98f65-ddf5-1234-a8f5-82f6d8e69726'), new UUID('abc98f65-ddf5-1234-a8f5-82f6d8e69726'));
      // The docs print the first result as …e69726, but the input ends in …e601a8: a cast
      // cannot change digits, so the documented value is a copy slip.
      assert.deepEqual(I('uuid')(['abc98f65-ddf5-1234-a8f5-82f6d8e601a8', 2, '9f598f65-eea5-4906-a8f5-82f6d8e69726']), [
        new UUID('abc98f65-ddf5-1234-a8f5-82f6d8e601a8'),
        new UUID('9f598f65-eea5-4906-a8f5-82f6d8e69726'),
      ]);
    });
    it('random UUIDs are version 4 and differ', () => {
      const a = I('uuid')() as UUID;
      const b = I('uuid')() as UUID;
      assert.match(a.value, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.notEqual(a.value, b.value);
    });
    it('python uuid.UUID text forms; canonical lower case', () => {
      assert.deepEqual(parseUuid('{ABC98F65DDF51234A8F582F6D8E69726}'), new UUID('abc98f65-ddf5-1234-a8f5-82f6d8e69726'));
      assert.deepEqual(parseUuid('urn:uuid:abc98f65-ddf5-1234-a8f5-82f6d8e69726'), new UUID('abc98f65-ddf5-1234-a8f5-82f6d8e69726'));
      assert.equal(parseUuid('abc98f65-ddf5-1234-a8f5-82f6d8e6972'), undefined);
      assert.equal(parseUuid('xyz98f65-ddf5-1234-a8f5-82f6d8e69726'), undefined);
      assert.equal(I('uuid')(null), null);
      assert.equal(I('uuid')('nope'), null);
      const u = new UUID('abc98f65-ddf5-1234-a8f5-82f6d8e69726');
      assert.equal(I('uuid')(u), u);
    });
  });

  describe('is-ni / ni', () => {
    it('documented examples', () => {
      assert.equal(I('is-ni')(I('ni')(undefined, 'foo:bar')), true);
      assert.equal(I('is-ni')('foo:bar'), false);
      assert.equal(I('is-ni')([I('ni')(undefined, 'foo:bar'), 12345]), true);
      assert.equal(I('is-ni')([1, I('ni')(undefined, 'foo:bar')]), false);
      assert.deepEqual(I('ni')('foo', 'bar'), new NI('foo:bar'));
      assert.deepEqual(I('ni')(undefined, 'bar'), new NI('bar'));
      assert.deepEqual(I('ni')('foo', ['bar', 'x:y']), [new NI('foo:bar'), new NI('foo:x:y')]);
      assert.equal(I('ni')('foo', new URI('http://example.org/')), null);
      assert.deepEqual(I('ni')(undefined, new URI('http://example.org/bar')), new NI('_:bar'));
    });
    it('undeclared URI prefixes get generated namespaces per pipe', () => {
      const c = testContext({ pipeId: 'your-pipe', namespaceMap: { _: 'http://example.org/', unknown: 'http://known.org/x/' } });
      const ni = fnIn(c, 'ni');
      assert.deepEqual(ni(undefined, new URI('http://unknown.org/something/baz')), new NI('your-pipe-1:baz'));
      assert.deepEqual(ni(undefined, new URI('http://unknown.org/something/qux')), new NI('your-pipe-1:qux'));
      assert.deepEqual(ni(undefined, new URI('http://other.org/a#frag')), new NI('your-pipe-2:frag'));
      assert.deepEqual(ni(undefined, new URI('http://known.org/x/baz')), new NI('unknown:baz'));
    });
    it('the longest declared prefix wins; NIs pass only without NAMESPACE', () => {
      const c = testContext({ namespaceMap: { a: 'http://x.org/', b: 'http://x.org/deep/' } });
      assert.deepEqual(fnIn(c, 'ni')(undefined, new URI('http://x.org/deep/1')), new NI('b:1'));
      assert.deepEqual(I('ni')(undefined, new NI('q:r')), new NI('q:r'));
      assert.equal(I('ni')('ns', new NI('q:r')), null);
      assert.equal(I('ni')(5, 'x'), null);
      assert.equal(I('ni')(undefined, null), null);
      assert.deepEqual(I('ni')(undefined, [1, 'a']), [new NI('a')]);
    });
  });

  describe('ni-id / ni-ns', () => {
    it('documented examples', () => {
      assert.equal(I('ni-id')(new NI('foo:bar')), 'bar');
      assert.equal(I('ni-id')('foo:bar'), 'bar');
      assert.equal(I('ni-id')('bar'), 'bar');
      assert.deepEqual(I('ni-id')([new NI('foo:bar'), new NI('bar:baz')]), ['bar', 'baz']);
      assert.deepEqual(I('ni-id')(['foo:bar', 'bar:baz']), ['bar', 'baz']);
      assert.equal(I('ni-ns')(new NI('foo:bar')), 'foo');
      assert.equal(I('ni-ns')('foo:bar'), 'foo');
      assert.equal(I('ni-ns')('foo'), '');
      assert.deepEqual(I('ni-ns')([new NI('foo:bar'), new NI('bar:baz')]), ['foo', 'bar']);
      assert.deepEqual(I('ni-ns')(['foo:bar', 'bar:baz']), ['foo', 'bar']);
    });
    it('first colon splits; other types dropped', () => {
      assert.equal(I('ni-id')(new NI('a:b:c')), 'b:c');
      assert.equal(I('ni-ns')('a:b:c'), 'a');
      assert.equal(I('ni-ns')(new NI('bar')), '');
      assert.deepEqual(I('ni-id')([1, new URI('a:b'), 'x']), ['x']);
      assert.equal(I('ni-id')(null), null);
    });
  });

  it('the table has all 10 functions and the 4 deprecated ones', () => {
    assert.equal(Object.keys(IDENTIFIERS).length, 14);
  });
});
