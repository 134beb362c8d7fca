/**
 * sesam-py's view of JSON: Python's json module reading and writing (indent=2, sort_keys=True,
 * ensure_ascii=False) plus HTML escaping, and its number fixing. Expected texts are what
 * CPython 3 writes.
 */
import assert from 'node:assert/strict';
import { expectedFileText, fixNumbers, pyDumps, PyFloat, pyLoads, sortedJson } from '../../src/testing/pyjson.js';

describe('testing/pyjson', () => {
  it('reads ints exactly and every number with a point or exponent as a float, written as repr', () => {
    const cases: Array<[string, string]> = [
      ['3', '3'],
      ['-12', '-12'],
      ['1.5', '1.5'],
      ['5.0', '5.0'],
      ['0.00005', '5e-05'],
      ['0.0001', '0.0001'],
      ['1e-7', '1e-07'],
      ['1e17', '1e+17'],
      ['100000000000000000.0', '1e+17'],
      ['1.5e300', '1.5e+300'],
      ['-0.0', '-0.0'],
      ['9007199254740993', '9007199254740993'],
      ['1180591620717411303424', '1180591620717411303424'],
      ['NaN', 'NaN'],
    ];
    for (const [text, dumped] of cases) assert.equal(pyDumps(pyLoads(text)), dumped, text);
  });

  it("fixes numbers as sesam-py's _fix_decimal_to_ints does", () => {
    const fixed = fixNumbers(pyLoads('[5.0, -0.0, 1e16, 1.5, 9007199254740993, 12345678901234567, 1180591620717411303424, -9007199254740993, true]'));
    assert.equal(sortedJson(fixed), '[5, 0, 1e+16, 1.5, 9007199254740993, 12345678901234568, 1180591620717411300000, -9007199254740992, true]');
  });

  it('sorts keys by code point, indents by two, keeps U+2028 raw and escapes <, > and &', () => {
    const text = expectedFileText([{ b: 1n, a: '<&>\u2028', é: new PyFloat(0.1), '\uffff': true, '\u{1F600}': null }]);
    assert.equal(text, '[\n  {\n    "a": "\\u003c\\u0026\\u003e\u2028",\n    "b": 1,\n    "é": 0.1,\n    "\uffff": true,\n    "\u{1F600}": null\n  }\n]\n');
  });

  it('writes compact sorted JSON with Python separators for sort keys', () => {
    assert.equal(sortedJson(pyLoads('{"b": [1, 0.00005], "a": {"d": "x", "c": null}}')), '{"a": {"c": null, "d": "x"}, "b": [1, 5e-05]}');
  });
});
