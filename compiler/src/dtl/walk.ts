/** Visiting every expression and hops spec of a DTL program. */
import type { DtlProgram, Expr, HopsSpec, Stmt } from './ir.js';

export interface Visitor {
  expr?(e: Expr): void;
  hops?(spec: HopsSpec): void;
  stmt?(s: Stmt): void;
}

export function walkProgram(p: DtlProgram, v: Visitor): void {
  for (const rule of p.rules.values()) for (const s of rule.body) walkStmt(s, v);
}

export function walkStmt(s: Stmt, v: Visitor): void {
  v.stmt?.(s);
  for (const a of s.args) {
    if (a.expr) walkExpr(a.expr, v);
    if (a.stmts) for (const t of a.stmts) walkStmt(t, v);
  }
}

export function walkSpecs(specs: readonly HopsSpec[], v: Visitor): void {
  for (const spec of specs) {
    v.hops?.(spec);
    for (const w of spec.where) walkExpr(w, v);
    for (const s of spec.subsets) walkExpr(s.expr, v);
    if (spec.return?.k === 'expr') walkExpr(spec.return.expr, v);
  }
}

export function walkExpr(e: Expr, v: Visitor): void {
  v.expr?.(e);
  switch (e.k) {
    case 'call':
      for (const a of e.args) {
        if (a.expr) walkExpr(a.expr, v);
        if (a.stmts) for (const t of a.stmts) walkStmt(t, v);
      }
      break;
    case 'apply':
      walkExpr(e.values, v);
      break;
    case 'hops':
    case 'apply-hops':
      walkSpecs(e.specs, v);
      break;
  }
}
