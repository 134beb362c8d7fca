import assert from 'node:assert/strict';
import { prettyXml } from '../../src/testing/xml-pretty.js';

describe('testing/xml-pretty (sesam verify compares XML pretty-printed)', () => {
  const compact = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<baz a="1"><tag name="x &amp; y"><from>0</from><to/></tag><!-- note --><tag>mixed <b>bold</b> text</tag></baz>';
  const pretty = [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
    '<baz a="1">',
    '  <tag name="x &amp; y">',
    '    <from>0</from>',
    '    <to/>',
    '  </tag>',
    '  <tag>mixed <b>bold</b> text</tag>',
    '</baz>',
    '',
  ].join('\n');

  it('indents elements that hold only elements, keeps text content inline, drops comments', () => {
    assert.equal(prettyXml(compact), pretty);
  });

  it('is a fixed point, so a pretty expected file equals the compact output it was written from', () => {
    assert.equal(prettyXml(pretty), pretty);
    assert.equal(prettyXml(pretty.replace(/\n\s*/g, '\n')), pretty);
  });

  it('normalises what XML does not distinguish: quotes, references, CDATA, the declaration', () => {
    const a = prettyXml(`<?xml version='1.0' encoding='UTF-8' standalone='yes'?><r k='v&#x41;'><![CDATA[a<b]]></r>`);
    const b = prettyXml('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<r k="vA">a&lt;b</r>');
    assert.equal(a, b);
    assert.notEqual(prettyXml('<r k="v"/>'), prettyXml('<r k="w"/>'));
    assert.notEqual(prettyXml('<r>a</r>'), prettyXml('<r>b</r>'));
  });

  it('a document that does not parse gives undefined (the caller compares bytes)', () => {
    for (const bad of ['<a>', '<a></b>', '<a/><b/>', 'text', '<a x=1/>', '<!DOCTYPE a><a/>', '<a>&bogus;</a>']) assert.equal(prettyXml(bad), undefined, bad);
  });
});
