/**
 * DTL IR → JavaScript. One instance compiles one `dtl` transform of a pipe into the body of
 * the pipe module's `create` function: rule functions, hops spec descriptors, and the
 * dependency-tracking chains that invert each hops join.
 *
 * Conventions of the generated code (see runtime/src/compiled/index.ts for `rt`):
 *  - a rule is `function <name>(S, P)`: S the source value, P the parent context
 *    ({_S, _T, _P}) or null; it returns the target, `rt.DISCARD`, or `rt.filtered(T)`;
 *  - `R` (root context) and `B` (request parameters) are per-entity variables of the pipe;
 *  - `cx` is the function context, `F` the function table, `H` the hops executor;
 *  - `_0`, `_1`, … are the `_` of nested function expressions;
 *  - inside hops specs, functions take `(r, c)`: r the row ({_S, alias: entity, …}) and c the
 *    caller's {T, P}.
 */
import { createHash } from 'node:crypto';
import { bindArguments } from '../dtl/catalog/index.js';
import type { CatalogEntry } from '../dtl/catalog/types.js';
import type { BoundArg, DtlProgram, Expr, HopsJoin, HopsSpec, Rule, Stmt } from '../dtl/ir.js';
import type { JsonArray } from '../syntax/tree.js';
import { ConstantPool } from './constants.js';
import { indent } from './module.js';
import { walkProgram, walkStmt } from '../dtl/walk.js';
import { implementationOf } from '@dtl/runtime/functions/index';
import type { FnContext } from '@dtl/runtime/functions/types';
import type { Value } from '@dtl/runtime/values/types';

/** Functions `call` compiles to inline code: they need no runtime implementation. (Special forms
 * such as hops, apply and literal are expressions of their own and never calls.) */
export const INLINE_CALLS: ReadonlySet<string> = new Set(['if', 'case', 'case-eq', 'and', 'or', 'not', 'coalesce-args', 'eq', 'neq', 'list', 'lookup-entity']);

export interface CompileOptions {
  /** Prefix for generated names (one per DTL transform in the chain). */
  readonly prefix: string;
  readonly namespaced: boolean;
  /** The pipe's source dataset when its source is a `dataset` source (dependency tracking). */
  readonly sourceDataset: string | undefined;
  /** Evaluate calls with constant arguments at compile time (default true). */
  readonly fold?: boolean;
}

/** How to get from a set of entities back to the pipe's source entities. */
interface FindStep {
  /** Key values of the current entities, towards the next set. */
  readonly keys: string;
  readonly dataset: string;
  /** Find entities of `dataset` whose `inner` values overlap the keys (or by _id). */
  readonly byId: boolean;
  readonly index: string;
  readonly inner: string;
}

/**
 * A context's path back to the source: steps applied to the context's `_S` entities. When a
 * hops `return` projects its alias (`b.x`, `["dict", "m", "b.ref"]`), `_S` is that projection
 * of an entity of `dataset`: `project` is the JS function from the entity to `_S`.
 */
type Chain = { readonly dataset: string; readonly steps: FindStep[]; readonly project?: string } | null;

interface Ctx {
  /** Number of enclosing function expressions (the current `_` is `_${depth-1}`). */
  readonly depth: number;
  /** Inside a hops spec function: variables compile against the row `r` and caller `c`. */
  readonly hops: boolean;
  readonly rule: string;
  /** Dependency chain of the context's `_S` (null when untrackable). */
  readonly chain: Chain;
  /** In a function of one entity: the alias (or `_S`) that is that entity, the parameter `e`. */
  readonly entity?: string;
}

export interface DependencyOut {
  /** The dataset whose changes trigger reprocessing. */
  readonly dataset: string;
  /** JS for `{dataset, steps}` as the runtime expects. */
  readonly code: string;
  /** Datasets walked back to the source, in order (the last is the source dataset). */
  readonly path: readonly string[];
  /** The join that binds the hopped alias: its hopped side and its other side. */
  readonly join: { readonly node: JsonArray; readonly hopped: Expr; readonly other: Expr };
}

export class DtlCompiler {
  readonly consts: ConstantPool;
  private readonly body: string[] = [];
  private readonly ruleFns = new Map<string, string>();
  private readonly usesR: boolean;
  /** Some rule applies `default` to arbitrary values, so its `_S` is not always an entity. */
  private readonly defaultApplied: boolean;
  readonly dependencies: DependencyOut[] = [];
  /** Joins whose inversion is impossible (the outer side is not an expression over _S). */
  /** Joins of hops that track dependencies but that the inversion cannot follow. */
  readonly untracked: JsonArray[] = [];
  /** Datasets read by hops (for the manifest). */
  readonly hopsDatasets = new Set<string>();
  private readonly ruleChains = new Map<string, Chain>();
  /** Per rule: how many `_P` levels up it (or a rule it applies) reads; 0 = no parent needed. */
  private readonly parentNeed = new Map<string, number>();
  /** Variables used while compiling the innermost function expressions (for hoisting). */
  private readonly usage: Set<string>[] = [];

