/**
 * The strict fast path of parseJson must build exactly what the error-tolerant parser builds
 * for valid JSON (nodes, parent links, every range, duplicate-key warnings), and must step
 * aside for everything else.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_NESTING_DEPTH, parseJson, parseJsonTolerant } from '../../src/syntax/parser.js';
import { LineIndex } from '../../src/syntax/lines.js';
import { BAIL, parseStrict } from '../../src/syntax/strict.js';
import type { SyntaxProblem } from '../../src/syntax/tree.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../../../..');

function strict(text: string): ReturnType<typeof parseStrict> {
  const problems: SyntaxProblem[] = [];
  return parseStrict(text, new LineIndex(text), problems, MAX_NESTING_DEPTH);
}

function assertSameParse(text: string, label: string): void {
  assert.notEqual(strict(text), BAIL, `${label}: the strict path should take valid JSON`);
  assert.deepStrictEqual(parseJson(text), parseJsonTolerant(text), label);
}

/** Random JSON with the whitespace, escapes and shapes that matter for ranges. */
function randomJson(seed: number): string {
  let x = seed;
  const rnd = (n: number): number => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
  const ws = (): string => ['', ' ', '\n', '\r\n', '\r', '\t  ', ' \n  '][rnd(7)]!;
  const str = (): string => JSON.stringify(['a', 'key', '', 'é ü', '😀', 'tab\there', 'q"uote', 'back\\slash', '\u2028', 'a/b'][rnd(10)]).replace('/', rnd(2) ? '\\/' : '/');
  const num = (): string => ['0', '-0', '12', '-3.5', '1e10', '2.50E-3', '123456789012345678901234', '0.0'][rnd(8)]!;
  const value = (depth: number): string => {
    const k = rnd(depth > 4 ? 5 : 7);
    if (k === 0) return str();
    if (k === 1) return num();
    if (k === 2) return ['true', 'false', 'null'][rnd(3)]!;
    if (k === 3) return '"\\u00e9\\n\\"x"';
    if (k === 5) return '[' + ws() + Array.from({ length: rnd(4) }, () => value(depth + 1)).join(ws() + ',' + ws()) + ws() + ']';
    if (k === 6 || k === 4) {
      const keys = Array.from({ length: rnd(5) }, () => ['"a"', '"b"', '"_id"', '"a"', '"é"'][rnd(5)]!);
      return '{' + ws() + keys.map((key) => key + ws() + ':' + ws() + value(depth + 1)).join(ws() + ',' + ws()) + ws() + '}';
    }
    return str();
  };
  return ws() + value(0) + ws();
}

describe('syntax: the strict fast path', () => {
  it('builds the same trees and warnings as the tolerant parser on the docs corpus and the samples', () => {
    const dirs = [path.join(repo, 'compiler', 'test', 'fixtures', 'docs-corpus'), path.join(repo, 'samples', 'tutorial')];
    let n = 0;
    for (const dir of dirs) {
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json'))) {
        assertSameParse(fs.readFileSync(path.join(dir, f), 'utf8'), f);
        n++;
      }
    }
    assert.ok(n > 50, `only ${n} files`);
  });

  it('builds the same trees on random JSON (line breaks of every kind, escapes, duplicate keys)', () => {
    let duplicates = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const text = randomJson(seed);
      assertSameParse(text, `seed ${seed}: ${text}`);
      if (parseJson(text).problems.some((p) => p.code === 'json-duplicate-key')) duplicates++;
    }
    assert.ok(duplicates > 10, 'the random documents exercise duplicate keys');
  });

  it('nests up to the depth limit and steps aside beyond it', () => {
    const deep = (d: number): string => '['.repeat(d) + ']'.repeat(d);
    assertSameParse(deep(MAX_NESTING_DEPTH), 'at the limit');
    assert.equal(strict(deep(MAX_NESTING_DEPTH + 1)), BAIL);
    assert.deepStrictEqual(parseJson(deep(MAX_NESTING_DEPTH + 1)), parseJsonTolerant(deep(MAX_NESTING_DEPTH + 1)));
  });

  it('leaves everything that is not strict JSON to the tolerant parser', () => {
    const notStrict = [
      '', '   ', '{"a": 1,}', '[1, 2,]', '// c\n{}', '{"a": 1} /* x */', "{'a': 1}", '{"a": 01}', '{"a": 1.}', '{"a": .5}', '{"a": +1}',
      '{"a": 1e}', '{"a": 0x1F}', '{"a": NaN}', '{"a": True}', '{"a": nul}', '{"a": truex}', '{"a": true$}', '{a: 1}', '{"a" 1}', '{"a": 1 "b": 2}',
      '{"a": "x\ty"}', '{"a": "\\x"}', '{"a": "\\u12"}', '{"a": "open', '{"a": 1', '[1 2]', '{} {}', '\ufeff{}', '{"a": 1}\u00a0', '{"a": -}', '{"a": 1-2}', '{"a": 12abc}',
    ];
    for (const text of notStrict) {
      assert.equal(strict(text), BAIL, JSON.stringify(text));
      assert.deepStrictEqual(parseJson(text), parseJsonTolerant(text), JSON.stringify(text));
    }
    // ...and the tolerant parser still explains the problem.
    assert.ok(parseJson('{"a": 1,}').problems.some((p) => p.code === 'json-trailing-comma'));
  });
});
