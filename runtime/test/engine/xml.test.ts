import assert from 'node:assert/strict';
import { Decimal } from '../../src/values/decimal.js';
import { Float, type Entity } from '../../src/values/types.js';
import { XmlShapeError, entityXml, renderXml, xmlOptions } from '../../src/engine/xml.js';

/** The docs' example entity (xml_endpoint sink, "Expected entity shape"). */
const DOCS_ENTITY: Entity = {
  _id: '1',
  name: 'Entity 1',
  id: 'entity-1',
  '<foo:tag>': [{ id: 'child', name: 'Child entity', '<section>': [{ '<from>': '0' }, { '<to>': '999' }] as Entity[] }],
};

describe('engine/xml (xml_endpoint sink and xml transform)', () => {
  it("renders the docs' example: wrapper with the root attributes, attributes in property order, children from the tag property", () => {
    const o = xmlOptions({
      wrapper: 'baz',
      'root-attributes': { xmlns: 'http://www.example.org/ns1', 'xmlns:foo': 'http://www.example.org/foo', zoo: 'bar' },
    });
    assert.equal(
      renderXml([DOCS_ENTITY], o),
      '<baz xmlns="http://www.example.org/ns1" xmlns:foo="http://www.example.org/foo" zoo="bar">' +
        '<foo:tag name="Entity 1" id="entity-1"><section id="child" name="Child entity"><from>0</from><to>999</to></section></foo:tag></baz>',
    );
  });

  it("renders the xml transform's example: the root attributes on the entity's element", () => {
    const o = xmlOptions({ 'root-attributes': { xmlns: 'http://www.example.org/ns1', 'xmlns:foo': 'http://www.example.org/ns2' }, 'xml-property': 'xml' });
    assert.equal(
      entityXml(DOCS_ENTITY, o),
      '<foo:tag xmlns="http://www.example.org/ns1" xmlns:foo="http://www.example.org/ns2" name="Entity 1" id="entity-1"><section id="child" name="Child entity"><from>0</from><to>999</to></section></foo:tag>',
    );
  });

  it('writes values as Python str() does, escapes text and attributes, and skips _ properties, nulls and non-object list items', () => {
    const e: Entity = {
      _id: 'x',
      _hidden: 'no',
      flag: true,
      off: false,
      n: 7,
      price: Decimal.parse('73.50')!,
      ratio: new Float(2),
      gone: null,
      quote: 'a "b" <c> & d\ne',
      '<item>': ['ignored', 3, null, { '<v>': 'x < y & z' }, { '<empty>': null }] as Entity[],
    };
    assert.equal(
      entityXml(e, xmlOptions({})),
      '<item flag="True" off="False" n="7" price="73.50" ratio="2.0" quote="a &quot;b&quot; &lt;c&gt; &amp; d&#10;e"><v>x &lt; y &amp; z</v><empty/></item>',
    );
  });

  it('a literal tag value is the text; an object is one child element', () => {
    assert.equal(entityXml({ _id: 'a', '<n>': 42 }, xmlOptions({})), '<n>42</n>');
    assert.equal(entityXml({ _id: 'a', '<outer>': { k: 'v', '<inner>': 'x' } }, xmlOptions({})), '<outer><inner k="v">x</inner></outer>');
  });

  it('without a wrapper every entity is a root element with the root attributes; the declaration and deleted entities follow the options', () => {
    const entities: Entity[] = [
      { _id: 'a', '<e>': 'A' },
      { _id: 'b', _deleted: true, '<e>': 'B' },
    ];
    assert.equal(renderXml(entities, xmlOptions({ 'root-attributes': { v: '1' } })), '<e v="1">A</e>');
    assert.equal(
      renderXml(entities, xmlOptions({ 'include-xml-decl': true, 'skip-deleted-entities': false, wrapper: 'all' })),
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<all><e>A</e><e>B</e></all>',
    );
    assert.equal(renderXml([], xmlOptions({ wrapper: 'all' })), '<all/>');
  });

  it('an object without exactly one tag property, or a name that is not an XML name, is an error naming the entity', () => {
    assert.throws(() => entityXml({ _id: 'a', name: 'x' }, xmlOptions({})), (e: unknown) => e instanceof XmlShapeError && /entity "a".*no tag property/.test(e.message));
    assert.throws(() => entityXml({ _id: 'a', '<x>': 1, '<y>': 2 }, xmlOptions({})), (e: unknown) => e instanceof XmlShapeError && /entity "a".*two tag properties/.test(e.message));
    assert.throws(() => entityXml({ _id: 'a', '<1x>': 1 }, xmlOptions({})), /"1x" is not a valid XML element name/);
    assert.throws(() => entityXml({ _id: 'a', 'bad name': 1, '<x>': 1 }, xmlOptions({})), /"bad name" is not a valid XML attribute name/);
  });
});
