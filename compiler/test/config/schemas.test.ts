/**
 * Schema validation of configuration entities: the docs corpus must validate
 * cleanly, and each important rule must fire on a bad config and stay silent
 * on the good variant.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { schemaFor, validateEntity, type SchemaIssue } from '../../src/config/schemas.js';

// compiler/dist/test/config/ -> compiler/test/fixtures/docs-corpus/
const CORPUS = new URL('../../../test/fixtures/docs-corpus/', import.meta.url);

type Obj = Record<string, unknown>;

function pipe(extra: Obj = {}): Obj {
  return { _id: 'p', type: 'pipe', source: { type: 'dataset', dataset: 'in' }, ...extra };
}

function withSource(source: Obj, extra: Obj = {}): Obj {
  return { _id: 'p', type: 'pipe', source, ...extra };
}

function urlSystem(extra: Obj = {}): Obj {
  return { _id: 's', type: 'system:url', url_pattern: 'https://example.org/%s', ...extra };
}

function show(issues: SchemaIssue[]): string {
  return issues.map((i) => `${i.severity} ${i.pointer || '/'} ${i.message}`).join('\n');
}

function assertClean(entity: unknown): void {
  const issues = validateEntity(entity);
  assert.deepEqual(issues, [], `expected no issues, got:\n${show(issues)}`);
}

/** Exactly one issue, which must match the given fields. */
function assertOne(entity: unknown, expected: Omit<Partial<SchemaIssue>, 'message'> & { message?: string | RegExp }): SchemaIssue {
  const issues = validateEntity(entity);
  assert.equal(issues.length, 1, `expected one issue, got:\n${show(issues)}`);
  const [issue] = issues as [SchemaIssue];
  const { message, ...rest } = expected;
  for (const [k, v] of Object.entries(rest)) {
    assert.deepEqual(issue[k as keyof SchemaIssue], v, `${k} of: ${show(issues)}`);
  }
  if (message instanceof RegExp) assert.match(issue.message, message);
  else if (message !== undefined) assert.equal(issue.message, message);
  return issue;
}

function corpusFiles(): string[] {
  return readdirSync(CORPUS).filter((f) => f.endsWith('.json')).sort();
}

function loadCorpus(file: string): unknown[] {
  const data: unknown = JSON.parse(readFileSync(new URL(file, CORPUS), 'utf8'));
  assert.ok(Array.isArray(data), `${file} must hold a JSON array`);
  return data;
}

