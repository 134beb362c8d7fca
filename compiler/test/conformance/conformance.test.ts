/**
 * Runs every case in conformance/*.json (documented DTL examples → expected results) through
 * the real elaboration, code generation and runtime library. The files are read with the
 * syntax parser so number literals keep their exact text (`1.0` is a float, `1` an integer).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { STORED, parseJson, writeCanonical } from '@dtl/runtime/values/json';
import type { Value } from '@dtl/runtime/values/types';
import { evaluateDtl } from '../../src/eval/evaluate.js';
import { parseJson as parseSyntax } from '../../src/syntax/parser.js';
import { member } from '../../src/syntax/nav.js';
import type { JsonValue } from '../../src/syntax/tree.js';

const DIR = fileURLToPath(new URL('../../../../conformance/', import.meta.url));

for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()) {
  const text = fs.readFileSync(path.join(DIR, file), 'utf8');
  const tree = parseSyntax(text);
  describe(`conformance: ${file}`, () => {
    it('is a well-formed case list', () => {
      assert.deepEqual(tree.problems, []);
      assert.equal(tree.root?.kind, 'array');
    });
    if (tree.root?.kind !== 'array') return;
    const ids = new Set<string>();
    for (const c of tree.root.items) {
      if (c.kind !== 'object') continue;
      const slice = (k: string): string | undefined => {
        const v: JsonValue | undefined = member(c, k)?.value;
        return v ? text.slice(v.range.start, v.range.end) : undefined;
      };
      const id = JSON.parse(slice('id') ?? '"?"') as string;
      const doc = slice('doc');
      it(id, async () => {
        assert.ok(!ids.has(id), `duplicate case id ${id}`);
        ids.add(id);
        const rules = slice('rules');
        const error = slice('error');
        const expected = writeCanonical(parseJson(slice('expected') ?? 'null', STORED));
        // Once with constant folding (calls evaluated by the compiler), once with every call at run time.
        for (const fold of [true, false]) {
          const r = await evaluateDtl({ expr: slice('expr'), rules, source: slice('source'), hops: slice('hops'), env: slice('env') ? JSON.parse(slice('env')!) : undefined, nowNs: 1577836800000000000n, fold });
          if (error !== undefined) {
            const want = JSON.parse(error) as string;
            assert.ok(!r.ok && r.error?.includes(want), `${id}${fold ? '' : ' (no folding)'}: expected an error containing ${JSON.stringify(want)}, got ${JSON.stringify(r)}`);
            continue;
          }
          if (!r.ok) assert.fail(`${id} did not compile or run: ${r.error ?? r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('; ')}`);
          const actual: Value = rules !== undefined ? (r.emitted as Value) : r.value;
          assert.equal(writeCanonical(actual), expected, `${id}${fold ? '' : ' (no folding)'}${doc ? ` ${doc}` : ''}`);
        }
      });
    }
  });
}