  constructor(private readonly program: DtlProgram, private readonly opts: CompileOptions, consts: ConstantPool) {
    this.consts = consts;
    let i = 0;
    for (const name of program.rules.keys()) this.ruleFns.set(name, `${opts.prefix}r${i++}`);
    this.usesR = programUses(program, 'R');
    this.defaultApplied = [...program.rules.values()].some((r) => calleesOf(r).includes('default'));
    this.computeParentNeeds();
  }

  /** need[Q] = max(own `_P` depth, need[R] − 1 for every rule R that Q applies). */
  private computeParentNeeds(): void {
    const direct = new Map<string, number>();
    for (const [name, rule] of this.program.rules) direct.set(name, parentDepth(rule));
    for (const name of this.program.rules.keys()) this.parentNeed.set(name, direct.get(name)!);
    for (let round = 0; round <= this.program.rules.size; round++) {
      let changed = false;
      for (const [name, rule] of this.program.rules) {
        let n = this.parentNeed.get(name)!;
        for (const callee of calleesOf(rule)) n = Math.max(n, (this.parentNeed.get(callee) ?? 0) - 1);
        if (n !== this.parentNeed.get(name)) {
          this.parentNeed.set(name, n);
          changed = true;
        }
      }
      if (!changed) break;
    }
  }

  /** Emits the rule functions; returns the JS of the transform object `{ apply(entity, created) }`. */
  compile(): { declarations: string; transform: string } {
    const source: Chain = this.opts.sourceDataset !== undefined ? { dataset: this.opts.sourceDataset, steps: [] } : null;
    this.ruleChains.set('default', source);
    // Rules applied with apply-hops get their chain when the call site is compiled; compile
    // default first, then the others in dependency order (callers before callees).
    const order = this.ruleOrder();
    for (const name of order) {
      const rule = this.program.rules.get(name)!;
      this.body.push(this.compileRule(rule));
    }
    const def = this.ruleFns.get('default');
    const trigger = this.program.triggerOn;
    const transform = `{
    type: 'dtl',
    idRequired: ${this.program.idRequired},
    ${trigger ? `triggerOn: { key: ${JSON.stringify(trigger.key)}, pattern: rt.compilePattern(${JSON.stringify(trigger.value)}) },` : ''}
    apply(entity, created) {
      OUT = created;
      ${this.usesR ? 'R = null;' : ''}
      return ${def ? `${def}(entity, null)` : 'entity'};
    },
  }`;
    return { declarations: this.body.join('\n\n'), transform };
  }

  private ruleOrder(): string[] {
    const names = [...this.program.rules.keys()];
    const out: string[] = [];
    const seen = new Set<string>();
    const visit = (n: string): void => {
      if (seen.has(n) || !this.program.rules.has(n)) return;
      seen.add(n);
      out.push(n);
      for (const callee of calleesOf(this.program.rules.get(n)!)) visit(callee);
    };
    visit('default');
    for (const n of names) visit(n);
    return out;
  }

  private compileRule(rule: Rule): string {
    const fn = this.ruleFns.get(rule.name)!;
    const isDefault = rule.name === 'default';
    const ctx: Ctx = { depth: 0, hops: false, rule: rule.name, chain: this.ruleChains.get(rule.name) ?? null };
    const lines: string[] = [`function ${fn}(S, P) {`, '  const T = {};'];
    if (isDefault && this.usesR) lines.push('  R = { _S: S, _T: T };');
    for (const s of rule.body) lines.push(indent(this.stmt(s, ctx), 2));
    lines.push('  return T;', '}');
    return `// rule ${JSON.stringify(rule.name)}\n${lines.join('\n')}`;
  }

  // ------------------------------------------------------------------ statements

