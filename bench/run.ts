/**
 * `npm run bench`: every benchmark of the toolchain, as ratios measured side by side in one
 * run (machines here drift ±25% between runs; ratios within a run are what mean something).
 *
 *   check        dtl check on a generated 1,000-pipe project (goal < 2 s)
 *   parse        parsing a 5 MB config file (goal < 0.5 s)
 *   transform    compiled customers-with-orders vs hand-written JS vs JSONata, in memory
 *   e2e          dtl run --once from empty vs the I/O + JSON floor over every entity it
 *                stores (goal within 3×)
 *   incremental  one changed order after the full run (goal < 1% of the full run)
 *
 * Options: --only a,b   --scale F (1 = 200,000 customers and 1,000,000 orders)   --runs N
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import jsonata from 'jsonata';
import { HopsExecutor, sortInHopsOrder, type HopsData } from '@dtl/runtime/engine/hops';
import { TransformChain } from '@dtl/runtime/engine/compiled-pipe';
import { EXTERNAL, parseJson } from '@dtl/runtime/values/json';
import { intersects } from '@dtl/runtime/compiled/index';
import type { FnContext } from '@dtl/runtime/functions/types';
import { DateTime, type Entity, type Value } from '@dtl/runtime/values/types';
import { valueKey } from '@dtl/runtime/values/compare';
import { parseJson as parseSyntax } from '@dtl/compiler/syntax/parser';
import { checkProject } from '@dtl/compiler/check/check-project';
import { loadProject } from '@dtl/compiler/project/load';
import { buildProject } from '@dtl/compiler/codegen/build';
import { importBuild } from '@dtl/compiler/cli/project-commands';
import { generate, mulberry32, type Workload } from './generate.js';
import { JSONATA_EXPRESSION, handWritten, type RawCustomer, type RawOrder } from './baselines.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DATA = path.join(REPO, 'bench', '.data');
const DTL = path.join(REPO, 'compiler', 'bin', 'dtl.js');

const { values: opts } = parseArgs({
  options: { only: { type: 'string' }, scale: { type: 'string', default: '1' }, runs: { type: 'string', default: '3' } },
});
const only = opts.only ? new Set(opts.only.split(',')) : undefined;
const scale = Number(opts.scale);
const runs = Math.max(1, Number(opts.runs));
const CUSTOMERS = Math.round(200_000 * scale);
const ORDERS = Math.round(1_000_000 * scale);

interface Row {
  bench: string;
  measure: string;
  value: string;
  goal?: string;
  ok?: boolean;
}
const rows: Row[] = [];
function report(r: Row): void {
  rows.push(r);
  process.stdout.write(`  ${r.bench} · ${r.measure}: ${r.value}${r.goal ? `  (goal ${r.goal}: ${r.ok ? 'met' : 'NOT met'})` : ''}\n`);
}

const ms = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);
const mib = (kb: number): string => `${(kb / 1024).toFixed(0)} MiB`;

/** Runs a command, returning wall time and the peak RSS the kernel saw (via /usr/bin/time). */
function timed(cmd: string, args: string[], cwd = REPO): Promise<{ ms: number; peakKb: number; stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const useTime = fs.existsSync('/usr/bin/time');
    const child = useTime ? spawn('/usr/bin/time', ['-f', '__PEAK_KB__ %M', cmd, ...args], { cwd }) : spawn(cmd, args, { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      const m = /__PEAK_KB__ (\d+)/.exec(stderr);
      resolve({ ms: elapsed, peakKb: m ? Number(m[1]) : 0, stdout, stderr: stderr.replace(/__PEAK_KB__ \d+\n?/, ''), code: code ?? -1 });
    });
  });
}

