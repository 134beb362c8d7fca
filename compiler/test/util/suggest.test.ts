import assert from 'node:assert/strict';
import { didYouMean, editDistance, suggest } from '../../src/util/suggest.js';

describe('util/suggest', () => {
  it('counts an adjacent transposition as one edit', () => {
    assert.equal(editDistance('tpye', 'type'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('same', 'same'), 0);
  });
  it('suggests close candidates, nearest first, ignoring case', () => {
    assert.deepEqual(suggest('concatt', ['concat', 'count', 'coalesce']), ['concat']);
    assert.deepEqual(suggest('Manual', ['manual', 'scheduled']), ['manual']);
    assert.deepEqual(suggest('zzzzzz', ['concat']), []);
    assert.equal(didYouMean('snik', ['sink', 'source']), " Did you mean 'sink'?");
  });
});