  private stmt(s: Stmt, ctx: Ctx): string {
    const name = s.entry.name;
    const a = s.args;
    const ns = this.opts.namespaced;
    switch (name) {
      case 'comment':
        return '';
      case 'add': {
        const prop = a[0]!.expr!;
        const value = this.expr(a[1]!.expr!, ctx);
        if (!ns && prop.k === 'lit' && typeof prop.value === 'string' && prop.value !== '__proto__') {
          return `T[${JSON.stringify(prop.value)}] = ${value};`;
        }
        return `rt.add(cx, T, ${this.expr(prop, ctx)}, ${value});`;
      }
      case 'add-if': {
        const prop = this.expr(a[0]!.expr!, ctx);
        const value = this.expr(a[a.length - 1]!.expr!, ctx);
        let cond = 'v !== null';
        if (a.length === 3) cond = `rt.truthy((${this.lambda(a[1]!.expr!, ctx)})(v))`;
        return `{ const v = ${value}; if (${cond}) rt.add(cx, T, ${prop}, v); }`;
      }
      case 'default': {
        const prop = a[0]!.expr!;
        const value = this.expr(a[1]!.expr!, ctx);
        if (!ns && prop.k === 'lit' && typeof prop.value === 'string' && prop.value !== '__proto__') {
          const key = JSON.stringify(prop.value);
          return `if (!rt.hasOwn(T, ${key})) T[${key}] = ${value};`;
        }
        return `rt.addDefault(cx, T, ${this.expr(prop, ctx)}, () => ${value});`;
      }
      case 'copy': {
        const inc = a[0]!.expr!;
        const exc = a[1]?.expr;
        if (!ns && !exc && inc.k === 'lit' && inc.value === '*') return 'rt.copyAll(S, T);';
        const names = !ns && !exc && inc.k === 'lit' ? exactNames(inc.value) : undefined;
        if (names) {
          // Plain names (no wildcards): copy each directly.
          return `if (rt.isDict(S)) { ${names.map((n) => `if (rt.hasOwn(S, ${JSON.stringify(n)})) T[${JSON.stringify(n)}] = S[${JSON.stringify(n)}];`).join(' ')} }`;
        }
        return `rt.copy(cx, S, T, ${this.patterns(inc, ctx)}, ${exc ? this.patterns(exc, ctx) : '[]'});`;
      }
      case 'remove':
        return `rt.remove(cx, T, ${this.patterns(a[0]!.expr!, ctx)});`;
      case 'rename':
        return `rt.rename(cx, S, T, ${this.expr(a[0]!.expr!, ctx)}, ${this.expr(a[1]!.expr!, ctx)});`;
      case 'merge':
        return `rt.merge(T, ${this.expr(a[0]!.expr!, ctx)}, false);`;
      case 'merge-union':
        return `rt.merge(T, ${this.expr(a[0]!.expr!, ctx)}, true);`;
      case 'make-ni':
        return `rt.makeNi(cx, S, T, ${this.expr(a[0]!.expr!, ctx)}, ${this.expr(a[1]!.expr!, ctx)}, ${a[2] ? this.expr(a[2].expr!, ctx) : 'undefined'});`;
      case 'create':
        return `rt.create(OUT, ${this.expr(a[0]!.expr!, ctx)});`;
      case 'create-child':
        return `rt.createChild(T, ${this.expr(a[0]!.expr!, ctx)}${this.program.idRequired ? '' : ', false'});`;
      case 'filter':
        return a.length === 0 ? 'return rt.filtered(T);' : `if (!rt.truthy(${this.expr(a[0]!.expr!, ctx)})) return rt.filtered(T);`;
      case 'discard':
        return a.length === 0 ? 'return rt.DISCARD;' : `if (!rt.truthy(${this.expr(a[0]!.expr!, ctx)})) return rt.DISCARD;`;
      case 'fail!':
        return `throw new rt.DtlFailure(rt.messageOf(${this.expr(a[0]!.expr!, ctx)}), false);`;
      case 'trip!':
        return `throw new rt.DtlFailure(rt.messageOf(${this.expr(a[0]!.expr!, ctx)}), true);`;
      case 'sleep!':
        return `rt.sleep(${this.expr(a[0]!.expr!, ctx)});`;
      case 'if': {
        const then = this.block(a[1]!.stmts ?? [], ctx);
        const els = a[2] ? this.block(a[2].stmts ?? [], ctx) : '';
        return `if (rt.truthy(${this.expr(a[0]!.expr!, ctx)})) {\n${then}\n}${els ? ` else {\n${els}\n}` : ''}`;
      }
      case 'case': {
        let out = '';
        let i = 0;
        for (; i + 1 < a.length; i += 2) {
          out += `${i === 0 ? '' : ' else '}if (rt.truthy(${this.expr(a[i]!.expr!, ctx)})) {\n${this.block(a[i + 1]!.stmts ?? [], ctx)}\n}`;
        }
        if (i < a.length) out += ` else {\n${this.block(a[i]!.stmts ?? [], ctx)}\n}`;
        return out;
      }
      case 'case-eq': {
        let out = `{ const cv = ${this.expr(a[0]!.expr!, ctx)};\n`;
        let i = 1;
        let first = true;
        for (; i + 1 < a.length; i += 2) {
          out += `${first ? '' : ' else '}if (rt.eq(cv, ${this.expr(a[i]!.expr!, ctx)})) {\n${this.block(a[i + 1]!.stmts ?? [], ctx)}\n}`;
          first = false;
        }
        if (i < a.length) out += ` else {\n${this.block(a[i]!.stmts ?? [], ctx)}\n}`;
        return out + '\n}';
      }
    }
    throw new Error(`codegen: transform '${name}' is not supported`);
  }

  private block(stmts: Stmt[], ctx: Ctx): string {
    return indent(stmts.map((s) => this.stmt(s, ctx)).filter((x) => x !== '').join('\n'), 2);
  }