function best<T extends { ms: number }>(xs: T[]): T {
  return xs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

// ------------------------------------------------------------------ check and parse

function checkProjectFiles(dir: string, pipes: number): void {
  if (fs.existsSync(path.join(dir, 'pipes', `p${pipes - 1}.conf.json`))) return;
  fs.mkdirSync(path.join(dir, 'pipes'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'systems'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'systems', 'crm.conf.json'), JSON.stringify({ _id: 'crm', type: 'system:url', url_pattern: 'http://crm.example/%s' }, null, 2));
  for (let i = 0; i < pipes; i++) {
    const inbound = i % 10 === 0;
    const pipe = inbound
      ? { _id: `p${i}`, type: 'pipe', source: { type: 'json', system: 'crm', url: `things-${i}` }, pump: { schedule_interval: 60 } }
      : {
          _id: `p${i}`,
          type: 'pipe',
          source: { type: 'dataset', dataset: `p${i - (i % 10)}` },
          transform: {
            type: 'dtl',
            rules: {
              default: [
                ['copy', '*', ['list', '_*', 'tmp_*']],
                ['add', 'name', ['concat', ['list', '_S.first_name', ' ', '_S.last_name']]],
                ['add', 'tags', ['sorted', ['distinct', ['map', ['lower', '_.'], '_S.tags']]]],
                ['add', 'orders', ['apply-hops', 'order', { datasets: [`p${i - (i % 10)} o`], where: [['eq', '_S._id', 'o.ref']] }]],
                ['add', 'total', ['sum', ['map', '_.total', '_T.orders']]],
                ['if', ['gt', '_T.total', 100], ['add', 'vip', true], ['add', 'vip', false]],
                ['filter', ['is-not-null', '_S.name']],
              ],
              order: [['copy', 'items'], ['add', 'total', ['sum', ['map', ['multiply', '_.quantity', '_.price'], '_S.items']]]],
            },
          },
        };
    fs.writeFileSync(path.join(dir, 'pipes', `p${i}.conf.json`), JSON.stringify(pipe, null, 2));
  }
}

async function benchCheck(): Promise<void> {
  const dir = path.join(DATA, 'check-1000');
  checkProjectFiles(dir, 1000);
  const results = [];
  for (let i = 0; i < runs; i++) results.push(await timed(process.execPath, [DTL, 'check', dir, '--format', 'json']));
  const b = best(results);
  const diags = JSON.parse(b.stdout) as { severity: string }[];
  const errors = diags.filter((d) => d.severity === 'error').length;
  report({ bench: 'check', measure: `dtl check, 1,000 pipes with DTL (${errors} errors, ${diags.length} diagnostics), whole process`, value: ms(b.ms), goal: '< 2 s', ok: b.ms < 2000 && errors === 0 });
}

async function benchParse(): Promise<void> {
  const entities: unknown[] = [];
  let text = '';
  for (let i = 0; text.length < 5 * 1024 * 1024; i++) {
    entities.push({ _id: `pipe-${i}`, type: 'pipe', source: { type: 'dataset', dataset: `src-${i}` }, transform: { type: 'dtl', rules: { default: [['copy', '*'], ['add', 'x', ['concat', '_S.a', '-', ['upper', '_S.b']]], ['add', 'price', 12.5], ['filter', ['gt', '_S.n', 3]]] } } });
    if (i % 500 === 0) text = JSON.stringify(entities, null, 2);
  }
  text = JSON.stringify(entities, null, 2);
  for (let i = 0; i < 3; i++) parseSyntax(text);
  const times: number[] = [];
  for (let i = 0; i < Math.max(5, runs); i++) {
    const t = performance.now();
    const r = parseSyntax(text);
    times.push(performance.now() - t);
    if (r.problems.length > 0) throw new Error('the generated config does not parse');
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const t0 = performance.now();
  JSON.parse(text);
  const native = performance.now() - t0;
  report({ bench: 'parse', measure: `parse of a valid ${(text.length / 1048576).toFixed(1)} MB config to the syntax tree (strict fast path; median; JSON.parse takes ${ms(native)})`, value: ms(median), goal: '< 0.5 s', ok: median < 500 });
  // The same file with one trailing comma takes the error-tolerant Chevrotain parser.
  const broken = text.replace(/\n\]$/, ',\n]');
  const tolerant: number[] = [];
  for (let i = 0; i < Math.max(5, runs); i++) {
    const t = performance.now();
    const r = parseSyntax(broken);
    tolerant.push(performance.now() - t);
    if (!r.problems.some((p) => p.code === 'json-trailing-comma')) throw new Error('the broken config parsed without its error');
  }
  tolerant.sort((a, b) => a - b);
  report({ bench: 'parse', measure: 'the same file with one trailing comma (error-tolerant Chevrotain parse; median)', value: ms(tolerant[Math.floor(tolerant.length / 2)]!) });
}

// ------------------------------------------------------------------ the tutorial workload

function lines(file: string): string[] {
  const buf = fs.readFileSync(file);
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(10, start);
    const end = nl < 0 ? buf.length : nl;
    if (end > start) out.push(buf.toString('utf8', start, end));
    if (nl < 0) break;
    start = nl + 1;
  }
  return out;
}

