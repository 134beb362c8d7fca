import assert from 'node:assert/strict';
import { unifiedDiff } from '../../src/testing/specs.js';

describe('testing/unifiedDiff', () => {
  it('writes hunks like diff -u: line ranges, three lines of context, removals before additions', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'].join('\n');
    const b = ['a', 'b', 'c', 'd', 'E', 'f', 'g', 'h', 'i', 'j', 'k', 'l'].join('\n');
    assert.equal(unifiedDiff(a, b, 'expected', 'current'), ['--- expected', '+++ current', '@@ -2,10 +2,11 @@', ' b', ' c', ' d', '-e', '+E', ' f', ' g', ' h', ' i', ' j', ' k', '+l'].join('\n'));
  });
  it('splits distant changes into separate hunks', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const changed = lines.map((l, i) => (i === 2 || i === 25 ? l + '!' : l));
    const d = unifiedDiff(lines.join('\n'), changed.join('\n'), 'x', 'y').split('\n');
    assert.deepEqual(d.filter((l) => l.startsWith('@@')), ['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
  });
  it('has no hunks for equal texts', () => {
    assert.equal(unifiedDiff('same\ntext', 'same\ntext', 'x', 'y'), '--- x\n+++ y');
  });
});
