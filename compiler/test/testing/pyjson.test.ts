/**
 * sesam-py's expected-file format: Python's json.dumps(indent=2, sort_keys=True,
 * ensure_ascii=False) plus HTML escaping. Expected texts are what CPython 3 writes.
 */
import assert from 'node:assert/strict';
import { expectedFileText, pyNumber, sortedJson } from '../../src/testing/pyjson.js';

describe('testing/pyjson', () => {
  it('writes floats as Python repr and ints as ints', () => {
    const cases: Array<[number, string]> = [
      [3, '3'],
      [-12, '-12'],
      [1.5, '1.5'],
      [0.00005, '5e-05'],
      [0.0001, '0.0001'],
      [1e-7, '1e-07'],
      [123456789.125, '123456789.125'],
      [1.5e300, '1.5e+300'],
      [-0, '-0.0'],
    ];
    for (const [n, text] of cases) assert.equal(pyNumber(n), text, String(n));
  });

  it('sorts keys by code point, indents by two and escapes <, > and &', () => {
    const text = expectedFileText([{ b: 1, a: '<&>', é: 0.1, '\uffff': true, '\u{1F600}': null }]);
    assert.equal(text, '[\n  {\n    "a": "\\u003c\\u0026\\u003e",\n    "b": 1,\n    "é": 0.1,\n    "\uffff": true,\n    "\u{1F600}": null\n  }\n]\n');
  });

  it('writes compact sorted JSON with Python separators for sort keys', () => {
    assert.equal(sortedJson({ b: [1, 0.00005], a: { d: 'x', c: null } }), '{"a": {"c": null, "d": "x"}, "b": [1, 5e-05]}');
  });
});