  private patterns(e: Expr, ctx: Ctx): string {
    if (e.k === 'lit' || e.k === 'dict') return this.consts.pool('CP', `rt.compilePatterns(${this.consts.ref(e.value)})`);
    return `rt.compilePatterns(${this.expr(e, ctx)})`;
  }

  // ------------------------------------------------------------------ expressions

  expr(e: Expr, ctx: Ctx): string {
    switch (e.k) {
      case 'lit':
      case 'dict':
        return this.consts.ref(e.value);
      case 'var': {
        const root = this.varRoot(e.name, ctx);
        // The target being built is always a dict, and so is the default rule's source entity:
        // their first step is a plain property read (`?? null`: a missing key reads as null).
        const dictRoot = !this.opts.namespaced && !ctx.hops && (e.name === 'T' || (e.name === 'S' && ctx.rule === 'default' && !this.defaultApplied));
        if (dictRoot && e.steps.length > 0 && isPlainKey(e.steps[0]!)) {
          return this.path(`(${root}[${JSON.stringify(e.steps[0])}] ?? null)`, e.steps.slice(1));
        }
        return this.path(root, e.steps);
      }
      case 'alias':
        if (ctx.entity === e.alias) {
          this.note('e');
          return this.path('e', e.steps);
        }
        this.note('r');
        return this.path(`r[${JSON.stringify(e.alias)}]`, e.steps);
      case 'call':
        return this.call(e.entry, e.args, ctx);
      case 'hops':
        return this.hopsCall(e.specs, ctx);
      case 'apply': {
        const fn = this.ruleFns.get(e.rule);
        if (!fn) return 'null';
        return `rt.applyRule(${this.expr(e.values, ctx)}, ${fn}, ${this.ruleParent(e.rule, ctx)})`;
      }
      case 'apply-hops': {
        const fn = this.ruleFns.get(e.rule);
        if (!fn) return 'null';
        const chain = this.chainAfterSpecs(e.specs, ctx.chain);
        if (!this.ruleChains.has(e.rule)) this.ruleChains.set(e.rule, chain);
        return `rt.applyRule(${this.hopsCall(e.specs, ctx)}, ${fn}, ${this.ruleParent(e.rule, ctx)})`;
      }
      case 'bad':
        throw new Error('codegen: cannot compile an erroneous expression');
    }
  }

  private varRoot(name: string, ctx: Ctx): string {
    if (name === 'S' && ctx.entity === '_S') {
      this.note('e');
      return 'e';
    }
    if (ctx.hops && (name === 'S' || name === 'T' || name === 'P')) this.note(name === 'S' ? 'r' : 'c');
    else if (name === 'S' || name === 'T' || name === 'P') this.note(name);
    else if (name === 'item' && ctx.depth > 0) this.note(`_${ctx.depth - 1}`);
    switch (name) {
      case 'S':
        return ctx.hops ? 'r._S' : 'S';
      case 'T':
        return ctx.hops ? 'c.T' : 'T';
      case 'P':
        return ctx.hops ? 'c.P' : 'P';
      case 'R':
        return 'R';
      case 'B':
        return 'B';
      default:
        return ctx.depth > 0 ? `_${ctx.depth - 1}` : 'null';
    }
  }

  private path(root: string, steps: readonly string[]): string {
    if (steps.length === 0) return root;
    const fn = this.opts.namespaced ? 'rt.stepNs' : 'rt.step';
    const extra = this.opts.namespaced ? ', cx.propertyNamespace' : '';
    let out = root;
    for (const s of steps) out = `${fn}(${out}, ${JSON.stringify(s)}${extra})`;
    return out;
  }

  private parentObject(ctx: Ctx): string {
    this.note('S');
    this.note('T');
    this.note('P');
    return ctx.hops ? '{ _S: r._S, _T: c.T, _P: c.P }' : '{ _S: S, _T: T, _P: P }';
  }

  /** The per-value function `apply` runs: the rule, with a parent context only if it reads one. */
  /** The `_P` an applied rule gets: built once per apply (not per item), or null when unused. */
  private ruleParent(rule: string, ctx: Ctx): string {
    return (this.parentNeed.get(rule) ?? 0) >= 1 ? this.parentObject(ctx) : 'null';
  }

  private note(v: string): void {
    for (const u of this.usage) u.add(v);
  }

  private lambda(e: Expr, ctx: Ctx): string {
    const inner: Ctx = { ...ctx, depth: ctx.depth + 1 };
    const used = new Set<string>();
    this.usage.push(used);
    let body: string;
    try {
      body = this.expr(e, inner);
    } finally {
      this.usage.pop();
    }
    const code = `(_${ctx.depth}) => ${body}`;
    // A function expression that reads nothing of the rule's frame is created once, not per call.
    const own = `_${ctx.depth}`;
    if ([...used].every((u) => u === own)) return this.consts.pool('L', code);
    for (const u of used) if (u !== own) this.note(u);
    return code;
  }

