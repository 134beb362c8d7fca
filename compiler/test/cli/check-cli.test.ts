/** `dtl check` through the real CLI: formats, exit codes, options, config file, env file. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { dtl, writeProject } from '../helpers.js';

const PIPE_WITH_PROBLEMS = [
  { _id: 'customers', type: 'pipe', source: { type: 'embedded', entities: [] } },
  {
    _id: 'p',
    type: 'pipe',
    source: { type: 'dataset', dataset: 'customers' },
    transform: { type: 'dtl', rules: { default: [['add', 'name', ['concatt', '_S.a']]], unused: [['copy', '*']] } },
  },
];

function layoutProject(): string {
  return writeProject({
    'pipes/customers.conf.json': PIPE_WITH_PROBLEMS[0],
    'pipes/p.conf.json': PIPE_WITH_PROBLEMS[1],
  });
}

describe('dtl check (CLI)', function () {
  this.timeout(60_000);

  it('json format: an array of located diagnostics; exit 1 on errors', () => {
    const dir = layoutProject();
    const r = dtl(['check', dir, '--format', 'json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { file: string; line: number; column: number; endLine: number; endColumn: number; severity: string; code: string; message: string }[];
    const err = out.find((d) => d.code === 'dtl-unknown-function')!;
    assert.ok(err.file.endsWith(path.join('pipes', 'p.conf.json')));
    assert.equal(err.severity, 'error');
    const text = fs.readFileSync(path.join(dir, 'pipes', 'p.conf.json'), 'utf8').split('\n');
    assert.equal(text[err.line - 1]!.slice(err.column - 1, err.endColumn - 1), '"concatt"');
    assert.ok(out.some((d) => d.code === 'dtl-unused-rule' && d.severity === 'warning'));
    for (const d of out) assert.deepEqual(Object.keys(d).sort(), ['code', 'column', 'endColumn', 'endLine', 'file', 'line', 'message', 'severity']);
  });

  it('pretty format: a code frame with a caret, no colour when not a TTY or with NO_COLOR', () => {
    const r = dtl(['check', layoutProject()]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /p\.conf\.json:\d+:\d+ error Unknown function 'concatt'\. Did you mean 'concat'\? \[dtl-unknown-function\]/);
    assert.match(r.stdout, /\n\s*\d+ \| .*"concatt".*\n\s+\| +\^{9}/);
    assert.doesNotMatch(r.stdout, /\u001b\[/);
    assert.match(r.stdout, /2 problems \(1 error, 1 warning\) in 2 files\./);
  });

  it('sarif format: SARIF 2.1.0 with physical locations and rules', () => {
    const r = dtl(['check', layoutProject(), '--format', 'sarif']);
    assert.equal(r.code, 1);
    const sarif = JSON.parse(r.stdout) as { version: string; runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[] }[] };
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0]!;
    assert.equal(run.tool.driver.name, 'dtl');
    assert.ok(run.tool.driver.rules.some((r) => r.id === 'dtl-unknown-function'));
    const res = run.results.find((x) => x.ruleId === 'dtl-unknown-function')!;
    assert.equal(res.level, 'error');
    assert.match(res.locations[0]!.physicalLocation.artifactLocation.uri, /pipes\/p\.conf\.json$/);
    assert.ok(res.locations[0]!.physicalLocation.region.startLine > 1);
    assert.equal(run.results.find((x) => x.ruleId === 'dtl-unused-rule')!.level, 'warning');
  });

  it('github format: workflow annotations', () => {
    const r = dtl(['check', layoutProject(), '--format', 'github']);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.some((l) => /^::error file=[^,]*pipes\/p\.conf\.json,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=dtl-unknown-function::Unknown function 'concatt'/.test(l)), r.stdout);
    assert.ok(lines.some((l) => l.startsWith('::warning ') && l.includes('title=dtl-unused-rule')));
  });

  it('exit 0 on warnings only; --max-warnings turns too many warnings into exit 1; --quiet hides them', () => {
    const dir = writeProject({ 'sesam.conf.json': [PIPE_WITH_PROBLEMS[0], { ...PIPE_WITH_PROBLEMS[1], transform: { type: 'dtl', rules: { default: [['copy', '*']], unused: [['copy', '*']] } } }] });
    assert.equal(dtl(['check', dir]).code, 0);
    assert.equal(dtl(['check', dir, '--max-warnings', '1']).code, 0);
    const over = dtl(['check', dir, '--max-warnings', '0']);
    assert.equal(over.code, 1);
    assert.match(over.stderr, /Too many warnings: 1 \(maximum 0\)/);
    const quiet = dtl(['check', dir, '--quiet', '--format', 'json']);
    assert.deepEqual(JSON.parse(quiet.stdout), []);
  });

  it('exit 2 on usage errors and unreadable input, with a clear message', () => {
    const bad = dtl(['check', '--format', 'xml']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown format 'xml'/);
    const missing = dtl(['check', '/no/such/project']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /No such file or folder: \/no\/such\/project/);
    assert.equal(dtl(['check', '--max-warnings', 'x']).code, 2);
    assert.equal(dtl(['check', '--bogus']).code, 2);
    assert.equal(dtl(['frobnicate']).code, 2);
  });

  it('takes one file holding an array of entities', () => {
    const dir = writeProject({ 'sesam.conf.json': [PIPE_WITH_PROBLEMS[0]] });
    const r = dtl(['check', path.join(dir, 'sesam.conf.json'), '--format', 'json']);
    assert.equal(r.code, 0, r.stdout);
  });

  it('reads dtl.config.json (severities, rules off) and rejects a broken one with exit 2', () => {
    const dir = layoutProject();
    fs.writeFileSync(path.join(dir, 'dtl.config.json'), JSON.stringify({ rules: { 'dtl-unknown-function': 'warning', 'dtl-unused-rule': 'off' } }));
    const r = dtl(['check', dir, '--format', 'json']);
    assert.equal(r.code, 0, r.stdout);
    const out = JSON.parse(r.stdout) as { code: string; severity: string }[];
    assert.deepEqual(out.map((d) => [d.code, d.severity]), [['dtl-unknown-function', 'warning']]);
    fs.writeFileSync(path.join(dir, 'dtl.config.json'), JSON.stringify({ rules: { 'dtl-unkown-function': 'off' } }));
    const broken = dtl(['check', dir]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /unknown rule 'dtl-unkown-function'.*Did you mean 'dtl-unknown-function'/);
  });

  it('--env: unknown $ENV variables are warnings; a bad env file is exit 2', () => {
    const dir = writeProject({
      'sesam.conf.json': [{ _id: 'a', type: 'pipe', source: { type: 'embedded', entities: [] }, pump: { schedule_interval: '$ENV(interval)', cron_expression: '$ENV(cron)' } }],
      'test-env.json': { interval: 60 },
      'broken-env.json': '{ nope',
    });
    const r = dtl(['check', dir, '--env', path.join(dir, 'test-env.json'), '--format', 'json']);
    assert.equal(r.code, 0);
    const out = JSON.parse(r.stdout) as { code: string; message: string }[];
    assert.deepEqual(out.map((d) => d.code), ['env-unknown-variable']);
    assert.match(out[0]!.message, /cron/);
    assert.deepEqual(JSON.parse(dtl(['check', dir, '--format', 'json']).stdout), [], 'without an env file nothing is reported');
    const broken = dtl(['check', dir, '--env', path.join(dir, 'broken-env.json')]);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /not valid JSON/);
  });

  it('reports syntax errors in one file and still checks the others', () => {
    const dir = writeProject({
      'pipes/a.conf.json': '{"_id": "a", "type": "pipe", "source": {"type": "embedded", "entities": []},}',
      'pipes/b.conf.json': JSON.stringify({ _id: 'b', type: 'pipe', source: { type: 'dataset', dataset: 'nowhere' } }),
    });
    const out = JSON.parse(dtl(['check', dir, '--format', 'json']).stdout) as { code: string; file: string }[];
    assert.ok(out.some((d) => d.code === 'json-trailing-comma' && d.file.endsWith('a.conf.json')));
    assert.ok(out.some((d) => d.code === 'graph-unknown-dataset' && d.file.endsWith('b.conf.json')));
  });

  it('--help and --version', () => {
    const h = dtl(['check', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Usage: dtl check/);
    const v = dtl(['--version']);
    assert.equal(v.code, 0);
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
    assert.match(dtl(['--help']).stdout, /check \[PATH\]/);
  });
});

describe('dtl eval (CLI)', function () {
  this.timeout(30_000);
  it('evaluates an expression against a source entity, exactly', () => {
    const r = dtl(['eval', '["concat", "_S.first", " ", ["upper", "_S.last"]]', '--source', '{"_id": "1", "first": "Ann", "last": "Lee"}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout), 'Ann LEE');
    const sum = dtl(['eval', '["sum", ["list", "~f73.50", "~f10.40"]]']);
    assert.equal(JSON.parse(sum.stdout), '~f83.90');
  });
  it('reports DTL errors with exit 1', () => {
    const r = dtl(['eval', '["concatt", "a"]']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Unknown function 'concatt'\. Did you mean 'concat'\? \[dtl-unknown-function\]/);
  });
  it('a documented function the local runtime lacks is a one-line error with exit 1, not a crash', () => {
    const r = dtl(['eval', '["encrypt-pgp", "key", "text"]']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), "dtl eval: The DTL function 'encrypt-pgp' is not implemented by this runtime.");
  });
});
