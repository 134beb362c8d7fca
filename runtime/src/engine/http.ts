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
import { openSource } from './sources.js';
import { renderCsv } from './sinks.js';
import { FILTERED_KEY } from '../store/record.js';

const MAX_BODY = 256 * 1024 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface ApiServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startApi(rt: ProjectRuntime, port: number, host = '127.0.0.1'): Promise<ApiServer> {
  const server = http.createServer((req, res) => {
    handle(rt, req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : e instanceof NotFoundError ? 404 : e instanceof ConflictError ? 409 : e instanceof BadRequestError ? 400 : 500;
      if (status === 500) rt.log(`API error on ${req.method} ${req.url}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      sendJson(res, status, { error: e instanceof Error ? e.message : String(e) });
    });
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

function segment(s: string | undefined): string {
  if (s === undefined || s === '') throw new HttpError(404, 'Not found');
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
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new HttpError(400, `Query parameter '${name}' must be true or false, got '${v}'`);
}

async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `Request body larger than ${MAX_BODY} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

async function handle(rt: ProjectRuntime, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.replace(/\/+$/, '').split('/').slice(1);
  if (parts[0] !== 'api') throw new HttpError(404, `No such endpoint: ${url.pathname}`);
  const method = req.method ?? 'GET';
  const [, area, rawId, action, extra, ...rest] = parts;
  // Publishers also answer under a file name (`…/entities/export.json`, `…/csv/export.csv`), for downloads.
  if (rest.length > 0 || (extra !== undefined && area !== 'publishers')) throw new HttpError(404, `No such endpoint: ${url.pathname}`);
  const only = (...methods: string[]): void => {
    if (!methods.includes(method)) {
      res.setHeader('allow', methods.join(', '));
      throw new HttpError(405, `${method} is not allowed on ${url.pathname} (use ${methods.join(' or ')})`);
    }
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
    const id = segment(rawId);
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
    const id = segment(rawId);
    const runner = rt.runners.get(id);
    if (!runner) throw new HttpError(404, `No pipe '${id}'`);
    if (action === undefined) {
      only('GET');
      return sendJson(res, 200, pipeInfo(runner));
    }
    if (action === 'pump') {
      only('POST');
      const body = (await readBody(req)).toString('utf8');
      const form = new URLSearchParams(body);
      const op = form.get('operation') ?? url.searchParams.get('operation') ?? 'start';
      if (op === 'reset') {
        runner.reset();
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
    const read = openSource(runner.pipe.source, { store: rt.store, projectRoot: rt.options.projectRoot, systems: rt.systems, pipeId: id }, state);
    if (read) {
      outer: for await (const chunk of read.entities) {
        for (const e of chunk) {
          if (transformed) out.push(...runner.transform(e));
          else out.push(e);
          if (out.length >= limit) break outer;
        }
      }
    }
    return sendEntities(res, out.slice(0, limit));
  }
  if (area === 'receivers') {
    const id = segment(rawId);
    if (action !== 'entities') throw new HttpError(404, `No such endpoint: ${url.pathname}`);
    only('POST');
    const ctype = req.headers['content-type'] ?? '';
    if (!/^application\/(json|x-ndjson)\b/i.test(ctype)) throw new HttpError(415, `Content-Type must be application/json, got '${ctype || 'none'}'`);
    if (!rt.runners.has(id)) throw new HttpError(404, `No pipe '${id}'`);
    const body = await readBody(req);
    const entities: Entity[] = [];
    try {
      for (const v of parseJsonValues(body, rt.numberPolicy(id))) collectEntities(v, entities);
    } catch (e) {
      if (e instanceof JsonInputError || e instanceof HttpError) throw new HttpError(400, `The body is not valid JSON: ${e.message}`);
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
    const id = segment(rawId);
    const runner = rt.runners.get(id);
    if (!runner) throw new HttpError(404, `No pipe '${id}'`);
    const kind = runner.pipe.sink.type;
    if (kind !== 'http_endpoint' && kind !== 'csv_endpoint') throw new HttpError(404, `Pipe '${id}' is not a publisher (its sink is ${kind})`);
    only('GET');
    const params: Record<string, Value> = {};
    for (const [k, v] of url.searchParams) params[k] = v;
    runner.chain.instance.setRequestParams(params);
    // The json pull protocol: entities after `since` (the source dataset's _updated), at most `limit`.
    const { since, limit } = pullParams(url, Number.MAX_SAFE_INTEGER);
    const dataset = runner.pipe.source.dataset;
    const out: Entity[] = [];
    const read = openSource(runner.pipe.source, { store: rt.store, projectRoot: rt.options.projectRoot, systems: rt.systems, pipeId: id }, { since: since >= 0 && dataset ? { [dataset]: since } : {} });
    if (read) {
      outer: for await (const chunk of read.entities) {
        for (const e of chunk) {
          for (const t of runner.transform(e)) {
            if (out.length >= limit) break outer;
            if (t[FILTERED_KEY] !== true) out.push(t);
          }
        }
      }
    }
    if (action === 'csv' && kind === 'csv_endpoint') {
      const text = renderCsv(out, runner.pipe.sink.config);
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
      res.end(text);
      return;
    }
    // The pull protocol's headers describe the source dataset; a transform filters the stream.
    const headers = dataset !== undefined && rt.store.exists(dataset) ? pullHeaders(rt.store.dataset(dataset), runner.pipe.transforms.length > 0) : {};
    if (action === 'entities') return sendEntities(res, out, headers);
    throw new HttpError(404, `No such endpoint: ${url.pathname}`);
  }
  throw new HttpError(404, `No such endpoint: ${url.pathname}`);
}

function collectEntities(v: Value, out: Entity[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectEntities(x, out);
    return;
  }
  if (!isDict(v)) throw new HttpError(400, `Expected entities (JSON objects), found ${v === null ? 'null' : typeof v}`);
  if (typeof v['_id'] !== 'string') throw new HttpError(400, `Entity ${out.length} has no string "_id"`);
  out.push(v);
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
