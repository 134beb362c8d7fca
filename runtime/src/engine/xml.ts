/**
 * Entities as XML, the way the xml_endpoint sink and the xml transform render them (docs:
 * "Expected entity shape"): each object has exactly one `"<tag>"` property, which names its
 * element and holds its content (a literal as text, an object as one child element, a list's
 * objects as child elements; other list items are ignored), and every other property not
 * starting with `_` becomes an attribute, in property order.
 *
 * Where the docs are silent (see docs/decisions.md): values are written as Python's str()
 * writes them (True/False, decimals as they are stored), lists and objects as attributes as
 * JSON, a null attribute is left out, and an element without content is written `<tag/>`.
 */
import { isDict, type Dict, type Entity, type Value } from '../values/types.js';
import { pythonStr } from './python-str.js';

export class XmlShapeError extends Error {}

/** The xml_endpoint sink's (and xml transform's) options. */
export interface XmlOptions {
  readonly wrapper?: string;
  readonly rootAttributes: ReadonlyArray<readonly [string, string]>;
  readonly declaration: boolean;
  readonly skipDeleted: boolean;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

export function xmlOptions(config: Readonly<Record<string, unknown>>): XmlOptions {
  const attrs = config['root-attributes'];
  return {
    wrapper: typeof config.wrapper === 'string' && config.wrapper !== '' ? config.wrapper : undefined,
    rootAttributes: isDict(attrs as Value) ? Object.entries(attrs as Dict).map(([k, v]) => [k, pythonStr(v)] as const) : [],
    declaration: config['include-xml-decl'] === true,
    skipDeleted: config['skip-deleted-entities'] !== false,
  };
}

// An XML name, with an optional prefix (a QName); letters beyond ASCII are allowed.
const NAME = /^[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*(?::[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?$/;

function checkName(name: string, what: string, where: string): void {
  if (!NAME.test(name)) throw new XmlShapeError(`${where}: ${JSON.stringify(name)} is not a valid XML ${what} name`);
}

export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

export function escapeAttribute(s: string): string {
  return s.replace(/[&<>"\n\r\t]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\n': '&#10;', '\r': '&#13;', '\t': '&#9;' })[c]!);
}

function attributes(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`).join('');
}

/** One object as an element; `where` names the entity in errors. */
function element(d: Dict, extra: ReadonlyArray<readonly [string, string]>, where: string): string {
  let tag: string | undefined;
  const attrs: Array<readonly [string, string]> = [...extra];
  for (const k in d) {
    if (k.length > 2 && k.startsWith('<') && k.endsWith('>')) {
      if (tag !== undefined) throw new XmlShapeError(`${where}: an object has two tag properties, "${tag}" and "${k}" (it must have exactly one)`);
      tag = k;
      continue;
    }
    if (k.startsWith('_')) continue;
    const v = d[k]!;
    if (v === null) continue;
    checkName(k, 'attribute', where);
    attrs.push([k, pythonStr(v)]);
  }
  if (tag === undefined) throw new XmlShapeError(`${where}: an object has no tag property ("<name>": …), which it must have exactly one of`);
  const name = tag.slice(1, -1);
  checkName(name, 'element', where);
  const content = d[tag]!;
  let inner = '';
  if (Array.isArray(content)) {
    for (const item of content) if (isDict(item)) inner += element(item, [], where);
  } else if (isDict(content)) inner = element(content, [], where);
  else if (content !== null) inner = escapeText(pythonStr(content));
  return inner === '' ? `<${name}${attributes(attrs)}/>` : `<${name}${attributes(attrs)}>${inner}</${name}>`;
}

function describe(e: Entity): string {
  return typeof e['_id'] === 'string' ? `entity ${JSON.stringify(e['_id'])}` : 'an entity without _id';
}

/** The xml transform's text for one entity (root attributes on its element). */
export function entityXml(e: Entity, o: XmlOptions): string {
  return (o.declaration ? XML_DECLARATION + '\n' : '') + element(e, o.rootAttributes, describe(e));
}

/** The xml_endpoint sink's document for a list of entities. */
export function renderXml(entities: readonly Entity[], o: XmlOptions): string {
  const kept = o.skipDeleted ? entities.filter((e) => e['_deleted'] !== true) : entities;
  // Without a wrapper the root attributes go on each entity's element, the first level of the document.
  const body = kept.map((e) => element(e, o.wrapper === undefined ? o.rootAttributes : [], describe(e))).join('');
  const doc = o.wrapper === undefined ? body : body === '' ? `<${o.wrapper}${attributes(o.rootAttributes)}/>` : `<${o.wrapper}${attributes(o.rootAttributes)}>${body}</${o.wrapper}>`;
  return (o.declaration ? XML_DECLARATION + '\n' : '') + doc;
}
