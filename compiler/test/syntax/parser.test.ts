import assert from 'node:assert/strict';
import { parseJson } from '../../src/syntax/parser.js';
import { toPlain } from '../../src/syntax/nav.js';
import type { JsonArray, JsonMember, JsonObject, JsonString, JsonValue, ParseResult, Range, SyntaxProblem } from '../../src/syntax/tree.js';
import { prng } from '../helpers.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** [start, end, line, column, endLine, endColumn] — compact to compare. */
function r(range: Range): [number, number, number, number, number, number] {
  return [range.start, range.end, range.line, range.column, range.endLine, range.endColumn];
}

/** Line and column of an offset, computed independently of the parser (\n, \r\n and lone \r). */
function position(text: string, offset: number): [number, number] {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return [line, offset - lineStart + 1];
}

/** The full expected range of `text.slice(start, end)`. */
function expected(text: string, start: number, end: number): [number, number, number, number, number, number] {
  const [line, column] = position(text, start);
  const [endLine, endColumn] = position(text, end);
  return [start, end, line, column, endLine, endColumn];
}

/** Range of the n-th (0-based) occurrence of `needle`. */
function find(text: string, needle: string, nth = 0): [number, number, number, number, number, number] {
  let i = -1;
  for (let k = 0; k <= nth; k++) {
    i = text.indexOf(needle, i + 1);
    assert.ok(i >= 0, `'${needle}' #${nth} not in text`);
  }
  return expected(text, i, i + needle.length);
}

function obj(v: JsonValue | undefined): JsonObject {
  assert.ok(v && v.kind === 'object', `expected an object, got ${v?.kind}`);
  return v;
}

function arr(v: JsonValue | undefined): JsonArray {
  assert.ok(v && v.kind === 'array', `expected an array, got ${v?.kind}`);
  return v;
}

function str(v: JsonValue | undefined): JsonString {
  assert.ok(v && v.kind === 'string', `expected a string, got ${v?.kind}`);
  return v;
}

function mem(o: JsonValue | undefined, key: string): JsonMember {
  const m = obj(o).members.find((x) => x.key.value === key);
  assert.ok(m, `member '${key}' missing`);
  return m;
}

function brief(p: SyntaxProblem): string {
  return `${p.code}@${p.range.start}-${p.range.end}: ${p.message}`;
}

/**
 * Checks invariants that must hold for any input: ranges inside the text and consistent with
 * their offsets, children inside their parents, parent links, members spanning key..value,
 * problems sorted.
 */
function checkInvariants(text: string, res: ParseResult): void {
  const checkRange = (range: Range, what: string): void => {
    assert.ok(range.start >= 0 && range.start <= range.end && range.end <= text.length, `${what}: bad offsets ${JSON.stringify(range)}`);
    assert.deepEqual(r(range), expected(text, range.start, range.end), `${what}: line/column do not match offsets`);
  };
  const walk = (v: JsonValue, parent: JsonObject | JsonArray | undefined): void => {
    assert.equal(v.parent, parent, `parent link of ${v.kind} at ${v.range.start}`);
    checkRange(v.range, v.kind);
    if (parent) assert.ok(v.range.start >= parent.range.start && v.range.end <= parent.range.end, `${v.kind} outside its parent`);
    if (v.kind === 'object') {
      for (const m of v.members) {
        assert.equal(m.key.parent, v);
        checkRange(m.key.range, 'key');
        checkRange(m.range, 'member');
        assert.equal(m.range.start, m.key.range.start);
        if (m.value) {
          assert.equal(m.range.end, m.value.range.end);
          walk(m.value, v);
        }
      }
    } else if (v.kind === 'array') {
      for (const item of v.items) walk(item, v);
    }
  };
  if (res.root) walk(res.root, undefined);
  for (let i = 0; i < res.problems.length; i++) {
    const p = res.problems[i]!;
    checkRange(p.range, `problem '${p.message}'`);
    assert.ok(p.message.length > 0);
    if (i > 0) assert.ok(res.problems[i - 1]!.range.start <= p.range.start, 'problems are sorted');
  }
}

