/**
 * Elaboration: the JSON syntax tree of a `dtl` transform → the typed IR (ir.ts), with
 * diagnostics. Decides statement vs expression position, binds arguments to catalog
 * parameters by count, classifies strings (paths, transit literals, plain strings), parses
 * hops specs (aliases, joins, return, recursion) and resolves rule references.
 */
import { Float, type Value } from '@dtl/runtime/values/types';
import { decodeTransitString } from '@dtl/runtime/values/transit';
import { numberFromText } from '@dtl/runtime/values/json';
import type { Diagnostic, Severity } from '../diagnostics.js';
import type { RuleCode } from '../check/codes.js';
import { RULES } from '../check/codes.js';
import type { JsonArray, JsonObject, JsonString, JsonValue, Range } from '../syntax/tree.js';
import { member } from '../syntax/nav.js';
import { DTL_NUMBERS, treeValue } from '../syntax/tree-value.js';
import { didYouMean } from '../util/suggest.js';
import { ALL_NAMES, functionNamed, transformNamed } from './catalog/index.js';
import type { CatalogEntry, Param } from './catalog/types.js';
import { bindParams, describeArity } from './bind.js';
import type { AliasPath, BoundArg, DtlProgram, Expr, HopsJoin, HopsReturn, HopsSpec, Rule, Stmt, VarName } from './ir.js';
import { aliasPrefix, looksLikeUnknownVariable, parsePath, variableOf } from './paths.js';

export interface ElaborationResult {
  readonly program: DtlProgram | undefined;
  readonly diagnostics: Diagnostic[];
}

interface Scope {
  /** `_` is bound (inside a function expression). */
  readonly item: boolean;
  /** Inside a hops spec: the declared aliases. */
  readonly aliases?: ReadonlyMap<string, JsonString>;
  /** Inside the default rule (where `_P` has no value). */
  readonly inDefault: boolean;
}

const HOPS_KEYS = new Set(['datasets', 'where', 'return', 'recurse', 'max_depth', 'exclude_root', 'track-dependencies', 'trace', 'subsets', 'prefilters', 'comment']);

class Elaborator {
  readonly diagnostics: Diagnostic[] = [];
  readonly ruleNames = new Set<string>();
  /** Rule references from apply / apply-hops, checked once every rule is known. */
  readonly ruleRefs: { rule: string; node: JsonString; viaHops: boolean; from: string }[] = [];
  /** Rules that contain hops or apply-hops directly. */
  readonly rulesWithHops = new Set<string>();
  private currentRule = '';

  constructor(private readonly file: string) {}

  report(code: RuleCode, message: string, range: Range, severity: Severity = RULES[code].severity): void {
    this.diagnostics.push({ code, severity, message, file: this.file, range });
  }

  program(node: JsonObject): DtlProgram | undefined {
    const rulesNode = member(node, 'rules')?.value;
    if (!rulesNode || rulesNode.kind !== 'object') {
      // The schema reports a missing or non-object `rules`; nothing to elaborate.
      return undefined;
    }
    for (const m of rulesNode.members) this.ruleNames.add(m.key.value);
    if (!this.ruleNames.has('default')) {
      this.report('dtl-missing-default-rule', "The dtl transform has no 'default' rule: it is the rule applied to every source entity.", member(node, 'rules')!.key.range);
    }
    const rules = new Map<string, Rule>();
    for (const m of rulesNode.members) {
      this.currentRule = m.key.value;
      const scope: Scope = { item: false, inDefault: m.key.value === 'default' };
      if (!m.value || m.value.kind !== 'array') {
        if (m.value) this.report('dtl-malformed-rule', `Rule '${m.key.value}' must be a list of transforms.`, m.value.range);
        rules.set(m.key.value, { name: m.key.value, keyNode: m.key, node: undefined, body: [] });
        continue;
      }
      const body: Stmt[] = [];
      for (const item of m.value.items) {
        const s = this.statement(item, scope);
        if (s) body.push(s);
      }
      rules.set(m.key.value, { name: m.key.value, keyNode: m.key, node: m.value, body });
    }
    this.checkRuleRefs();
    const idRequired = member(node, 'id_required')?.value;
    const trigger = member(node, 'trigger_on')?.value;
    let triggerOn: DtlProgram['triggerOn'];
    if (trigger?.kind === 'object') {
      const key = member(trigger, 'key')?.value;
      const value = member(trigger, 'value')?.value;
      if (value?.kind === 'string') triggerOn = { key: key?.kind === 'string' ? key.value : '_trigger', value: value.value };
    }
    return { node, rules, idRequired: !(idRequired?.kind === 'boolean' && !idRequired.value), triggerOn };
  }

