import assert from 'node:assert/strict';
import { STRINGS } from '../../src/functions/strings.js';
import { Decimal } from '../../src/values/decimal.js';
import { path } from '../../src/values/path.js';
import { Bytes, DateTime, DateValue, Float, NI, URI, UUID } from '../../src/values/types.js';
import { functionCaller, testContext } from '../helpers.js';

const cx = testContext();
const S = functionCaller(STRINGS, cx);

describe('functions/strings', () => {
  describe('concat', () => {
    it('documented examples', () => {
      assert.equal(S('concat')(['a', 'b', 'c']), 'abc');
      assert.equal(S('concat')(path({ tags: ['x', 'y'] }, ['tags'])), 'xy');
      assert.equal(S('concat')('Hello ', path({ name: 'John' }, ['name']), '!'), 'Hello John!');
      assert.equal(S('concat')('a', ['b', 'c'], 'd', 123, ['!']), 'abcd!');
      assert.equal(S('concat')(123, new Float(3.14)), '');
    });
    it('null, no args, nested lists and typed values are ignored', () => {
      assert.equal(S('concat')(), '');
      assert.equal(S('concat')(null, ['a', ['b']], new URI('http://x/')), 'a');
    });
  });

  describe('is-string', () => {
    it('documented examples', () => {
      assert.equal(S('is-string')('foo:bar'), true);
      assert.equal(S('is-string')(1), false);
      assert.equal(S('is-string')(['foo:bar', 12345]), true);
      assert.equal(S('is-string')([1, 'foo:bar']), false);
    });
    it('typed values are not strings', () => {
      assert.equal(S('is-string')(new NI('foo:bar')), false);
      assert.equal(S('is-string')(null), false);
      assert.equal(S('is-string')([]), false);
    });
  });

  describe('join', () => {
    it('documented examples', () => {
      assert.equal(S('join')('-', ['a', 'b', 123, 'c']), 'a-b-c');
      assert.equal(S('join')('-', path({ tags: ['t1', 't2'] }, ['tags'])), 't1-t2');
    });
    it('edge cases', () => {
      assert.equal(S('join')('-', null), '');
      assert.equal(S('join')('-', 'a'), 'a');
      assert.equal(S('join')(1, ['a', 'b']), null);
    });
  });

  describe('length', () => {
    it('documented examples', () => {
      assert.deepEqual(S('length')(['', 'a', 'bb', 'ccc']), [0, 1, 2, 3]);
      assert.equal(S('length')(path({ name: 'John' }, ['name'])), 4);
    });
    it('counts code points; non-strings dropped', () => {
      assert.equal(S('length')('😀a'), 2);
      assert.equal(S('length')('å'), 1);
      assert.deepEqual(S('length')(['ab', 5, null]), [2]);
      assert.equal(S('length')(5), null);
      assert.equal(S('length')(null), null);
    });
  });

  describe('ljust / rjust', () => {
    it('documented examples', () => {
      assert.equal(S('ljust')(10, '0', '123'), '1230000000');
      assert.deepEqual(S('ljust')(5, ' ', ['abc', 'def', 'ghijklm']), ['abc  ', 'def  ', 'ghijklm']);
      assert.equal(S('rjust')(10, '0', '123'), '0000000123');
      assert.deepEqual(S('rjust')(5, ' ', ['abc', 'def', 'ghijklm']), ['  abc', '  def', 'ghijklm']);
    });
    it('bad WIDTH or FILL gives null; non-strings dropped; code points', () => {
      assert.equal(S('ljust')('10', '0', '1'), null);
      assert.equal(S('ljust')(new Float(10), '0', '1'), null);
      assert.equal(S('ljust')(10, '00', '1'), null);
      assert.equal(S('rjust')(10, '', '1'), null);
      assert.equal(S('rjust')(3, '😀', 'a'), '😀😀a');
      assert.equal(S('rjust')(3, '-', '😀'), '--😀');
      assert.deepEqual(S('ljust')(3, '-', ['a', 1]), ['a--']);
      assert.equal(S('ljust')(-1, '-', 'abc'), 'abc');
      assert.equal(S('ljust')(2n ** 64n, '-', 'abc'), null);
    });
  });

  describe('lower / upper', () => {
    it('documented examples', () => {
      assert.deepEqual(S('lower')(['A', 'B', 'C']), ['a', 'b', 'c']);
      assert.equal(S('lower')(path({ name: 'John' }, ['name'])), 'john');
      assert.deepEqual(S('upper')(['a', 'b', 'c']), ['A', 'B', 'C']);
      assert.equal(S('upper')(path({ name: 'John' }, ['name'])), 'JOHN');
    });
    it('non-strings dropped', () => {
      assert.deepEqual(S('upper')(['a', 1, new URI('x:y')]), ['A']);
      assert.equal(S('upper')(1), null);
      assert.equal(S('upper')('straße'), 'STRASSE');
    });
  });

  describe('lstrip / rstrip / strip', () => {
    it('documented examples', () => {
      assert.deepEqual(S('lstrip')(undefined, [' ab ', 'cd ', 'ef']), ['ab ', 'cd ', 'ef']);
      assert.equal(S('lstrip')(undefined, '  abc'), 'abc');
      assert.equal(S('lstrip')(undefined, path({ name: ' Jo ' }, ['name'])), 'Jo ');
      assert.deepEqual(S('lstrip')('xy', ['123xyx', 'xy456yx']), ['123xyx', '456yx']);
      assert.deepEqual(S('rstrip')(undefined, [' ab ', 'cd ', 'ef']), [' ab', 'cd', 'ef']);
      assert.equal(S('rstrip')(undefined, '  abc'), '  abc');
      assert.equal(S('rstrip')(undefined, path({ name: ' Jo ' }, ['name'])), ' Jo');
      assert.deepEqual(S('rstrip')('xy', ['123xyx', 'xy456yx']), ['123', 'xy456']);
      assert.deepEqual(S('strip')(undefined, [' ab ', 'cd ', 'ef']), ['ab', 'cd', 'ef']);
      assert.equal(S('strip')(undefined, '  abc'), 'abc');
      assert.equal(S('strip')(undefined, path({ name: ' Jo ' }, ['name'])), 'Jo');
      assert.deepEqual(S('strip')('xy', ['123xyx', 'xy456yx']), ['123', '456']);
    });
    it('python whitespace set; astral CHARACTERS; bad CHARACTERS → null', () => {
      assert.equal(S('strip')(undefined, '\u3000\t\n x \x1c\u00a0'), 'x');
      assert.equal(S('strip')(undefined, '\ufeffx'), '\ufeffx');
      assert.equal(S('strip')('😀', '😀a😀😀'), 'a');
      assert.equal(S('strip')(null, ' a '), 'a');
      assert.equal(S('strip')(5, ' a '), null);
      assert.equal(S('strip')('', ' a '), ' a ');
      assert.deepEqual(S('strip')(undefined, [1, ' a']), ['a']);
      assert.equal(S('strip')(undefined, '   '), '');
    });
  });

  describe('matches', () => {
    it('documented examples', () => {
      assert.equal(S('matches')('a*p*a', ['alpha', 'alpaca']), true);
      assert.equal(S('matches')('*_sport', path({ tags: ['foot_sport', 'hand_sport'] }, ['tags'])), true);
      assert.equal(S('matches')('*_sport', path({ tags: ['foot_sport', 'chess'] }, ['tags'])), false);
      assert.equal(S('matches')('*_sport', path({}, ['tags'])), false);
      assert.equal(S('matches')('*', null), false);
      assert.equal(S('matches')('*', []), false);
    });
    it('whole-string glob with only * and ? special', () => {
      assert.equal(S('matches')('a?c', 'abc'), true);
      assert.equal(S('matches')('a?c', 'abbc'), false);
      assert.equal(S('matches')('a', 'ab'), false);
      assert.equal(S('matches')('[a]', '[a]'), true);
      assert.equal(S('matches')('a.c', 'abc'), false);
      assert.equal(S('matches')('*', 'line1\nline2'), true);
      assert.equal(S('matches')('?', '😀'), true);
      assert.equal(S('matches')('*', ['a', 1]), false);
      assert.equal(S('matches')(['a*', 'b*'], 'abc'), true);
      assert.equal(S('matches')(1, 'abc'), false);
    });
  });

  describe('replace', () => {
    it('documented examples', () => {
      assert.equal(S('replace')('http://', 'https://', 'http://www.sesam.io/'), 'https://www.sesam.io/');
      assert.equal(S('replace')(':', '.', path({ date: '12:30:00' }, ['date'])), '12.30.00');
      assert.equal(S('replace')({ Hello: 'HELLO', world: 'WORLD' }, 'Hello world!'), 'HELLO WORLD!');
      assert.equal(S('replace')({ a: 'A', b: 'B' }, 'abc'), 'ABc');
    });
    it('map entries apply in key order, one after the other', () => {
      assert.equal(S('replace')({ a: 'b', b: 'c' }, 'ab'), 'cc');
    });
    it('edge cases', () => {
      assert.equal(S('replace')('', '-', 'a😀'), '-a-😀-');
      assert.equal(S('replace')('', '-', ''), '-');
      assert.deepEqual(S('replace')('a', 'b', ['aa', 1, null]), ['bb']);
      assert.equal(S('replace')('a', 'b', 1), null);
      assert.equal(S('replace')(1, 'b', 'a1'), null);
      assert.equal(S('replace')('x', 'y'), null);
      assert.equal(S('replace')({ a: 1, b: 'B' }, 'ab'), 'aB');
      assert.equal(S('replace')('$&', 'x', 'a$&'), 'ax');
    });
  });

  describe('split', () => {
    it('documented examples', () => {
      assert.deepEqual(S('split')('-', 'a-b-c'), ['a', 'b', 'c']);
      assert.deepEqual(S('split')('', 'abc'), ['a', 'b', 'c']);
      assert.deepEqual(S('split')('', ['ab', 'cd', 'e']), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(S('split')('-', ['a-b', 'c-d', 'e']), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(S('split')('-', path({ uuid: '9f598f65-eea5' }, ['uuid'])), ['9f598f65', 'eea5']);
    });
    it('no separator splits on whitespace runs; edge cases', () => {
      assert.deepEqual(S('split')(undefined, '  a b\t\nc  '), ['a', 'b', 'c']);
      assert.deepEqual(S('split')(',', 'a,,b,'), ['a', '', 'b', '']);
      assert.deepEqual(S('split')(',', ''), ['']);
      assert.deepEqual(S('split')('', '😀x'), ['😀', 'x']);
      assert.deepEqual(S('split')('-', [1, null]), []);
      assert.deepEqual(S('split')('-', null), []);
      assert.equal(S('split')(5, 'a'), null);
    });
  });

  describe('string', () => {
    it('documented examples', () => {
      assert.equal(S('string')(1), '1');
      assert.equal(S('string')('hello'), 'hello');
      assert.equal(S('string')(null), null);
      assert.deepEqual(S('string')(['abc', [1, 2, 3], { b: 2, a: 1 }, new URI('http://www.example.org/'), new Float(124.4), 12345]), [
        'abc',
        '[1, 2, 3]',
        '{"a": 1, "b": 2}',
        'http://www.example.org/',
        '124.4',
        '12345',
      ]);
    });
    it('typed values', () => {
      assert.equal(S('string')(new NI('foo:bar')), 'foo:bar');
      assert.equal(S('string')(new UUID('9f598f65-eea5-4906-a8f5-82f6d8e69726')), '9f598f65-eea5-4906-a8f5-82f6d8e69726');
      assert.equal(S('string')(new Bytes(new Uint8Array(Buffer.from('åbc')))), 'åbc');
      assert.equal(S('string')(new Bytes(new Uint8Array([0xff]))), null);
      assert.equal(S('string')(new DateTime(1438076760123450000n)), '2015-07-28T09:46:00.12345Z');
      assert.equal(S('string')(new DateValue(2015, 12, 31)), '2015-12-31');
      assert.equal(S('string')(new Float(1)), '1.0');
      assert.equal(S('string')(new Float(1e-5)), '1e-05');
      assert.equal(S('string')(new Float(NaN)), 'nan');
      assert.equal(S('string')(true), 'true');
      assert.equal(S('string')(2n ** 70n), '1180591620717411303424');
    });
    it('decimals keep their scale and never use an exponent', () => {
      assert.equal(S('string')(new Decimal(150, -2)), '1.50');
      assert.equal(S('string')(Decimal.parse('1E-3')!), '0.001');
      assert.equal(S('string')(Decimal.parse('1E+3')!), '1000');
    });
    it('lists and dicts are Python-style JSON, no transit, ASCII only', () => {
      assert.deepEqual(S('string')([[new URI('http://x/'), new Decimal(150, -2), null, true, 'å']]), ['["http://x/", 1.50, null, true, "\\u00e5"]']);
      assert.equal(S('string')({ b: { d: [], c: {} }, a: 'q"\n' }), '{"a": "q\\"\\n", "b": {"c": {}, "d": []}}');
      assert.deepEqual(S('string')([null, 'a']), ['a']);
    });
  });

  describe('substring', () => {
    it('documented examples', () => {
      assert.equal(S('substring')(2, 4, 'abcdef'), 'cd');
      assert.equal(S('substring')(2, undefined, 'abcdef'), 'cdef');
      assert.equal(S('substring')(-3, -1, 'abcdef'), 'de');
    });
    it('python slice bounds over code points', () => {
      assert.equal(S('substring')(4, 2, 'abcdef'), '');
      assert.equal(S('substring')(0, 100, 'abc'), 'abc');
      assert.equal(S('substring')(-100, 1, 'abc'), 'a');
      assert.equal(S('substring')(1, 2, '😀x😀'), 'x');
      assert.equal(S('substring')(1, null, 'abc'), 'bc');
      assert.deepEqual(S('substring')(1, undefined, ['abc', 1, 'de']), ['bc', 'e']);
      assert.equal(S('substring')('1', undefined, 'abc'), null);
      assert.equal(S('substring')(0, undefined, null), null);
    });
  });

  it('the table has all 16 functions', () => {
    assert.equal(Object.keys(STRINGS).length, 16);
  });
});