/** The orders as plain JSON, grouped by customer id in file order (the baselines' join index). */
function rawOrdersByCustomer(orderLines: readonly string[]): Map<string, RawOrder[]> {
  const index = new Map<string, RawOrder[]>();
  for (const l of orderLines) {
    const o = JSON.parse(l) as RawOrder;
    const list = index.get(o.customer_id);
    if (list) list.push(o);
    else index.set(o.customer_id, [o]);
  }
  return index;
}

async function compiledTutorial(): Promise<{ apply: (e: Entity) => Entity[]; setIndex: (m: Map<string, Entity[]>) => void }> {
  const project = loadProject(path.join(REPO, 'samples', 'tutorial'));
  const out = await buildProject(checkProject(project), { outDir: path.join(DATA, 'tutorial-build'), bundle: false, toolVersion: 'bench' });
  const { manifest, modules } = await importBuild(out);
  let index = new Map<string, Entity[]>();
  const data: HopsData = {
    lookup(_dataset, _index, inner, keys) {
      if (keys.length === 1) return index.get(valueKey(keys[0]!)) ?? [];
      return keys.flatMap((k) => index.get(valueKey(k)) ?? []).filter((e) => intersects(inner(e), keys as Value[]));
    },
  };
  const cx: FnContext = {
    pipeId: 'customers-with-orders',
    namespaced: false,
    identityNamespace: 'customers-with-orders',
    propertyNamespace: 'customers-with-orders',
    namespaceMap: {},
    now: () => DateTime.fromMillis(Date.now()),
    lookupEntity: () => null,
    previousSource: () => undefined,
    completeness: () => null,
    secret: () => undefined,
  };
  // The pipe's whole transform chain, as the runtime runs it (id handling, filter tombstones).
  const chain = new TransformChain(manifest.pipes.find((p) => p.id === 'customers-with-orders')!, modules['customers-with-orders']!, cx, new HopsExecutor(data));
  return { apply: (e) => chain.run(e), setIndex: (m) => (index = m) };
}

