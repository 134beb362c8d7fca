/**
 * The DTL function library: one table from DTL name to implementation. Adding a function is
 * one catalog entry (compiler/src/dtl/catalog) plus one implementation in a category file.
 */
import type { FunctionImpl, FunctionTable } from './types.js';
import { BYTES } from './bytes.js';
import { CRYPTO } from './crypto.js';
import { DATETIME } from './datetime.js';
import { DICTIONARIES } from './dictionaries.js';
import { IDENTIFIERS } from './identifiers.js';
import { JSON_FUNCTIONS } from './json.js';
import { LISTS } from './lists.js';
import { LOGIC } from './logic.js';
import { MATH } from './math.js';
import { MISC } from './misc.js';
import { NULLS } from './nulls.js';
import { NUMBERS } from './numbers.js';
import { PHONENUMBERS } from './phonenumbers.js';
import { SETS } from './sets.js';
import { STRINGS } from './strings.js';

export const LIBRARY: FunctionTable = Object.freeze({
  ...BYTES,
  ...CRYPTO,
  ...DATETIME,
  ...DICTIONARIES,
  ...IDENTIFIERS,
  ...JSON_FUNCTIONS,
  ...LISTS,
  ...LOGIC,
  ...MATH,
  ...MISC,
  ...NULLS,
  ...NUMBERS,
  ...PHONENUMBERS,
  ...SETS,
  ...STRINGS,
});

export function implementationOf(name: string): FunctionImpl | undefined {
  return Object.prototype.hasOwnProperty.call(LIBRARY, name) ? LIBRARY[name] : undefined;
}

export type { FnContext, FunctionImpl, FunctionTable, Lambda } from './types.js';