  private checkRuleRefs(): void {
    const used = new Set<string>(['default']);
    for (const ref of this.ruleRefs) {
      if (!this.ruleNames.has(ref.rule)) {
        this.report('dtl-unknown-rule', `No rule named '${ref.rule}' in this transform.${didYouMean(ref.rule, this.ruleNames)}`, ref.node.range);
        continue;
      }
      if (!ref.viaHops && this.rulesWithHops.has(ref.rule)) {
        this.report('dtl-apply-hops-rule', `Rule '${ref.rule}' contains hops, so it must be run with apply-hops, not apply (dependency tracking needs the whole traversal).`, ref.node.range);
      }
    }
    // Reachability from the default rule: a rule applied only from an unused rule is unused too.
    let changed = true;
    while (changed) {
      changed = false;
      for (const ref of this.ruleRefs) {
        if (used.has(ref.from) && !used.has(ref.rule) && this.ruleNames.has(ref.rule)) {
          used.add(ref.rule);
          changed = true;
        }
      }
    }
    this.unusedRules = [...this.ruleNames].filter((r) => !used.has(r));
  }

  unusedRules: string[] = [];

  // ------------------------------------------------------------------ statements

  statement(node: JsonValue, scope: Scope): Stmt | undefined {
    if (node.kind !== 'array') {
      this.report('dtl-expression-in-statement', `Expected a transform such as ["add", "name", …] here, found ${describeJson(node)}.`, node.range);
      return undefined;
    }
    const head = node.items[0];
    if (!head) {
      this.report('dtl-malformed-rule', 'An empty list is not a transform.', node.range);
      return undefined;
    }
    if (head.kind !== 'string') {
      this.report('dtl-malformed-rule', `Expected a transform name as the first element, found ${describeJson(head)}.`, head.range);
      return undefined;
    }
    const entry = transformNamed(head.value);
    if (!entry) {
      if (functionNamed(head.value)) {
        this.report('dtl-expression-in-statement', `'${head.value}' is a function, not a transform: it returns a value and cannot stand alone in a rule. Use it inside a transform, e.g. ["add", "name", [${JSON.stringify(head.value)}, …]].`, head.range);
      } else {
        this.report('dtl-unknown-function', `Unknown transform '${head.value}'.${didYouMean(head.value, ALL_NAMES)}`, head.range);
      }
      return undefined;
    }
    const args = this.bindAndElaborate(entry, node, scope);
    if (!args) return undefined;
    return { k: 'stmt', entry, args, node };
  }

  private statements(node: JsonValue, scope: Scope): Stmt[] {
    if (node.kind === 'array') {
      if (node.items.length === 0) return [];
      if (node.items[0]!.kind === 'string') {
        const s = this.statement(node, scope);
        return s ? [s] : [];
      }
      const out: Stmt[] = [];
      for (const item of node.items) {
        const s = this.statement(item, scope);
        if (s) out.push(s);
      }
      return out;
    }
    this.report('dtl-expression-in-statement', `Expected a transform or a list of transforms here, found ${describeJson(node)}.`, node.range);
    return [];
  }

  // ------------------------------------------------------------------ calls

  private bindAndElaborate(entry: CatalogEntry, node: JsonArray, scope: Scope): BoundArg[] | undefined {
    const argNodes = node.items.slice(1);
    if (entry.deprecated) {
      const repl = entry.deprecated.replacement ? ` Use '${entry.deprecated.replacement}' instead.` : '';
      this.report('dtl-deprecated', `'${entry.name}' is deprecated.${repl}`, node.items[0]!.range);
    }
    const params = bindParams(entry, argNodes.length);
    if (!params) {
      this.report('dtl-arity', `'${entry.name}' ${describeArity(entry)}, got ${argNodes.length}.`, node.range);
      // Still elaborate the arguments as plain expressions so nested problems are reported.
      for (const a of argNodes) if (entry.kind === 'function' || a.kind !== 'array') this.expr(a, scope);
      return undefined;
    }
    const out: BoundArg[] = [];
    for (let i = 0; i < argNodes.length; i++) out.push(this.argument(entry, params[i]!, argNodes[i]!, scope, params, i));
    return out;
  }