  private arg(a: BoundArg, ctx: Ctx): string {
    if (a.param.type === 'function' || a.param.type === 'default') return this.lambda(a.expr!, ctx);
    if (a.raw !== undefined) return 'null';
    return this.expr(a.expr!, ctx);
  }

  /** Calls of INLINE_CALLS become inline code; every other function calls the runtime library. */
  private call(entry: CatalogEntry, args: BoundArg[], ctx: Ctx): string {
    const folded = this.opts.fold === false ? undefined : foldConstant(entry, args);
    if (folded !== undefined) return this.consts.ref(folded);
    const x = (i: number): string => this.expr(args[i]!.expr!, ctx);
    switch (entry.name) {
      case 'if':
        return `(rt.truthy(${x(0)}) ? ${x(1)} : ${args[2] ? x(2) : 'null'})`;
      case 'case': {
        let out = '';
        let i = 0;
        for (; i + 1 < args.length; i += 2) out += `rt.truthy(${x(i)}) ? ${x(i + 1)} : `;
        return `(${out}${i < args.length ? x(i) : 'null'})`;
      }
      case 'case-eq': {
        let out = '';
        let i = 1;
        for (; i + 1 < args.length; i += 2) out += `rt.eq(cv, ${x(i)}) ? ${x(i + 1)} : `;
        return `((cv) => ${out}${i < args.length ? x(i) : 'null'})(${x(0)})`;
      }
      case 'and':
        return `(${args.map((_, i) => `rt.truthy(${x(i)})`).join(' && ')})`;
      case 'or':
        return `(${args.map((_, i) => `rt.truthy(${x(i)})`).join(' || ')})`;
      case 'not':
        return `!(${args.map((_, i) => `rt.truthy(${x(i)})`).join(' && ')})`;
      case 'coalesce-args':
        return `rt.coalesceArgs(${args.map((_, i) => `() => ${x(i)}`).join(', ')})`;
      case 'eq':
        return `rt.eq(${x(0)}, ${x(1)})`;
      case 'neq':
        return `!rt.eq(${x(0)}, ${x(1)})`;
      case 'list':
        return `[${args.map((_, i) => x(i)).join(', ')}]`;
      case 'is-changed':
        return `${this.consts.pool('f', 'rt.fn("is-changed")')}(cx, ${this.lambda(args[0]!.expr!, ctx)}, ${this.varRoot('S', ctx)})`;
      case 'lookup-entity':
        return `rt.lookupEntity(cx, ${x(0)}, ${x(1)})`;
    }
    const fnRef = this.consts.pool('f', `rt.fn(${JSON.stringify(entry.name)})`);
    if (entry.signatures.length > 1) return `${fnRef}(cx${args.map((a) => ', ' + this.arg(a, ctx)).join('')})`;
    const parts = argumentSlots(entry, args, (a) => this.arg(a, ctx), 'undefined')!;
    return `${fnRef}(cx${parts.map((p) => ', ' + p).join('')})`;
  }

  // ------------------------------------------------------------------ hops

  private hopsCall(specs: HopsSpec[], ctx: Ctx): string {
    const names: string[] = [];
    let chain = ctx.chain;
    let needsCtx = false;
    for (const spec of specs) {
      // A spec is a module-level constant: the variables it reads are its own parameters (`r`,
      // `c`, `e`), and only `c` (the caller's _T and _P, nested hops included) concerns the caller.
      const saved = this.usage.splice(0);
      const used = new Set<string>();
      this.usage.push(used);
      let code: string;
      try {
        code = this.hopsSpec(spec, ctx, chain);
      } finally {
        this.usage.splice(0, this.usage.length, ...saved);
      }
      needsCtx ||= used.has('c');
      names.push(this.consts.pool('HS', code));
      chain = this.chainAfterSpec(spec, chain);
    }
    const input = this.varRoot('S', ctx);
    if (needsCtx) {
      this.note(ctx.hops ? 'c' : 'T');
      this.note(ctx.hops ? 'c' : 'P');
    }
    const c = needsCtx ? (ctx.hops ? 'c' : '{ T, P }') : 'null';
    return `H.hops(${this.consts.pool('HC', `[${names.join(', ')}]`)}, ${input}, ${c})`;
  }

