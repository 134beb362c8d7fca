/**
 * Every diagnostic code: a config that makes it fire (at the right place) and a close
 * variant that keeps it silent.
 */
import assert from 'node:assert/strict';
import { checkProject, type CheckOptions } from '../../src/check/check-project.js';
import { RULES } from '../../src/check/codes.js';
import { projectFromFiles } from '../../src/project/load.js';
import { parseJson } from '../../src/syntax/parser.js';
import type { Diagnostic } from '../../src/diagnostics.js';

function check(text: string, options: CheckOptions = {}, rel = 'sesam.conf.json'): Diagnostic[] {
  const file = { path: '/p/' + rel, display: rel, rel, text, parse: parseJson(text) };
  return checkProject(projectFromFiles('/p', [file]), options).diagnostics;
}

/** A project with an `orders` and a `products` dataset and one pipe `p` running the rules. */
function withRules(rules: unknown): string {
  return JSON.stringify(
    [
      { _id: 'customers', type: 'pipe', source: { type: 'embedded', entities: [] } },
      { _id: 'orders', type: 'pipe', source: { type: 'embedded', entities: [] } },
      { _id: 'products', type: 'pipe', source: { type: 'embedded', entities: [] } },
      { _id: 'p', type: 'pipe', source: { type: 'dataset', dataset: 'customers' }, transform: { type: 'dtl', rules } },
    ],
    null,
    2,
  );
}

const codes = (ds: Diagnostic[]): string[] => ds.map((d) => d.code);

interface Case {
  readonly code: string;
  readonly bad: string;
  readonly good: string;
  /** Text the diagnostic's range must cover. */
  readonly at?: string;
  readonly message?: RegExp;
  readonly options?: CheckOptions;
}

const hops = (spec: unknown): unknown => ['hops', spec];

