/**
 * A built bundle copied away from its project: --project says where the project's files are,
 * the failure without it says so, and the bundle's messages name the bundle, not dtl.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { BUNDLE_FEATURES, leaveOut } from '../../src/codegen/bundle-features.js';
import { REPO, copySample, dtl, tempDir, withoutVolatile, writeProject } from '../helpers.js';

function bundle(file: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [file, ...args], { encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function seed(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(REPO, 'samples', 'tutorial', 'seed', `${name}.json`), 'utf8'));
}

describe('a bundle copied to another folder', function () {
  this.timeout(120_000);

  it('runs with --project, and without it fails naming the bundle and hinting at --project', () => {
    const project = copySample('tutorial');
    const out = path.join(project, 'out');
    assert.equal(dtl(['build', project, '-o', out]).code, 0);
    // The manifest's project root is relative to OUT, so in the copy it points nowhere.
    const copy = path.join(tempDir('dtl-bundle-copy-'), 'isolated', 'out');
    fs.cpSync(out, copy, { recursive: true });
    const entry = path.join(copy, 'bundle.mjs');

    const lost = bundle(entry, ['--once', '--data', path.join(tempDir(), 'd')]);
    assert.equal(lost.code, 1);
    assert.match(lost.stderr, /^bundle\.mjs: Pipe '\w+': the source file \S+ does not exist\.$/m);
    assert.match(lost.stderr, /pass --project DIR/);
    assert.doesNotMatch(lost.stderr, /dtl run/);

    const data = path.join(tempDir(), 'd');
    const found = bundle(entry, ['--once', '--data', data, '--project', project]);
    assert.equal(found.code, 0, found.stderr);
    const ds = dtl(['dataset', 'customers-with-orders', '--data', data]);
    assert.deepEqual(withoutVolatile(JSON.parse(ds.stdout)), withoutVolatile(seed('customers-with-orders')));
  });

  it('documents --project in --help and rejects a missing folder as a usage error', () => {
    const project = copySample('tutorial');
    const out = path.join(project, 'out');
    assert.equal(dtl(['build', project, '-o', out]).code, 0);
    const entry = path.join(out, 'bundle.mjs');
    const help = bundle(entry, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^ {2}--project DIR {5}the project folder/m);
    const missing = bundle(entry, ['--once', '--project', path.join(project, 'nowhere')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^bundle\.mjs: --project \S+nowhere: no such folder$/m);
    const noValue = bundle(entry, ['--once', '--project']);
    assert.equal(noValue.code, 2);
    assert.match(noValue.stderr, /^bundle\.mjs: --project needs a folder$/m);
    const badPort = bundle(entry, ['--port', 'x']);
    assert.equal(badPort.code, 2);
    assert.match(badPort.stderr, /^bundle\.mjs: --port must be a port number/m);
  });

  it('dtl run keeps naming itself, with no --project hint', () => {
    const project = copySample('tutorial');
    fs.rmSync(path.join(project, 'customers', 'customers.json'));
    const r = dtl(['run', project, '--once', '--data', path.join(tempDir(), 'd')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^dtl run: Pipe 'customers': the source file \S+ does not exist\.$/m);
    assert.doesNotMatch(r.stderr, /--project/);
  });
});

describe('the optional packages a bundle carries', function () {
  this.timeout(120_000);
  const PACKAGES = ['libphonenumber-js', 'ajv', 'cron-parser', 'csv-parse'];
  // esbuild marks each bundled module with a `// node_modules/<package>/...` comment.
  const carries = (text: string, pkg: string): boolean => text.includes(`// node_modules/${pkg}/`);

  it('are left out when no pipe uses them, and the project still runs', () => {
    const project = copySample('tutorial');
    const out = path.join(project, 'out');
    assert.equal(dtl(['build', project, '-o', out]).code, 0);
    const entry = path.join(out, 'bundle.mjs');
    const text = fs.readFileSync(entry, 'utf8');
    for (const pkg of PACKAGES) assert.ok(!carries(text, pkg), `${pkg} is in the tutorial's bundle`);
    for (const f of BUNDLE_FEATURES) assert.ok(text.includes(`${f.name}: this bundle was built without it`), `no stub for ${f.name}`);
    assert.ok(text.length < 600_000, `the bundle has ${text.length} bytes`);
    const data = path.join(tempDir(), 'd');
    const run = bundle(entry, ['--once', '--data', data]);
    assert.equal(run.code, 0, run.stderr);
    const ds = dtl(['dataset', 'customers-with-orders', '--data', data]);
    assert.deepEqual(withoutVolatile(JSON.parse(ds.stdout)), withoutVolatile(seed('customers-with-orders')));
  });

  it('are carried when a pipe uses them: csv source, phonenumber functions, json_schema, cron_expression', () => {
    const project = writeProject({
      'people.csv': 'id,name,phone\n1,Ola,+47 22 12 34 56\n2,Kari,not a number\n',
      'sesam.conf.json': [
        {
          _id: 'people',
          type: 'pipe',
          source: { type: 'csv', url: 'people.csv', primary_key: 'id' },
          pump: { cron_expression: '0 3 * * *' },
          transform: [
            { type: 'dtl', rules: { default: [['copy', 'name'], ['add', 'tel', ['phonenumber-parse', 'NO', '_S.phone']]] } },
            { type: 'json_schema', schema: { type: 'object', required: ['tel'], properties: { tel: { type: 'string' } } } },
          ],
        },
      ],
    });
    const out = path.join(project, 'out');
    assert.equal(dtl(['build', project, '-o', out]).code, 0);
    const entry = path.join(out, 'bundle.mjs');
    const text = fs.readFileSync(entry, 'utf8');
    for (const pkg of PACKAGES) assert.ok(carries(text, pkg), `${pkg} is missing from the bundle`);
    assert.doesNotMatch(text, /this bundle was built without it/);
    const data = path.join(tempDir(), 'd');
    const run = bundle(entry, ['--once', '--data', data]);
    assert.equal(run.code, 0, run.stderr);
    const people = JSON.parse(dtl(['dataset', 'people', '--data', data]).stdout) as Record<string, unknown>[];
    assert.deepEqual(
      people.map((e) => [e['_id'], e['name'], e['tel'], e['valid'], e['errors']]),
      [
        ['1', 'Ola', '~rtel:+47-22-12-34-56', true, undefined],
        ['2', 'Kari', null, false, ["None is not of type 'string'"]],
      ],
    );
  });

  it('left out, fail naming the feature if ever reached', async () => {
    const dir = tempDir();
    const entry = path.join(dir, 'entry.mjs');
    fs.writeFileSync(entry, "import { CronExpressionParser } from 'cron-parser';\nCronExpressionParser.parse('* * * * *');\n");
    const outfile = path.join(dir, 'out.mjs');
    await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent', plugins: [leaveOut(BUNDLE_FEATURES)] });
    const r = bundle(outfile, []);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cron_expression schedules: this bundle was built without it, because no pipe used it when it was built; build the project again with dtl build/);
  });
});
