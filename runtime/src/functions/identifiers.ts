/**
 * URIs, UUIDs and namespaced identifiers: is-uri, uri, url-quote, url-unquote, is-uuid, uuid,
 * is-ni, ni, ni-id, ni-ns.
 */
import { randomUUID } from 'node:crypto';
import { NI, URI, UUID, type Value } from '../values/types.js';
import { firstValue, mapValues } from './support.js';
import type { FnContext, FunctionTable } from './types.js';

// ------------------------------------------------------------------------------ URIs

function isUri(_cx: FnContext, values: Value): Value {
  return firstValue(values) instanceof URI;
}

// Strings become URIs without any escaping; a URI stays itself (casting is idempotent);
// anything else is dropped.
function uri(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => (typeof x === 'string' ? new URI(x) : x instanceof URI ? x : undefined));
}

/** Characters Python's urllib.parse.quote never encodes. */
const ALWAYS_SAFE = /^[A-Za-z0-9_.\-~]$/;

/**
 * Python `urllib.parse.quote(s, safe=SAFE)`: UTF-8, upper-case `%XX`; SAFE (default "", so
 * `/` is encoded too) names extra ASCII characters to leave alone.
 */
export function urlQuote(s: string, safe: string): string {
  let out = '';
  for (const ch of s) {
    if (ch.length === 1 && ch.charCodeAt(0) < 128 && (ALWAYS_SAFE.test(ch) || safe.includes(ch))) {
      out += ch;
      continue;
    }
    for (const b of Buffer.from(ch, 'utf8')) out += '%' + (b < 16 ? '0' : '') + b.toString(16).toUpperCase();
  }
  return out;
}

// Non-strings (URIs included, docs) are dropped. A SAFE that is null counts as omitted; any
// other non-string SAFE makes the call unusable (null).
function urlQuoteFn(_cx: FnContext, safeChars: Value | undefined, values: Value): Value {
  let safe = '';
  if (safeChars !== undefined && safeChars !== null) {
    const s = firstValue(safeChars);
    if (typeof s !== 'string') return null;
    safe = s;
  }
  return mapValues(values, (x) => (typeof x === 'string' ? urlQuote(x, safe) : undefined));
}

const UTF8_LENIENT = new TextDecoder('utf-8');

/**
 * Python `urllib.parse.unquote`: runs of `%XX` are decoded as UTF-8 with invalid bytes
 * replaced by U+FFFD; malformed escapes stay as written; `+` is not a space.
 */
export function urlUnquote(s: string): string {
  if (!s.includes('%')) return s;
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    return UTF8_LENIENT.decode(bytes);
  });
}

function urlUnquoteFn(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => (typeof x === 'string' ? urlUnquote(x) : undefined));
}

// ------------------------------------------------------------------------------ UUIDs

function isUuid(_cx: FnContext, values: Value): Value {
  return firstValue(values) instanceof UUID;
}

/**
 * Parses UUID text as Python's `uuid.UUID(str)` does: optional `urn:uuid:` prefix and braces,
 * hyphens anywhere, 32 hex digits; the result is canonical lower-case.
 */
