import assert from 'node:assert/strict';
import { Decimal } from '../../src/values/decimal.js';
import { Float, type Entity } from '../../src/values/types.js';
import { SchemaError, jsonSchemaTransform, pyRepr } from '../../src/engine/json-schema.js';

describe('engine/json-schema (the json_schema transform)', () => {
  it("gives the docs' example output: valid, or invalid with jsonschema's messages", () => {
    const t = jsonSchemaTransform({ schema: { type: 'object', properties: { name: { type: 'string' }, born: { type: 'string' } }, required: ['name', 'born'] } });
    assert.deepEqual(t.apply({ _id: '3', name: 'Jim' }), { _id: '3', name: 'Jim', valid: false, errors: ["'born' is a required property"] });
    assert.deepEqual(t.apply({ _id: '5', name: 'Bob', born: '1972-03-12' }), { _id: '5', name: 'Bob', born: '1972-03-12', valid: true });
  });

  it('reports every error in the order of the schema, with values as Python repr() shows them', () => {
    const t = jsonSchemaTransform({
      key_valid: 'ok',
      key_errors: 'why',
      schema: {
        properties: {
          price: { maximum: 10 },
          tags: { uniqueItems: true, maxItems: 1 },
          kind: { enum: ['a', 'b'] },
          code: { pattern: '^[A-Z]+$', minLength: 5 },
          ratio: { exclusiveMinimum: 0 },
          flag: { type: ['string', 'null'] },
        },
        additionalProperties: false,
        required: ['missing'],
      },
    });
    const e: Entity = { _id: 'x', price: Decimal.parse('73.50')!, tags: [1, 1], kind: "it's", code: 'ab', ratio: new Float(0), flag: true, extra: null };
    assert.deepEqual(t.apply(e)['why'], [
      "Decimal('73.50') is greater than the maximum of 10",
      '[1, 1] has non-unique elements',
      '[1, 1] is too long',
      `"it's" is not one of ['a', 'b']`,
      "'ab' does not match '^[A-Z]+$'",
      "'ab' is too short",
      '0.0 is less than or equal to the minimum of 0',
      "True is not of type 'string', 'null'",
      "Additional properties are not allowed ('_id', 'extra' were unexpected)",
      "'missing' is a required property",
    ]);
    assert.equal(t.apply(e)['ok'], false);
  });

  it('Python repr of entity values', () => {
    assert.equal(pyRepr({ a: [null, true, 1.5, 'q"'] }), "{'a': [None, True, 1.5, 'q\"']}");
  });

  it('a schema ajv cannot compile is an error, naming where a fetched one came from; a schema_url config needs its schema fetched first', () => {
    assert.throws(() => jsonSchemaTransform({ schema: { type: 'no-such-type' } }), SchemaError);
    assert.throws(
      () => jsonSchemaTransform({ schema: { type: 'no-such-type' } }, 'http://x/schema.json'),
      (e: Error) => e instanceof SchemaError && e.message.startsWith("the json_schema transform's schema from http://x/schema.json is not valid: "),
    );
    assert.throws(() => jsonSchemaTransform({}), /needs a "schema" object/);
    assert.throws(() => jsonSchemaTransform({ schema_url: 'http://x/schema.json', system: 's' }), /schema_url was not fetched/);
  });
});
