/**
 * The 20 documented DTL transforms (statement position; no return value).
 * Source: docs `hub/dtl/dtl-functions-transforms.rst` (datanav/docs @ 2b65c06e8b).
 * Descriptions are our own wording; argument names follow the docs.
 */
import type { ArgType, CatalogEntry, Param } from './types.js';

const PAGE = 'https://docs.sesam.io/hub/dtl/dtl-functions-transforms.html';

/** Sphinx turns an rst label into an HTML id by lower-casing and hyphenating it. */
function docs(label: string): string {
  return `${PAGE}#${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

function req(name: string, type: ArgType, description?: string): Param {
  return description === undefined ? { name, type } : { name, type, description };
}

function opt(name: string, type: ArgType, description?: string): Param {
  return description === undefined ? { name, type, optional: true } : { name, type, optional: true, description };
}

function transform(
  name: string,
  label: string,
  params: readonly Param[],
  description: string,
): CatalogEntry {
  return {
    name,
    kind: 'transform',
    category: 'Transforms',
    signatures: [{ params }],
    returns: 'none',
    description,
    docs: docs(label),
  };
}

const PROPERTY: Param = req('PROPERTY', 'value', 'target property name(s); may be an expression');
const VALUES: Param = req('VALUES', 'value');

export const TRANSFORMS: readonly CatalogEntry[] = [
  transform(
    'add',
    'dtl_transform-add',
    [PROPERTY, VALUES],
    'Sets a target property to the result of an expression, replacing any earlier value.',
  ),
  transform(
    'add-if',
    'dtl_transform-add-if',
    [
      PROPERTY,
      opt('CONDITION', 'boolean', 'checked with `_` bound to the VALUES result; by default the result must be non-null'),
      VALUES,
    ],
    'Sets a target property only when the computed value passes a condition (by default: is not null).',
  ),
  transform(
    'case',
    'dtl_transform-case',
    [
      {
        name: 'CLAUSE',
        type: 'any',
        repeat: '+',
        group: [req('CONDITION', 'boolean'), req('THEN', 'transforms')],
        description: 'condition / transforms pairs, tried in order',
      },
      opt('ELSE', 'transforms', 'run when no condition holds'),
    ],
    'Runs the transforms paired with the first true condition, or the ELSE transforms when none holds.',
  ),
  transform(
    'case-eq',
    'dtl_transform-case-eq',
    [
      req('VALUE', 'value'),
      {
        name: 'CLAUSE',
        type: 'any',
        repeat: '+',
        group: [req('VALUE_N', 'value'), req('THEN', 'transforms')],
        description: 'match value / transforms pairs, tried in order',
      },
      opt('ELSE', 'transforms', 'run when nothing matches'),
    ],
    'Runs the transforms paired with the first match value equal to VALUE, or the ELSE transforms.',
  ),
  transform(
    'comment',
    'dtl_transform-comment',
    [{ name: 'COMMENTS', type: 'any', repeat: '*', description: 'never evaluated' }],
    'Does nothing; its arguments are ignored, which also makes it handy for switching code off.',
  ),
  transform(
    'copy',
    'dtl_transform-copy',
    [
      req('INCLUDE_PROPERTIES', 'wildcard-list', 'pattern or list of patterns (`*`, `?`) naming source properties'),
      opt('EXCLUDE_PROPERTIES', 'wildcard-list', 'patterns of properties to leave out'),
    ],
    'Copies source properties whose names match the include patterns (and no exclude pattern) to the target.',
  ),
  transform(
    'create',
    'dtl_transform-create',
    [VALUES],
    'Emits each entity in the value as an extra output entity of the transform.',
  ),
  transform(
    'create-child',
    'dtl_transform-create-child',
    [VALUES],
    'Appends each entity in the value to the target\'s `$children` list.',
  ),
  transform(
    'default',
    'dtl_transform-default',
    [PROPERTY, VALUES],
    'Like `add`, but leaves the target alone when the property is already set.',
  ),
  transform(
    'discard',
    'dtl_transform-discard',
    [opt('UNLESS_CONDITION', 'boolean', 'processing continues only while this is true; absent means discard')],
    'Stops processing and drops the target entirely (no deletion marker) unless the condition holds.',
  ),
  transform(
    'filter',
    'dtl_transform-filter',
    [opt('UNLESS_CONDITION', 'boolean', 'processing continues only while this is true; absent means stop')],
    'Stops processing unless the condition holds; a dataset sink receives the target marked `_filtered`.',
  ),
  transform(
    'if',
    'dtl_transform-if',
    [req('CONDITION', 'boolean'), req('THEN', 'transforms'), opt('ELSE', 'transforms')],
    'Runs the THEN transforms when the condition is true, otherwise the optional ELSE transforms.',
  ),
  transform(
    'make-ni',
    'dtl_transform-make-ni',
    [
      req('NAMESPACE', 'string'),
      req('FROM_PROPERTY', 'string'),
      opt('TO_PROPERTY', 'string', 'defaults to FROM_PROPERTY followed by `-ni`'),
    ],
    'Turns the string values of a source property into namespaced identifiers on a target property.',
  ),
  transform(
    'merge',
    'dtl_transform-merge',
    [VALUES],
    'Copies every root property (except `_`-prefixed ones) of each given dict onto the target, later ones winning.',
  ),
  transform(
    'merge-union',
    'dtl_transform-merge-union',
    [VALUES],
    'Copies root properties of each given dict onto the target, collecting clashing values into lists.',
  ),
  transform(
    'remove',
    'dtl_transform-remove',
    [req('PROPERTY', 'wildcard', 'pattern (`*`, `?`) matched against whole property names')],
    'Deletes the target properties whose names match a wildcard pattern.',
  ),
  transform(
    'rename',
    'dtl_transform-rename',
    [req('PROPERTY1', 'value', 'source property name'), req('PROPERTY2', 'value', 'target property name')],
    'Copies one source property to the target under a different name.',
  ),
  transform(
    'fail!',
    'dtl_transform-fail',
    [req('MESSAGE', 'string')],
    'Aborts the pump run with the given message.',
  ),
  transform(
    'sleep!',
    'dtl_transform-sleep',
    [req('PERIOD', 'integer', 'seconds')],
    'Pauses processing for a number of seconds.',
  ),
  transform(
    'trip!',
    'dtl_transform-trip',
    [req('MESSAGE', 'string')],
    'Aborts the pump run and trips the circuit breaker of the sink dataset.',
  ),
];