async function benchTransform(w: Workload): Promise<void> {
  const cLines = lines(w.customers);
  const oLines = lines(w.orders);
  // The same join index for every engine: customer id → orders.
  const dtlCustomers = cLines.map((l) => parseJson(l, EXTERNAL) as Entity);
  const dtlIndex = new Map<string, Entity[]>();
  for (const l of oLines) {
    const o = parseJson(l, EXTERNAL) as Entity;
    const k = valueKey(o['customer_id']);
    const list = dtlIndex.get(k);
    if (list) list.push(o);
    else dtlIndex.set(k, [o]);
  }
  // Index buckets in hops order, once, like the runtime's in-memory indexes.
  for (const list of dtlIndex.values()) sortInHopsOrder(list);
  const rawCustomers = cLines.map((l) => JSON.parse(l) as RawCustomer);
  const rawIndex = rawOrdersByCustomer(oLines);
  const rank = new Map<string, number>();
  for (const list of dtlIndex.values()) list.forEach((e, i) => rank.set(e['_id'] as string, i));
  for (const list of rawIndex.values()) list.sort((a, b) => rank.get(a._id)! - rank.get(b._id)!);
  const compiled = await compiledTutorial();
  compiled.setIndex(dtlIndex);

  // Same output check on a sample before timing anything.
  const { writeJson } = await import('@dtl/runtime/values/json');
  let kept = 0;
  for (let i = 0; i < Math.min(2000, rawCustomers.length); i++) {
    const a = compiled.apply(dtlCustomers[i]!)[0]!;
    const b = handWritten(rawCustomers[i]!, rawIndex);
    const isFiltered = a['_filtered'] === true;
    if (isFiltered !== (b === undefined)) throw new Error(`engines disagree on filtering customer ${rawCustomers[i]!._id}`);
    if (!isFiltered && b) {
      const x = JSON.parse(writeJson(a as Value)) as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      if (JSON.stringify(sortKeys(x)) !== JSON.stringify(sortKeys(y))) throw new Error(`engines disagree on customer ${rawCustomers[i]!._id}:\n${JSON.stringify(sortKeys(x))}\n${JSON.stringify(sortKeys(y))}`);
      kept++;
    }
  }
  // The two fast engines run alternately, best of at least five each: one engine's garbage
  // must not land in the other's timing, and a VM hiccup should not decide the ratio.
  const compiledRun = (): number => {
    let n = 0;
    for (const e of dtlCustomers) if (compiled.apply(e)[0]!['_filtered'] !== true) n++;
    return n;
  };
  const handRun = (): number => {
    let n = 0;
    for (const e of rawCustomers) if (handWritten(e, rawIndex) !== undefined) n++;
    return n;
  };
  const once = (fn: () => number): { ms: number; n: number } => {
    (globalThis as { gc?: () => void }).gc?.();
    const t = performance.now();
    const n = fn();
    return { ms: performance.now() - t, n };
  };
  const cResults: { ms: number; n: number }[] = [];
  const hResults: { ms: number; n: number }[] = [];
  for (let r = 0; r < Math.max(runs, 5); r++) {
    cResults.push(once(compiledRun));
    hResults.push(once(handRun));
  }
  const c = best(cResults);
  const h = best(hResults);
  const expr = jsonata(JSONATA_EXPRESSION);
  const subset = rawCustomers.slice(0, Math.min(rawCustomers.length, 20_000));
  const bindings = { ordersOf: (id: string) => rawIndex.get(id) ?? [] };
  const jResults: { ms: number; n: number }[] = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    let n = 0;
    for (const e of subset) if ((await expr.evaluate(e, bindings)) !== undefined) n++;
    jResults.push({ ms: performance.now() - t, n });
  }
  const j = best(jResults);
  const perC = (c.ms * 1000) / dtlCustomers.length;
  const perH = (h.ms * 1000) / rawCustomers.length;
  const perJ = (j.ms * 1000) / subset.length;
  report({ bench: 'transform', measure: `compiled DTL, ${dtlCustomers.length} customers (${kept} of the first 2,000 kept, outputs identical to hand-written)`, value: `${ms(c.ms)} (${perC.toFixed(2)} µs/customer)` });
  report({ bench: 'transform', measure: 'hand-written JS (integer cents)', value: `${ms(h.ms)} (${perH.toFixed(2)} µs/customer)` });
  report({ bench: 'transform', measure: `JSONata ${'2.x'}, ${subset.length} customers`, value: `${ms(j.ms)} (${perJ.toFixed(2)} µs/customer)` });
  report({ bench: 'transform', measure: 'compiled throughput ÷ hand-written', value: (perH / perC).toFixed(2) + '×', goal: '≥ 0.8×', ok: perH / perC >= 0.8 });
  report({ bench: 'transform', measure: 'compiled throughput ÷ JSONata', value: (perJ / perC).toFixed(1) + '×', goal: '≥ 5×', ok: perJ / perC >= 5 });
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortKeys(x)]));
  return v;
}

function e2eProject(w: Workload): string {
  const dir = path.join(DATA, 'e2e-project');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.join(dir, 'feeds'), { recursive: true });
  fs.copyFileSync(w.customers, path.join(dir, 'feeds', 'customers.jsonl'));
  fs.copyFileSync(w.orders, path.join(dir, 'feeds', 'orders.jsonl'));
  const tutorial = JSON.parse(fs.readFileSync(path.join(REPO, 'samples', 'tutorial', 'sesam.conf.json'), 'utf8')) as Record<string, unknown>[];
  const cwo = tutorial.find((e) => e._id === 'customers-with-orders')!;
  const conf = [
    { _id: 'feeds', type: 'system:url', base_url: 'feeds/' },
    { _id: 'customers', type: 'pipe', source: { type: 'json', system: 'feeds', url: 'customers.jsonl', supports_since: true } },
    { _id: 'orders', type: 'pipe', source: { type: 'json', system: 'feeds', url: 'orders.jsonl', supports_since: true } },
    cwo,
  ];
  fs.writeFileSync(path.join(dir, 'sesam.conf.json'), JSON.stringify(conf, null, 2));
  return dir;
}

