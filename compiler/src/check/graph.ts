/**
 * The dataset graph: which pipe writes which dataset, which pipes read it (source, hops,
 * lookup), the order pipes must run in, and the diagnostics about it.
 */
import type { Diagnostic } from '../diagnostics.js';
import type { DatasetRef, PipeModel } from '../project/pipes.js';
import { RULES } from './codes.js';

interface GraphPipe extends PipeModel {
  readonly allReads: DatasetRef[];
}

export interface DatasetGraph {
  /** Dataset id → the pipes writing it. */
  readonly writers: ReadonlyMap<string, readonly GraphPipe[]>;
  /** Dataset id → the pipes reading it, with the reference. */
  readonly readers: ReadonlyMap<string, readonly { pipe: GraphPipe; ref: DatasetRef }[]>;
  /** Pipe ids, producers before consumers; pipes in a cycle keep their file order. */
  readonly order: readonly string[];
  /** Sets of pipe ids that depend on each other. */
  readonly cycles: readonly (readonly string[])[];
  report(out: Diagnostic[], externalDatasets: readonly string[]): void;
}

export function buildGraph(pipes: readonly GraphPipe[]): DatasetGraph {
  const writers = new Map<string, GraphPipe[]>();
  const readers = new Map<string, { pipe: GraphPipe; ref: DatasetRef }[]>();
  for (const p of pipes) {
    if (p.output) push(writers, p.output.dataset, p);
    for (const ref of p.allReads) push(readers, ref.dataset, { pipe: p, ref });
  }
  // Edges producer → consumer.
  const index = new Map(pipes.map((p, i) => [p.id, i]));
  const edges: number[][] = pipes.map(() => []);
  const selfLoops = new Set<string>();
  for (const p of pipes) {
    const to = index.get(p.id)!;
    for (const ref of p.allReads) {
      for (const w of writers.get(ref.dataset) ?? []) {
        const from = index.get(w.id)!;
        if (from === to) selfLoops.add(p.id);
        else if (!edges[from]!.includes(to)) edges[from]!.push(to);
      }
    }
  }
  const sccs = tarjan(edges);
  const cycles: string[][] = [];
  for (const c of sccs) if (c.length > 1) cycles.push(c.map((i) => pipes[i]!.id));
  for (const id of selfLoops) if (!cycles.some((c) => c.includes(id))) cycles.push([id]);
  const order = stableTopoOrder(edges, sccs).map((i) => pipes[i]!.id);

  return {
    writers,
    readers,
    order,
    cycles,
    report(out, externalDatasets) {
      const external = new Set(externalDatasets);
      for (const [dataset, ws] of writers) {
        if (dataset.startsWith('system:')) {
          for (const w of ws) out.push(diag('graph-system-dataset', w, w.output!.node.range, `Pipe '${w.id}' writes '${dataset}': datasets named system:* are reserved for Sesam's own use.`));
        }
        if (ws.length > 1) {
          for (const w of ws) {
            const others = ws.filter((o) => o !== w).map((o) => `'${o.id}'`).join(', ');
            out.push(diag('graph-multiple-writers', w, w.output!.node.range, `Dataset '${dataset}' is written by pipe '${w.id}' and also by ${others}; a dataset must have one writer.`));
          }
        }
      }
      for (const [dataset, rs] of readers) {
        if (writers.has(dataset) || external.has(dataset) || dataset.startsWith('system:')) continue;
        for (const { pipe, ref } of rs) {
          const how = ref.via === 'hops' ? 'hops to' : ref.via === 'lookup' ? 'looks up entities in' : 'reads';
          out.push(diag('graph-unknown-dataset', pipe, ref.node.range, `Pipe '${pipe.id}' ${how} dataset '${dataset}', which no pipe in this project produces (list it in "externalDatasets" of dtl.config.json if it comes from elsewhere).`));
        }
      }
      for (const cycle of cycles) {
        const set = new Set(cycle);
        const text = cycle.length === 1 ? `Pipe '${cycle[0]}' reads its own output` : `Pipes ${cycle.map((c) => `'${c}'`).join(', ')} depend on each other in a cycle`;
        for (const id of cycle) {
          const p = pipes[index.get(id)!]!;
          const ref = p.allReads.find((x) => (writers.get(x.dataset) ?? []).some((w) => set.has(w.id)));
          if (ref) out.push(diag('graph-cycle', p, ref.node.range, `${text}: changes can keep flowing around it.`));
        }
      }
    },
  };
}

function diag(code: keyof typeof RULES, pipe: PipeModel, range: Diagnostic['range'], message: string): Diagnostic {
  return { code, severity: RULES[code].severity, message, file: pipe.entity.file.display, range };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Strongly connected components, iteratively (deep pipelines must not overflow the stack). */
function tarjan(edges: number[][]): number[][] {
  const n = edges.length;
  const idx = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let s = 0; s < n; s++) {
    if (idx[s] !== -1) continue;
    const work: [number, number][] = [[s, 0]];
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, i] = frame;
      if (i === 0 && idx[v] === -1) {
        idx[v] = low[v] = counter++;
        stack.push(v);
        onStack[v] = true;
      }
      if (i < edges[v]!.length) {
        frame[1] = i + 1;
        const w = edges[v]![i]!;
        if (idx[w] === -1) work.push([w, 0]);
        else if (onStack[w]) low[v] = Math.min(low[v]!, idx[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === idx[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          comp.push(w);
        } while (w !== v);
        out.push(comp);
      }
    }
  }
  return out;
}

/**
 * Producers before consumers, otherwise file order: Kahn's algorithm over the condensation,
 * always taking the ready component whose first pipe comes earliest in the project.
 */
function stableTopoOrder(edges: number[][], sccs: number[][]): number[] {
  const comp = new Array<number>(edges.length);
  sccs.forEach((c, ci) => c.forEach((v) => (comp[v] = ci)));
  const indeg = new Array<number>(sccs.length).fill(0);
  const out: Set<number>[] = sccs.map(() => new Set());
  edges.forEach((targets, v) => {
    for (const w of targets) {
      const a = comp[v]!;
      const b = comp[w]!;
      if (a !== b && !out[a]!.has(b)) {
        out[a]!.add(b);
        indeg[b]!++;
      }
    }
  });
  const first = sccs.map((c) => Math.min(...c));
  const ready = sccs.map((_, i) => i).filter((i) => indeg[i] === 0);
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => first[a]! - first[b]!);
    const c = ready.shift()!;
    order.push(...sccs[c]!.slice().sort((a, b) => a - b));
    for (const d of out[c]!) if (--indeg[d]! === 0) ready.push(d);
  }
  return order;
}