  private argument(entry: CatalogEntry, param: Param, node: JsonValue, scope: Scope, params: readonly Param[], index: number): BoundArg {
    switch (param.type) {
      case 'transforms':
        return { param, stmts: this.statements(node, scope) };
      case 'any':
        return { param, raw: node };
      case 'function':
      case 'default':
        return { param, expr: this.expr(node, { ...scope, item: true }) };
      case 'boolean': {
        // add-if's CONDITION sees the VALUES result as `_`.
        const item = scope.item || (entry.name === 'add-if' && index === 1 && params.length === 3);
        return { param, expr: this.expr(node, { ...scope, item }) };
      }
      case 'rule': {
        if (node.kind !== 'string') {
          this.report('dtl-argument-type', `'${entry.name}' expects a rule name (a string) as ${param.name}, found ${describeJson(node)}.`, node.range);
          return { param, expr: { k: 'bad', node } };
        }
        return { param, expr: { k: 'lit', value: node.value, node } };
      }
      case 'hops':
        if (node.kind !== 'object') {
          this.report('dtl-hops-spec', `'${entry.name}' expects a hops spec (an object with "datasets" and "where"), found ${describeJson(node)}.`, node.range);
          return { param, expr: { k: 'bad', node } };
        }
        return { param, expr: { k: 'lit', value: null, node } };
      case 'wildcard-list':
        return { param, expr: this.wildcardList(entry, param, node, scope) };
      default: {
        const expr = this.expr(node, scope);
        this.checkLiteralType(entry, param, expr);
        return { param, expr };
      }
    }
  }

  private wildcardList(entry: CatalogEntry, param: Param, node: JsonValue, scope: Scope): Expr {
    if (node.kind === 'array' && node.items.length > 0 && node.items.every((i) => i.kind === 'string')) {
      const head = (node.items[0] as JsonString).value;
      if (!functionNamed(head) && !transformNamed(head)) {
        // A literal JSON list of patterns (docs: argument types, wildcard-string-list).
        return { k: 'lit', value: node.items.map((i) => (i as JsonString).value), node };
      }
    }
    const expr = this.expr(node, scope);
    this.checkLiteralType(entry, param, expr);
    return expr;
  }

  private checkLiteralType(entry: CatalogEntry, param: Param, expr: Expr): void {
    if (expr.k !== 'lit' && expr.k !== 'dict') return;
    const v = expr.value;
    const what = expr.k === 'dict' ? 'a dict' : describeValue(v);
    const bad = (expected: string): void =>
      this.report('dtl-argument-type', `'${entry.name}' expects ${expected} as ${param.name}, found ${what}.`, expr.node.range);
    switch (param.type) {
      case 'string':
        if (typeof v !== 'string' && v !== null) bad('a string');
        break;
      case 'wildcard':
      case 'wildcard-list':
        if (typeof v !== 'string' && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) bad(param.type === 'wildcard' ? 'a property name pattern (a string)' : 'a property name pattern or a list of them');
        break;
      case 'integer':
        if (expr.k === 'dict' || typeof v === 'string' || typeof v === 'boolean' || v instanceof Float) {
          if (!(v instanceof Float && Number.isInteger(v.value))) bad('an integer');
        }
        break;
      case 'numeric':
        if (expr.k === 'dict' || typeof v === 'string' || typeof v === 'boolean') bad('a number');
        break;
      case 'dict':
        if (expr.k !== 'dict' && v !== null) bad('a dict');
        break;
    }
  }

  // ------------------------------------------------------------------ expressions

  expr(node: JsonValue, scope: Scope): Expr {
    switch (node.kind) {
      case 'string':
        return this.stringExpr(node, scope);
      case 'number':
        return { k: 'lit', value: numberFromText(node.text, DTL_NUMBERS), node };
      case 'boolean':
        return { k: 'lit', value: node.value, node };
      case 'null':
        return { k: 'lit', value: null, node };
      case 'object':
        return { k: 'dict', value: constantValue(node), node };
      case 'array':
        return this.callExpr(node, scope);
    }
  }