/**
 * The entities the run stores in customers-with-orders, as JSON lines made by the hand-written
 * baseline (not timed): the floor must read, parse, stringify and write them too, since the
 * run writes them (160,000 customers nesting 800,000 orders at full scale).
 */
function derivedEntities(w: Workload): string {
  const file = path.join(w.dir, 'customers-with-orders.jsonl');
  const stamp = path.join(w.dir, 'customers-with-orders.stamp');
  const want = `${fs.statSync(w.customers).mtimeMs}:${fs.statSync(w.orders).mtimeMs}`;
  if (fs.existsSync(file) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === want) return file;
  const index = rawOrdersByCustomer(lines(w.orders));
  const fd = fs.openSync(file, 'w');
  let out: string[] = [];
  for (const l of lines(w.customers)) {
    const e = handWritten(JSON.parse(l) as RawCustomer, index);
    if (e === undefined) continue;
    out.push(JSON.stringify(e));
    if (out.length === 10000) {
      fs.writeSync(fd, out.join('\n') + '\n');
      out = [];
    }
  }
  if (out.length) fs.writeSync(fd, out.join('\n') + '\n');
  fs.closeSync(fd);
  fs.writeFileSync(stamp, want);
  return file;
}

async function benchEndToEnd(w: Workload, incremental: boolean): Promise<void> {
  const project = e2eProject(w);
  const data = path.join(DATA, 'e2e-data');
  const floorOut = path.join(DATA, 'floor-out');
  const floorJs = path.join(REPO, 'bench', 'dist', 'floor.js');
  const inputs = [path.join(project, 'feeds', 'customers.jsonl'), path.join(project, 'feeds', 'orders.jsonl')];
  const derived = derivedEntities(w);
  const fullRuns: Awaited<ReturnType<typeof timed>>[] = [];
  const floorRuns: Awaited<ReturnType<typeof timed>>[] = [];
  const inputFloorRuns: Awaited<ReturnType<typeof timed>>[] = [];
  const floor = async (files: string[]): Promise<Awaited<ReturnType<typeof timed>>> => {
    fs.rmSync(floorOut, { recursive: true, force: true });
    const f = await timed(process.execPath, [floorJs, floorOut, ...files]);
    if (f.code !== 0) throw new Error(`floor failed: ${f.stderr}`);
    return f;
  };
  for (let r = 0; r < runs; r++) {
    floorRuns.push(await floor([...inputs, derived]));
    inputFloorRuns.push(await floor(inputs));
    fs.rmSync(data, { recursive: true, force: true });
    const run = await timed(process.execPath, [DTL, 'run', project, '--once', '--data', data, '--quiet']);
    if (run.code !== 0) throw new Error(`dtl run failed: ${run.stderr}`);
    fullRuns.push(run);
  }
  const full = best(fullRuns);
  const floorAll = best(floorRuns);
  const floorIn = best(inputFloorRuns);
  report({ bench: 'e2e', measure: `dtl run --once from empty (${CUSTOMERS} customers, ${ORDERS} orders; peak RSS ${mib(full.peakKb)})`, value: ms(full.ms) });
  report({ bench: 'e2e', measure: `floor: read, parse, stringify, write every entity the run stores (${floorAll.stdout.trim()}; peak RSS ${mib(floorAll.peakKb)})`, value: ms(floorAll.ms) });
  report({ bench: 'e2e', measure: 'dtl run --once ÷ floor', value: (full.ms / floorAll.ms).toFixed(2) + '×', goal: '≤ 3×', ok: full.ms / floorAll.ms <= 3 });
  report({ bench: 'e2e', measure: `for reference, the input files alone (${floorIn.stdout.trim()}) take ${ms(floorIn.ms)}; dtl run ÷ that`, value: (full.ms / floorIn.ms).toFixed(2) + '×' });
  if (!incremental) return;

  // Build the bundle (same code, so the pipes keep their state), change one order, run again.
  const out = path.join(DATA, 'e2e-build');
  const b = await timed(process.execPath, [DTL, 'build', project, '-o', out]);
  if (b.code !== 0) throw new Error(`dtl build failed: ${b.stderr}`);
  const incRuns: Awaited<ReturnType<typeof timed>>[] = [];
  const cliRuns: Awaited<ReturnType<typeof timed>>[] = [];
  const rand = mulberry32(7);
  for (let r = 0; r < runs; r++) {
    const customer = 1 + Math.floor(rand() * Math.floor(CUSTOMERS * 0.8));
    const order = `{"_id": "${100000 + Math.floor(rand() * ORDERS)}", "customer_id": "${customer}", "items": [{"ean": "978-0000000000", "price": ${(50 + r).toFixed(2)}, "quantity": 1}]}\n`;
    fs.appendFileSync(path.join(project, 'feeds', 'orders.jsonl'), order);
    const inc = await timed(process.execPath, [path.join(out, 'bundle.mjs'), '--once', '--data', data]);
    if (inc.code !== 0) throw new Error(`incremental run failed: ${inc.stderr}`);
    if (!/customers-with-orders: \d+ processed \(\d+ by dependency tracking\)/.test(inc.stdout) && !/customers-with-orders: 0 processed/.test(inc.stdout)) throw new Error(`unexpected incremental output: ${inc.stdout}`);
    incRuns.push(inc);
    fs.appendFileSync(path.join(project, 'feeds', 'orders.jsonl'), order.replace(`"price": ${(50 + r).toFixed(2)}`, `"price": ${(60 + r).toFixed(2)}`));
    cliRuns.push(await timed(process.execPath, [DTL, 'run', project, '--once', '--data', data, '--quiet']));
  }
  const inc = best(incRuns);
  const cli = best(cliRuns);
  const line = /customers-with-orders: [^\n]*/.exec(inc.stdout)?.[0] ?? '';
  report({ bench: 'incremental', measure: `one changed order, node bundle.mjs --once (${line.trim()}; peak RSS ${mib(inc.peakKb)})`, value: `${ms(inc.ms)} = ${((100 * inc.ms) / full.ms).toFixed(2)}% of the full run`, goal: '< 1%', ok: inc.ms / full.ms < 0.01 });
  report({ bench: 'incremental', measure: `the same through dtl run --once (compiler loaded, build cached; peak RSS ${mib(cli.peakKb)})`, value: `${ms(cli.ms)} = ${((100 * cli.ms) / full.ms).toFixed(2)}% of the full run` });
}

async function main(): Promise<void> {
  fs.mkdirSync(DATA, { recursive: true });
  process.stdout.write(`dtl benchmarks (node ${process.version}, scale ${scale}: ${CUSTOMERS} customers, ${ORDERS} orders, best of ${runs})\n`);
  const want = (s: string): boolean => !only || only.has(s);
  if (want('check')) await benchCheck();
  if (want('parse')) await benchParse();
  let w: Workload | undefined;
  if (want('transform') || want('e2e') || want('incremental')) {
    process.stdout.write('  generating the tutorial workload…\n');
    w = generate(path.join(DATA, `workload-${CUSTOMERS}-${ORDERS}`), CUSTOMERS, ORDERS);
  }
  if (want('transform')) await benchTransform(w!);
  if (want('e2e') || want('incremental')) await benchEndToEnd(w!, want('incremental'));
  const failed = rows.filter((r) => r.ok === false);
  process.stdout.write(`\n${rows.filter((r) => r.goal).length - failed.length} of ${rows.filter((r) => r.goal).length} goals met.\n`);
  fs.writeFileSync(path.join(DATA, 'results.json'), JSON.stringify({ at: new Date().toISOString(), scale, rows }, null, 2));
}

await main();
