/**
 * Classifying and splitting DTL path strings: `_S.orders.amount`, `_.x`, `"_S."` (the whole
 * value), quoted elements `_S.'john.doe''s'.bar`, and hops alias paths `o.customer_id`.
 */
import type { VarName } from './ir.js';

const VARS: Record<string, VarName> = { _S: 'S', _T: 'T', _P: 'P', _R: 'R', _B: 'B', _: 'item' };

export type PathParse =
  | { readonly ok: true; readonly root: string; readonly steps: string[] }
  | { readonly ok: false; readonly root: string; readonly message: string; readonly offset: number };

/** The variable a string starts with (`_S.` → 'S'), or undefined when it is not a variable path. */
export function variableOf(text: string): VarName | undefined {
  const dot = text.indexOf('.');
  if (dot < 1 || dot > 2) return undefined;
  return VARS[text.slice(0, dot)];
}

/** Strings such as `_X.foo` that look like a variable path but name no variable. */
export function looksLikeUnknownVariable(text: string): boolean {
  return /^_[A-Z]\./.test(text) && variableOf(text) === undefined;
}

/** Splits the steps after `root.`; offsets in errors are relative to the whole string. */
export function parsePath(text: string, rootLength: number): PathParse {
  const root = text.slice(0, rootLength);
  const steps: string[] = [];
  let i = rootLength + 1;
  const n = text.length;
  if (i > n) return { ok: false, root, message: `Expected '.' after '${root}'`, offset: rootLength };
  if (i === n) return { ok: true, root, steps };
  for (;;) {
    if (text[i] === "'") {
      let value = '';
      let j = i + 1;
      for (;;) {
        if (j >= n) return { ok: false, root, message: 'Unterminated quoted path element', offset: i };
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      steps.push(value);
      i = j + 1;
      if (i === n) return { ok: true, root, steps };
      if (text[i] !== '.') return { ok: false, root, message: "Expected '.' after a quoted path element", offset: i };
      i++;
      if (i === n) return { ok: false, root, message: 'Path ends with a dot', offset: n - 1 };
      continue;
    }
    const dot = text.indexOf('.', i);
    const end = dot < 0 ? n : dot;
    if (end === i) return { ok: false, root, message: dot === n - 1 ? 'Path ends with a dot' : 'Empty path element (two dots in a row)', offset: i };
    steps.push(text.slice(i, end));
    if (dot < 0) return { ok: true, root, steps };
    i = dot + 1;
    if (i === n) return { ok: false, root, message: 'Path ends with a dot', offset: dot };
  }
}

/** The alias a hops path string starts with, if it has the shape `alias.rest`. */
export function aliasPrefix(text: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9_-]*)\./.exec(text);
  return m ? m[1] : undefined;
}