  /** Compiles one hops spec to a descriptor the runtime's hops executor understands. */
  private hopsSpec(spec: HopsSpec, outer: Ctx, chain: Chain): string {
    const ctx: Ctx = { depth: outer.depth, hops: true, rule: outer.rule, chain };
    const dsOf = new Map(spec.datasets.map((d) => [d.alias, d.dataset]));
    for (const d of spec.datasets) this.hopsDatasets.add(d.dataset);
    const plan = joinPlan(spec);
    const steps = plan.order.map((j) => {
      const inner = this.entityFn(j.inner.expr, j.inner.alias);
      const index = indexName(dsOf.get(j.inner.alias)!, inner);
      return `{ alias: ${JSON.stringify(j.inner.alias)}, dataset: ${JSON.stringify(dsOf.get(j.inner.alias)!)}, outer: (r, c) => ${this.expr(j.outer.expr, ctx)}, inner: ${inner}, index: ${JSON.stringify(index)} }`;
    });
    const filters = [...spec.filters.map((f) => `(r, c) => rt.truthy(${this.expr(f, ctx)})`)];
    for (const j of plan.extra) {
      filters.push(`(r, c) => rt.intersects(${this.expr(j.left.expr, ctx)}, ${this.expr(j.right.expr, ctx)})`);
    }
    const subsets = spec.subsets.map((s) => `{ alias: ${JSON.stringify(s.alias)}, test: ${this.subsetFn(s.expr)} }`);
    let ret: string;
    const last = spec.datasets[spec.datasets.length - 1]!.alias;
    if (!spec.return) ret = `{ kind: 'aliases', aliases: [${JSON.stringify(last)}] }`;
    else if (spec.return.k === 'aliases') ret = `{ kind: 'aliases', aliases: ${JSON.stringify(spec.return.aliases)} }`;
    else if (spec.return.k === 'path') ret = `{ kind: 'expr', fn: (r, c) => ${this.expr(spec.return.path, ctx)} }`;
    else ret = `{ kind: 'expr', fn: (r, c) => ${this.expr(spec.return.expr, ctx)} }`;
    this.collectDependencies(spec, plan, chain, dsOf);
    const code = `{
  datasets: ${JSON.stringify(spec.datasets.map((d) => ({ dataset: d.dataset, alias: d.alias })))},
  steps: [${steps.join(',\n    ')}],
  filters: [${filters.join(', ')}],
  subsets: [${subsets.join(', ')}],
  ret: ${ret},
  recurse: ${spec.recurse}, maxDepth: ${spec.maxDepth === null ? 'null' : spec.maxDepth}, excludeRoot: ${spec.excludeRoot},
}`;
    return code;
  }

  /** A function of one entity for an expression over a single alias (`_S` included). */
  private entityFn(e: Expr, alias: string): string {
    const ctx: Ctx = { depth: 0, hops: true, rule: '', chain: null, entity: alias };
    return `(e) => ${this.expr(e, ctx)}`;
  }

  private subsetFn(e: Expr): string {
    // Subset expressions are written with _S standing for the alias entity.
    return this.consts.pool('SUB', `(e) => { const r = { _S: e }; const c = null; return rt.truthy(${this.expr(e, { depth: 0, hops: true, rule: '', chain: null })}); }`);
  }

  // ------------------------------------------------------------------ dependency tracking

  /**
   * The chain of what a spec returns, for chained specs and apply-hops: its last alias, one
   * returned alias, or a projection of one alias (then `_S` is the projection's value).
   */
  private chainAfterSpec(spec: HopsSpec, chain: Chain): Chain {
    if (chain === null || !spec.trackDependencies || spec.recurse) return null;
    const dsOf = new Map(spec.datasets.map((d) => [d.alias, d.dataset]));
    let alias: string;
    let project: string | undefined;
    if (!spec.return) alias = spec.datasets[spec.datasets.length - 1]!.alias;
    else if (spec.return.k === 'aliases') {
      if (spec.return.aliases.length !== 1) return null;
      alias = spec.return.aliases[0]!;
    } else {
      const expr = spec.return.k === 'path' ? spec.return.path : spec.return.expr;
      const over = spec.datasets.find((d) => isPureOver(expr, d.alias));
      if (!over) return null;
      alias = over.alias;
      project = this.entityFn(expr, alias);
    }
    const steps = this.reverse(alias, joinPlan(spec), dsOf, chain);
    return steps ? { dataset: dsOf.get(alias)!, steps, ...(project === undefined ? {} : { project }) } : null;
  }

  private chainAfterSpecs(specs: HopsSpec[], chain: Chain): Chain {
    let c = chain;
    for (const s of specs) c = this.chainAfterSpec(s, c);
    return c;
  }

  /** Steps from entities of `alias` back to the source, through the joins that bound it. */
  private reverse(alias: string, plan: JoinPlan, dsOf: Map<string, string>, chain: Chain): FindStep[] | null {
    if (chain === null) return null;
    if (alias === '_S') return chain.steps;
    const j = plan.order.find((x) => x.inner.alias === alias);
    if (!j) return null;
    if (!isPureOver(j.outer.expr, j.outer.alias)) return null;
    const keys = this.entityFn(j.inner.expr, alias);
    const parentDataset = j.outer.alias === '_S' ? chain.dataset : dsOf.get(j.outer.alias)!;
    // A projected `_S` is a function of the parent entity: its join value goes through it.
    const projected = j.outer.alias === '_S' ? chain.project : undefined;
    const byId = isIdPath(j.outer.expr) && projected === undefined;
    const direct = this.entityFn(j.outer.expr, j.outer.alias);
    const inner = projected === undefined ? direct : `(e) => (${direct})((${projected})(e))`;
    const step: FindStep = { keys, dataset: parentDataset, byId, index: byId ? '_id' : indexName(parentDataset, inner), inner };
    const rest = j.outer.alias === '_S' ? chain.steps : this.reverse(j.outer.alias, plan, dsOf, chain);
    return rest === null ? null : [step, ...rest];
  }

