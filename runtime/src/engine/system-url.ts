/**
 * Where a component of a `system:url` system points, and how it is reached: the system's
 * `url_pattern` (its `%s` replaced by the component's `url`, or `url` appended) or `base_url`
 * URL-joined with `url`. Sources and sinks share this so the same config means the same
 * address, headers, authentication, TLS checking and timeouts on both sides.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as zlib from 'node:zlib';
import { missingSecrets } from './secrets.js';

export interface UrlSystem {
  readonly id: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Secrets its config refers to that nobody provides (see secrets.ts): using it fails. */
  readonly missingSecrets?: readonly string[];
}

const HTTP_URL = /^https?:\/\//i;

/** The joined URL, or undefined when the system has neither url_pattern nor base_url. */
export function systemUrl(sys: UrlSystem, rel: string): string | undefined {
  const pattern = sys.config.url_pattern;
  const base = sys.config.base_url;
  if (typeof pattern === 'string') return pattern.includes('%s') ? pattern.replace('%s', rel) : pattern + rel;
  if (typeof base !== 'string') return undefined;
  if (/^[a-z][a-z0-9+.-]*:/i.test(rel)) return rel;
  // The docs: relative URLs are "URL joined" against base_url (Python's urljoin), which is why
  // they advise a trailing "/": without it the base's last segment is replaced. A local
  // folder base (not a URL) is a path prefix.
  if (HTTP_URL.test(base)) return new URL(rel, base).href;
  return base + rel;
}

/** The string entries of a `headers` property (other values cannot be sent). */
function stringEntries(v: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out.push([k, x]);
  return out;
}

/**
 * Header sets merged in order, later ones winning. HTTP header names are case-insensitive, so
 * a component's "Content-Type" replaces a default "content-type" instead of being sent as a
 * second value next to it.
 */
export function mergeHeaders(...sets: ReadonlyArray<ReadonlyArray<readonly [string, string]>>): Record<string, string> {
  const byName = new Map<string, [string, string]>();
  for (const set of sets) for (const [k, v] of set) byName.set(k.toLowerCase(), [k, v]);
  return Object.fromEntries(byName.values());
}

export class UrlSystemError extends Error {}

/** The Authorization header the system's `authentication` asks for (docs: URL system). */
function authorization(sys: UrlSystem): Array<[string, string]> {
  const c = sys.config;
  const auth = c.authentication;
  const jwt = c.jwt_token;
  if (auth === 'basic') {
    if (typeof c.username !== 'string') return [];
    const password = typeof c.password === 'string' ? c.password : '';
    return [['Authorization', 'Basic ' + Buffer.from(`${c.username}:${password}`, 'utf8').toString('base64')]];
  }
  // The docs: a jwt_token overwrites any Authorization header of the system.
  if ((auth === 'jwt' || auth === undefined || auth === null) && typeof jwt === 'string') return [['Authorization', `bearer ${jwt}`]];
  if (auth === 'jwt') throw new UrlSystemError(`system '${sys.id}' has "authentication": "jwt" but no "jwt_token".`);
  if (typeof auth === 'string') throw new UrlSystemError(`system '${sys.id}' uses "authentication": "${auth}", which the local runtime does not support (it supports "basic" and "jwt").`);
  if (c.oauth2 !== undefined && c.oauth2 !== null) throw new UrlSystemError(`system '${sys.id}' uses "oauth2", which the local runtime does not support.`);
  return [];
}

/** Request headers of a component: the system's `headers` as defaults, the component's own on top, then the system's authentication. */
export function requestHeaders(sys: UrlSystem | undefined, component: Readonly<Record<string, unknown>>, defaults: ReadonlyArray<readonly [string, string]> = []): Record<string, string> {
  return mergeHeaders(defaults, stringEntries(sys?.config.headers), stringEntries(component.headers), sys ? authorization(sys) : []);
}

export interface HttpReply {
  readonly status: number;
  readonly statusText: string;
  readonly headers: http.IncomingHttpHeaders;
  /** The body, decoded from its Content-Encoding. */
  readonly body: Buffer;
}

/**
 * How requests get their connection. Left empty, Node's global agents open (and pool) them;
 * tests set `createConnection` to act out what a local server cannot, such as a connection
 * attempt that never completes.
 */
export const transport: { createConnection?: NonNullable<http.RequestOptions['createConnection']> } = {};

