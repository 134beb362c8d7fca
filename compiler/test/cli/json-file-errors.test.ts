/**
 * Bad JSON in the files around a project (env files, dtl test's expected files and specs,
 * dtl.config.json) is reported as file:line:column, like config files, also when the file is
 * cut off.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copySample, dtl, tempDir, writeProject } from '../helpers.js';

const NO_POSITION = /at position \d+|end of JSON input/;

describe('JSON syntax errors in env, expected and spec files', function () {
  this.timeout(120_000);

  it('an env file given to dtl run and dtl check: line and column', () => {
    const project = copySample('tutorial');
    const env = path.join(tempDir(), 'env.json');
    fs.writeFileSync(env, '{\n  "a": 1,\n  bad\n}\n');
    const run = dtl(['run', project, '--once', '--env', env, '--data', path.join(tempDir(), 'd')]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `dtl run: Env file is not valid JSON: ${env}:3:3: Expected a property name, found 'bad'\n`);
    const check = dtl(['check', project, '--env', env]);
    assert.equal(check.code, 2);
    assert.match(check.stderr, /env\.json:3:3: Expected a property name/);
  });

  it('an env file that is cut off: where the input ends', () => {
    const project = copySample('tutorial');
    const env = path.join(tempDir(), 'env.json');
    fs.writeFileSync(env, '{\n  "a": [1,\n   2');
    const r = dtl(['run', project, '--once', '--env', env, '--data', path.join(tempDir(), 'd')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`^dtl run: Env file is not valid JSON: ${env.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:\\d+: Unexpected end of file`));
    assert.doesNotMatch(r.stderr, NO_POSITION);
  });

  it('dtl test: a bad or cut-off expected file, and a bad spec', () => {
    const project = writeProject({
      'sesam.conf.json': [
        { _id: 'src', type: 'pipe', source: { type: 'embedded', entities: [{ _id: '1' }] } },
        { _id: 'out', type: 'pipe', source: { type: 'dataset', dataset: 'src' }, sink: { type: 'http_endpoint' } },
      ],
      'expected/out.test.json': '{}',
    });
    const expected = path.join(project, 'expected', 'out.json');
    fs.writeFileSync(expected, '[\n {"_id": "1",\n  oops\n]\n');
    const bad = dtl(['test', project]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^Test 'out': the expected file is not valid JSON: \S*out\.json:3:3: Expected a property name, found 'oops'$/m);
    fs.writeFileSync(expected, '[\n {"_id": "1",\n  "x": ');
    const cut = dtl(['test', project]);
    assert.equal(cut.code, 1);
    assert.match(cut.stderr, /out\.json:3:\d+: /);
    assert.doesNotMatch(cut.stderr, NO_POSITION);
    fs.writeFileSync(path.join(project, 'expected', 'out.test.json'), '{\n  "pipe": "out",,\n}');
    const spec = dtl(['test', project]);
    assert.equal(spec.code, 2);
    assert.match(spec.stderr, /Test spec is not valid JSON: \S*out\.test\.json:2:\d+: /);
  });

  it('dtl.config.json: line and column', () => {
    const project = copySample('tutorial');
    fs.writeFileSync(path.join(project, 'dtl.config.json'), '{\n  "rules": {"x": "off"\n');
    const r = dtl(['check', project]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /dtl\.config\.json is not valid JSON: \S*dtl\.config\.json:\d+:\d+: /);
    assert.doesNotMatch(r.stderr, NO_POSITION);
  });
});