  private collectDependencies(spec: HopsSpec, plan: JoinPlan, chain: Chain, dsOf: Map<string, string>): void {
    if (!spec.trackDependencies) return;
    const recursion = spec.recurse ? this.recursion(spec, plan, chain, dsOf) : undefined;
    for (const d of spec.datasets) {
      const steps = this.reverse(d.alias, plan, dsOf, chain);
      const j = plan.order.find((x) => x.inner.alias === d.alias);
      if (!steps || !j) {
        // Without a dataset source there is nothing to track; otherwise the join is lost.
        if (j && (chain !== null || this.opts.sourceDataset !== undefined)) this.untracked.push(j.node);
        continue;
      }
      let recursive = '';
      if (recursion) {
        // Deeper levels: from the changed entity to the spec's results one level up.
        const first = this.reverse(d.alias, plan, dsOf, recursion.self);
        if (first) recursive = `, recursive: { first: ${stepsJs(first)}, repeat: ${stepsJs(recursion.repeat)}, then: ${stepsJs(recursion.then)}, max: ${spec.maxDepth === null ? 'null' : spec.maxDepth} }`;
      }
      const code = `{ dataset: ${JSON.stringify(d.dataset)}, steps: ${stepsJs(steps)}${recursive} }`;
      this.dependencies.push({ dataset: d.dataset, code, path: steps.map((x) => x.dataset), join: { node: j.node, hopped: j.inner.expr, other: j.outer.expr } });
    }
  }

  /**
   * How a recursive spec's results lead back to the source. A level's `_S` is a result of the
   * level before, an entity of the returned alias's dataset (`self`): `repeat` goes from
   * results to the results they came from, `then` from results of the first level to the
   * source. Undefined when the spec returns something other than one alias.
   */
  private recursion(spec: HopsSpec, plan: JoinPlan, chain: Chain, dsOf: Map<string, string>): { self: Chain; repeat: FindStep[]; then: FindStep[] } | undefined {
    if (chain === null) return undefined;
    if (spec.return && !(spec.return.k === 'aliases' && spec.return.aliases.length === 1)) return undefined;
    const result = spec.return?.k === 'aliases' ? spec.return.aliases[0]! : spec.datasets[spec.datasets.length - 1]!.alias;
    const self: Chain = { dataset: dsOf.get(result)!, steps: [] };
    const repeat = this.reverse(result, plan, dsOf, self);
    const then = this.reverse(result, plan, dsOf, chain);
    return repeat && then ? { self, repeat, then } : undefined;
  }
}

function stepsJs(steps: readonly FindStep[]): string {
  return `[${steps.map((s) => `{ keys: ${s.keys}, dataset: ${JSON.stringify(s.dataset)}, byId: ${s.byId}, index: ${JSON.stringify(s.index)}, inner: ${s.inner} }`).join(', ')}]`;
}

interface JoinSide {
  readonly alias: string;
  readonly expr: Expr;
}
interface OrientedJoin {
  readonly outer: JoinSide;
  readonly inner: JoinSide;
  readonly node: HopsJoin['node'];
}
interface JoinPlan {
  /** Joins in the order they bind new aliases (BFS from _S). */
  readonly order: OrientedJoin[];
  /** Joins between aliases bound already: evaluated as overlap filters. */
  readonly extra: HopsJoin[];
}

function joinPlan(spec: HopsSpec): JoinPlan {
  const bound = new Set(['_S']);
  const order: OrientedJoin[] = [];
  const used = new Set<HopsJoin>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const j of spec.joins) {
      if (used.has(j)) continue;
      const l = bound.has(j.left.alias);
      const r = bound.has(j.right.alias);
      if (l && !r) {
        order.push({ outer: j.left, inner: j.right, node: j.node });
        bound.add(j.right.alias);
      } else if (r && !l) {
        order.push({ outer: j.right, inner: j.left, node: j.node });
        bound.add(j.left.alias);
      } else continue;
      used.add(j);
      progress = true;
    }
  }
  return { order, extra: spec.joins.filter((j) => !used.has(j)) };
}

/** True when the expression reads nothing but the given alias (or `_S` for the outer side). */
function isPureOver(e: Expr, alias: string): boolean {
  switch (e.k) {
    case 'lit':
    case 'dict':
      return true;
    case 'var':
      return alias === '_S' && e.name === 'S';
    case 'alias':
      return e.alias === alias;
    case 'call':
      if (e.entry.nondeterministic || e.entry.name === 'lookup-entity' || e.entry.name === 'is-changed') return false;
      return e.args.every((a) => a.raw !== undefined || (a.expr !== undefined && (a.param.type === 'function' || a.param.type === 'default' ? isPureOver(a.expr, alias) || isItemOnly(a.expr) : isPureOver(a.expr, alias))));
    default:
      return false;
  }
}