describe('config/schemas', () => {
  describe('docs corpus', () => {
    it('has at least 40 files', () => {
      assert.ok(corpusFiles().length >= 40, `only ${corpusFiles().length} corpus files`);
    });

    for (const file of corpusFiles()) {
      it(`${file} validates without errors or warnings`, () => {
        const problems: string[] = [];
        for (const [i, entity] of loadCorpus(file).entries()) {
          const id = (entity as Obj)['_id'];
          for (const issue of validateEntity(entity)) {
            problems.push(`[${i}] ${String(id)}: ${issue.severity} ${issue.pointer} ${issue.message}`);
          }
        }
        assert.deepEqual(problems, []);
      });
    }

    it('uses every source, sink, transform and system type', () => {
      const used = { source: new Set<string>(), sink: new Set<string>(), transform: new Set<string>(), system: new Set<string>() };
      const visit = (kind: 'source' | 'sink' | 'transform', c: unknown): void => {
        if (Array.isArray(c)) {
          c.forEach((x) => visit(kind, x));
          return;
        }
        if (typeof c !== 'object' || c === null) return;
        const o = c as Obj;
        const type = typeof o['type'] === 'string' ? o['type'] : kind === 'sink' ? 'dataset' : undefined;
        if (type) used[kind].add(type);
        if (type === 'conditional' && typeof o['alternatives'] === 'object' && o['alternatives'] !== null) {
          for (const alt of Object.values(o['alternatives'] as Obj)) visit(kind, alt);
        }
      };
      for (const file of corpusFiles()) {
        for (const e of loadCorpus(file) as Obj[]) {
          if (typeof e['type'] === 'string' && e['type'].startsWith('system:')) used.system.add(e['type']);
          if (e['type'] !== 'pipe') continue;
          visit('source', e['source']);
          visit('sink', e['sink']);
          visit('transform', e['transform']);
        }
      }
      for (const kind of ['source', 'sink', 'transform', 'system'] as const) {
        const schema = schemaFor(kind) as { properties: { type: { enum: string[] } } };
        const missing = schema.properties.type.enum.filter((t) => !used[kind].has(t));
        assert.deepEqual(missing, [], `${kind} types without a corpus example`);
      }
    });
  });

  describe('entity dispatch', () => {
    it('rejects non-objects and a missing or unknown type with one clear error', () => {
      assertOne(42, { pointer: '', severity: 'error', message: /must be a JSON object/ });
      assertOne({ _id: 'x' }, { pointer: '', property: 'type', keyword: 'required', message: /Missing required property 'type'/ });
      assertOne({ _id: 'x', type: 'pipee', foo: 1 }, { pointer: '/type', message: "Unknown entity type 'pipee' (did you mean 'pipe'?); expected \"pipe\", \"metadata\" or \"system:<kind>\"" });
      assertOne({ _id: 'x', type: 'system:urll', url_pattern: 'x', foo: 1 }, { pointer: '/type', message: "Unknown system type 'system:urll' (did you mean 'system:url'?)" });
      assertClean(pipe());
      assertClean(urlSystem());
      assertClean({ _id: 'node', type: 'metadata' });
    });
  });

  describe('missing required property', () => {
    it('fires on the object that lacks it and names the property and component', () => {
      assertOne(withSource({ type: 'dataset' }), {
        pointer: '/source', property: 'dataset', onKey: false, severity: 'error', keyword: 'required',
        message: "Missing required property 'dataset' of the dataset source",
      });
      assertOne({ _id: 'db', type: 'system:postgresql', username: 'u', password: 'p', host: 'h' }, {
        pointer: '', property: 'database', message: "Missing required property 'database' of the system:postgresql system",
      });
    });
    it('stays silent when the property is there', () => {
      assertClean(withSource({ type: 'dataset', dataset: 'in' }));
      assertClean({ _id: 'db', type: 'system:postgresql', username: 'u', password: 'p', host: 'h', database: 'd' });
    });
    it('needs a source unless the sink is an endpoint sink', () => {
      assertOne({ _id: 'p', type: 'pipe', sink: { type: 'dataset' } }, { pointer: '', property: 'source', message: /Missing required property 'source' of the pipe/ });
      assertClean({ _id: 'p', type: 'pipe', sink: { type: 'http_endpoint' } });
      assertClean({ _id: 'p', type: 'pipe', sink: { type: 'csv_endpoint', columns: ['_id'] } });
    });
  });

  describe('wrong type', () => {
    it('fires with the expected type and the actual value', () => {
      assertOne(pipe({ batch_size: 'ten' }), {
        pointer: '/batch_size', keyword: 'type', severity: 'error', onKey: false,
        message: "'batch_size' must be an integer ≥ 1, got \"ten\"",
      });
      assertOne(pipe({ batch_size: 0 }), { pointer: '/batch_size', message: "'batch_size' must be an integer ≥ 1, got 0" });
      assertOne(urlSystem({ verify_ssl: 'yes' }), { pointer: '/verify_ssl', message: "'verify_ssl' must be a boolean (true or false), got \"yes\"" });
      assertOne(pipe({ comment: 5 }), { pointer: '/comment', message: "'comment' must be a string or a list of strings, got 5" });
    });
    it('stays silent on the right type', () => {
      assertClean(pipe({ batch_size: 10, comment: ['a', 'b'] }));
      assertClean(urlSystem({ verify_ssl: true }));
    });
  });

  describe('bad enum value', () => {
    it('fires and lists the allowed values', () => {
      const issue = assertOne(withSource({ type: 'dataset', dataset: 'in', if_source_empty: 'maybe' }), {
        pointer: '/source/if_source_empty', keyword: 'enum',
      });
      assert.match(issue.message, /'if_source_empty' must be one of "accept", "fail", got "maybe"/);
      assertOne(pipe({ pump: { mode: 'Manual' } }), { pointer: '/pump/mode', message: /did you mean 'manual'/ });
    });
    it('stays silent on an allowed value', () => {
      assertClean(withSource({ type: 'dataset', dataset: 'in', if_source_empty: 'fail' }));
      assertClean(pipe({ pump: { mode: 'manual' } }));
    });
  });

  describe('unknown property', () => {
    it('is a warning on the key', () => {
      assertOne(withSource({ type: 'dataset', dataset: 'in', foo: 1 }), {
        pointer: '/source/foo', property: 'foo', onKey: true, severity: 'warning', keyword: 'additionalProperties',
        message: "Unknown property 'foo' in a dataset source",
      });
      assertOne(withSource({ type: 'sql', system: 'db', table: 't', updated_colum: 'x' }), {
        pointer: '/source/updated_colum', severity: 'warning', message: "Unknown property 'updated_colum' in a sql source (did you mean 'updated_column'?)",
      });
      assertOne(pipe({ 'a/b': true }), { pointer: '/a~1b', property: 'a/b', onKey: true, severity: 'warning' });
      assertOne(urlSystem({ oauth2: { client_id: 'c', client_secret: 's', token_url: 't', audience: 'x' } }), {
        pointer: '/oauth2/audience', severity: 'warning', message: "Unknown property 'audience' in the oauth2 settings",
      });
    });
    it('is not reported for free-form objects', () => {
      assertClean(pipe({ metadata: { durable: true, owner: 'team-a', registry: { license: 'CC' } } }));
      assertClean(withSource({ type: 'embedded', entities: [{ _id: 'a', anything: { nested: true } }] }));
      assertClean({ _id: 'ms', type: 'system:microservice', docker: { image: 'i', port: 1, environment: { ANY: 'x', OBJ: { a: 1 } } } });
      assertClean(urlSystem({ headers: { 'X-Anything': 'v' } }));
    });
  });

  describe('unknown component type', () => {
    it('reports only the type, with a suggestion', () => {
      assertOne(withSource({ type: 'datset', dataset: 'in', whatever: 1 }), {
        pointer: '/source/type', keyword: 'enum', severity: 'error', message: "Unknown source type 'datset' (did you mean 'dataset'?)",
      });
      assertOne(pipe({ sink: { type: 'nul' } }), { pointer: '/sink/type', message: "Unknown sink type 'nul' (did you mean 'null'?)" });
      assertOne(pipe({ transform: { type: 'dtll', rules: {} } }), { pointer: '/transform/type', message: "Unknown transform type 'dtll' (did you mean 'dtl'?)" });
      assertOne(pipe({ transform: { type: 'magic' } }), { pointer: '/transform/type', message: "Unknown transform type 'magic'" });
    });
    it('stays silent on the real type names', () => {
      assertClean(pipe({ sink: { type: 'null' }, transform: { type: 'dtl', rules: { default: [] } } }));
    });
  });

  describe('co-constraints', () => {
    it('system:url needs exactly one of url_pattern and base_url', () => {
      const none = { _id: 's', type: 'system:url' };
      assertOne(none, { pointer: '', keyword: 'oneOf', message: "A system:url system needs exactly one of 'url_pattern' and 'base_url'" });
      assertOne({ ...none, url_pattern: 'a/%s', base_url: 'b' }, { keyword: 'oneOf' });
      assertOne({ _id: 's', type: 'system:rest' }, { message: "A system:rest system needs exactly one of 'url_pattern' and 'base_url'" });
      assertClean({ ...none, url_pattern: 'a/%s' });
      assertClean({ ...none, base_url: 'b' });
    });

    it('sql source needs table or query (and a query needs primary_key)', () => {
      assertOne(withSource({ type: 'sql', system: 'db' }), { pointer: '/source', keyword: 'anyOf', message: "A sql source needs either 'table' or 'query'" });
      assertOne(withSource({ type: 'sql', system: 'db', query: 'select 1' }), { pointer: '/source', property: 'primary_key', message: /'query' needs 'primary_key'/ });
      assertClean(withSource({ type: 'sql', system: 'db', table: 't' }));
      assertClean(withSource({ type: 'sql', system: 'db', query: ['select *', 'from t'], primary_key: ['a', 'b'] }));
    });

    it('json_schema transform needs schema, or schema_url with system', () => {
      assertOne(pipe({ transform: { type: 'json_schema' } }), { pointer: '/transform', message: /needs 'schema' or 'schema_url'/ });
      assertOne(pipe({ transform: { type: 'json_schema', schema_url: 'x.json' } }), {
        pointer: '/transform', keyword: 'dependentRequired', property: 'system', message: /'schema_url' requires 'system'/,
      });
      assertClean(pipe({ transform: { type: 'json_schema', schema: { type: 'object' } } }));
      assertClean(pipe({ transform: { type: 'json_schema', schema_url: 'x.json', system: 's' } }));
    });

    it('rescan_run_count and rescan_cron_expression are mutually exclusive', () => {
      assertOne(pipe({ pump: { rescan_run_count: 2, rescan_cron_expression: '0 * * * *' } }), {
        pointer: '/pump', keyword: 'not', message: "'rescan_run_count' and 'rescan_cron_expression' cannot both be set",
      });
      assertClean(pipe({ pump: { rescan_run_count: 2 } }));
      assertClean(pipe({ pump: { rescan_cron_expression: '0 * * * *' } }));
    });

    it('partial_rescan_run_count requires partial_rescan_delta', () => {
      assertOne(pipe({ pump: { partial_rescan_run_count: 5 } }), {
        pointer: '/pump', keyword: 'dependentRequired', property: 'partial_rescan_delta',
        message: /'partial_rescan_run_count' requires 'partial_rescan_delta'/,
      });
      assertClean(pipe({ pump: { partial_rescan_run_count: 5, partial_rescan_delta: 3600 } }));
    });

    it('custom_auth needs expires_at_expression or expires_in_expression', () => {
      const rest = (auth: Obj): Obj => ({ _id: 'r', type: 'system:rest', url_pattern: 'x/%s', custom_auth: auth });
      assertOne(rest({ get_token_operation: 'token' }), { pointer: '/custom_auth', message: /'expires_at_expression' or 'expires_in_expression'/ });
      assertClean(rest({ get_token_operation: 'token', expires_in_expression: '{{ token.expires_in }}' }));
      assertClean(rest({ get_token_operation: 'token', expires_at_expression: '{{ token.exp }}' }));
    });

    it('merge source datasets entries are "<dataset> <alias>"', () => {
      assertOne(withSource({ type: 'merge', datasets: ['crm-person'] }), {
        pointer: '/source/datasets/0', keyword: 'pattern', message: "'datasets[0]' must be \"<dataset id> <alias>\", got \"crm-person\"",
      });
      assertClean(withSource({ type: 'merge', version: 2, datasets: ['crm-person cp', 'hr-person hp'], equality_sets: [['cp.ssn', 'hp.ssn']] }));
    });
  });

  describe('dtl rules', () => {
    it('needs a default rule and rules that are lists', () => {
      assertOne(pipe({ transform: { type: 'dtl', rules: { other: [] } } }), {
        pointer: '/transform/rules', property: 'default', keyword: 'required', message: "A dtl transform's 'rules' must contain a 'default' rule",
      });
      assertOne(pipe({ transform: { type: 'dtl', rules: { default: [], helper: 'copy' } } }), { pointer: '/transform/rules/helper', keyword: 'type' });
      assertClean(pipe({ transform: { type: 'dtl', rules: { default: [['copy', '*']], helper: [['add', 'x', 1]] } } }));
    });
  });

  describe('$ENV and $SECRET', () => {
    it('are accepted where an integer, boolean or enum is expected', () => {
      assertClean(pipe({ batch_size: '$ENV(batch-size)', pump: { schedule_interval: '$ENV(interval)', mode: '$ENV(pump-mode)' } }));
      assertClean(withSource({ type: 'dataset', dataset: 'in', if_source_empty: '$ENV(if-empty)', include_previous_versions: '$ENV(prev)' }));
      assertClean(urlSystem({ verify_ssl: '$ENV(verify)', read_timeout: '$ENV(timeout)', authentication: '$ENV(auth)' }));
      assertClean({ _id: 'db', type: 'system:mysql', username: '$ENV(u)', password: '$SECRET(p)', host: '$ENV(h)', port: '$SECRET(port)', database: 'd', sslmode: '$ENV(ssl)' });
      assertClean(urlSystem({ url_pattern: 'http://$ENV(host):$ENV(port)/%s' }));
    });
    it('do not hide errors for ordinary strings', () => {
      assertOne(pipe({ batch_size: 'ENV(batch-size)' }), { pointer: '/batch_size', keyword: 'type' });
      assertOne(urlSystem({ verify_ssl: 'true' }), { pointer: '/verify_ssl', keyword: 'type' });
      assertOne(withSource({ type: 'dataset', dataset: 'in', if_source_empty: '$env(x)' }), { pointer: '/source/if_source_empty', keyword: 'enum' });
    });
  });

  describe('$conditional_properties', () => {
    const cp = (alternatives: Obj): Obj => ({ condition: '$ENV(environment)', alternatives });

    it('is accepted in nested objects of pipes, systems and metadata', () => {
      assertClean(pipe({
        $conditional_properties: cp({ prod: { description: 'Production' }, test: { description: 'Test' } }),
        source: { type: 'dataset', dataset: 'in', $conditional_properties: cp({ prod: { supports_signalling: true } }) },
        sink: { type: 'dataset', $conditional_properties: cp({ prod: { deletion_tracking: false } }) },
        pump: { $conditional_properties: cp({ prod: { cron_expression: '0 * * * *' }, test: { mode: 'manual' } }) },
        compaction: { keep_versions: 2, $conditional_properties: cp({ prod: { keep_versions: 5 } }) },
      }));
      assertClean(urlSystem({
        headers: { Accept: 'application/json', $conditional_properties: cp({ prod: { 'X-Env': 'prod' } }) },
        oauth2: { client_id: 'c', client_secret: 's', token_url: 't', $conditional_properties: cp({ prod: { scope: 'all' } }) },
        retry_strategy: { default: { max_read_retries: 1, $conditional_properties: cp({ prod: { max_read_retries: 5 } }) } },
      }));
      assertClean({ _id: 'ms', type: 'system:microservice', docker: { image: 'i', port: 5000, $conditional_properties: cp({ prod: { memory: 512 } }) } });
      assertClean({ _id: 'node', type: 'metadata', global_defaults: { $conditional_properties: cp({ prod: { verify_ssl: true } }) } });
    });

    it('can supply required properties when every alternative has them', () => {
      const sys = { _id: 's', type: 'system:url', $conditional_properties: cp({ prod: { url_pattern: 'https://prod/%s' }, test: { url_pattern: 'https://test/%s' } }) };
      assertClean(sys);
      assertClean(withSource({ type: 'dataset', $conditional_properties: cp({ prod: { dataset: 'a' }, test: { dataset: 'b' } }) }));
      assertOne(withSource({ type: 'dataset', $conditional_properties: cp({ prod: { dataset: 'a' }, test: {} }) }), { pointer: '/source', property: 'dataset' });
    });

    it('must have condition and alternatives', () => {
      assertOne(urlSystem({ $conditional_properties: { condition: '$ENV(x)' } }), {
        pointer: '/$conditional_properties', property: 'alternatives', message: "Missing required property 'alternatives' of the $conditional_properties",
      });
    });

    it('is reported inside transforms, which do not support it', () => {
      assertOne(pipe({ transform: { type: 'dtl', rules: { default: [] }, $conditional_properties: cp({ prod: { id_required: false } }) } }), {
        pointer: '/transform/$conditional_properties', severity: 'warning', onKey: true, message: /not supported inside transforms/,
      });
    });
  });

  describe('sink without type', () => {
    it('is validated as a dataset sink', () => {
      assertClean(pipe({ sink: { dataset: 'out', indexes: '$ids', set_initial_offset: 'onload' } }));
      assertClean(pipe({ sink: {} }));
      assertOne(pipe({ sink: { set_initial_offset: 'sometimes' } }), { pointer: '/sink/set_initial_offset', keyword: 'enum' });
      assertOne(pipe({ sink: { columns: ['_id'] } }), { pointer: '/sink/columns', severity: 'warning', message: "Unknown property 'columns' in a dataset sink" });
      assertOne(pipe({ sink: { dataset: 'system:config' } }), { pointer: '/sink/dataset', keyword: 'pattern' });
    });
  });

  describe('transform list vs single object', () => {
    const dtl = { type: 'dtl', rules: { default: [['copy', '*']] } };
    it('accepts one transform or a list of transforms', () => {
      assertClean(pipe({ transform: dtl }));
      assertClean(pipe({ transform: [dtl, { type: 'emit_children' }] }));
      assertClean(pipe({ transform: [] }));
    });
    it('validates each element of a list at its own pointer', () => {
      assertOne(pipe({ transform: [dtl, { type: 'dtl' }] }), { pointer: '/transform/1', property: 'rules', message: "Missing required property 'rules' of the dtl transform" });
      assertOne(pipe({ transform: [dtl, 'dtl'] }), { pointer: '/transform/1', keyword: 'type', message: "'transform[1]' must be an object, got \"dtl\"" });
      assertOne(pipe({ transform: 'dtl' }), { pointer: '/transform', keyword: 'type' });
    });
  });

  describe('conditional components', () => {
    it('validate source alternatives recursively', () => {
      const cond = (alternatives: Obj): Obj => withSource({ type: 'conditional', condition: '$ENV(env)', alternatives });
      assertClean(cond({ dev: { type: 'embedded', entities: [] }, prod: { type: 'sql', system: 'db', table: 't' } }));
      assertOne(cond({ dev: { type: 'embedded', entities: [] }, prod: { type: 'sql', system: 'db' } }), {
        pointer: '/source/alternatives/prod', message: "A sql source needs either 'table' or 'query'",
      });
      assertOne(cond({ dev: { type: 'embeded', entities: [] } }), { pointer: '/source/alternatives/dev/type', message: /did you mean 'embedded'/ });
      assertOne(cond({ dev: { type: 'conditional', condition: 'x', alternatives: { a: { type: 'dataset' } } } }), {
        pointer: '/source/alternatives/dev/alternatives/a', property: 'dataset',
      });
      assertOne(withSource({ type: 'conditional', alternatives: {} }), { pointer: '/source', property: 'condition' });
    });
    it('validate sink and transform alternatives too', () => {
      assertOne(pipe({ sink: { type: 'conditional', condition: 'x', alternatives: { a: { type: 'sql', system: 'db' } } } }), {
        pointer: '/sink/alternatives/a', property: 'table',
      });
      assertClean(pipe({ transform: { type: 'conditional', condition: 'x', alternatives: { a: [{ type: 'dtl', rules: { default: [] } }], b: { type: 'emit_children' } } } }));
      assertOne(pipe({ transform: { type: 'conditional', condition: 'x', alternatives: { a: [{ type: 'dtl', rules: { default: [] } }, { type: 'xml' }] } } }), {
        pointer: '/transform/alternatives/a/1', property: 'xml-property',
      });
    });
  });

  describe('schemaFor', () => {
    it('returns the raw schemas and component definitions', () => {
      const pipeSchema = schemaFor('pipe') as Obj;
      assert.equal(pipeSchema['$id'], 'https://dtl-toolchain.local/schemas/pipe.schema.json');
      assert.equal(pipeSchema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
      assert.equal((schemaFor('pump.schema.json') as Obj)['$id'], 'https://dtl-toolchain.local/schemas/pump.schema.json');
      assert.equal((schemaFor('system:url') as Obj)['title'], 'system:url system');
      assert.equal((schemaFor('source:dataset') as Obj)['title'], 'dataset source');
      assert.equal((schemaFor('sink:csv_endpoint') as Obj)['title'], 'csv_endpoint sink');
      assert.equal((schemaFor('transform:dtl') as Obj)['title'], 'dtl transform');
      assert.equal(schemaFor('nope'), undefined);
      assert.equal(schemaFor('source:nope'), undefined);
    });
    it('returns copies', () => {
      (schemaFor('pipe') as Obj)['title'] = 'changed';
      assert.equal((schemaFor('pipe') as Obj)['title'], 'pipe');
    });
  });
});