/** A request that failed before an answer came (refused, reset, timed out); worth retrying. */
export class HttpTransportError extends Error {}

/** Seconds from a system property, or the docs' default (0 or less: the default). */
function seconds(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v * 1000 : fallback * 1000;
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      // Servers send both zlib-wrapped and raw deflate under this name.
      return body[0] === 0x78 ? zlib.inflateSync(body) : zlib.inflateRawSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    default:
      return body;
  }
}

/**
 * One HTTP request with the system's settings: `connect_timeout` (default 60 s) and
 * `read_timeout` (default 1800 s, the longest wait for the server between bytes, as in
 * Python's requests), `verify_ssl` (default false: certificates are not checked) and
 * `custom_ca_pem_chain`. fetch() cannot do these (it has no connect/read timeouts and always
 * verifies certificates), so this goes through node:http(s).
 */
export async function httpRequest(sys: UrlSystem | undefined, url: string, opts: { method: string; headers: Record<string, string>; body?: string }): Promise<HttpReply> {
  let target = url;
  let headers = opts.headers;
  // GETs follow redirects, as Python's requests does (fetch() did too); a POST does not, so a
  // pushed body is never silently dropped or re-sent elsewhere.
  for (let hops = 0; ; hops++) {
    const reply = await requestOnce(sys, target, { ...opts, headers });
    const location = reply.headers.location;
    if (opts.method !== 'GET' || !REDIRECTS.has(reply.status) || typeof location !== 'string') return reply;
    if (hops === MAX_REDIRECTS) throw new HttpTransportError(`more than ${MAX_REDIRECTS} redirects (last to ${location})`);
    const next = new URL(location, target);
    // Credentials stay with the host they were meant for (requests drops them on a new host).
    if (next.host !== new URL(target).host) headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    target = next.href;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

function requestOnce(sys: UrlSystem | undefined, url: string, opts: { method: string; headers: Record<string, string>; body?: string }): Promise<HttpReply> {
  if (sys?.missingSecrets !== undefined && sys.missingSecrets.length > 0) return Promise.reject(missingSecrets(`system '${sys.id}'`, sys.missingSecrets));
  const c = sys?.config ?? {};
  const connectMs = seconds(c.connect_timeout, 60);
  const readMs = seconds(c.read_timeout, 1800);
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const verify = c.verify_ssl === true;
  const headers = mergeHeaders([['Accept-Encoding', 'gzip, deflate, br']], Object.entries(opts.headers));
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body, 'utf8');
  if (body !== undefined) headers['Content-Length'] = String(body.length);
  return new Promise<HttpReply>((resolve, reject) => {
    const options: https.RequestOptions = { method: opts.method, headers };
    if (transport.createConnection !== undefined) options.createConnection = transport.createConnection;
    if (secure) {
      options.rejectUnauthorized = verify;
      if (verify && typeof c.custom_ca_pem_chain === 'string') options.ca = c.custom_ca_pem_chain;
    }
    const req = (secure ? https : http).request(target, options, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('error', (e) => reject(new HttpTransportError(e.message)));
      res.on('end', () => {
        if (!res.complete) return reject(new HttpTransportError('the connection closed before the response was complete'));
        try {
          const raw = Buffer.concat(parts);
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: decode(raw, res.headers['content-encoding']) });
        } catch (e) {
          reject(new HttpTransportError(`the response body could not be decoded (${String(res.headers['content-encoding'])}): ${e instanceof Error ? e.message : String(e)}`));
        }
      });
    });
    let connectTimer: NodeJS.Timeout | undefined;
    req.on('socket', (socket) => {
      // A pooled socket is already connected; a new one gets connect_timeout to connect.
      const connecting = (socket as { connecting?: boolean }).connecting === true;
      if (connecting) {
        connectTimer = setTimeout(() => req.destroy(new HttpTransportError(`no connection within ${connectMs / 1000} s (connect_timeout)`)), connectMs);
        socket.once(secure ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer));
      }
    });
    req.setTimeout(readMs, () => req.destroy(new HttpTransportError(`no answer within ${readMs / 1000} s (read_timeout)`)));
    req.on('error', (e) => {
      clearTimeout(connectTimer);
      reject(e instanceof HttpTransportError ? e : new HttpTransportError(e.message));
    });
    req.on('close', () => clearTimeout(connectTimer));
    req.end(body);
  });
}
