/**
 * The Sesam-style HTTP API on loopback:
 *   GET  /api/datasets, /api/datasets/{id}, /api/datasets/{id}/entities?since&limit&history&deleted
 *   GET  /api/pipes, /api/pipes/{id}, /api/pipes/{id}/entities?transformed=false&since&limit
 *   POST /api/pipes/{id}/pump  (operation=start|reset)
 *   POST /api/receivers/{pipe}/entities   (http_endpoint sources, JSON push protocol)
 *   GET  /api/publishers/{pipe}/entities, /api/publishers/{pipe}/csv   (endpoint sinks)
 * Errors are JSON objects `{"error": …}` with the matching status code.
 */
import * as http from 'node:http';
import type { Dataset } from '../store/index.js';
import { writeJson } from '../values/json.js';
import type { Entity, Value } from '../values/types.js';
import { isDict } from '../values/types.js';
import { JsonInputError, parseJsonValues } from './json-stream.js';
import { BadRequestError, ConflictError, NotFoundError, type ProjectRuntime } from './project.js';
import { publishedFile } from './sinks.js';
import { FILTERED_KEY } from '../store/record.js';

const MAX_BODY = 256 * 1024 * 1024;
/**
 * How deeply posted values may nest. The store, hashing and DTL walk values recursively and
 * run out of stack somewhere past 2000 levels; Sesam's own (Python) JSON parser stops near 1000.
 */
export const MAX_DEPTH = 1000;

class HttpError extends Error {
  /** `close`: end the connection after the answer instead of reading what the client still sends. */
  constructor(readonly status: number, message: string, readonly close = false) {
    super(message);
  }
}

/** An answer without a body (OPTIONS), thrown out of the routing like an error. */
class Answered extends Error {
  constructor(readonly status: number) {
    super(`${status}`);
  }
}

export interface ApiServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface ApiOptions {
  /** The largest request body accepted (default 256 MiB). */
  readonly maxBody?: number;
}