  private stringExpr(node: JsonString, scope: Scope): Expr {
    const text = node.value;
    const v = variableOf(text);
    if (v) return this.varPath(node, v, scope);
    if (scope.aliases) {
      const alias = aliasPrefix(text);
      if (alias !== undefined && scope.aliases.has(alias)) return this.aliasPath(node, alias);
    }
    if (looksLikeUnknownVariable(text)) {
      this.report('dtl-unknown-variable', `'${text.slice(0, 2)}' is not a DTL variable; the variables are _S, _T, _P, _R, _B and _.`, rangeSlice(node, 0, 2));
      return { k: 'bad', node };
    }
    return { k: 'lit', value: text.charCodeAt(0) === 126 ? decodeTransitString(text) : text, node };
  }

  private varPath(node: JsonString, name: VarName, scope: Scope): Expr {
    const rootLen = name === 'item' ? 1 : 2;
    const p = parsePath(node.value, rootLen);
    if (!p.ok) {
      this.report('dtl-malformed-path', `Malformed path '${node.value}': ${p.message}.`, rangeSlice(node, p.offset, p.offset + 1));
      return { k: 'bad', node };
    }
    if (name === 'item' && !scope.item) {
      this.report('dtl-unbound-variable', `'_' is only bound inside function expressions (the per-item argument of map, filter, sorted, …); here it has no value.`, rangeSlice(node, 0, 1));
    }
    if (name === 'P' && scope.inDefault) {
      this.report('dtl-unbound-variable', `'_P' (the parent context) only has a value inside rules run by apply or apply-hops, not in the default rule.`, rangeSlice(node, 0, 2));
    }
    return { k: 'var', name, steps: p.steps, node };
  }

  private aliasPath(node: JsonString, alias: string): Expr {
    const p = parsePath(node.value, alias.length);
    if (!p.ok) {
      this.report('dtl-malformed-path', `Malformed path '${node.value}': ${p.message}.`, rangeSlice(node, p.offset, p.offset + 1));
      return { k: 'bad', node };
    }
    return { k: 'alias', alias, steps: p.steps, node };
  }

  private callExpr(node: JsonArray, scope: Scope): Expr {
    const head = node.items[0];
    if (!head) {
      this.report('dtl-malformed-expression', 'An empty list is not an expression; use ["list"] for an empty list.', node.range);
      return { k: 'bad', node };
    }
    if (head.kind !== 'string') {
      this.report('dtl-malformed-expression', `Expected a function name as the first element, found ${describeJson(head)}. Lists are built with ["list", …].`, head.range);
      for (const item of node.items) this.expr(item, scope);
      return { k: 'bad', node };
    }
    const name = head.value;
    const entry = functionNamed(name);
    if (!entry) {
      if (transformNamed(name)) {
        this.report('dtl-transform-in-expression', `'${name}' is a transform: it changes the target entity and returns no value, so it cannot be used as an argument.`, head.range);
      } else {
        this.report('dtl-unknown-function', `Unknown function '${name}'.${didYouMean(name, ALL_NAMES)}`, head.range);
      }
      for (const item of node.items.slice(1)) this.expr(item, scope);
      return { k: 'bad', node };
    }
    switch (name) {
      case 'literal': {
        if (node.items.length !== 2) {
          this.report('dtl-arity', `'literal' ${describeArity(entry)}, got ${node.items.length - 1}.`, node.range);
          return { k: 'bad', node };
        }
        return { k: 'lit', value: constantValue(node.items[1]!, true), node: node.items[1]! };
      }
      case 'hops':
      case 'apply-hops':
      case 'apply':
        return this.hopsOrApply(entry, node, scope);
    }
    const args = this.bindAndElaborate(entry, node, scope);
    if (!args) return { k: 'bad', node };
    return { k: 'call', entry, args, node };
  }

  private hopsOrApply(entry: CatalogEntry, node: JsonArray, scope: Scope): Expr {
    const args = node.items.slice(1);
    if (!bindParams(entry, args.length)) {
      this.report('dtl-arity', `'${entry.name}' ${describeArity(entry)}, got ${args.length}.`, node.range);
      return { k: 'bad', node };
    }
    if (entry.name === 'hops') {
      this.rulesWithHops.add(this.currentRule);
      const specs = this.hopsChain(args, scope);
      return specs ? { k: 'hops', specs, node } : { k: 'bad', node };
    }
    const ruleNode = args[0]!;
    if (ruleNode.kind !== 'string') {
      this.report('dtl-argument-type', `'${entry.name}' expects a rule name (a string) first, found ${describeJson(ruleNode)}.`, ruleNode.range);
      return { k: 'bad', node };
    }
    if (entry.name === 'apply') {
      this.ruleRefs.push({ rule: ruleNode.value, node: ruleNode, viaHops: false, from: this.currentRule });
      return { k: 'apply', rule: ruleNode.value, ruleNode, values: this.expr(args[1]!, scope), node };
    }
    this.rulesWithHops.add(this.currentRule);
    this.ruleRefs.push({ rule: ruleNode.value, node: ruleNode, viaHops: true, from: this.currentRule });
    const specs = this.hopsChain(args.slice(1), scope);
    return specs ? { k: 'apply-hops', rule: ruleNode.value, ruleNode, specs, node } : { k: 'bad', node };
  }