function isItemOnly(e: Expr): boolean {
  if (e.k === 'var') return e.name === 'item';
  if (e.k === 'lit' || e.k === 'dict') return true;
  if (e.k === 'call') return e.args.every((a) => a.raw !== undefined || (a.expr !== undefined && isItemOnly(a.expr)));
  return false;
}

function isIdPath(e: Expr): boolean {
  return (e.k === 'var' && e.name === 'S' && e.steps.length === 1 && e.steps[0] === '_id') || (e.k === 'alias' && e.steps.length === 1 && e.steps[0] === '_id');
}

/** A stable index name from the dataset and the key function's code. */
function indexName(dataset: string, fnCode: string): string {
  return 'ix-' + createHash('sha1').update(dataset + '\u0000' + fnCode).digest('hex').slice(0, 16);
}

function calleesOf(rule: Rule): string[] {
  const out: string[] = [];
  for (const st of rule.body) {
    walkStmt(st, {
      expr(e) {
        if (e.k === 'apply' || e.k === 'apply-hops') out.push(e.rule);
      },
    });
  }
  return out;
}

function programUses(p: DtlProgram, v: 'R' | 'P'): boolean {
  let found = false;
  walkProgram(p, {
    expr(e) {
      if (e.k === 'var' && e.name === v) found = true;
    },
  });
  return found;
}

/** Categories whose functions depend only on their arguments (not on the pipe or the clock). */
const FOLDABLE = new Set(['Strings', 'Math', 'Numbers', 'Lists', 'Sets', 'Booleans', 'Boolean logic', 'Comparisons', 'Nulls', 'JSON', 'Bytes', 'URIs', 'UUIDs', 'Date and time']);

const FOLD_CONTEXT: FnContext = {
  pipeId: '',
  namespaced: false,
  identityNamespace: '',
  propertyNamespace: '',
  namespaceMap: {},
  now: () => {
    throw new Error('not constant');
  },
  lookupEntity: () => null,
  previousSource: () => undefined,
  completeness: () => null,
  secret: () => undefined,
};

/**
 * The positional arguments of a single-signature runtime function: one slot per parameter in
 * signature order (`missing` for an omitted optional one), a repeated parameter spreading its
 * arguments. Undefined when the arguments do not bind.
 */
function argumentSlots<T>(entry: CatalogEntry, args: readonly BoundArg[], value: (a: BoundArg) => T, missing: T): T[] | undefined {
  const bound = bindArguments(entry, args.length);
  if (!bound) return undefined;
  const slots: T[] = [];
  bound.signature.params.forEach((p, pi) => {
    const mine = bound.args.filter((b) => b.paramIndex === pi);
    if (mine.length === 0) {
      if (!p.repeat) slots.push(missing);
      return;
    }
    for (const b of mine) slots.push(value(args[b.index]!));
  });
  return slots;
}

/** Evaluates a call whose arguments are all constants at compile time, when that is safe. */
function foldConstant(entry: CatalogEntry, args: BoundArg[]): Value | undefined {
  if (entry.nondeterministic || !FOLDABLE.has(entry.category) || entry.signatures.length > 1) return undefined;
  if (!args.every((a) => a.expr !== undefined && (a.expr.k === 'lit' || a.expr.k === 'dict') && a.param.type !== 'function' && a.param.type !== 'default')) return undefined;
  if (entry.name === 'list') return args.map((a) => (a.expr as { value: Value }).value);
  const impl = implementationOf(entry.name);
  if (!impl) return undefined;
  const slots = argumentSlots<Value | undefined>(entry, args, (a) => (a.expr as { value: Value }).value, undefined);
  if (!slots) return undefined;
  try {
    const r = (impl as (cx: FnContext, ...a: (Value | undefined)[]) => Value)(FOLD_CONTEXT, ...slots);
    return r === undefined ? undefined : r;
  } catch {
    return undefined;
  }
}

/** Keys whose plain property read cannot hit Object.prototype. */
function isPlainKey(k: string): boolean {
  return !(k in Object.prototype) && k !== '__proto__';
}

/** Literal property names without wildcards (`"items"`, `["a", "b"]`), or undefined. */
function exactNames(v: unknown): string[] | undefined {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
  if (!list || !list.every((x) => typeof x === 'string' && !/[*?]/.test(x) && x !== '__proto__')) return undefined;
  return list as string[];
}

/** How many `_P` levels a rule reads directly (`_P._S` is 1, `_P._P._T` is 2). */
function parentDepth(rule: Rule): number {
  let depth = 0;
  for (const st of rule.body) {
    walkStmt(st, {
      expr(e) {
        if (e.k !== 'var' || e.name !== 'P') return;
        let d = 1;
        while (e.steps[d - 1] === '_P') d++;
        depth = Math.max(depth, d);
      },
    });
  }
  return depth;
}