const CASES: Case[] = [
  { code: 'dtl-unknown-function', bad: withRules({ default: [['add', 'x', ['concatt', 'a']]] }), good: withRules({ default: [['add', 'x', ['concat', 'a']]] }), at: '"concatt"', message: /Did you mean 'concat'/ },
  { code: 'dtl-unknown-function', bad: withRules({ default: [['ad', 'x', 1]] }), good: withRules({ default: [['add', 'x', 1]] }), at: '"ad"' },
  { code: 'dtl-arity', bad: withRules({ default: [['add', 'x']] }), good: withRules({ default: [['add', 'x', 1]] }), message: /'add' takes exactly 2 arguments, got 1/ },
  { code: 'dtl-arity', bad: withRules({ default: [['add', 'x', ['sorted']]] }), good: withRules({ default: [['add', 'x', ['sorted', '_S.a']]] }) },
  { code: 'dtl-transform-in-expression', bad: withRules({ default: [['add', 'x', ['add', 'y', 1]]] }), good: withRules({ default: [['add', 'x', ['list', 1]]] }), message: /'add' is a transform/ },
  { code: 'dtl-expression-in-statement', bad: withRules({ default: [['concat', 'a']] }), good: withRules({ default: [['add', 'x', ['concat', 'a']]] }), at: '"concat"' },
  { code: 'dtl-expression-in-statement', bad: withRules({ default: ['abc'] }), good: withRules({ default: [['comment', 'abc']] }) },
  { code: 'dtl-unknown-rule', bad: withRules({ default: [['add', 'x', ['apply', 'nope', '_S.a']]] }), good: withRules({ default: [['add', 'x', ['apply', 'r', '_S.a']]], r: [['copy', '*']] }), at: '"nope"' },
  { code: 'dtl-unused-rule', bad: withRules({ default: [['copy', '*']], extra: [['copy', '*']] }), good: withRules({ default: [['add', 'x', ['apply', 'extra', '_S.a']]], extra: [['copy', '*']] }), at: '"extra"' },
  { code: 'dtl-missing-default-rule', bad: withRules({ other: [['copy', '*']] }), good: withRules({ default: [['copy', '*']] }) },
  { code: 'dtl-malformed-rule', bad: withRules({ default: { add: 1 } }), good: withRules({ default: [] }) },
  { code: 'dtl-unknown-variable', bad: withRules({ default: [['add', 'x', '_X.foo']] }), good: withRules({ default: [['add', 'x', '_S.foo']] }), message: /'_X' is not a DTL variable/ },
  { code: 'dtl-unbound-variable', bad: withRules({ default: [['add', 'x', '_.foo']] }), good: withRules({ default: [['add', 'x', ['map', '_.foo', '_S.list']]] }) },
  { code: 'dtl-unbound-variable', bad: withRules({ default: [['add', 'x', '_P._S.a']] }), good: withRules({ default: [['add', 'x', ['apply', 'r', '_S.a']]], r: [['add', 'y', '_P._S.a']] }) },
  { code: 'dtl-malformed-path', bad: withRules({ default: [['add', 'x', '_S..foo']] }), good: withRules({ default: [['add', 'x', '_S.foo']] }) },
  { code: 'dtl-malformed-path', bad: withRules({ default: [['add', 'x', "_S.'abc"]] }), good: withRules({ default: [['add', 'x', "_S.'a.b'"]] }), message: /Unterminated quoted path element/ },
  { code: 'dtl-argument-type', bad: withRules({ default: [['add', 'x', ['join', { a: 1 }, '_S.x']]] }), good: withRules({ default: [['add', 'x', ['join', '-', '_S.x']]] }), message: /expects a string as SEPARATOR.*found a dict|expects a string/ },
  { code: 'dtl-argument-type', bad: withRules({ default: [['remove', 42]] }), good: withRules({ default: [['remove', 'tmp_*']] }), message: /pattern/ },
  { code: 'dtl-deprecated', bad: withRules({ default: [['add', 'x', ['curie', 'foo', 'bar']]] }), good: withRules({ default: [['add', 'x', ['uri', 'foo:bar']]] }) },
  {
    code: 'dtl-unknown-alias',
    bad: withRules({ default: [['add', 'x', hops({ datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'], return: 'q' })]] }),
    good: withRules({ default: [['add', 'x', hops({ datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'], return: 'o' })]] }),
  },
  {
    code: 'dtl-unknown-alias',
    bad: withRules({ default: [['add', 'x', hops({ datasets: ['orders o'], where: [['eq', '_S._id', 'o.customer_id'], ['eq', '_S.type', 'x.type']] })]] }),
    good: withRules({ default: [['add', 'x', hops({ datasets: ['orders o'], where: [['eq', '_S._id', 'o.customer_id'], ['eq', '_S.type', 'o.type']] })]] }),
  },
  {
    code: 'dtl-duplicate-alias',
    bad: withRules({ default: [['add', 'x', hops({ datasets: ['orders o', 'products o'], where: ['eq', '_S._id', 'o.customer_id'] })]] }),
    good: withRules({ default: [['add', 'x', hops({ datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'] })]] }),
  },
  {
    code: 'dtl-hops-unjoined-alias',
    bad: withRules({ default: [['add', 'x', hops({ datasets: ['orders o', 'products p'], where: ['eq', '_S._id', 'o.customer_id'] })]] }),
    good: withRules({ default: [['add', 'x', hops({ datasets: ['orders o', 'products p'], where: [['eq', '_S._id', 'o.customer_id'], ['eq', 'o.ean', 'p.ean']] })]] }),
    at: '"products p"',
  },
  {
    code: 'dtl-hops-spec',
    bad: withRules({ default: [['add', 'x', hops({ datasets: ['orders o'] })]] }),
    good: withRules({ default: [['add', 'x', hops({ datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'] })]] }),
  },
  {
    code: 'dtl-hops-unknown-key',
    bad: withRules({ default: [['add', 'x', hops({ datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'], retrun: 'o' })]] }),
    good: withRules({ default: [['add', 'x', hops({ datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'], return: 'o' })]] }),
    message: /Did you mean 'return'/,
  },
  {
    code: 'dtl-apply-hops-rule',
    bad: withRules({ default: [['add', 'x', ['apply', 'r', '_S.a']]], r: [['add', 'y', hops({ datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'] })]] }),
    good: withRules({ default: [['add', 'x', ['apply-hops', 'r', { datasets: ['products p'], where: ['eq', '_S.ean', 'p.ean'] }]]], r: [['add', 'y', hops({ datasets: ['orders o'], where: ['eq', '_S._id', 'o.customer_id'] })]] }),
  },
  { code: 'dtl-malformed-expression', bad: withRules({ default: [['add', 'x', []]] }), good: withRules({ default: [['add', 'x', ['list']]] }) },
  { code: 'dtl-malformed-expression', bad: withRules({ default: [['add', 'x', [1, 2]]] }), good: withRules({ default: [['add', 'x', ['list', 1, 2]]] }) },
  // config and graph
  {
    code: 'config-schema',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'dataset' } }]),
    good: JSON.stringify([{ _id: 'b', type: 'pipe', source: { type: 'embedded', entities: [] } }, { _id: 'a', type: 'pipe', source: { type: 'dataset', dataset: 'b' } }]),
    message: /dataset/,
  },
  {
    code: 'config-unknown-property',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [], entitys: [] } }]),
    good: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] } }]),
    at: '"entitys"',
  },
  {
    code: 'config-duplicate-id',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] } }, { _id: 'a', type: 'system:url', url_pattern: 'http://x/%s' }]),
    good: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] } }]),
  },
  { code: 'config-missing-id', bad: JSON.stringify([{ type: 'pipe', source: { type: 'embedded', entities: [] } }]), good: JSON.stringify([{ _id: 'x', type: 'pipe', source: { type: 'embedded', entities: [] } }]) },
  { code: 'config-invalid-id', bad: JSON.stringify([{ _id: 'a/b', type: 'pipe', source: { type: 'embedded', entities: [] } }]), good: JSON.stringify([{ _id: 'a-b', type: 'pipe', source: { type: 'embedded', entities: [] } }]) },
  { code: 'config-not-an-entity', bad: '[42]', good: '[]' },
  { code: 'config-missing-source', bad: JSON.stringify([{ _id: 'a', type: 'pipe' }]), good: JSON.stringify([{ _id: 'a', type: 'pipe', sink: { type: 'http_endpoint' } }, { _id: 'b', type: 'pipe', source: { type: 'embedded', entities: [] }, sink: { type: 'dataset', dataset: 'a' } }]) },
  {
    code: 'graph-unknown-dataset',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'dataset', dataset: 'nope' } }]),
    good: JSON.stringify([{ _id: 'nope', type: 'pipe', source: { type: 'embedded', entities: [] } }, { _id: 'a', type: 'pipe', source: { type: 'dataset', dataset: 'nope' } }]),
    at: '"nope"',
  },
  {
    code: 'graph-unknown-dataset',
    bad: withRules({ default: [['add', 'x', hops({ datasets: ['invoices i'], where: ['eq', '_S._id', 'i.customer_id'] })]] }),
    good: withRules({ default: [['add', 'x', hops({ datasets: ['orders i'], where: ['eq', '_S._id', 'i.customer_id'] })]] }),
    at: '"invoices i"',
  },
  {
    code: 'graph-multiple-writers',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] } }, { _id: 'b', type: 'pipe', source: { type: 'embedded', entities: [] }, sink: { type: 'dataset', dataset: 'a' } }]),
    good: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] } }, { _id: 'b', type: 'pipe', source: { type: 'embedded', entities: [] }, sink: { type: 'dataset', dataset: 'c' } }]),
  },
  {
    code: 'graph-cycle',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'dataset', dataset: 'b' } }, { _id: 'b', type: 'pipe', source: { type: 'dataset', dataset: 'a' } }]),
    good: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] } }, { _id: 'b', type: 'pipe', source: { type: 'dataset', dataset: 'a' } }]),
  },
  {
    code: 'system-unknown',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'json', system: 'missing', url: 'x' } }]),
    good: JSON.stringify([{ _id: 's', type: 'system:url', url_pattern: 'http://h/%s' }, { _id: 'a', type: 'pipe', source: { type: 'json', system: 's', url: 'x' } }]),
    at: '"missing"',
  },
  {
    code: 'system-incompatible',
    bad: JSON.stringify([{ _id: 's', type: 'system:smtp', smtp_server: 'localhost' }, { _id: 'a', type: 'pipe', source: { type: 'json', system: 's', url: 'x' } }]),
    good: JSON.stringify([{ _id: 's', type: 'system:url', url_pattern: 'http://h/%s' }, { _id: 'a', type: 'pipe', source: { type: 'json', system: 's', url: 'x' } }]),
  },
  {
    code: 'system-unused',
    bad: JSON.stringify([{ _id: 's', type: 'system:url', url_pattern: 'http://h/%s' }]),
    good: JSON.stringify([{ _id: 's', type: 'system:url', url_pattern: 'http://h/%s' }, { _id: 'a', type: 'pipe', source: { type: 'json', system: 's', url: 'x' } }]),
  },
  {
    code: 'env-unknown-variable',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] }, pump: { schedule_interval: '$ENV(intervl)' } }]),
    good: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] }, pump: { schedule_interval: '$ENV(interval)' } }]),
    options: { env: { interval: 60 } },
  },
  {
    code: 'env-malformed-reference',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] }, description: 'x $ENV(oops' }]),
    good: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] }, description: 'x $ENV(ok)' }]),
  },
  {
    code: 'graph-system-dataset',
    bad: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] }, sink: { type: 'dataset', dataset: 'system:mine' } }]),
    good: JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] }, sink: { type: 'dataset', dataset: 'mine' } }]),
  },
  { code: 'json-comment', bad: '[ // a comment\n]', good: '[\n]' },
  { code: 'json-trailing-comma', bad: '[{"_id": "a", "type": "pipe", "source": {"type": "embedded", "entities": []},}]', good: '[{"_id": "a", "type": "pipe", "source": {"type": "embedded", "entities": []}}]' },
  { code: 'json-duplicate-key', bad: '[{"_id": "a", "_id": "a", "type": "pipe", "source": {"type": "embedded", "entities": []}}]', good: '[{"_id": "a", "type": "pipe", "source": {"type": "embedded", "entities": []}}]' },
];

