/**
 * XML as `sesam verify` compares it (spec/config-catalog.md §4.3): both documents parsed and
 * written again pretty-printed, so that layout does not matter but content does; a document
 * that does not parse is compared byte for byte. The parser takes what the xml_endpoint sink
 * writes and what people keep in expected files: one root element, attributes, text,
 * character and entity references, CDATA, comments and processing instructions (both
 * dropped), and the XML declaration (kept). Anything else (a DOCTYPE, say) counts as not
 * parsing.
 */

import { escapeAttribute, escapeText } from '@dtl/runtime/engine/xml';

interface XmlElement {
  readonly name: string;
  readonly attrs: Array<[string, string]>;
  readonly children: XmlNode[];
}
type XmlNode = XmlElement | string;

class XmlParseError extends Error {}

const NAME = /[A-Za-z_:\u00C0-\uFFFF][\w.:\-\u00B7\u00C0-\uFFFF]*/y;

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);|&/g, (_m, ref: string | undefined) => {
    if (ref === undefined) throw new XmlParseError('a bare & in text');
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[ref]!;
  });
}

class Parser {
  private i = 0;
  declaration: string | undefined;

  constructor(private readonly s: string) {}

  document(): XmlElement {
    if (this.s.charCodeAt(0) === 0xfeff) this.i = 1;
    if (this.s.startsWith('<?xml', this.i) && /\s/.test(this.s[this.i + 5] ?? '')) {
      const end = this.s.indexOf('?>', this.i);
      if (end < 0) throw new XmlParseError('unterminated declaration');
      const decl = this.s.slice(this.i, end);
      const attr = (k: string): string | undefined => new RegExp(`${k}\\s*=\\s*["']([^"']*)["']`).exec(decl)?.[1];
      const standalone = attr('standalone');
      this.declaration = `<?xml version="${attr('version') ?? '1.0'}" encoding="${attr('encoding') ?? 'UTF-8'}"${standalone ? ` standalone="${standalone}"` : ''}?>`;
      this.i = end + 2;
    }
    this.misc();
    const root = this.element();
    this.misc();
    if (this.i < this.s.length) throw new XmlParseError('content after the root element');
    return root;
  }

  /** Whitespace, comments and processing instructions outside the root. */
  private misc(): void {
    for (;;) {
      while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
      if (this.s.startsWith('<!--', this.i)) this.skipPast('-->');
      else if (this.s.startsWith('<?', this.i)) this.skipPast('?>');
      else return;
    }
  }

  private skipPast(end: string): void {
    const k = this.s.indexOf(end, this.i);
    if (k < 0) throw new XmlParseError(`no ${end}`);
    this.i = k + end.length;
  }

  private name(): string {
    NAME.lastIndex = this.i;
    const m = NAME.exec(this.s);
    if (!m) throw new XmlParseError(`a name expected at ${this.i}`);
    this.i += m[0].length;
    return m[0];
  }

  private spaces(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i++;
  }

  private element(): XmlElement {
    if (this.s[this.i] !== '<') throw new XmlParseError(`an element expected at ${this.i}`);
    this.i++;
    const el: XmlElement = { name: this.name(), attrs: [], children: [] };
    for (;;) {
      this.spaces();
      if (this.s.startsWith('/>', this.i)) {
        this.i += 2;
        return el;
      }
      if (this.s[this.i] === '>') {
        this.i++;
        break;
      }
      const k = this.name();
      this.spaces();
      if (this.s[this.i] !== '=') throw new XmlParseError(`= expected after attribute ${k}`);
      this.i++;
      this.spaces();
      const q = this.s[this.i];
      if (q !== '"' && q !== "'") throw new XmlParseError(`a quoted value expected for attribute ${k}`);
      const end = this.s.indexOf(q, this.i + 1);
      if (end < 0) throw new XmlParseError('unterminated attribute value');
      // Attribute value normalisation: literal whitespace characters become spaces.
      el.attrs.push([k, decodeEntities(this.s.slice(this.i + 1, end).replace(/[\t\n\r]/g, ' '))]);
      this.i = end + 1;
    }
    let text = '';
    const flush = (): void => {
      if (text !== '') el.children.push(text);
      text = '';
    };
    for (;;) {
      if (this.i >= this.s.length) throw new XmlParseError(`</${el.name}> missing`);
      if (this.s.startsWith('</', this.i)) {
        this.i += 2;
        if (this.name() !== el.name) throw new XmlParseError(`mismatched end tag for ${el.name}`);
        this.spaces();
        if (this.s[this.i] !== '>') throw new XmlParseError('> expected');
        this.i++;
        flush();
        return el;
      }
      if (this.s.startsWith('<![CDATA[', this.i)) {
        const end = this.s.indexOf(']]>', this.i);
        if (end < 0) throw new XmlParseError('unterminated CDATA');
        text += this.s.slice(this.i + 9, end);
        this.i = end + 3;
      } else if (this.s.startsWith('<!--', this.i)) this.skipPast('-->');
      else if (this.s.startsWith('<?', this.i)) this.skipPast('?>');
      else if (this.s[this.i] === '<') {
        flush();
        el.children.push(this.element());
      } else {
        const next = this.s.indexOf('<', this.i);
        const end = next < 0 ? this.s.length : next;
        text += decodeEntities(this.s.slice(this.i, end).replace(/\r\n?/g, '\n'));
        this.i = end;
      }
    }
  }
}

function open(el: XmlElement): string {
  return `<${el.name}${el.attrs.map(([k, v]) => ` ${k}="${escapeAttribute(v)}"`).join('')}`;
}

function compact(n: XmlNode): string {
  if (typeof n === 'string') return escapeText(n);
  return n.children.length === 0 ? `${open(n)}/>` : `${open(n)}>${n.children.map(compact).join('')}</${n.name}>`;
}

/** Indented two spaces a level where an element holds only elements; text content stays as it is. */
function pretty(el: XmlElement, indent: string, out: string[]): void {
  const elementsOnly = el.children.length > 0 && el.children.every((c) => typeof c !== 'string' || c.trim() === '');
  if (!elementsOnly) {
    out.push(indent + compact(el));
    return;
  }
  out.push(`${indent}${open(el)}>`);
  for (const c of el.children) if (typeof c !== 'string') pretty(c, indent + '  ', out);
  out.push(`${indent}</${el.name}>`);
}

/** The document pretty-printed, or undefined when it does not parse. */
export function prettyXml(text: string): string | undefined {
  try {
    const p = new Parser(text);
    const root = p.document();
    const out: string[] = p.declaration === undefined ? [] : [p.declaration];
    pretty(root, '', out);
    return out.join('\n') + '\n';
  } catch (e) {
    if (e instanceof XmlParseError || e instanceof RangeError) return undefined;
    throw e;
  }
}
