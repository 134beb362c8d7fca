/**
 * A value as text the way Sesam's Python components write it into CSV cells and XML: str()
 * of the value (`True`, `73.50`, `2.0`), with lists and objects as JSON and null as nothing.
 */
import { writeJson } from '../values/json.js';
import { Typed, type Value } from '../values/types.js';

export function pythonStr(v: Value | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v instanceof Typed) return v.toString();
  return writeJson(v);
}
