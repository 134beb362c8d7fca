import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PipeFailure } from '../../src/engine/compiled-pipe.js';
import type { ManifestPipe, ManifestSystem, ManifestTransform } from '../../src/engine/manifest.js';
import { fetchSchemas, type SchemaFetchEnv } from '../../src/engine/schema-url.js';
import { MissingSourceFileError } from '../../src/engine/sources.js';

const PERSON = { type: 'object', properties: { name: { type: 'string' }, born: { type: 'string' } }, required: ['name', 'born'] };

function pipeWith(...transforms: ManifestTransform[]): ManifestPipe {
  return { id: 'checked', transforms } as unknown as ManifestPipe;
}

function schemaUrl(url: unknown, system: unknown = 'files', extra: Record<string, unknown> = {}): ManifestTransform {
  return { type: 'json_schema', config: { type: 'json_schema', schema_url: url, system, ...extra } };
}

describe('engine/schema-url: the json_schema transform fetching its schema_url', () => {
  let root: string;
  let env: SchemaFetchEnv;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dtl-schema-url-'));
    fs.mkdirSync(path.join(root, 'schemas'));
    fs.writeFileSync(path.join(root, 'schemas', 'person.json'), JSON.stringify(PERSON));
    const systems: ManifestSystem[] = [
      { id: 'files', type: 'system:url', config: { base_url: 'schemas/' } },
      { id: 'file-url', type: 'system:url', config: { base_url: 'file:schemas/' } },
      { id: 'service', type: 'system:microservice', config: { docker: { image: 'x', port: 5000 } } },
    ];
    env = { pipeId: 'checked', projectRoot: root, systems: new Map(systems.map((s) => [s.id, s])), secrets: (name) => (name === 'which' ? 'person' : undefined) };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('is nothing to do for a pipe without schema_url', async () => {
    assert.equal(await fetchSchemas(pipeWith({ type: 'json_schema', config: { schema: PERSON } }, { type: 'dtl', compiled: 0, config: {} }), env), undefined);
  });

  it('reads the schema from a local folder base_url or a file: URL relative to the project, and validates with it', async () => {
    for (const system of ['files', 'file-url']) {
      const t = schemaUrl('person.json', system);
      const v = (await fetchSchemas(pipeWith(t), env))!.get(t)!;
      assert.deepEqual(v.apply({ _id: '3', name: 'Jim' }), { _id: '3', name: 'Jim', valid: false, errors: ["'born' is a required property"] }, system);
      assert.deepEqual(v.apply({ _id: '5', name: 'Bob', born: '1972-03-12' }), { _id: '5', name: 'Bob', born: '1972-03-12', valid: true }, system);
    }
  });

  it('the fetched schema wins over an embedded one, key_valid and key_errors still apply; $SECRET in schema_url is filled in', async () => {
    const t = schemaUrl('$SECRET(which).json', 'files', { schema: { type: 'object' }, key_valid: 'ok', key_errors: 'why' });
    const v = (await fetchSchemas(pipeWith(t), env))!.get(t)!;
    assert.deepEqual(v.apply({ _id: '3' }), { _id: '3', ok: false, why: ["'name' is a required property", "'born' is a required property"] });
  });

  it('fails naming the pipe and the schema_url for an unknown system, a system that is not a system:url, or a secret nobody provides', async () => {
    const fails = (t: ManifestTransform, message: string): Promise<void> =>
      assert.rejects(fetchSchemas(pipeWith(t), env), (e: Error) => e instanceof PipeFailure && e.message === message);
    await fails(schemaUrl('person.json', 'nope'), `Pipe 'checked': cannot fetch the json_schema transform's schema_url "person.json": system 'nope' is not defined.`);
    await fails(schemaUrl('person.json', 'service'), `Pipe 'checked': cannot fetch the json_schema transform's schema_url "person.json": system 'service' is a system:microservice, not a system:url.`);
    await fails(schemaUrl('person.json', null), `Pipe 'checked': cannot fetch the json_schema transform's schema_url "person.json": the transform has no "system" (the system:url to fetch it through).`);
    await assert.rejects(fetchSchemas(pipeWith(schemaUrl('$SECRET(nobody).json')), env), /^Error: Pipe 'checked': the json_schema transform refers to the secret 'nobody', which neither secrets\.json/);
  });

  it('fails naming the pipe and the file for a missing file, a body that is not JSON, not an object, or not a valid schema', async () => {
    const file = path.join(root, 'schemas', 'gone.json');
    await assert.rejects(
      fetchSchemas(pipeWith(schemaUrl('gone.json')), env),
      (e: Error) => e instanceof MissingSourceFileError && e.file === file && e.message === `Pipe 'checked': cannot fetch the json_schema transform's schema_url "gone.json": the file ${file} does not exist.`,
    );
    fs.writeFileSync(path.join(root, 'schemas', 'broken.json'), '{"type": "object",');
    await assert.rejects(
      fetchSchemas(pipeWith(schemaUrl('broken.json')), env),
      (e: Error) => e instanceof PipeFailure && e.message.startsWith(`Pipe 'checked': cannot fetch the json_schema transform's schema_url "broken.json": schemas/broken.json is not valid JSON: `),
    );
    fs.writeFileSync(path.join(root, 'schemas', 'list.json'), '[{"type": "object"}]');
    await assert.rejects(fetchSchemas(pipeWith(schemaUrl('list.json')), env), {
      message: `Pipe 'checked': cannot fetch the json_schema transform's schema_url "list.json": schemas/list.json holds a list, not a JSON schema (an object).`,
    });
    fs.writeFileSync(path.join(root, 'schemas', 'bad.json'), '{"type": "no-such-type"}');
    await assert.rejects(
      fetchSchemas(pipeWith(schemaUrl('bad.json')), env),
      (e: Error) => e instanceof PipeFailure && e.message.startsWith(`Pipe 'checked': the json_schema transform's schema from schemas/bad.json is not valid: `),
    );
  });
});
