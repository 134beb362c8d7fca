import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ALL_NAMES,
  CATALOG,
  DEPRECATED_FUNCTIONS,
  DOCUMENTED_FUNCTIONS,
  FUNCTIONS,
  TRANSFORMS,
  arityText,
  bindAll,
  bindArguments,
  functionNamed,
  signatureText,
  transformNamed,
  type ArgType,
  type BoundSignature,
  type CatalogEntry,
  type Param,
} from '../../src/dtl/catalog/index.js';

interface QuickRefName {
  readonly name: string;
  readonly group: string;
  readonly label: string;
}
interface QuickReference {
  readonly transforms: readonly QuickRefName[];
  readonly functions: readonly QuickRefName[];
}

/**
 * The names on the docs' quick reference page, extracted once into a fixture. Read from the source
 * tree (this file runs as compiler/dist/test/dtl/catalog.test.js; the fixture stays in compiler/test).
 */
function loadQuickReference(): QuickReference {
  const url = new URL('../../../test/fixtures/quick-reference-names.json', import.meta.url);
  const data: unknown = JSON.parse(readFileSync(url, 'utf8'));
  const isName = (x: unknown): x is QuickRefName =>
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Record<string, unknown>)['name'] === 'string' &&
    typeof (x as Record<string, unknown>)['group'] === 'string' &&
    typeof (x as Record<string, unknown>)['label'] === 'string';
  const list = (key: string): readonly QuickRefName[] => {
    const v = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
    assert.ok(Array.isArray(v) && v.every(isName), `fixture ${key} is a list of names`);
    return v;
  };
  return { transforms: list('transforms'), functions: list('functions') };
}

const QUICK_REFERENCE = loadQuickReference();
const QR_TRANSFORMS = QUICK_REFERENCE.transforms;
const QR_FUNCTIONS = QUICK_REFERENCE.functions;

const ARG_TYPES: ReadonlySet<ArgType> = new Set<ArgType>([
  'value',
  'boolean',
  'integer',
  'numeric',
  'function',
  'default',
  'string',
  'wildcard',
  'wildcard-list',
  'transforms',
  'dict',
  'hops',
  'rule',
  'any',
]);

const CATEGORY_COUNTS: Readonly<Record<string, number>> = {
  Transforms: 20,
  'Boolean logic': 5,
  Booleans: 2,
  Bytes: 4,
  Comparisons: 6,
  Conditionals: 3,
  'Date and time': 8,
  Dictionaries: 12,
  Encryption: 6,
  Hops: 2,
  JSON: 4,
  Lists: 28,
  Math: 20,
  Misc: 5,
  'Namespaced identifiers': 4,
  Nulls: 5,
  Numbers: 7,
  Phonenumbers: 2,
  Sets: 4,
  Strings: 16,
  URIs: 4,
  UUIDs: 2,
  Deprecated: 6,
};

function fn(name: string): CatalogEntry {
  const e = functionNamed(name);
  assert.ok(e, `function ${name} is in the catalog`);
  return e;
}

function tr(name: string): CatalogEntry {
  const e = transformNamed(name);
  assert.ok(e, `transform ${name} is in the catalog`);
  return e;
}

function bind(entry: CatalogEntry, n: number): BoundSignature {
  const b = bindArguments(entry, n);
  assert.ok(b, `${entry.kind} ${entry.name} accepts ${n} argument(s)`);
  assert.equal(b.args.length, n);
  b.args.forEach((a, i) => assert.equal(a.index, i));
  return b;
}

/** Parameter names bound to the actual arguments, in order. */
function bound(entry: CatalogEntry, n: number): string[] {
  return bind(entry, n).args.map((a) => a.param.name);
}

function omitted(entry: CatalogEntry, n: number): string[] {
  return bind(entry, n).omitted.map((p) => p.name);
}

function rejects(entry: CatalogEntry, ...counts: number[]): void {
  for (const n of counts) {
    assert.equal(bindArguments(entry, n), undefined, `${entry.kind} ${entry.name} rejects ${n} argument(s)`);
  }
}

function params(entry: CatalogEntry, signature = 0): readonly Param[] {
  return entry.signatures[signature]!.params;
}

