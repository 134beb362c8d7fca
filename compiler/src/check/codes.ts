/**
 * Every diagnostic code the checker can produce, with its default severity and a one-line
 * description. `dtl.config.json` may change a severity or turn a rule off by code.
 */
import type { Severity } from '../diagnostics.js';

export interface RuleInfo {
  readonly severity: Severity;
  readonly description: string;
}

export const RULES = {
  // syntax
  'json-syntax': { severity: 'error', description: 'The file is not valid JSON.' },
  'json-comment': { severity: 'error', description: 'Comments are not allowed: Sesam configs are strict JSON.' },
  'json-trailing-comma': { severity: 'error', description: 'Trailing commas are not allowed: Sesam configs are strict JSON.' },
  'json-duplicate-key': { severity: 'warning', description: 'A key appears twice in one object; the last one wins.' },
  // config entities and schemas
  'config-not-an-entity': { severity: 'error', description: 'A config file entry is not an object.' },
  'config-missing-id': { severity: 'error', description: 'A pipe or system has no string _id.' },
  'config-invalid-id': { severity: 'error', description: 'An _id contains a character Sesam does not allow.' },
  'config-duplicate-id': { severity: 'error', description: 'Two entities share one _id (pipes and systems share one id space).' },
  'config-schema': { severity: 'error', description: 'A property has a wrong type or value, or a required property is missing.' },
  'config-unknown-property': { severity: 'warning', description: 'A property the documentation does not define.' },
  'config-file-name': { severity: 'warning', description: 'A file in pipes/ or systems/ is not named after the _id it holds.' },
  'config-missing-source': { severity: 'error', description: 'A pipe has no source.' },
  'env-unknown-variable': { severity: 'warning', description: '$ENV(...) names a variable the env file does not define.' },
  'env-malformed-reference': { severity: 'error', description: 'A malformed or nested $ENV(...)/$SECRET(...) reference.' },
  // project graph
  'graph-unknown-dataset': { severity: 'warning', description: 'A pipe reads a dataset that no pipe in the project produces.' },
  'graph-multiple-writers': { severity: 'error', description: 'Two pipes write the same dataset.' },
  'graph-cycle': { severity: 'warning', description: 'Pipes depend on each other in a cycle.' },
  'graph-system-dataset': { severity: 'error', description: 'A dataset sink writes a reserved system:* dataset.' },
  'system-unknown': { severity: 'error', description: 'A component refers to a system that is not defined.' },
  'system-incompatible': { severity: 'error', description: 'A component refers to a system of a type it cannot use.' },
  'system-unused': { severity: 'warning', description: 'A system no pipe uses.' },
  // DTL
  'dtl-missing-default-rule': { severity: 'error', description: 'A dtl transform has no default rule.' },
  'dtl-malformed-rule': { severity: 'error', description: 'A rule is not a list of transforms.' },
  'dtl-malformed-expression': { severity: 'error', description: 'An array in expression position that is not a function call.' },
  'dtl-unknown-function': { severity: 'error', description: 'A call names no documented transform or function.' },
  'dtl-arity': { severity: 'error', description: 'Wrong number of arguments for a transform or function.' },
  'dtl-transform-in-expression': { severity: 'error', description: 'A transform used where an expression is expected.' },
  'dtl-expression-in-statement': { severity: 'error', description: 'An expression used where a transform is expected.' },
  'dtl-argument-type': { severity: 'error', description: 'A literal argument of a type the function cannot take.' },
  'dtl-unknown-rule': { severity: 'error', description: 'apply or apply-hops names a rule that does not exist.' },
  'dtl-unused-rule': { severity: 'warning', description: 'A rule that is never applied.' },
  'dtl-apply-hops-rule': { severity: 'error', description: 'apply used on a rule that contains hops (use apply-hops).' },
  'dtl-unknown-variable': { severity: 'error', description: 'A path starts with a variable that does not exist.' },
  'dtl-unbound-variable': { severity: 'warning', description: 'A variable used where it has no value (_ outside a function expression, _P in the default rule).' },
  'dtl-unknown-alias': { severity: 'error', description: 'A hops condition or return refers to an alias not declared in its datasets.' },
  'dtl-duplicate-alias': { severity: 'error', description: 'An alias declared twice in one hops spec.' },
  'dtl-malformed-path': { severity: 'error', description: 'A path string that cannot be parsed.' },
  'dtl-deprecated': { severity: 'warning', description: 'A deprecated function.' },
  'dtl-hops-spec': { severity: 'error', description: 'A hops spec lacks a required key or has a bad value.' },
  'dtl-hops-unknown-key': { severity: 'warning', description: 'A hops spec key the documentation does not define.' },
  'dtl-hops-unjoined-alias': { severity: 'error', description: 'A hops alias that is not joined to the source entity.' },
  'dtl-hops-repeated-join': { severity: 'info', description: 'A second eq between the same two aliases is a filter, not a join.' },
} as const satisfies Record<string, RuleInfo>;

export type RuleCode = keyof typeof RULES;

export function isRuleCode(code: string): code is RuleCode {
  return Object.prototype.hasOwnProperty.call(RULES, code);
}