  // ------------------------------------------------------------------ hops

  private hopsChain(nodes: JsonValue[], scope: Scope): HopsSpec[] | undefined {
    const specs: HopsSpec[] = [];
    let ok = true;
    nodes.forEach((n, i) => {
      if (n.kind !== 'object') {
        this.report('dtl-hops-spec', `Expected a hops spec (an object with "datasets" and "where"), found ${describeJson(n)}.`, n.range);
        ok = false;
        return;
      }
      const spec = this.hopsSpec(n, scope, i === nodes.length - 1);
      if (spec) specs.push(spec);
      else ok = false;
    });
    return ok ? specs : undefined;
  }

  private hopsSpec(node: JsonObject, outer: Scope, isLast: boolean): HopsSpec | undefined {
    for (const m of node.members) {
      if (!HOPS_KEYS.has(m.key.value)) this.report('dtl-hops-unknown-key', `Unknown hops key '${m.key.value}'.${didYouMean(m.key.value, HOPS_KEYS)}`, m.key.range);
    }
    const datasetsNode = member(node, 'datasets')?.value;
    const aliases = new Map<string, JsonString>();
    const datasets: HopsSpec['datasets'] = [];
    if (!datasetsNode) {
      this.report('dtl-hops-spec', 'A hops spec needs "datasets": a list of "<dataset> <alias>" strings.', node.range);
      return undefined;
    }
    const dsItems = datasetsNode.kind === 'array' ? datasetsNode.items : [datasetsNode];
    for (const d of dsItems) {
      if (d.kind !== 'string') {
        this.report('dtl-hops-spec', `Expected "<dataset> <alias>", found ${describeJson(d)}.`, d.range);
        continue;
      }
      const parts = d.value.trim().split(/\s+/);
      if (parts.length !== 2 || !parts[0] || !parts[1]) {
        this.report('dtl-hops-spec', `Expected "<dataset> <alias>" (a dataset id, a space, an alias), found "${d.value}".`, d.range);
        continue;
      }
      const [dataset, alias] = parts as [string, string];
      if (aliases.has(alias)) {
        this.report('dtl-duplicate-alias', `Alias '${alias}' is declared twice in this hops spec.`, d.range);
        continue;
      }
      if (alias.startsWith('_')) {
        this.report('dtl-hops-spec', `Alias '${alias}' starts with '_', which is reserved for DTL variables.`, d.range);
        continue;
      }
      aliases.set(alias, d);
      datasets.push({ dataset, alias, node: d });
    }
    if (datasets.length === 0) {
      if (dsItems.length === 0) this.report('dtl-hops-spec', 'A hops spec needs at least one dataset in "datasets".', datasetsNode.range);
      return undefined;
    }
    const scope: Scope = { ...outer, aliases };
    const whereMember = member(node, 'where');
    const where: Expr[] = [];
    if (!whereMember?.value) {
      this.report('dtl-hops-spec', 'A hops spec needs "where": the join condition(s).', node.range);
    } else {
      const w = whereMember.value;
      const conds = w.kind === 'array' && w.items.length > 0 && w.items.every((i) => i.kind === 'array') ? w.items : [w];
      for (const c of conds) where.push(this.expr(c, scope));
    }
    const { joins, filters } = this.classifyJoins(where, aliases);
    this.checkReachability(datasets, joins);

    const bool = (key: string, dflt: boolean): boolean => {
      const v = member(node, key)?.value;
      if (!v) return dflt;
      if (v.kind !== 'boolean') {
        this.report('dtl-hops-spec', `"${key}" must be true or false.`, v.range);
        return dflt;
      }
      return v.value;
    };
    const recurse = bool('recurse', false);
    const excludeRoot = bool('exclude_root', false);
    const trackDependencies = bool('track-dependencies', true);
    let maxDepth: number | null = 10;
    const md = member(node, 'max_depth')?.value;
    if (md) {
      if (md.kind === 'null') maxDepth = null;
      else if (md.kind === 'number' && /^\d+$/.test(md.text)) maxDepth = Number(md.text);
      else this.report('dtl-hops-spec', '"max_depth" must be a non-negative integer or null.', md.range);
    }
    let ret: HopsReturn | undefined;
    const retMember = member(node, 'return');
    if (retMember?.value) {
      if (recurse) this.report('dtl-hops-spec', '"return" cannot be used together with "recurse".', retMember.key.range);
      if (!isLast) this.report('dtl-hops-spec', '"return" is only allowed on the last hops spec of a chain.', retMember.key.range);
      ret = this.hopsReturn(retMember.value, scope, aliases);
    }
    const subsets: HopsSpec['subsets'] = [];
    const subsetsNode = member(node, 'subsets')?.value;
    if (subsetsNode) {
      if (subsetsNode.kind !== 'object') this.report('dtl-hops-spec', '"subsets" must be an object mapping aliases to subset expressions.', subsetsNode.range);
      else {
        for (const m of subsetsNode.members) {
          if (!aliases.has(m.key.value)) this.report('dtl-unknown-alias', `Subset for unknown alias '${m.key.value}'.${didYouMean(m.key.value, aliases.keys())}`, m.key.range);
          if (m.value) subsets.push({ alias: m.key.value, expr: this.expr(m.value, { item: false, inDefault: false }) });
        }
      }
    }
    return { node, datasets, where, joins, filters, return: ret, recurse, maxDepth, excludeRoot, trackDependencies, subsets };
  }