function anchorOf(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

describe('DTL function catalog', () => {
  describe('contents', () => {
    it('has the 20 documented transforms, 149 documented functions and 6 deprecated ones', () => {
      assert.equal(TRANSFORMS.length, 20);
      assert.equal(DOCUMENTED_FUNCTIONS.length, 149);
      assert.equal(TRANSFORMS.length + DOCUMENTED_FUNCTIONS.length, 169);
      assert.equal(DEPRECATED_FUNCTIONS.length, 6);
      assert.equal(FUNCTIONS.length, 155);
      assert.equal(CATALOG.length, 175);
      assert.deepEqual(
        DEPRECATED_FUNCTIONS.map((e) => e.name).sort(),
        ['curie', 'lookup', 'ni-collapse', 'ni-expand', 'reference', 'uri-expand'],
      );
      for (const e of DEPRECATED_FUNCTIONS) {
        assert.ok(e.deprecated, `${e.name} is flagged deprecated`);
        assert.equal(e.kind, 'function');
        assert.equal(e.category, 'Deprecated');
      }
      for (const e of [...TRANSFORMS, ...DOCUMENTED_FUNCTIONS]) {
        assert.equal(e.deprecated, undefined, `${e.name} is not deprecated`);
      }
      assert.equal(fn('lookup').deprecated?.replacement, 'lookup-entity');
    });

    it('matches the quick reference page name for name (deprecated ones excepted)', () => {
      assert.equal(QR_TRANSFORMS.length, 20);
      assert.equal(QR_FUNCTIONS.length, 149);
      assert.deepEqual(
        TRANSFORMS.map((e) => e.name).sort(),
        QR_TRANSFORMS.map((q) => q.name).sort(),
      );
      assert.deepEqual(
        DOCUMENTED_FUNCTIONS.map((e) => e.name).sort(),
        QR_FUNCTIONS.map((q) => q.name).sort(),
      );
      for (const q of QR_TRANSFORMS) assert.ok(transformNamed(q.name), `transform ${q.name}`);
      for (const q of QR_FUNCTIONS) assert.ok(functionNamed(q.name), `function ${q.name}`);
    });

    it('files every function under the quick reference category and links the documented anchor', () => {
      for (const q of QR_FUNCTIONS) {
        const e = fn(q.name);
        assert.equal(e.category, q.group, `${q.name} category`);
        assert.ok(e.docs.endsWith(`#${anchorOf(q.label)}`), `${q.name}: ${e.docs} points at ${q.label}`);
      }
      for (const q of QR_TRANSFORMS) {
        const e = tr(q.name);
        assert.equal(e.docs, `https://docs.sesam.io/hub/dtl/dtl-functions-transforms.html#${anchorOf(q.label)}`);
      }
      assert.equal(fn('concat').docs, 'https://docs.sesam.io/hub/dtl/dtl-functions-strings.html#concat-dtl-function');
      assert.equal(fn('+').docs, 'https://docs.sesam.io/hub/dtl/dtl-functions-math.html#plus-symbol-dtl-function');
      assert.equal(fn('curie').docs, 'https://docs.sesam.io/hub/deprecations.html#curie-dtl-function');
    });

    it('has the documented number of entries per category', () => {
      const counts: Record<string, number> = {};
      for (const e of CATALOG) counts[e.category] = (counts[e.category] ?? 0) + 1;
      assert.deepEqual(counts, CATEGORY_COUNTS);
    });

    it('has no duplicate (name, kind) and a sorted list of distinct names', () => {
      const keys = CATALOG.map((e) => `${e.kind}:${e.name}`);
      assert.equal(new Set(keys).size, keys.length);
      assert.equal(ALL_NAMES.length, 171);
      assert.equal(new Set(ALL_NAMES).size, ALL_NAMES.length);
      assert.deepEqual([...ALL_NAMES], [...ALL_NAMES].sort());
      assert.deepEqual([...ALL_NAMES], [...new Set(CATALOG.map((e) => e.name))].sort());
    });

    it('gives every entry a one-line description, a docs URL, signatures and valid types', () => {
      for (const e of CATALOG) {
        assert.ok(e.description.trim().length > 0, `${e.name} description`);
        assert.ok(!e.description.includes('\n'), `${e.name} description is one line`);
        assert.match(e.docs, /^https:\/\/docs\.sesam\.io\/hub\/[a-z/-]+\.html#[a-z0-9-]+$/, `${e.name} docs`);
        assert.ok(e.signatures.length >= 1, `${e.name} signatures`);
        assert.notEqual(arityText(e), 'no valid argument count', `${e.name} accepts some count`);
        if (e.kind === 'transform') {
          assert.equal(e.returns, 'none', `${e.name} returns`);
          assert.equal(e.category, 'Transforms');
        } else {
          assert.notEqual(e.returns, 'none', `${e.name} returns`);
        }
        const check = (p: Param): void => {
          assert.match(p.name, /^[A-Z][A-Z0-9_-]*$/, `${e.name} param name ${p.name}`);
          assert.ok(ARG_TYPES.has(p.type), `${e.name} ${p.name} type ${p.type}`);
          p.group?.forEach(check);
        };
        e.signatures.forEach((s) => s.params.forEach(check));
      }
    });

    it('has if, case, case-eq and filter both as transform and as function', () => {
      for (const name of ['if', 'case', 'case-eq', 'filter']) {
        assert.equal(tr(name).kind, 'transform');
        assert.equal(fn(name).kind, 'function');
      }
      const both = ALL_NAMES.filter((n) => transformNamed(n) && functionNamed(n));
      assert.deepEqual(both, ['case', 'case-eq', 'filter', 'if']);
    });

    it('flags only now and uuid as nondeterministic', () => {
      assert.deepEqual(
        CATALOG.filter((e) => e.nondeterministic).map((e) => e.name).sort(),
        ['now', 'uuid'],
      );
    });

    it('marks map-style functions', () => {
      for (const name of ['upper', 'string', 'integer', 'datetime-format', 'round', 'plus', 'uri', 'ni']) {
        assert.equal(fn(name).mapStyle, true, name);
      }
      for (const name of ['count', 'concat', 'sorted', 'eq', '+', 'hops', 'filter', 'list']) {
        assert.equal(fn(name).mapStyle, undefined, name);
      }
    });

    it('uses the argument types the docs give', () => {
      const types = (e: CatalogEntry, s = 0): string[] =>
        params(e, s).map((p) => `${p.name}:${p.type}${p.optional ? '?' : ''}${p.repeat ?? ''}`);
      assert.deepEqual(types(tr('add')), ['PROPERTY:value', 'VALUES:value']);
      assert.deepEqual(types(tr('add-if')), ['PROPERTY:value', 'CONDITION:boolean?', 'VALUES:value']);
      assert.deepEqual(types(tr('default')), ['PROPERTY:value', 'VALUES:value']);
      assert.deepEqual(types(tr('copy')), ['INCLUDE_PROPERTIES:wildcard-list', 'EXCLUDE_PROPERTIES:wildcard-list?']);
      assert.deepEqual(types(tr('remove')), ['PROPERTY:wildcard']);
      assert.deepEqual(types(tr('rename')), ['PROPERTY1:value', 'PROPERTY2:value']);
      assert.deepEqual(types(tr('make-ni')), ['NAMESPACE:string', 'FROM_PROPERTY:string', 'TO_PROPERTY:string?']);
      assert.deepEqual(types(tr('filter')), ['UNLESS_CONDITION:boolean?']);
      assert.deepEqual(types(tr('discard')), ['UNLESS_CONDITION:boolean?']);
      assert.deepEqual(types(tr('fail!')), ['MESSAGE:string']);
      assert.deepEqual(types(tr('trip!')), ['MESSAGE:string']);
      assert.deepEqual(types(tr('sleep!')), ['PERIOD:integer']);
      for (const name of ['create', 'create-child', 'merge', 'merge-union']) {
        assert.deepEqual(types(tr(name)), ['VALUES:value'], name);
      }
      assert.deepEqual(types(tr('comment')), ['COMMENTS:any*']);
      assert.deepEqual(types(tr('if')), ['CONDITION:boolean', 'THEN:transforms', 'ELSE:transforms?']);
      assert.deepEqual(types(fn('if')), ['CONDITION:boolean', 'THEN:value', 'ELSE:value?']);
      assert.deepEqual(types(fn('hops')), ['HOPS_SPEC:hops+']);
      assert.deepEqual(types(fn('apply-hops')), ['RULE_ID:rule', 'HOPS_SPEC:hops+']);
      assert.deepEqual(types(fn('apply')), ['RULE_ID:rule', 'VALUES:value']);
      assert.deepEqual(types(fn('now')), []);
      assert.deepEqual(types(fn('uuid')), ['VALUES:value?']);
      assert.deepEqual(types(fn('literal')), ['VALUE:any']);
      assert.deepEqual(types(fn('filter')), ['FUNCTION:function', 'VALUES:value']);
      assert.deepEqual(types(fn('sorted')), ['FUNCTION:function?', 'VALUES:value']);
      assert.deepEqual(types(fn('integer')), ['DEFAULT_FUNCTION:default?', 'VALUES:value']);
      assert.deepEqual(types(fn('slice')), ['START:integer', 'END:integer?', 'STRIDE:integer?', 'VALUES:value']);
      assert.deepEqual(types(fn('round')), ['DIGITS:numeric?', 'VALUES:value']);
      assert.deepEqual(types(fn('and')), ['CONDITIONS:boolean+']);
      assert.deepEqual(types(fn('replace'), 1), ['REPLACEMENTS:dict', 'VALUES:value']);
      const caseClause = params(tr('case'))[0]!;
      assert.deepEqual(caseClause.group?.map((p) => `${p.name}:${p.type}`), ['CONDITION:boolean', 'THEN:transforms']);
      const caseFnClause = params(fn('case'))[0]!;
      assert.deepEqual(caseFnClause.group?.map((p) => `${p.name}:${p.type}`), ['CONDITION:boolean', 'THEN:value']);
    });
  });

  describe('bindArguments', () => {
    it('sorted: FUNCTION is bound only when there are two arguments', () => {
      const sorted = fn('sorted');
      assert.deepEqual(bound(sorted, 1), ['VALUES']);
      assert.deepEqual(omitted(sorted, 1), ['FUNCTION']);
      assert.deepEqual(bound(sorted, 2), ['FUNCTION', 'VALUES']);
      assert.deepEqual(omitted(sorted, 2), []);
      rejects(sorted, 0, 3);
    });

    it('slice: END then STRIDE are filled left to right', () => {
      const slice = fn('slice');
      assert.deepEqual(bound(slice, 2), ['START', 'VALUES']);
      assert.deepEqual(omitted(slice, 2), ['END', 'STRIDE']);
      assert.deepEqual(bound(slice, 3), ['START', 'END', 'VALUES']);
      assert.deepEqual(omitted(slice, 3), ['STRIDE']);
      assert.deepEqual(bound(slice, 4), ['START', 'END', 'STRIDE', 'VALUES']);
      rejects(slice, 0, 1, 5);
    });

    it('round: optional DIGITS', () => {
      assert.deepEqual(bound(fn('round'), 1), ['VALUES']);
      assert.deepEqual(bound(fn('round'), 2), ['DIGITS', 'VALUES']);
      rejects(fn('round'), 0, 3);
    });

    it('datetime-format: optional leading time zone', () => {
      const f = fn('datetime-format');
      assert.deepEqual(bound(f, 2), ['FORMATSTRING', 'VALUES']);
      assert.deepEqual(omitted(f, 2), ['TIMEZONE_NAME']);
      assert.deepEqual(bound(f, 3), ['TIMEZONE_NAME', 'FORMATSTRING', 'VALUES']);
      rejects(f, 0, 1, 4);
    });

    it('case: even counts have no ELSE, odd counts end with ELSE (transform and function)', () => {
      for (const c of [fn('case'), tr('case')]) {
        assert.deepEqual(bound(c, 2), ['CONDITION', 'THEN']);
        assert.deepEqual(omitted(c, 2), ['ELSE']);
        assert.deepEqual(bound(c, 3), ['CONDITION', 'THEN', 'ELSE']);
        assert.deepEqual(bound(c, 4), ['CONDITION', 'THEN', 'CONDITION', 'THEN']);
        assert.deepEqual(omitted(c, 4), ['ELSE']);
        assert.deepEqual(bound(c, 5), ['CONDITION', 'THEN', 'CONDITION', 'THEN', 'ELSE']);
        const b5 = bind(c, 5);
        assert.deepEqual(b5.args.map((a) => a.repetition), [0, 0, 1, 1, 0]);
        assert.deepEqual(b5.args.map((a) => a.member), [0, 1, 0, 1, undefined]);
        assert.equal(b5.args[2]!.group, params(c)[0]);
        assert.deepEqual(b5.counts, [2, 1]);
        rejects(c, 0, 1);
      }
      assert.equal(bind(tr('case'), 3).args[2]!.param.type, 'transforms');
      assert.equal(bind(fn('case'), 3).args[2]!.param.type, 'value');
    });

    it('case-eq: VALUE, then pairs, then an optional ELSE', () => {
      for (const c of [fn('case-eq'), tr('case-eq')]) {
        assert.deepEqual(bound(c, 3), ['VALUE', 'VALUE_N', 'THEN']);
        assert.deepEqual(bound(c, 4), ['VALUE', 'VALUE_N', 'THEN', 'ELSE']);
        assert.deepEqual(bound(c, 5), ['VALUE', 'VALUE_N', 'THEN', 'VALUE_N', 'THEN']);
        assert.deepEqual(bound(c, 6), ['VALUE', 'VALUE_N', 'THEN', 'VALUE_N', 'THEN', 'ELSE']);
        rejects(c, 0, 1, 2);
      }
    });

    it('dict: no arguments, ITEMS, or key/value pairs', () => {
      const dict = fn('dict');
      assert.deepEqual(bound(dict, 0), []);
      assert.equal(bind(dict, 0).signatureIndex, 0);
      assert.deepEqual(bound(dict, 1), ['ITEMS']);
      assert.equal(bind(dict, 1).signatureIndex, 1);
      assert.deepEqual(bound(dict, 2), ['KEY', 'VALUE']);
      assert.equal(bind(dict, 2).signatureIndex, 2);
      assert.deepEqual(bound(dict, 4), ['KEY', 'VALUE', 'KEY', 'VALUE']);
      assert.deepEqual(bind(dict, 4).args.map((a) => a.repetition), [0, 0, 1, 1]);
      rejects(dict, 3, 5);
    });

    it('replace: OLD/NEW strings or a dict of replacements', () => {
      const replace = fn('replace');
      assert.deepEqual(bound(replace, 3), ['OLD_STRING', 'NEW_STRING', 'VALUES']);
      assert.deepEqual(bound(replace, 2), ['REPLACEMENTS', 'VALUES']);
      assert.equal(bind(replace, 2).args[0]!.param.type, 'dict');
      rejects(replace, 0, 1, 4);
    });

    it('if: 2 or 3 arguments as transform and as function', () => {
      for (const e of [tr('if'), fn('if')]) {
        assert.deepEqual(bound(e, 2), ['CONDITION', 'THEN']);
        assert.deepEqual(omitted(e, 2), ['ELSE']);
        assert.deepEqual(bound(e, 3), ['CONDITION', 'THEN', 'ELSE']);
        rejects(e, 0, 1, 4);
      }
    });

    it('filter: 0-1 arguments as transform, exactly 2 as function', () => {
      const t = tr('filter');
      assert.deepEqual(bound(t, 0), []);
      assert.deepEqual(omitted(t, 0), ['UNLESS_CONDITION']);
      assert.deepEqual(bound(t, 1), ['UNLESS_CONDITION']);
      rejects(t, 2);
      const f = fn('filter');
      assert.deepEqual(bound(f, 2), ['FUNCTION', 'VALUES']);
      rejects(f, 0, 1, 3);
    });

    it('add-if: CONDITION sits between PROPERTY and VALUES', () => {
      const e = tr('add-if');
      assert.deepEqual(bound(e, 2), ['PROPERTY', 'VALUES']);
      assert.deepEqual(bound(e, 3), ['PROPERTY', 'CONDITION', 'VALUES']);
      rejects(e, 0, 1, 4);
    });

    it('coalesce: optional FUNCTION', () => {
      assert.deepEqual(bound(fn('coalesce'), 1), ['VALUES']);
      assert.deepEqual(bound(fn('coalesce'), 2), ['FUNCTION', 'VALUES']);
      rejects(fn('coalesce'), 0, 3);
    });

    it('concat: one or many arguments', () => {
      const concat = fn('concat');
      assert.deepEqual(bound(concat, 1), ['VALUES']);
      const b = bind(concat, 5);
      assert.deepEqual(b.args.map((a) => a.param.name), ['VALUES', 'VALUES', 'VALUES', 'VALUES', 'VALUES']);
      assert.deepEqual(b.args.map((a) => a.repetition), [0, 1, 2, 3, 4]);
      rejects(concat, 0);
    });

    it('now takes nothing; uuid takes nothing or VALUES', () => {
      assert.deepEqual(bound(fn('now'), 0), []);
      rejects(fn('now'), 1);
      assert.deepEqual(bound(fn('uuid'), 0), []);
      assert.deepEqual(omitted(fn('uuid'), 0), ['VALUES']);
      assert.deepEqual(bound(fn('uuid'), 1), ['VALUES']);
      rejects(fn('uuid'), 2);
    });

    it('variadic and spec-taking functions', () => {
      assert.deepEqual(bound(tr('comment'), 0), []);
      assert.equal(bound(tr('comment'), 3).length, 3);
      assert.deepEqual(bound(fn('list'), 0), []);
      assert.deepEqual(bound(fn('tuples'), 0), []);
      assert.deepEqual(bound(fn('hops'), 2), ['HOPS_SPEC', 'HOPS_SPEC']);
      rejects(fn('hops'), 0);
      assert.deepEqual(bound(fn('apply-hops'), 2), ['RULE_ID', 'HOPS_SPEC']);
      rejects(fn('apply-hops'), 0, 1);
      assert.deepEqual(bound(fn('hash128'), 2), ['ALGORITHM', 'VALUES']);
      assert.deepEqual(bound(fn('hash128'), 3), ['ALGORITHM', 'SEED', 'VALUES']);
      assert.deepEqual(bound(fn('range'), 2), ['START', 'STOP']);
      assert.deepEqual(bound(fn('range'), 3), ['START', 'STOP', 'STEP']);
      assert.deepEqual(bound(fn('group-by'), 2), ['KEY_FUNCTION', 'VALUES']);
      assert.deepEqual(bound(fn('group-by'), 3), ['KEY_FUNCTION', 'STRING_FUNCTION', 'VALUES']);
      rejects(fn('and'), 0);
      rejects(fn('literal'), 0, 2);
    });

    it('rejects wrong counts', () => {
      rejects(tr('add'), 0, 1, 3); // ["add", "x"]
      rejects(tr('if'), 0); // ["if"]
      rejects(fn('if'), 0);
      rejects(fn('sorted'), 0); // ["sorted"]
      rejects(fn('eq'), 1, 3);
      assert.equal(bindArguments(fn('sorted'), -1), undefined);
      assert.equal(bindArguments(fn('sorted'), 1.5), undefined);
    });

    it('bindAll lists same-arity overloads (apply-ns: string or dict)', () => {
      const all = bindAll(fn('apply-ns'), 2);
      assert.deepEqual(all.map((b) => b.args[0]!.param.type), ['string', 'dict']);
      assert.equal(bindArguments(fn('apply-ns'), 2)?.signatureIndex, 0);
      assert.deepEqual(bindAll(fn('apply-ns'), 1), []);
    });
  });

  describe('texts', () => {
    it('arityText', () => {
      assert.equal(arityText(fn('sorted')), '1 or 2 arguments');
      assert.equal(arityText(fn('slice')), '2 to 4 arguments');
      assert.equal(arityText(fn('eq')), 'exactly 2 arguments');
      assert.equal(arityText(fn('filter')), 'exactly 2 arguments');
      assert.equal(arityText(tr('filter')), '0 or 1 argument');
      assert.equal(arityText(fn('now')), 'no arguments');
      assert.equal(arityText(fn('concat')), 'at least 1 argument');
      assert.equal(arityText(fn('case')), 'at least 2 arguments');
      assert.equal(arityText(fn('case-eq')), 'at least 3 arguments');
      assert.equal(arityText(tr('comment')), 'any number of arguments');
      assert.equal(arityText(fn('dict')), '0 or 1 argument, or an even number of arguments ≥ 2');
      assert.equal(arityText(fn('replace')), '2 or 3 arguments');
      assert.equal(arityText(tr('remove')), 'exactly 1 argument');
    });

    it('signatureText', () => {
      assert.equal(signatureText(fn('sorted')), '["sorted", FUNCTION?, VALUES]');
      assert.equal(signatureText(fn('now')), '["now"]');
      assert.equal(signatureText(tr('case')), '["case", (CONDITION, THEN)+, ELSE?]');
      assert.equal(signatureText(fn('concat')), '["concat", VALUES+]');
      assert.equal(signatureText(fn('dict')), '["dict"] or ["dict", ITEMS] or ["dict", (KEY, VALUE)+]');
      assert.equal(signatureText(fn('+')), '["+", VALUE1, VALUE2]');
    });
  });
});