function parse(text: string): ParseResult {
  const res = parseJson(text);
  checkInvariants(text, res);
  return res;
}

function syntaxErrors(res: ParseResult): SyntaxProblem[] {
  return res.problems.filter((p) => p.code === 'json-syntax');
}

// ---------------------------------------------------------------------------------------------

describe('parseJson', () => {
  describe('valid JSON', () => {
    it('builds a tree equal to JSON.parse and reports nothing', () => {
      const text = JSON.stringify(
        {
          _id: 'pipe',
          type: 'pipe',
          n: [0, -1, 2.5, 1e3, -0.125, 73.5],
          flags: [true, false, null],
          nested: { a: { b: [[], {}, [{ c: 'd' }]] } },
          text: 'quote " backslash \\ tab \t newline \n unicode é 😀',
        },
        null,
        2,
      );
      const res = parse(text);
      assert.deepEqual(res.problems, []);
      assert.deepEqual(toPlain(res.root), JSON.parse(text));
    });

    it('accepts every kind of scalar at the root', () => {
      for (const text of ['"x"', '0', '-1.5e-3', 'true', 'false', 'null', '  [ ]  ', '{}']) {
        const res = parse(text);
        assert.deepEqual(res.problems, [], text);
        assert.deepEqual(toPlain(res.root), JSON.parse(text));
      }
    });
  });

  describe('ranges', () => {
    it('gives exact ranges to nested nodes on one line', () => {
      const text = '{"a": [1, {"b": true}], "c": null}';
      const res = parse(text);
      const root = obj(res.root);
      assert.deepEqual(r(root.range), [0, 34, 1, 1, 1, 35]);
      const a = mem(root, 'a');
      assert.deepEqual(r(a.key.range), [1, 4, 1, 2, 1, 5]);
      assert.deepEqual(r(a.range), [1, 22, 1, 2, 1, 23]);
      const list = arr(a.value);
      assert.deepEqual(r(list.range), [6, 22, 1, 7, 1, 23]);
      assert.deepEqual(r(list.items[0]!.range), [7, 8, 1, 8, 1, 9]);
      const inner = obj(list.items[1]);
      assert.deepEqual(r(inner.range), [10, 21, 1, 11, 1, 22]);
      const b = mem(inner, 'b');
      assert.deepEqual(r(b.range), [11, 20, 1, 12, 1, 21]);
      assert.deepEqual(r(b.value!.range), [16, 20, 1, 17, 1, 21]);
      const c = mem(root, 'c');
      assert.deepEqual(r(c.range), find(text, '"c": null'));
      assert.deepEqual(r(c.value!.range), find(text, 'null'));
    });

    it('tracks lines and columns in a multi-line file', () => {
      const text = ['{', '  "pipes": [', '    {', '      "_id": "p1",', '      "n": 73.50', '    }', '  ]', '}', ''].join('\n');
      const res = parse(text);
      assert.deepEqual(res.problems, []);
      const root = obj(res.root);
      assert.deepEqual(r(root.range), [0, 68, 1, 1, 8, 2]);
      const pipes = mem(root, 'pipes');
      assert.deepEqual(r(pipes.range), [4, 66, 2, 3, 7, 4]);
      const pipe = obj(arr(pipes.value).items[0]);
      assert.deepEqual(r(pipe.range), [19, 62, 3, 5, 6, 6]);
      const id = mem(pipe, '_id');
      assert.deepEqual(r(id.key.range), [27, 32, 4, 7, 4, 12]);
      assert.deepEqual(r(id.value!.range), [34, 38, 4, 14, 4, 18]);
      const n = mem(pipe, 'n');
      assert.deepEqual(r(n.value!.range), [51, 56, 5, 12, 5, 17]);
      assert.equal(n.value?.kind === 'number' && n.value.text, '73.50');
    });

    it('treats \\r\\n and a lone \\r as line breaks', () => {
      const crlf = '{\r\n  "a": [1,\r\n    2],\r\n  "b": "x"\r\n}';
      const res = parse(crlf);
      assert.deepEqual(res.problems, []);
      assert.deepEqual(r(mem(res.root, 'b').value!.range), [31, 34, 4, 8, 4, 11]);
      assert.deepEqual(r(mem(res.root, 'a').range), [5, 21, 2, 3, 3, 7]);
      assert.deepEqual(r(obj(res.root).range), [0, 37, 1, 1, 5, 2]);
      const cr = '{\r  "a": 1\r}';
      const res2 = parse(cr);
      assert.deepEqual(r(mem(res2.root, 'a').range), [4, 10, 2, 3, 2, 9]);
      assert.deepEqual(r(obj(res2.root).range), [0, 12, 1, 1, 3, 2]);
    });

    it('counts offsets and columns in UTF-16 units with non-ASCII and astral characters', () => {
      const text = '{"é😀": "x😀y",\n "ü": [1, "𝄞", 2]}';
      const res = parse(text);
      assert.deepEqual(res.problems, []);
      const m = mem(res.root, 'é😀');
      // "é😀" is 1 + 2 UTF-16 units plus the quotes.
      assert.deepEqual(r(m.key.range), [1, 6, 1, 2, 1, 7]);
      assert.deepEqual(r(m.value!.range), [8, 14, 1, 9, 1, 15]);
      assert.equal(str(m.value).value, 'x😀y');
      const u = mem(res.root, 'ü');
      const items = arr(u.value).items;
      assert.deepEqual(r(items[1]!.range), [26, 30, 2, 11, 2, 15]);
      assert.deepEqual(r(items[2]!.range), [32, 33, 2, 17, 2, 18]);
      assert.equal(text.slice(26, 30), '"𝄞"');
    });

    it('sets parent links on every node', () => {
      const res = parse('{"a": [1, {"b": "c"}], "d": {}}');
      const root = obj(res.root);
      assert.equal(root.parent, undefined);
      const a = mem(root, 'a');
      assert.equal(a.key.parent, root);
      assert.equal(a.value!.parent, root);
      const list = arr(a.value);
      for (const item of list.items) assert.equal(item.parent, list);
      const inner = obj(list.items[1]);
      assert.equal(mem(inner, 'b').key.parent, inner);
      assert.equal(mem(inner, 'b').value!.parent, inner);
      assert.equal(mem(root, 'd').value!.parent, root);
    });

    it('gives a member without a value the range of its key and colon', () => {
      const text = '{"a": , "b" }';
      const res = parse(text);
      assert.deepEqual(r(mem(res.root, 'a').range), find(text, '"a":'));
      assert.equal(mem(res.root, 'a').value, undefined);
      assert.deepEqual(r(mem(res.root, 'b').range), find(text, '"b"'));
    });
  });

  describe('strings', () => {
    it('decodes every JSON escape', () => {
      const res = parse(String.raw`["\" \\ \/ \b \f \n \r \t", "\u0041\u00e9\u20AC", "\uD83D\uDE00 and \ud834\udd1e"]`);
      assert.deepEqual(res.problems, []);
      const items = arr(res.root).items.map((v) => str(v).value);
      assert.deepEqual(items, ['" \\ / \b \f \n \r \t', 'Aé€', '😀 and 𝄞']);
    });

    it('keeps a lone surrogate escape as a single code unit', () => {
      const res = parse(String.raw`"\ud83d"`);
      assert.deepEqual(res.problems, []);
      assert.equal(str(res.root).value, '\ud83d');
    });

    it('reports an invalid escape at the escape and still produces the string', () => {
      const text = String.raw`{"a": "x\qy", "b": 1}`;
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [p.code, r(p.range)]), [['json-syntax', find(text, String.raw`\q`)]]);
      assert.match(res.problems[0]!.message, /Invalid escape sequence '\\q'/);
      assert.equal(str(mem(res.root, 'a').value).value, 'xqy');
      assert.deepEqual(r(mem(res.root, 'a').value!.range), find(text, String.raw`"x\qy"`));
      assert.equal(toPlain(mem(res.root, 'b').value), 1);
    });

    it('reports a short \\u escape with its range', () => {
      const text = String.raw`["a\u12G"]`;
      const res = parse(text);
      assert.equal(res.problems.length, 1);
      assert.deepEqual(r(res.problems[0]!.range), find(text, String.raw`\u12`));
      assert.match(res.problems[0]!.message, /unicode escape/);
      assert.equal(str(arr(res.root).items[0]).value, 'aG');
    });

    it('reports a raw control character at its position', () => {
      const text = '{"a": "x\ty\u0001z"}';
      const res = parse(text);
      assert.deepEqual(
        res.problems.map((p) => r(p.range)),
        [find(text, '\t'), find(text, '\u0001')],
      );
      assert.ok(res.problems.every((p) => p.code === 'json-syntax' && p.severity === 'error'));
      assert.equal(str(mem(res.root, 'a').value).value, 'x\ty\u0001z');
    });

    it('reports an unterminated string once and goes on with the next line', () => {
      const text = '{\n  "a": "abc,\n  "b": 2\n}';
      const res = parse(text);
      assert.deepEqual(res.problems.map(brief), [`json-syntax@9-14: Unterminated string`]);
      assert.deepEqual(r(res.problems[0]!.range), [9, 14, 2, 8, 2, 13]);
      assert.equal(str(mem(res.root, 'a').value).value, 'abc,');
      assert.equal(toPlain(mem(res.root, 'b').value), 2);
    });

    it('reports single-quoted strings but keeps their value', () => {
      const text = `{"a": 'it\\'s'}`;
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => r(p.range)), [find(text, `'it\\'s'`)]);
      assert.match(res.problems[0]!.message, /double quotes/);
      assert.equal(str(mem(res.root, 'a').value).value, "it's");
    });
  });

  describe('numbers', () => {
    it('keeps the exact source text', () => {
      const texts = ['73.50', '1E+2', '1e-7', '-0', '0.0', '-12', '100', '3.14159265358979323846'];
      const res = parse(`[${texts.join(', ')}]`);
      assert.deepEqual(res.problems, []);
      assert.deepEqual(
        arr(res.root).items.map((v) => (v.kind === 'number' ? v.text : v.kind)),
        texts,
      );
    });

    const invalid: [string, RegExp][] = [
      ['012', /leading zeros/],
      ['-007', /leading zeros/],
      ['+1', /leading '\+'/],
      ['.5', /before the decimal point/],
      ['5.', /after the decimal point/],
      ['0x1F', /hexadecimal/],
      ['1e', /exponent/],
      ['1.5e+', /exponent/],
      ['NaN', /not a valid JSON number/],
      ['-Infinity', /not a valid JSON number/],
      ['Infinity', /not a valid JSON number/],
    ];
    for (const [num, msg] of invalid) {
      it(`reports ${num} and still produces a number node`, () => {
        const text = `{"x": ${num}, "y": 2}`;
        const res = parse(text);
        assert.equal(res.problems.length, 1, res.problems.map(brief).join('\n'));
        const p = res.problems[0]!;
        assert.equal(p.code, 'json-syntax');
        assert.equal(p.severity, 'error');
        assert.deepEqual(r(p.range), find(text, num));
        assert.match(p.message, msg);
        const v = mem(res.root, 'x').value;
        assert.ok(v && v.kind === 'number');
        assert.equal(v.text, num);
        assert.equal(toPlain(mem(res.root, 'y').value), 2);
      });
    }
  });

  describe('comments', () => {
    it('reports each comment with its range and otherwise ignores it', () => {
      const text = '{\n  // line comment\n  "a": 1, /* block\n  comment */ "b": [2 /* x */, 3]\n}';
      const res = parse(text);
      assert.deepEqual(
        res.problems.map((p) => [p.code, p.severity, r(p.range)]),
        [
          ['json-comment', 'error', find(text, '// line comment')],
          ['json-comment', 'error', find(text, '/* block\n  comment */')],
          ['json-comment', 'error', find(text, '/* x */')],
        ],
      );
      assert.ok(res.problems.every((p) => p.message === 'Comments are not allowed in JSON config files'));
      assert.deepEqual(toPlain(res.root), { a: 1, b: [2, 3] });
      assert.deepEqual(r(mem(res.root, 'b').range), find(text, '"b": [2 /* x */, 3]'));
    });

    it('does not stop the analysis of later errors', () => {
      const text = '// header\n{"a": 1 "b": 2}';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => p.code), ['json-comment', 'json-syntax']);
      assert.deepEqual(r(res.problems[1]!.range), find(text, '"b"'));
      assert.deepEqual(toPlain(res.root), { a: 1, b: 2 });
    });

    it('reports an unclosed block comment', () => {
      const text = '{"a": 1} /* never closed\n';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [p.code, r(p.range)]), [['json-comment', expected(text, 9, text.length)]]);
      assert.match(res.problems[0]!.message, /not closed/);
      assert.deepEqual(toPlain(res.root), { a: 1 });
    });
  });

  describe('trailing commas', () => {
    it('reports trailing commas in objects and arrays at the comma', () => {
      const text = '{"a": [1, 2,], "b": {"c": 3,},}';
      const res = parse(text);
      assert.deepEqual(
        res.problems.map((p) => [p.code, p.severity, r(p.range)]),
        [
          ['json-trailing-comma', 'error', expected(text, 11, 12)],
          ['json-trailing-comma', 'error', expected(text, 27, 28)],
          ['json-trailing-comma', 'error', expected(text, 29, 30)],
        ],
      );
      assert.ok(res.problems.every((p) => p.message === 'Trailing comma is not allowed in JSON'));
      assert.deepEqual(toPlain(res.root), { a: [1, 2], b: { c: 3 } });
      assert.equal(arr(mem(res.root, 'a').value).items.length, 2);
    });

    it('does not stop the analysis of later errors', () => {
      const text = '{"x": [1,], "y": tru, "z": 3}';
      const res = parse(text);
      assert.deepEqual(
        res.problems.map((p) => [p.code, r(p.range)]),
        [
          ['json-trailing-comma', find(text, ',')],
          ['json-syntax', find(text, 'tru')],
        ],
      );
      assert.deepEqual(toPlain(res.root), { x: [1], y: null, z: 3 });
    });
  });

  describe('duplicate keys', () => {
    it('warns at the later key and names the first occurrence', () => {
      const text = '{\n  "a": 1,\n  "b": {"c": 1, "c": 2},\n  "a": 3\n}';
      const res = parse(text);
      assert.deepEqual(
        res.problems.map((p) => [p.code, p.severity, r(p.range)]),
        [
          ['json-duplicate-key', 'warning', find(text, '"c"', 1)],
          ['json-duplicate-key', 'warning', find(text, '"a"', 1)],
        ],
      );
      assert.equal(res.problems[0]!.message, "Duplicate key 'c' (first defined at line 3)");
      assert.equal(res.problems[1]!.message, "Duplicate key 'a' (first defined at line 2)");
      // The tree keeps both members; nav's member() picks the last, like JSON.parse.
      assert.equal(obj(res.root).members.length, 3);
      assert.deepEqual(toPlain(res.root), { a: 3, b: { c: 2 } });
    });

    it('compares decoded keys and works for large objects', () => {
      const keys = Array.from({ length: 20 }, (_, i) => `"k${i}": ${i}`);
      const text = `{${keys.join(', ')}, "k\\u0035": 5}`;
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => p.code), ['json-duplicate-key']);
      assert.match(res.problems[0]!.message, /'k5'/);
      assert.deepEqual(r(res.problems[0]!.range), find(text, '"k\\u0035"'));
    });
  });

  describe('error recovery', () => {
    it('reports exactly the three errors of a file and keeps the rest of the tree', () => {
      const text = '{"a": 1 "b": 2, "c": [1,, 2], "d": {"e": tru}}';
      const res = parse(text);
      assert.deepEqual(
        res.problems.map((p) => [p.code, p.severity, r(p.range)]),
        [
          ['json-syntax', 'error', find(text, '"b"')],
          ['json-syntax', 'error', find(text, ',', 2)],
          ['json-syntax', 'error', find(text, 'tru')],
        ],
      );
      assert.equal(res.problems[0]!.message, "Expected ',' or '}' after object member");
      assert.equal(res.problems[1]!.message, 'Expected a value');
      assert.match(res.problems[2]!.message, /^Unexpected 'tru': expected a value/);
      const root = obj(res.root);
      assert.deepEqual(
        root.members.map((m) => m.key.value),
        ['a', 'b', 'c', 'd'],
      );
      assert.deepEqual(toPlain(root), { a: 1, b: 2, c: [1, 2], d: { e: null } });
      const e = mem(mem(root, 'd').value, 'e');
      assert.equal(e.value, undefined);
      assert.deepEqual(r(e.range), find(text, '"e":'));
      assert.deepEqual(r(mem(root, 'd').value!.range), find(text, '{"e": tru}'));
    });

    it('reports each independent error of a multi-line file at its place', () => {
      const text = [
        '{',
        '  "_id": "p1"', // missing comma
        '  "type" "pipe",', // missing colon
        '  "source": {"type": "sql",',
        '    "table": "abc,', // unterminated string
        '    "schema": "dbo"},',
        '  "sink": {"type": "dataset"} ],', // stray token
        '  "pump": {"schedule_interval": 30}', // missing closing brace at the end
      ].join('\n');
      const res = parse(text);
      assert.deepEqual(
        res.problems.map((p) => [r(p.range), p.message]),
        [
          [find(text, '"type"'), "Expected ',' or '}' after object member"],
          [find(text, '"pipe"'), "Expected ':' after property name"],
          [find(text, '"abc,'), 'Unterminated string'],
          [find(text, ']'), "Unexpected ']' in an object"],
          [expected(text, text.length, text.length), "Unexpected end of file: '{' at line 1 is not closed"],
        ],
      );
      assert.deepEqual(r(res.problems[2]!.range), [74, 79, 5, 14, 5, 19]);
      assert.deepEqual(toPlain(res.root), {
        _id: 'p1',
        type: 'pipe',
        source: { type: 'sql', table: 'abc,', schema: 'dbo' },
        sink: { type: 'dataset' },
        pump: { schedule_interval: 30 },
      });
    });

    it('reports a wrong closing bracket against the unclosed opener', () => {
      const text = '{"a": [1, 2}';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [r(p.range), p.message]), [[find(text, '}'), "Expected ']' to close '[' at line 1, found '}'"]]);
      assert.deepEqual(toPlain(res.root), { a: [1, 2] });
      const text2 = '[{"a": 1]';
      const res2 = parse(text2);
      assert.deepEqual(res2.problems.map((p) => [r(p.range), p.message]), [[find(text2, ']'), "Expected '}' to close '{' at line 1, found ']'"]]);
      assert.deepEqual(toPlain(res2.root), [{ a: 1 }]);
    });

    it('reports an unclosed container at the end of the input once', () => {
      const text = '{"a": {"b": [1, {"c": 2}\n\n';
      const res = parse(text);
      assert.equal(res.problems.length, 1);
      // Just after the last token (where the missing brackets belong), not after the blank lines.
      assert.deepEqual(r(res.problems[0]!.range), [24, 24, 1, 25, 1, 25]);
      assert.equal(res.problems[0]!.message, "Unexpected end of file: '[' at line 1 is not closed");
      assert.deepEqual(toPlain(res.root), { a: { b: [1, { c: 2 }] } });
      assert.deepEqual(r(obj(res.root).range), expected(text, 0, 24));
    });

    it('does not cascade after a stray token', () => {
      const text = '{"a": 1 2 3 @ 4, "b": [1 : 2, 3], "c": 3}';
      const res = parse(text);
      assert.deepEqual(
        res.problems.map((p) => [r(p.range), p.message]),
        [
          [find(text, '2'), "Expected ',' or '}' after object member"],
          [find(text, ':', 2), "Expected ',' or ']' after array item"],
        ],
      );
      assert.deepEqual(toPlain(res.root), { a: 1, b: [1, 2, 3], c: 3 });
    });

    it("reports '[' used for '{' once rather than at every member", () => {
      const text = '{"a": ["x": 1, "y": 2], "b": 3}';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [r(p.range), p.message]), [[find(text, ':', 1), "Expected ',' or ']' after array item"]]);
      assert.deepEqual(toPlain(res.root), { a: ['x', 1, 'y', 2], b: 3 });
    });

    it('reports a stray closer inside a nested object without closing the outer containers', () => {
      const text = '[{"a": {"b": 1]}, "c": 2}]';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [r(p.range), p.message]), [[find(text, ']'), "Unexpected ']' in an object"]]);
      assert.deepEqual(toPlain(res.root), [{ a: { b: 1 }, c: 2 }]);
    });

    it('deduplicates problems at the same offset', () => {
      // A missing value followed by a member with no comma: one problem at "b".
      const text = '{"a": "b": 1}';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [r(p.range), p.message]), [[find(text, '"b"'), 'Expected a value']]);
      assert.deepEqual(toPlain(res.root), { a: null, b: 1 });
    });

    it('reports content after the root value once', () => {
      const text = '{"a": 1} {"b": [} ]';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [r(p.range), p.message]), [[find(text, '{', 1), "Unexpected '{' after the end of the JSON value"]]);
      assert.deepEqual(toPlain(res.root), { a: 1 });
    });

    it('reports junk before the root value', () => {
      const text = ', ] {"a": 1}';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [r(p.range), p.message]), [[find(text, ','), "Expected a value, found ','"]]);
      assert.deepEqual(toPlain(res.root), { a: 1 });
    });

    it('handles unquoted keys, wrong-case literals and bad characters', () => {
      const text = '{name: "x", "t": True, "n": NULL, "bad": #, "ok": 1}';
      const res = parse(text);
      assert.deepEqual(
        res.problems.map((p) => [r(p.range), p.message]),
        [
          [find(text, 'name'), "Property names must be strings in double quotes: 'name'"],
          [find(text, 'True'), "Invalid literal 'True': JSON literals are lowercase ('true')"],
          [find(text, 'NULL'), "Invalid literal 'NULL': JSON literals are lowercase ('null')"],
          [find(text, '#'), 'Expected a value'],
        ],
      );
      assert.deepEqual(toPlain(res.root), { name: 'x', t: true, n: null, bad: null, ok: 1 });
    });

    it('reports a missing colon and keeps the value', () => {
      const text = '{"a" 1, "b": 2}';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [r(p.range), p.message]), [[find(text, '1'), "Expected ':' after property name"]]);
      assert.deepEqual(toPlain(res.root), { a: 1, b: 2 });
    });

    it('reports a missing value at the end of the input', () => {
      const text = '{"a":';
      const res = parse(text);
      assert.deepEqual(res.problems.map((p) => [r(p.range), p.message]), [[expected(text, 5, 5), 'Expected a value']]);
      assert.deepEqual(toPlain(res.root), { a: null });
    });

    it('skips containers nested too deeply without overflowing the stack', () => {
      for (const [open, close] of [['[', ']'], ['{"a":', '}']] as const) {
        const text = open.repeat(20000) + '1' + close.repeat(20000);
        const res = parseJson(text);
        assert.equal(res.problems.length, 1);
        assert.match(res.problems[0]!.message, /Nesting is too deep/);
        assert.equal(res.root?.range.end, text.length);
      }
      const res = parseJson('['.repeat(20000));
      assert.deepEqual(res.problems.map((p) => p.range.start), [128, 20000]);
    });
  });

  describe('empty input', () => {
    for (const text of ['', '   \n\t ', '// nothing here\n', '/* */']) {
      it(`reports an empty file for ${JSON.stringify(text)}`, () => {
        const res = parse(text);
        assert.equal(res.root, undefined);
        const syntax = syntaxErrors(res);
        assert.equal(syntax.length, 1);
        assert.equal(syntax[0]!.message, 'The file is empty');
        assert.deepEqual(r(syntax[0]!.range), [0, 0, 1, 1, 1, 1]);
        assert.equal(res.problems.length - syntax.length, text.includes('/') ? 1 : 0);
      });
    }
  });

  describe('fuzzing', () => {
    const base = JSON.stringify(
      [
        {
          _id: 'person-crm',
          type: 'pipe',
          source: { type: 'sql', system: 'crm', table: 'person', updated_column: 'modified' },
          transform: {
            type: 'dtl',
            rules: { default: [['copy', '*'], ['add', 'name', ['concat', '_S.first', ' ', '_S.last']], ['add', 'score', 73.5], ['filter', ['gt', '_S.age', 18]]] },
          },
          sink: { type: 'dataset', dataset: 'person' },
          flags: [true, false, null, -1.5e3, 'é😀\n"'],
        },
      ],
      null,
      2,
    );
    const snippets = ['{', '}', '[', ']', ',', ':', '"', "'", '\\', '/*', '//', '*/', '\n', '\r', 'tru', 'null', '012', '-', '.5', '\u0000', '\t', '😀', '\ud83d', '"a":', '\uFEFF', '"\\u12', '1e'];

    function mutate(text: string, rand: (n: number) => number): string {
      const ops = 1 + rand(4);
      let t = text;
      for (let k = 0; k < ops; k++) {
        const at = rand(t.length + 1);
        const kind = rand(5);
        if (kind === 0) t = t.slice(0, at); // truncate
        else if (kind === 1) t = t.slice(0, at) + t.slice(at + 1 + rand(10)); // delete a run
        else if (kind === 2) t = t.slice(0, at) + snippets[rand(snippets.length)]! + t.slice(at); // insert
        else if (kind === 3) t = t.slice(0, at) + String.fromCharCode(rand(0x3000)) + t.slice(at + 1); // replace a char
        else {
          const from = rand(t.length);
          t = t.slice(0, at) + t.slice(from, from + rand(30)) + t.slice(at); // duplicate a piece
        }
      }
      return t;
    }

    it('never throws and always returns consistent ranges on 600 mutated inputs', function () {
      this.timeout(120000);
      const rand = prng(20240611);
      for (let i = 0; i < 600; i++) {
        const text = mutate(i % 3 === 0 ? base : base.replace(/\n\s*/g, ''), rand);
        let res: ParseResult;
        try {
          res = parseJson(text);
        } catch (e) {
          assert.fail(`parseJson threw on input #${i} ${JSON.stringify(text)}: ${String(e)}`);
        }
        try {
          checkInvariants(text, res);
        } catch (e) {
          assert.fail(`invariant broken on input #${i} ${JSON.stringify(text)}: ${String(e)}`);
        }
        // Syntax problems never repeat at one offset.
        const starts = syntaxErrors(res).map((p) => p.range.start);
        assert.equal(new Set(starts).size, starts.length, `duplicate problems on input #${i}`);
        // Where JSON.parse agrees the text is valid, the tree matches it and nothing is reported.
        let valid = true;
        let data: unknown;
        try {
          data = JSON.parse(text);
        } catch {
          valid = false;
        }
        if (valid) {
          assert.deepEqual(res.problems.filter((p) => p.severity === 'error'), [], `input #${i}`);
          assert.deepEqual(toPlain(res.root), data);
        } else {
          assert.ok(res.problems.some((p) => p.severity === 'error'), `no error for invalid input #${i} ${JSON.stringify(text)}`);
        }
      }
    });

    it('never throws on random token soup', () => {
      const rand = prng(7);
      for (let i = 0; i < 300; i++) {
        let text = '';
        const n = rand(40);
        for (let k = 0; k < n; k++) text += snippets[rand(snippets.length)]! + (rand(10) < 3 ? ' ' : '');
        checkInvariants(text, parseJson(text));
      }
    });
  });
});
