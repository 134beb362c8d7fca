/**
 * False positives are worse than misses: every valid config written from the Sesam docs'
 * examples (compiler/test/fixtures/docs-corpus) and the samples check with zero errors.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkProject } from '../../src/check/check-project.js';
import { loadProject } from '../../src/project/load.js';
import { REPO } from '../helpers.js';

const CORPUS = path.join(REPO, 'compiler', 'test', 'fixtures', 'docs-corpus');

describe('docs corpus: dtl check finds no errors', () => {
  const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.json')).sort();
  it('has at least 40 files', () => assert.ok(files.length >= 40, String(files.length)));
  for (const f of files) {
    it(f, () => {
      const result = checkProject(loadProject(path.join(CORPUS, f)));
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors.map((d) => `${d.range.line}:${d.range.column} ${d.code} ${d.message}`), []);
      // Warnings are allowed only for things the docs' examples really do (cycles through own sinks, lone systems).
      const allowed = new Set(['graph-cycle', 'system-unused', 'dtl-hops-repeated-join']);
      assert.deepEqual(result.diagnostics.filter((d) => d.severity === 'warning' && !allowed.has(d.code)).map((d) => `${d.code} ${d.message}`), []);
    });
  }
  it('the samples check clean', () => {
    for (const s of fs.readdirSync(path.join(REPO, 'samples'))) {
      const result = checkProject(loadProject(path.join(REPO, 'samples', s)));
      assert.deepEqual(result.diagnostics, [], s);
    }
  });
});