export function parseUuid(text: string): UUID | undefined {
  let hex = text.trim();
  if (hex.toLowerCase().startsWith('urn:')) hex = hex.slice(4);
  if (hex.toLowerCase().startsWith('uuid:')) hex = hex.slice(5);
  hex = hex.replace(/^\{+|\}+$/g, '').replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  hex = hex.toLowerCase();
  return new UUID(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
}

// No argument (the compiler passes undefined): a new random version-4 UUID — non-deterministic.
// With VALUES: map-style cast of UUID strings; UUIDs pass; anything else is dropped.
function uuid(_cx: FnContext, values?: Value): Value {
  if (values === undefined) return new UUID(randomUUID());
  return mapValues(values, (x) => (typeof x === 'string' ? parseUuid(x) : x instanceof UUID ? x : undefined));
}

// ------------------------------------------------------------------------------ NIs

function isNi(_cx: FnContext, values: Value): Value {
  return firstValue(values) instanceof NI;
}

/**
 * Generated namespaces for URI prefixes the pipe has not declared: `<pipe-id>-<n>`, n counting
 * from 1 per pipe in order of first use. Kept for the life of the process so that a prefix
 * always maps to the same namespace within a run (the context has no place for this state).
 */
const generatedNamespaces = new Map<string, Map<string, string>>();

function generatedNamespace(pipeId: string, prefix: string): string {
  let forPipe = generatedNamespaces.get(pipeId);
  if (!forPipe) {
    forPipe = new Map();
    generatedNamespaces.set(pipeId, forPipe);
  }
  let ns = forPipe.get(prefix);
  if (ns === undefined) {
    ns = `${pipeId}-${forPipe.size + 1}`;
    forPipe.set(prefix, ns);
  }
  return ns;
}

/** The NI of a URI in the namespace of the longest declared base (`namespaces.default`) it starts with, if any. */
function declaredNi(cx: FnContext, u: string): NI | undefined {
  let bestNs: string | undefined;
  let bestLen = -1;
  for (const [ns, base] of Object.entries(cx.namespaceMap)) {
    if (base.length > bestLen && u.startsWith(base)) {
      bestNs = ns;
      bestLen = base.length;
    }
  }
  return bestNs === undefined ? undefined : new NI(bestNs + ':' + u.slice(bestLen));
}

/**
 * URI → NI: the longest declared base (`namespaces.default`) that prefixes the URI gives the
 * namespace; otherwise everything up to the last `/` or `#` is the prefix and gets a generated
 * namespace (docs: `http://unknown.org/something/baz` → `~:your-pipe-1:baz`).
 */
export function collapseUri(cx: FnContext, u: string): NI {
  const declared = declaredNi(cx, u);
  if (declared !== undefined) return declared;
  const cut = Math.max(u.lastIndexOf('/'), u.lastIndexOf('#')) + 1;
  return new NI(generatedNamespace(cx.pipeId, u.slice(0, cut)) + ':' + u.slice(cut));
}

/**
 * ni(VALUES) / ni(NAMESPACE, VALUES). Strings become NIs as they are (no escaping): in
 * NAMESPACE, or the global namespace (`["ni", "foo:bar"]` is `~:foo:bar`). Without NAMESPACE,
 * URIs are collapsed and NIs pass unchanged; with NAMESPACE, URIs (docs) and NIs are dropped.
 * A NAMESPACE that is not a string makes the call unusable (null).
 */
function ni(cx: FnContext, namespace: Value | undefined, values: Value): Value {
  if (namespace === undefined) {
    return mapValues(values, (x) => {
      if (typeof x === 'string') return new NI(x);
      if (x instanceof URI) return collapseUri(cx, x.value);
      if (x instanceof NI) return x;
      return undefined;
    });
  }
  const ns = firstValue(namespace);
  if (typeof ns !== 'string') return null;
  return mapValues(values, (x) => (typeof x === 'string' ? new NI(ns + ':' + x) : undefined));
}

// For NIs and plain strings alike the namespace ends at the FIRST colon (§1.9: `["ni", "foo",
// "x:y"]` is namespace foo, id x:y); without a colon the namespace is "" and the id all of it.
function niId(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => (x instanceof NI ? x.id : typeof x === 'string' ? new NI(x).id : undefined));
}

function niNs(_cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => (x instanceof NI ? x.namespace : typeof x === 'string' ? new NI(x).namespace : undefined));
}

// ------------------------------------------------------------------------------ deprecated

/** curie (deprecated): `prefix:value` URIs from string values. */
function curie(_cx: FnContext, prefix: Value, values: Value): Value {
  const p = firstValue(prefix);
  if (typeof p !== 'string') return null;
  return mapValues(values, (x) => (typeof x === 'string' ? new URI(`${p}:${x}`) : undefined));
}

/** reference (deprecated): `sesam:<dataset>/<id>` URIs, both parts path-quoted as Python's quote() does. */
function reference(_cx: FnContext, datasetId: Value, ids: Value): Value {
  const ds = firstValue(datasetId);
  if (typeof ds !== 'string') return null;
  return mapValues(ids, (x) => (typeof x === 'string' ? new URI(`sesam:${urlQuote(ds, '/')}/${urlQuote(x, '/')}`) : undefined));
}

/**
 * ni-collapse (experimental, deprecated): an http(s) URL (string or URI) becomes an NI in the
 * namespace of the longest `namespaces.default` base it starts with; with none, the NI holds
 * the whole URL (the docs: http and https are implicitly namespaces). Other values are ignored.
 */
function niCollapse(cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => {
    const u = typeof x === 'string' ? x : x instanceof URI ? x.value : undefined;
    if (u === undefined || !/^https?:/.test(u)) return undefined;
    return declaredNi(cx, u) ?? new NI(u);
  });
}

/**
 * ni-expand (experimental, deprecated): an NI whose namespace has a `namespaces.default` base
 * becomes base + id; any other NI its string cast (`~:unknown:path` → `unknown:path`, and so
 * `~:http://example.com/path` → the URL). Other values are ignored.
 */
function niExpand(cx: FnContext, values: Value): Value {
  return mapValues(values, (x) => {
    if (!(x instanceof NI)) return undefined;
    const base = Object.prototype.hasOwnProperty.call(cx.namespaceMap, x.namespace) ? cx.namespaceMap[x.namespace] : undefined;
    return base === undefined ? x.toString() : base + x.id;
  });
}

export const IDENTIFIERS: FunctionTable = {
  'curie': curie,
  'reference': reference,
  'ni-collapse': niCollapse,
  'ni-expand': niExpand,
  'is-uri': isUri,
  'uri': uri,
  'url-quote': urlQuoteFn,
  'url-unquote': urlUnquoteFn,
  'is-uuid': isUuid,
  'uuid': uuid,
  'is-ni': isNi,
  'ni': ni,
  'ni-id': niId,
  'ni-ns': niNs,
};