  private hopsReturn(node: JsonValue, scope: Scope, aliases: ReadonlyMap<string, JsonString>): HopsReturn | undefined {
    if (node.kind === 'string') {
      const text = node.value;
      if (/^\s*[A-Za-z][\w-]*(\s*,\s*[A-Za-z][\w-]*)*\s*$/.test(text)) {
        const names = text.split(',').map((s) => s.trim());
        for (const n of names) {
          if (!aliases.has(n)) this.report('dtl-unknown-alias', `"return" names unknown alias '${n}'.${didYouMean(n, aliases.keys())}`, node.range);
        }
        return { k: 'aliases', aliases: names, node };
      }
      const alias = aliasPrefix(text);
      if (alias !== undefined) {
        if (!aliases.has(alias)) {
          this.report('dtl-unknown-alias', `"return" refers to unknown alias '${alias}'.${didYouMean(alias, aliases.keys())}`, rangeSlice(node, 0, alias.length));
          return undefined;
        }
        const e = this.aliasPath(node, alias);
        return e.k === 'alias' ? { k: 'path', path: e as AliasPath } : undefined;
      }
      this.report('dtl-hops-spec', `"return" must name aliases ("a" or "a,b"), a path on an alias ("a.name") or be an expression; found "${text}".`, node.range);
      return undefined;
    }
    return { k: 'expr', expr: this.expr(node, scope) };
  }

  /** Splits conditions into joins (first eq per alias pair) and filters (docs: joins). */
  private classifyJoins(where: Expr[], aliases: ReadonlyMap<string, JsonString>): { joins: HopsJoin[]; filters: Expr[] } {
    const joins: HopsJoin[] = [];
    const filters: Expr[] = [];
    const pairs = new Set<string>();
    for (const cond of where) {
      if (cond.k === 'call' && cond.entry.name === 'eq' && cond.args.length === 2) {
        const l = cond.args[0]!.expr!;
        const r = cond.args[1]!.expr!;
        const la = aliasesIn(l);
        const ra = aliasesIn(r);
        if (la.size === 1 && ra.size === 1) {
          const a = [...la][0]!;
          const b = [...ra][0]!;
          if (a !== b) {
            const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
            if (pairs.has(key)) {
              this.report('dtl-hops-repeated-join', `Only the first eq between '${a}' and '${b}' is a join; this one is evaluated as an exact-equality filter.`, cond.node.range);
              filters.push(cond);
              continue;
            }
            pairs.add(key);
            joins.push({ left: { alias: a, expr: l }, right: { alias: b, expr: r }, node: cond.node });
            continue;
          }
        }
        this.flagUnknownAliasStrings(cond, aliases);
      }
      filters.push(cond);
    }
    return { joins, filters };
  }