describe('diagnostics: each code fires on a bad config and stays silent on a good one', () => {
  for (const c of CASES) {
    it(`${c.code}: ${c.at ?? c.message ?? ''}`, () => {
      const bad = check(c.bad, c.options);
      const hits = bad.filter((d) => d.code === c.code);
      assert.ok(hits.length > 0, `${c.code} did not fire; got ${JSON.stringify(codes(bad))}`);
      const info = RULES[c.code as keyof typeof RULES];
      assert.ok(info, `${c.code} is not a registered rule`);
      if (c.at) {
        const covered = hits.some((d) => c.bad.slice(d.range.start, d.range.end).includes(c.at!) || c.at!.includes(c.bad.slice(d.range.start, d.range.end)));
        assert.ok(covered, `${c.code} range does not point at ${c.at}: ${hits.map((d) => JSON.stringify(c.bad.slice(d.range.start, d.range.end))).join(', ')}`);
      }
      if (c.message) assert.ok(hits.some((d) => c.message!.test(d.message)), `message ${hits.map((d) => d.message).join(' | ')} does not match ${c.message}`);
      for (const d of hits) {
        assert.ok(d.range.line >= 1 && d.range.column >= 1 && d.range.end >= d.range.start);
        assert.equal(d.range.line, c.bad.slice(0, d.range.start).split('\n').length, 'line number matches the offset');
      }
      const good = check(c.good, c.options);
      assert.deepEqual(good.filter((d) => d.code === c.code), [], `${c.code} fired on the good variant`);
      assert.deepEqual(good.filter((d) => d.severity === 'error'), [], `the good variant has errors: ${JSON.stringify(good.map((d) => d.message))}`);
    });
  }

  it('covers every registered rule code', () => {
    const tested = new Set(CASES.map((c) => c.code));
    const untested = Object.keys(RULES).filter((c) => !tested.has(c) && !['json-syntax', 'dtl-hops-repeated-join', 'config-file-name'].includes(c));
    assert.deepEqual(untested, []);
  });

  it('reports three independent syntax errors at their positions and still checks the rest', () => {
    const text = '[\n  {"_id": "a" "type": "pipe", "source": {"type": "embedded", "entities": []}},\n  {"_id": "b", "type": "pipe", "source": {"type": "dataset", "dataset": "a"}, "x": tru},\n  {"_id": "c", "type": "pipe", "source": {"type": "datset", "dataset": "a"}}\n';
    const ds = check(text);
    const syntax = ds.filter((d) => d.code === 'json-syntax');
    assert.equal(syntax.length, 3, JSON.stringify(syntax.map((d) => `${d.range.line}:${d.range.column} ${d.message}`)));
    assert.deepEqual(syntax.map((d) => d.range.line), [2, 3, 4]);
    // The third pipe is still analysed: its unknown source type is reported.
    assert.ok(ds.some((d) => d.code === 'config-schema' && d.range.line === 4), JSON.stringify(ds.map((d) => d.code)));
  });

  it('notes a repeated join between the same aliases as a filter', () => {
    const ds = check(withRules({ default: [['add', 'x', hops({ datasets: ['orders o'], where: [['eq', '_S._id', 'o.customer_id'], ['eq', '_S.ref', 'o._id']] })]] }));
    assert.ok(ds.some((d) => d.code === 'dtl-hops-repeated-join' && d.severity === 'info'));
  });

  it('warns when a file in pipes/ is not named after its _id', () => {
    const text = JSON.stringify({ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] } });
    assert.ok(check(text, {}, 'pipes/b.conf.json').some((d) => d.code === 'config-file-name'));
    assert.ok(!check(text, {}, 'pipes/a.conf.json').some((d) => d.code === 'config-file-name'));
  });

  it('lets dtl.config.json change severities and turn rules off', () => {
    const bad = withRules({ default: [['copy', '*']], extra: [['copy', '*']] });
    const off = check(bad, { toolConfig: { rules: { 'dtl-unused-rule': 'off' }, externalDatasets: [] } });
    assert.ok(!off.some((d) => d.code === 'dtl-unused-rule'));
    const err = check(bad, { toolConfig: { rules: { 'dtl-unused-rule': 'error' }, externalDatasets: [] } });
    assert.equal(err.find((d) => d.code === 'dtl-unused-rule')?.severity, 'error');
  });

  it('checks the DTL inside chained transforms that are alternatives of a conditional transform', () => {
    const conditional = (rules: unknown): string =>
      JSON.stringify([
        { _id: 'orders', type: 'pipe', source: { type: 'embedded', entities: [] } },
        {
          _id: 'p',
          type: 'pipe',
          source: { type: 'embedded', entities: [] },
          transform: {
            type: 'conditional',
            condition: '$ENV(node-env)',
            alternatives: {
              prod: { type: 'chained', transforms: [{ type: 'dtl', rules: { default: [['copy', '*']] } }, { type: 'dtl', rules }] },
              test: [{ type: 'dtl', rules: { default: [['add', 'y', 1]] } }],
            },
          },
        },
      ]);
    const bad = check(conditional({ default: [['add', 'x', ['concatt', '_S.a']]] }));
    assert.ok(bad.some((d) => d.code === 'dtl-unknown-function'), JSON.stringify(codes(bad)));
    // Hops inside such an alternative count as reads of the hopped dataset.
    const good = check(conditional({ default: [['add', 'x', hops({ datasets: ['orders o'], where: [['eq', '_S._id', 'o.customer_id']] })]] }));
    assert.deepEqual(good.filter((d) => d.severity === 'error'), []);
    assert.ok(!good.some((d) => d.code === 'graph-unknown-dataset'), JSON.stringify(codes(good)));
    const elsewhere = check(conditional({ default: [['add', 'x', hops({ datasets: ['nowhere o'], where: [['eq', '_S._id', 'o.customer_id']] })]] }));
    assert.ok(elsewhere.some((d) => d.code === 'graph-unknown-dataset'), JSON.stringify(codes(elsewhere)));
  });

  it('accepts externalDatasets instead of warning about them', () => {
    const text = JSON.stringify([{ _id: 'a', type: 'pipe', source: { type: 'dataset', dataset: 'elsewhere' } }]);
    assert.ok(check(text).some((d) => d.code === 'graph-unknown-dataset'));
    assert.ok(!check(text, { toolConfig: { rules: {}, externalDatasets: ['elsewhere'] } }).some((d) => d.code === 'graph-unknown-dataset'));
  });
});