export async function startApi(rt: ProjectRuntime, port: number, host = '127.0.0.1', options: ApiOptions = {}): Promise<ApiServer> {
  const maxBody = options.maxBody ?? MAX_BODY;
  const server = http.createServer((req, res) => {
    handle(rt, req, res, maxBody).catch((e: unknown) => {
      // A client that went away mid-request gets no answer, and nothing was written for it.
      if (req.destroyed && !req.complete) {
        rt.log(`API: ${req.method} ${req.url} was cut off by the client; nothing of it was accepted`);
        return;
      }
      if (e instanceof Answered) {
        res.writeHead(e.status, { 'content-length': 0 });
        res.end();
        return;
      }
      const status = e instanceof HttpError ? e.status : e instanceof NotFoundError ? 404 : e instanceof ConflictError ? 409 : e instanceof BadRequestError ? 400 : 500;
      if (status === 500) rt.log(`API error on ${req.method} ${req.url}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      if (e instanceof HttpError && e.close) res.setHeader('connection', 'close');
      sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
    });
  });
  // Requests Node cannot parse (bad framing, headers over its size limit) get JSON errors too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const text = JSON.stringify({ error: tooLarge ? 'The request line or headers are too large (is an id very long?)' : `Malformed HTTP request: ${err.message}` });
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function segment(s: string | undefined, url: URL): string {
  if (s === undefined || s === '') throw new HttpError(404, `No such endpoint: ${url.pathname}`);
  let id: string;
  try {
    id = decodeURIComponent(s);
  } catch {
    throw new HttpError(400, `Malformed percent-encoding in '${s}'`);
  }
  if (id.includes('\u0000')) throw new HttpError(400, 'Ids may not contain NUL characters');
  return id;
}

function intParam(url: URL, name: string, dflt: number): number {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return dflt;
  if (!/^-?\d+$/.test(v)) throw new HttpError(400, `Query parameter '${name}' must be an integer, got '${v}'`);
  return Number(v);
}

function boolParam(url: URL, name: string, dflt: boolean): boolean {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return dflt;
  // Python clients send booleans as True and False.
  const lower = v.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw new HttpError(400, `Query parameter '${name}' must be true or false, got '${v}'`);
}

function readBody(req: http.IncomingMessage, maxBody: number): Promise<Buffer> {
  const tooLarge = (close: boolean): HttpError => new HttpError(413, `Request body larger than ${maxBody} bytes`, close);
  // A declared length over the limit is refused before the client uploads any of it.
  if (Number(req.headers['content-length'] ?? 0) > maxBody) return Promise.reject(tooLarge(true));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size <= maxBody) {
        chunks.push(c);
        return;
      }
      // The rest is read and dropped rather than the connection torn down, which could
      // lose the 413 answer on its way to the client.
      req.off('data', onData);
      req.resume();
      reject(tooLarge(false));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('aborted'));
    });
  });
}

async function handle(rt: ProjectRuntime, req: http.IncomingMessage, res: http.ServerResponse, maxBody: number): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.replace(/\/+$/, '').split('/').slice(1);
  if (parts[0] !== 'api') throw new HttpError(404, `No such endpoint: ${url.pathname}`);
  const method = req.method ?? 'GET';
  const [, area, rawId, action, extra, ...rest] = parts;
  // Publishers also answer under a file name (`…/entities/export.json`, `…/csv/export.csv`), for downloads.
  if (rest.length > 0 || (extra !== undefined && area !== 'publishers')) throw new HttpError(404, `No such endpoint: ${url.pathname}`);
  const only = (...methods: string[]): void => {
    // HEAD is GET without the body (Node leaves the body out of HEAD responses).
    const allowed = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
    if (allowed.includes(method)) return;
    res.setHeader('allow', [...allowed, 'OPTIONS'].join(', '));
    if (method === 'OPTIONS') throw new Answered(204);
    throw new HttpError(405, `${method} is not allowed on ${url.pathname} (use ${methods.join(' or ')})`);
  };

  if (area === undefined) {
    only('GET');
    return sendJson(res, 200, { service: 'dtl', pipes: rt.runners.size, datasets: rt.store.datasetIds().length });
  }
  if (area === 'datasets') {
    if (rawId === undefined) {
      only('GET');
      return sendJson(res, 200, rt.store.datasetIds().map((id) => datasetInfo(rt, id)));
    }
    const id = segment(rawId, url);
    if (!rt.store.exists(id)) throw new HttpError(404, `No dataset '${id}'`);
    if (action === undefined) {
      only('GET');
      return sendJson(res, 200, datasetInfo(rt, id));
    }
    if (action !== 'entities') throw new HttpError(404, `No such endpoint: ${url.pathname}`);
    only('GET');
    const { since, limit } = pullParams(url, Number.MAX_SAFE_INTEGER);
    const history = boolParam(url, 'history', false);
    const deleted = boolParam(url, 'deleted', true);
    const ds = rt.store.dataset(id);
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...pullHeaders(ds, false) });
    let first = true;
    let n = 0;
    res.write('[');
    for (const line of ds.readLines(since, { latestOnly: !history, includeDeleted: deleted, limit })) {
      res.write(first ? line : ',\n' + line);
      first = false;
      if (++n % 1000 === 0 && res.writableNeedDrain) await new Promise((r) => res.once('drain', r));
    }
    res.end(']');
    return;
  }
  if (area === 'pipes') {
    if (rawId === undefined) {
      only('GET');
      return sendJson(res, 200, [...rt.runners.values()].map((r) => pipeInfo(r)));
    }
    const id = segment(rawId, url);
    const runner = rt.runners.get(id);
    if (!runner) throw new HttpError(404, `No pipe '${id}'`);
    if (action === undefined) {
      only('GET');
      return sendJson(res, 200, pipeInfo(runner));
    }
    if (action === 'pump') {
      only('POST');
      const body = (await readBody(req, maxBody)).toString('utf8');
      const form = new URLSearchParams(body);
      const op = form.get('operation') ?? url.searchParams.get('operation') ?? 'start';
      if (op === 'reset') {
        await rt.resetPipe(id);
        return sendJson(res, 200, { pipe: id, operation: op });
      }
      if (op !== 'start') throw new HttpError(400, `Unknown pump operation '${op}' (use start or reset)`);
      const r = await rt.runPipe(id);
      return sendJson(res, 200, r);
    }
    if (action !== 'entities') throw new HttpError(404, `No such endpoint: ${url.pathname}`);
    only('GET');
    const transformed = boolParam(url, 'transformed', true);
    const { since, limit } = pullParams(url, 10_000);
    const out: Entity[] = [];
    const state = { since: since >= 0 && runner.pipe.source.dataset ? { [runner.pipe.source.dataset]: since } : {} };
    const transform = transformed ? await runner.prepare() : undefined;
    const read = runner.requestSource(state);
    if (read) {
      outer: for await (const chunk of read.entities) {
        for (const e of chunk) {
          if (transform) out.push(...transform(e));
          else out.push(e);
          if (out.length >= limit) break outer;
        }
      }
    }
    return sendEntities(res, out.slice(0, limit));
  }
  if (area === 'receivers') {
    const id = segment(rawId, url);
    if (action !== 'entities') throw new HttpError(404, `No such endpoint: ${url.pathname}`);
    only('POST');
    if (!rt.runners.has(id)) throw new HttpError(404, `No pipe '${id}'`);
    const ctype = req.headers['content-type'] ?? '';
    if (!/^application\/(json|x-ndjson)\s*(;|$)/i.test(ctype)) throw new HttpError(415, `Content-Type must be application/json, got '${ctype || 'none'}'`);
    const body = await readBody(req, maxBody);
    const entities: Entity[] = [];
    try {
      for (const v of parseJsonValues(body, rt.numberPolicy(id))) collectEntities(v, entities);
    } catch (e) {
      if (e instanceof JsonInputError) throw new HttpError(400, `The body is not valid JSON: ${e.message}`);
      throw e;
    }
    const params = {
      sequenceId: url.searchParams.get('sequence_id') ?? undefined,
      isFull: boolParam(url, 'is_full', false),
      requestId: url.searchParams.get('request_id') ?? undefined,
      previousRequestId: url.searchParams.get('previous_request_id') ?? undefined,
      isFirst: boolParam(url, 'is_first', false),
      isLast: boolParam(url, 'is_last', false),
    };
    const r = await rt.receive(id, entities, params);
    return sendJson(res, 200, r);
  }
  if (area === 'publishers') {
    const id = segment(rawId, url);
    const runner = rt.runners.get(id);
    if (!runner) throw new HttpError(404, `No pipe '${id}'`);
    const kind = runner.pipe.sink.type;
    if (kind !== 'http_endpoint' && kind !== 'csv_endpoint' && kind !== 'xml_endpoint') throw new HttpError(404, `Pipe '${id}' is not a publisher (its sink is ${kind})`);
    only('GET');
    const params: Record<string, Value> = {};
    for (const [k, v] of url.searchParams) params[k] = v;
    const transform = await runner.prepare(params);
    // The json pull protocol: entities after `since` (the source dataset's _updated), at most `limit`.
    const { since, limit } = pullParams(url, Number.MAX_SAFE_INTEGER);
    const dataset = runner.pipe.source.dataset;
    const out: Entity[] = [];
    const read = runner.requestSource({ since: since >= 0 && dataset ? { [dataset]: since } : {} });
    if (read) {
      outer: for await (const chunk of read.entities) {
        for (const e of chunk) {
          for (const t of transform(e)) {
            if (out.length >= limit) break outer;
            if (t[FILTERED_KEY] !== true) out.push(t);
          }
        }
      }
    }
    const config = runner.pipe.sink.config;
    if ((action === 'xml' && kind === 'xml_endpoint') || (action === 'csv' && kind === 'csv_endpoint')) {
      const { bytes, contentType } = publishedFile(kind, out, config, id);
      const cd = contentDisposition(config, extra === undefined ? undefined : segment(extra, url));
      res.writeHead(200, { 'content-type': contentType, ...(cd === undefined ? {} : { 'content-disposition': cd }) });
      res.end(bytes);
      return;
    }
    // The pull protocol's headers describe the source dataset; a transform filters the stream.
    const headers = dataset !== undefined && rt.store.exists(dataset) ? pullHeaders(rt.store.dataset(dataset), runner.pipe.transforms.length > 0) : {};
    if (action === 'entities') return sendEntities(res, out, headers);
    throw new HttpError(404, `No such endpoint: ${url.pathname}`);
  }
  throw new HttpError(404, `No such endpoint: ${url.pathname}`);
}

/**
 * The Content-Disposition of a publisher's file (docs: csv and xml endpoint sinks): the file
 * name from the URL or the sink's `filename`, as `content_disposition` says (default
 * attachment); none without a name, so the content is shown inline.
 */
function contentDisposition(config: Record<string, unknown>, fromUrl: string | undefined): string | undefined {
  const name = fromUrl ?? (typeof config.filename === 'string' && config.filename !== '' ? config.filename : undefined);
  if (name === undefined) return undefined;
  const kind = config.content_disposition === 'inline' ? 'inline' : 'attachment';
  // A quoted-string cannot hold quotes, backslashes or line breaks; non-ASCII goes in filename*.
  const ascii = name.replace(/["\\\r\n]|[^\x20-\x7e]/g, '_');
  return ascii === name ? `${kind}; filename="${name}"` : `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function collectEntities(v: Value, out: Entity[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectEntities(x, out);
    return;
  }
  if (!isDict(v)) throw new HttpError(400, `Expected entities (JSON objects), found ${v === null ? 'null' : typeof v} at entity ${out.length}`);
  const id = v['_id'];
  if (typeof id !== 'string') throw new HttpError(400, `Entity ${out.length} has no string "_id" (it has ${id === undefined ? 'none' : JSON.stringify(id)})`);
  if (depthOver(v, MAX_DEPTH)) throw new HttpError(400, `Entity ${out.length} (_id ${JSON.stringify(id)}) nests deeper than ${MAX_DEPTH} levels`);
  out.push(v);
}

/** Whether `v` nests lists and dicts more than `max` deep; without recursion, as the point is to spare the stack. */
function depthOver(v: Value, max: number): boolean {
  const stack: [Value, number][] = [[v, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [x, depth] = top;
    if (x === null || typeof x !== 'object') continue;
    const items = Array.isArray(x) ? x : isDict(x) ? Object.values(x) : [];
    if (items.length === 0) continue;
    if (depth >= max) return true;
    for (const y of items) if (y !== null && typeof y === 'object') stack.push([y, depth + 1]);
  }
  return false;
}

function sendEntities(res: http.ServerResponse, entities: readonly Entity[], headers: Record<string, string> = {}): void {
  const text = '[' + entities.map((e) => writeJson(e)).join(',\n') + ']';
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The json pull protocol's `since` (exclusive `_updated`, -1 for all) and `limit`. */
function pullParams(url: URL, defaultLimit: number): { since: number; limit: number } {
  const since = intParam(url, 'since', -1);
  const limit = intParam(url, 'limit', defaultLimit);
  if (limit < 0) throw new HttpError(400, "Query parameter 'limit' must be ≥ 0");
  return { since, limit };
}

/**
 * The json pull protocol's response headers (docs: json-pull, "Response headers"): the
 * populated flag, the highest committed `_updated` (JSON encoded; absent while the dataset is
 * empty), the generation and, for publishers with a transform, that the stream is filtered.
 */
function pullHeaders(ds: Dataset, filtered: boolean): Record<string, string> {
  const h: Record<string, string> = { 'x-dataset-populated': String(ds.committedPopulatedFlag) };
  if (ds.committedSize > 0) h['x-dataset-max-updated'] = JSON.stringify(ds.committedSize - 1);
  if (ds.generation !== undefined) h['x-dataset-generation'] = ds.generation;
  if (filtered) h['x-dataset-filtered'] = 'true';
  return h;
}

function datasetInfo(rt: ProjectRuntime, id: string): Record<string, unknown> {
  const ds = rt.store.dataset(id);
  return { _id: id, versions: ds.size, entities: ds.countLive(), populated: ds.populated };
}

function pipeInfo(r: { pipe: { id: string; source: { type: string }; sink: { type: string; dataset?: string } }; loadState(): unknown }): Record<string, unknown> {
  return { _id: r.pipe.id, source: r.pipe.source.type, sink: r.pipe.sink.type, dataset: r.pipe.sink.dataset ?? null, state: r.loadState() };
}