  /** In an eq that is not a join, a string shaped like `x.field` with an unknown x is most likely a typo. */
  private flagUnknownAliasStrings(cond: Expr, aliases: ReadonlyMap<string, JsonString>): void {
    if (cond.k !== 'call') return;
    const sides = cond.args.map((a) => a.expr);
    const otherIsAliasOrSource = sides.some((s) => s && (s.k === 'alias' || s.k === 'var'));
    if (!otherIsAliasOrSource) return;
    for (const s of sides) {
      if (s?.k !== 'lit' || typeof s.value !== 'string') continue;
      const prefix = aliasPrefix(s.value);
      if (prefix !== undefined && /^[A-Za-z][\w-]*\.[\w$:-]+$/.test(s.value) && prefix.length <= 12) {
        this.report('dtl-unknown-alias', `'${prefix}' is not an alias declared in this hops spec (declared: ${[...aliases.keys()].join(', ')}); '${s.value}' is read as a plain string.${didYouMean(prefix, aliases.keys())}`, s.node.range, 'warning');
      }
    }
  }

  private checkReachability(datasets: HopsSpec['datasets'], joins: HopsJoin[]): void {
    const reached = new Set<string>(['_S']);
    let changed = true;
    while (changed) {
      changed = false;
      for (const j of joins) {
        const a = j.left.alias;
        const b = j.right.alias;
        if (reached.has(a) && !reached.has(b)) {
          reached.add(b);
          changed = true;
        } else if (reached.has(b) && !reached.has(a)) {
          reached.add(a);
          changed = true;
        }
      }
    }
    for (const d of datasets) {
      if (!reached.has(d.alias)) {
        this.report('dtl-hops-unjoined-alias', `Alias '${d.alias}' is not joined to the source entity: add an ["eq", …] between it and _S (or an alias joined to _S) in "where".`, d.node.range);
      }
    }
  }
}

/** Aliases an expression refers to; every DTL variable counts as the outer alias `_S`. */
export function aliasesIn(e: Expr | undefined, out: Set<string> = new Set()): Set<string> {
  if (!e) return out;
  switch (e.k) {
    case 'alias':
      out.add(e.alias);
      break;
    case 'var':
      if (e.name !== 'item') out.add('_S');
      break;
    case 'call':
      for (const a of e.args) if (a.expr) aliasesIn(a.expr, out);
      break;
    case 'apply':
      aliasesIn(e.values, out);
      break;
  }
  return out;
}

/** A JSON subtree as a constant value (dict literals, `literal`); strings are transit-decoded unless `raw`. */
export function constantValue(node: JsonValue, raw = false): Value {
  return treeValue(node, DTL_NUMBERS, !raw);
}

function describeJson(node: JsonValue): string {
  switch (node.kind) {
    case 'string':
      return `the string "${node.value.length > 40 ? node.value.slice(0, 40) + '…' : node.value}"`;
    case 'number':
      return `the number ${node.text}`;
    case 'boolean':
      return `${node.value}`;
    case 'null':
      return 'null';
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
  }
}

function describeValue(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string "${v}"`;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number' || typeof v === 'bigint') return `the integer ${v}`;
  if (v instanceof Float) return `the float ${v.toString()}`;
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v === 'object' && 'tag' in v ? String((v as { tag: string }).tag) : 'dict'}`;
}

/** A sub-range of a string node's content (offsets into the decoded text, +1 for the quote). */
function rangeSlice(node: JsonString, from: number, to: number): Range {
  const r = node.range;
  // Only exact when the string has no escapes before `to`; good enough for pointing.
  if (r.line !== r.endLine) return r;
  const start = Math.min(r.start + 1 + from, r.end);
  const end = Math.min(r.start + 1 + Math.max(to, from + 1), r.end);
  return { start, end, line: r.line, column: r.column + (start - r.start), endLine: r.line, endColumn: r.column + (end - r.start) };
}

/** Elaborates one `dtl` transform object. */
export function elaborateDtl(node: JsonObject, file: string): ElaborationResult {
  const e = new Elaborator(file);
  const program = e.program(node);
  if (program) {
    for (const name of e.unusedRules) {
      const rule = program.rules.get(name);
      if (rule) e.report('dtl-unused-rule', `Rule '${name}' is never applied (no apply or apply-hops reaches it from the default rule).`, rule.keyNode.range);
    }
  }
  return { program, diagnostics: e.diagnostics };
}
