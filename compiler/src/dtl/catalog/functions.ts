/**
 * The 149 documented DTL expression functions plus the 6 deprecated ones.
 * Source: docs `hub/dtl/dtl-functions-*.rst` and `hub/deprecations.rst` (datanav/docs @ 2b65c06e8b).
 * Descriptions are our own wording; argument names and types follow the docs (see the notes in
 * the catalog report for the few places where the docs left a choice open).
 */
import type { ArgType, CatalogEntry, Param, ReturnType, Signature } from './types.js';

const SITE = 'https://docs.sesam.io/hub/';

/** Sphinx turns an rst label into an HTML id by lower-casing and hyphenating it. */
function anchor(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
}

function req(name: string, type: ArgType, description?: string): Param {
  return description === undefined ? { name, type } : { name, type, description };
}

function opt(name: string, type: ArgType, description?: string): Param {
  return description === undefined ? { name, type, optional: true } : { name, type, optional: true, description };
}

function many(name: string, type: ArgType, repeat: '*' | '+', description?: string): Param {
  return description === undefined ? { name, type, repeat } : { name, type, repeat, description };
}

function group(name: string, members: readonly Param[], repeat: '*' | '+', description?: string): Param {
  // The `type` of a group container is not used for binding or checking; members carry the types.
  const base = { name, type: 'any' as const, repeat, group: members };
  return description === undefined ? base : { ...base, description };
}

interface Overloads {
  readonly overloads: readonly (readonly Param[])[];
}

interface Flags {
  /** rst label when it is not `<name with - as _>_dtl_function`. */
  readonly label?: string;
  readonly mapStyle?: true;
  readonly nondeterministic?: true;
  readonly deprecated?: { readonly replacement?: string };
}

type Builder = (
  name: string,
  params: readonly Param[] | Overloads,
  returns: ReturnType,
  description: string,
  flags?: Flags,
) => CatalogEntry;

/** A builder for one docs category; `page` is relative to https://docs.sesam.io/hub/. */
function category(categoryName: string, page: string): Builder {
  return (name, params, returns, description, flags = {}) => {
    const signatures: readonly Signature[] =
      'overloads' in params ? params.overloads.map((p) => ({ params: p })) : [{ params }];
    const label = flags.label ?? `${name.replace(/-/g, '_')}_dtl_function`;
    const entry: CatalogEntry = {
      name,
      kind: 'function',
      category: categoryName,
      signatures,
      returns,
      description,
      docs: `${SITE}${page}#${anchor(label)}`,
      ...(flags.mapStyle ? { mapStyle: true as const } : {}),
      ...(flags.nondeterministic ? { nondeterministic: true as const } : {}),
      ...(flags.deprecated ? { deprecated: flags.deprecated } : {}),
    };
    return entry;
  };
}

const MAP = { mapStyle: true } as const;

// Shared parameters.
const VALUES = req('VALUES', 'value');
const DICTS = req('DICTS', 'value', 'dicts (entities); other values are ignored');
const FUNCTION_OPT = opt('FUNCTION', 'function', 'evaluated per item with `_` bound to it');
const DEFAULT_OPT = opt(
  'DEFAULT_FUNCTION',
  'default',
  'evaluated with `_` bound to each value that cannot be converted; its result replaces that value',
);
const PAIR = [req('VALUE1', 'value'), req('VALUE2', 'value')] as const;
const SETS = [req('VALUES1', 'value'), req('VALUES2', 'value')] as const;

// ---------------------------------------------------------------------------------------------
const booleanLogic = category('Boolean logic', 'dtl/dtl-functions-boolean-logic.html');
const BOOLEAN_LOGIC: readonly CatalogEntry[] = [
  booleanLogic('all', [FUNCTION_OPT, VALUES], 'boolean', 'True when every value (or FUNCTION of it) is truthy.'),
  booleanLogic('and', [many('CONDITIONS', 'boolean', '+')], 'boolean', 'True only when every argument is truthy.'),
  booleanLogic('any', [FUNCTION_OPT, VALUES], 'boolean', 'True when at least one value (or FUNCTION of it) is truthy.'),
  booleanLogic(
    'not',
    [many('CONDITIONS', 'boolean', '+')],
    'boolean',
    'The negation of `and` over its arguments: false only when all of them are truthy.',
  ),
  booleanLogic('or', [many('CONDITIONS', 'boolean', '+')], 'boolean', 'True when at least one argument is truthy.'),
];

// ---------------------------------------------------------------------------------------------
const booleans = category('Booleans', 'dtl/dtl-functions-booleans.html');
const BOOLEANS: readonly CatalogEntry[] = [
  booleans(
    'boolean',
    [DEFAULT_OPT, VALUES],
    'boolean',
    'Converts booleans and the strings "true"/"false" (any case) to booleans; anything else is dropped or defaulted.',
    MAP,
  ),
  booleans('is-boolean', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a boolean.'),
];

// ---------------------------------------------------------------------------------------------
const bytes = category('Bytes', 'dtl/dtl-functions-bytes.html');
const BYTES: readonly CatalogEntry[] = [
  bytes('base64-decode', [VALUES], 'bytes', 'Decodes base64 text into bytes, skipping values that are not valid base64.', MAP),
  bytes('base64-encode', [VALUES], 'string', 'Renders bytes values as base64 text; other values are skipped.', MAP),
  bytes('bytes', [VALUES], 'bytes', 'Encodes strings as UTF-8 bytes.', MAP),
  bytes('is-bytes', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a bytes value.'),
];

// ---------------------------------------------------------------------------------------------
const comparisons = category('Comparisons', 'dtl/dtl-functions-comparisons.html');
const COMPARISONS: readonly CatalogEntry[] = [
  comparisons(
    'eq',
    PAIR,
    'boolean',
    'True when both sides, taken as lists, are identical (inside hops it instead joins on any shared value).',
  ),
  comparisons('gt', PAIR, 'boolean', 'Compares the first value of each side: true when the left is greater.'),
  comparisons('gte', PAIR, 'boolean', 'Compares the first value of each side: true when the left is greater or equal.'),
  comparisons('lt', PAIR, 'boolean', 'Compares the first value of each side: true when the left is smaller.'),
  comparisons('lte', PAIR, 'boolean', 'Compares the first value of each side: true when the left is smaller or equal.'),
  comparisons('neq', PAIR, 'boolean', 'True when both sides, taken as lists, are not identical.'),
];

// ---------------------------------------------------------------------------------------------
const conditionals = category('Conditionals', 'dtl/dtl-functions-conditionals.html');
const CONDITIONALS: readonly CatalogEntry[] = [
  conditionals(
    'case',
    [
      group('CLAUSE', [req('CONDITION', 'boolean'), req('THEN', 'value')], '+', 'condition / result pairs, tried in order'),
      opt('ELSE', 'value', 'result when no condition holds; null when absent'),
    ],
    'value',
    'Yields the result paired with the first truthy condition, else ELSE, else null.',
  ),
  conditionals(
    'case-eq',
    [
      req('VALUE', 'value'),
      group('CLAUSE', [req('VALUE_N', 'value'), req('THEN', 'value')], '+', 'match value / result pairs, tried in order'),
      opt('ELSE', 'value', 'result when nothing matches; null when absent'),
    ],
    'value',
    'Yields the result paired with the first match value equal to VALUE, else ELSE, else null.',
  ),
  conditionals(
    'if',
    [req('CONDITION', 'boolean'), req('THEN', 'value'), opt('ELSE', 'value', 'null when absent')],
    'value',
    'Yields THEN when the condition is truthy and ELSE (or null) otherwise.',
  ),
];

// ---------------------------------------------------------------------------------------------
const dateTime = category('Date and time', 'dtl/dtl-functions-date-and-time.html');
const DATEPART = req('DATEPART', 'string', 'year, month, week, day, hour, minute, second, millisecond, microsecond or nanosecond');
const TIMEZONE_OPT = opt('TIMEZONE_NAME', 'string', 'time zone name; defaults to UTC');
const DATE_AND_TIME: readonly CatalogEntry[] = [
  dateTime(
    'datetime',
    [DEFAULT_OPT, VALUES],
    'datetime',
    'Converts ISO-8601 strings and integer nanoseconds since the epoch into datetime values.',
    MAP,
  ),
  dateTime(
    'datetime-diff',
    [DATEPART, req('STARTDATE', 'value'), req('ENDDATE', 'value')],
    'integer',
    'Counts the whole date-part units between two datetimes.',
  ),
  dateTime(
    'datetime-format',
    [TIMEZONE_OPT, req('FORMATSTRING', 'string'), VALUES],
    'string',
    'Renders datetimes as text using a strftime-style pattern, optionally in a given time zone.',
    MAP,
  ),
  dateTime(
    'datetime-parse',
    [TIMEZONE_OPT, req('FORMATSTRING', 'string'), VALUES],
    'datetime',
    'Reads text into datetimes using a strptime-style pattern, optionally as local time of a time zone.',
    MAP,
  ),
  dateTime(
    'datetime-plus',
    [DATEPART, req('VALUE', 'integer', 'number of units to add; may be negative'), VALUES],
    'datetime',
    'Moves datetimes forwards or backwards by a number of date-part units.',
    MAP,
  ),
  dateTime(
    'datetime-shift',
    [req('FROM_TIMEZONE', 'string'), req('TO_TIMEZONE', 'string'), VALUES],
    'datetime',
    'Treats the clock time of each datetime as being in one time zone and converts it to another.',
    MAP,
  ),
  dateTime('is-datetime', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a datetime.'),
  dateTime('now', [], 'datetime', 'The current UTC time; a new value on every evaluation.', { nondeterministic: true }),
];

// ---------------------------------------------------------------------------------------------
const dictionaries = category('Dictionaries', 'dtl/dtl-functions-dictionaries.html');
const DICTIONARIES: readonly CatalogEntry[] = [
  dictionaries(
    'apply',
    [req('RULE_ID', 'rule', 'name of a rule in the same DTL transform'), VALUES],
    'value',
    'Runs a named rule of this transform on each value and yields the targets it builds.',
    MAP,
  ),
  dictionaries(
    'apply-hops',
    [req('RULE_ID', 'rule', 'name of a rule in the same DTL transform'), many('HOPS_SPEC', 'hops', '+')],
    'list',
    'Performs hops and runs a named rule on every entity found; required when that rule itself uses hops.',
  ),
  dictionaries(
    'apply-ns',
    {
      overloads: [
        [req('NAMESPACE', 'string', 'namespace for both properties and `_id`'), VALUES],
        [
          req(
            'CONFIGDICT',
            'dict',
            'property_namespace, identity_namespace, skip_underscore, skip_dollar, recursive',
          ),
          VALUES,
        ],
      ],
    },
    'dict',
    'Adds namespace prefixes to dict keys (and the `_id` value), as the pipe option add_namespaces does.',
  ),
  dictionaries(
    'dict',
    {
      overloads: [
        [],
        [req('ITEMS', 'value', 'list of [key, value] pairs')],
        [group('PAIR', [req('KEY', 'value'), req('VALUE', 'value')], '+', 'alternating keys and values')],
      ],
    },
    'dict',
    'Builds a dict: empty, from a list of [key, value] pairs, or from alternating key and value arguments.',
  ),
  dictionaries(
    'has-key',
    [req('KEY', 'value'), VALUES],
    'boolean',
    'Checks whether a dict (the first item, for a list) has a key; null when it is not a dict.',
  ),
  dictionaries('is-dict', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a dict.'),
  dictionaries('items', [DICTS], 'list', 'Lists the [key, value] pairs of all the given dicts.'),
  dictionaries(
    'key-values',
    [DICTS],
    'value',
    'Lists the entries of all the given dicts as {"key": …, "value": …} dicts.',
  ),
  dictionaries('keys', [DICTS], 'list', 'Lists the keys of all the given dicts.'),
  dictionaries('values', [DICTS], 'list', 'Lists the values of all the given dicts.'),
  dictionaries(
    'path',
    [req('PROPERTY_PATH', 'value', 'a property name or list of names, taken literally'), VALUES],
    'value',
    'Walks a property name or list of names through the given dicts and collects what it reaches.',
  ),
  dictionaries('strip-ns', [VALUES], 'dict', 'Removes namespace prefixes from dict keys, recursively.'),
];

// ---------------------------------------------------------------------------------------------
const encryption = category('Encryption', 'dtl/dtl-functions-encryption.html');
const ENCRYPTION: readonly CatalogEntry[] = [
  encryption('decrypt', [req('KEY', 'string'), VALUES], 'value', 'Undoes `encrypt` when given the same password.'),
  encryption(
    'decrypt-pgp',
    [req('PRIVATE_KEY', 'string'), req('PASSPHRASE', 'string'), VALUES],
    'string',
    'Decrypts ASCII-armoured OpenPGP messages with a private key and its passphrase.',
    MAP,
  ),
  encryption(
    'decrypt-pki',
    [req('PRIVATE_KEY', 'string', 'RSA private key, PEM'), VALUES],
    'string',
    'Decrypts RSA-encrypted bytes back to strings with a PEM private key.',
    MAP,
  ),
  encryption(
    'encrypt',
    [req('KEY', 'string'), VALUES],
    'bytes',
    'Encrypts a value with a password using symmetric (Fernet) encryption.',
  ),
  encryption(
    'encrypt-pgp',
    [req('PUBLIC_KEY', 'string'), VALUES],
    'string',
    'Encrypts strings as ASCII-armoured OpenPGP messages for a public key.',
    MAP,
  ),
  encryption(
    'encrypt-pki',
    [req('PUBLIC_KEY', 'string', 'RSA public key, PEM'), VALUES],
    'bytes',
    'Encrypts short strings with an RSA public key.',
    MAP,
  ),
];

// ---------------------------------------------------------------------------------------------
const hops = category('Hops', 'dtl/dtl-functions-hops.html');
const HOPS: readonly CatalogEntry[] = [
  hops(
    'hops',
    [many('HOPS_SPEC', 'hops', '+', 'each spec feeds its output to the next')],
    'list',
    'Joins the current entity to entities of other datasets through one or more chained hop specs.',
  ),
  hops(
    'lookup-entity',
    [req('DATASET_ID', 'string'), req('ENTITY_ID', 'value')],
    'dict',
    'Fetches one entity by `_id` from a dataset, or null; changes to it are not dependency-tracked.',
  ),
];

// ---------------------------------------------------------------------------------------------
const json = category('JSON', 'dtl/dtl-functions-json.html');
const JSON_FUNCTIONS: readonly CatalogEntry[] = [
  json('json', [VALUES], 'string', 'Serialises each value as plain JSON text with sorted keys.', MAP),
  json('json-parse', [DEFAULT_OPT, VALUES], 'value', 'Parses JSON text without any transit decoding.', MAP),
  json('json-transit', [VALUES], 'string', 'Serialises each value as transit-encoded JSON text with sorted keys.', MAP),
  json(
    'json-transit-parse',
    [DEFAULT_OPT, VALUES],
    'value',
    'Parses transit-encoded JSON text back into typed values.',
    MAP,
  ),
];

// ---------------------------------------------------------------------------------------------
const lists = category('Lists', 'dtl/dtl-functions-lists.html');
const LISTS: readonly CatalogEntry[] = [
  lists(
    'combine',
    [many('VALUES', 'value', '+')],
    'list',
    'Concatenates its arguments into one list, splicing list arguments one level deep.',
  ),
  lists('count', [VALUES], 'integer', 'Counts the items, treating null as no items and a single value as one.'),
  lists(
    'distinct',
    [FUNCTION_OPT, VALUES],
    'list',
    'Drops repeated items, keeping first occurrences (compared by FUNCTION\'s result when given).',
  ),
  lists(
    'enumerate',
    [opt('START', 'integer', 'first index; defaults to 0'), VALUES],
    'dict',
    'Wraps each value with a running counter as {"key": counter, "value": item}.',
    MAP,
  ),
  lists(
    'filter',
    [req('FUNCTION', 'function'), VALUES],
    'list',
    'Keeps only the items for which FUNCTION is truthy.',
  ),
  lists('first', [VALUES], 'value', 'The first item of a list (null when empty); a non-list is returned as is.'),
  lists('flatten', [VALUES], 'list', 'Splices nested lists one level into a new list.'),
  lists(
    'group',
    [req('KEY_FUNCTION', 'function'), req('VALUE_FUNCTION', 'function'), VALUES],
    'list',
    'Groups items by a computed key into [key, [values]] pairs, in order of first appearance.',
  ),
  lists(
    'group-by',
    [
      opt('KEY_FUNCTION', 'function'),
      opt('STRING_FUNCTION', 'function', 'turns a group key (`_`) into its string dict key; default is transit JSON'),
      VALUES,
    ],
    'dict',
    'Groups items into a dict whose string keys are derived from a computed group key.',
  ),
  lists(
    'in',
    [VALUES, req('ITEMS', 'value')],
    'boolean',
    'True when the values are non-empty and each of them occurs among the items.',
  ),
  lists(
    'insert',
    [req('INDEX', 'integer', 'negative counts from the end'), VALUES, req('OBJECT', 'value')],
    'list',
    'Returns the list with one object inserted at an index.',
  ),
  lists('is-empty', [VALUES], 'boolean', 'True when the value, taken as a list, has no items.'),
  lists('is-list', [VALUES], 'boolean', 'Checks whether the value is a list.'),
  lists('is-not-empty', [VALUES], 'boolean', 'True when the value, taken as a list, has at least one item.'),
  lists('last', [VALUES], 'value', 'The last item of a list (null when empty); a non-list is returned as is.'),
  lists('list', [many('VALUES', 'value', '*')], 'list', 'Builds a list whose items are the arguments, unspliced.'),
  lists('map', [req('FUNCTION', 'function'), VALUES], 'list', 'Applies FUNCTION to every item and collects the results.'),
  lists(
    'map-dict',
    [req('KEY_FUNCTION', 'function'), req('VALUE_FUNCTION', 'function'), VALUES],
    'dict',
    'Rebuilds each dict by mapping its keys and values; non-string keys and resulting empty dicts are dropped.',
    MAP,
  ),
  lists(
    'map-values',
    [req('VALUE_FUNCTION', 'function'), VALUES],
    'list',
    'Applies a function to every value of every given dict and lists the results.',
  ),
  lists(
    'max',
    [FUNCTION_OPT, VALUES],
    'value',
    'The greatest item in DTL\'s cross-type ordering (ranked by FUNCTION\'s result when given).',
  ),
  lists(
    'min',
    [FUNCTION_OPT, VALUES],
    'value',
    'The least item in DTL\'s cross-type ordering (ranked by FUNCTION\'s result when given).',
  ),
  lists(
    'nth',
    [req('INDEX', 'integer', 'zero-based'), VALUES],
    'value',
    'The item at a zero-based position, or null when there is none.',
  ),
  lists(
    'range',
    [req('START', 'integer'), req('STOP', 'integer'), opt('STEP', 'integer', 'non-zero; defaults to 1')],
    'list',
    'Integers from START up to but excluding STOP, in steps of STEP.',
  ),
  lists('reversed', [VALUES], 'list', 'The items in reverse order.'),
  lists(
    'slice',
    [
      req('START', 'integer'),
      opt('END', 'integer', 'defaults to the end of the list'),
      opt('STRIDE', 'integer', 'defaults to 1'),
      VALUES,
    ],
    'list',
    'A Python-style slice of the list.',
  ),
  lists(
    'sorted',
    [FUNCTION_OPT, VALUES],
    'list',
    'The items in ascending cross-type order, by FUNCTION\'s result when given; duplicates stay.',
  ),
  lists(
    'sorted-descending',
    [FUNCTION_OPT, VALUES],
    'list',
    'The items in descending cross-type order, by FUNCTION\'s result when given; duplicates stay.',
  ),
  lists('sum', [VALUES], 'number', 'Adds up the numeric items and ignores the others.'),
];

// ---------------------------------------------------------------------------------------------
const math = category('Math', 'dtl/dtl-functions-math.html');
const DIGITS_OPT = opt('DIGITS', 'numeric', 'decimal places; defaults to 0');
const MATH: readonly CatalogEntry[] = [
  math('-', PAIR, 'number', 'Subtracts the second number from the first (first values only; null in, null out).', {
    label: 'minus_symbol_dtl_function',
  }),
  math(
    '/',
    [req('DIVIDEND', 'numeric'), req('DIVISOR', 'value')],
    'number',
    'Divides the first number by the second; null when either is null or the divisor is zero.',
    { label: 'divide_symbol_dtl_function' },
  ),
  math(
    '*',
    [req('VALUE', 'value'), req('MULTIPLIER', 'value')],
    'number',
    'Multiplies two numbers (first values only; null in, null out).',
    { label: 'multiply_symbol_dtl_function' },
  ),
  math(
    '%',
    [req('DIVIDEND', 'numeric'), req('DIVISOR', 'value')],
    'number',
    'The remainder of dividing the first number by the second.',
    { label: 'mod_symbol_dtl_function' },
  ),
  math(
    '^',
    [req('VALUE', 'value'), req('EXPONENT', 'value')],
    'number',
    'Raises the first number to the power of the second.',
    { label: 'pow_symbol_dtl_function' },
  ),
  math('+', PAIR, 'number', 'Adds two numbers (first values only; null in, null out).', {
    label: 'plus_symbol_dtl_function',
  }),
  math('abs', [req('VALUE', 'numeric')], 'number', 'The absolute value of each number.', MAP),
  math('ceil', [DIGITS_OPT, VALUES], 'number', 'Rounds each number up, optionally at a number of decimal places.', MAP),
  math('cos', [req('VALUE', 'numeric')], 'float', 'The cosine of each number, in radians.', MAP),
  math(
    'divide',
    [req('DIVISOR', 'numeric'), req('DIVIDENDS', 'value')],
    'number',
    'Divides each value by DIVISOR.',
    MAP,
  ),
  math('floor', [DIGITS_OPT, VALUES], 'number', 'Rounds each number down, optionally at a number of decimal places.', MAP),
  math('minus', [req('DECREMENT', 'numeric'), VALUES], 'number', 'Subtracts DECREMENT from each value.', MAP),
  math('mod', [req('DIVISOR', 'numeric'), VALUES], 'number', 'The remainder of each value divided by DIVISOR.', MAP),
  math('multiply', [req('MULTIPLIER', 'numeric'), VALUES], 'number', 'Multiplies each value by MULTIPLIER.', MAP),
  math('plus', [req('INCREMENT', 'numeric'), VALUES], 'number', 'Adds INCREMENT to each value.', MAP),
  math('pow', [req('EXPONENT', 'numeric'), VALUES], 'number', 'Raises each value to the power EXPONENT.', MAP),
  math(
    'round',
    [DIGITS_OPT, VALUES],
    'number',
    'Rounds each number, ties to even, optionally at a number of decimal places.',
    MAP,
  ),
  math('sin', [req('VALUE', 'numeric')], 'float', 'The sine of each number, in radians.', MAP),
  math('sqrt', [req('VALUE', 'numeric')], 'float', 'The square root of each number; null when it would not be real.', MAP),
  math(
    'tan',
    [req('VALUE', 'numeric')],
    'float',
    'The tangent of each number, in radians; null where it is unbounded.',
    MAP,
  ),
];

// ---------------------------------------------------------------------------------------------
const misc = category('Misc', 'dtl/dtl-functions-misc.html');
const MISC: readonly CatalogEntry[] = [
  misc(
    'completeness',
    [req('VIA_DATASET_ID', 'string'), req('DATASET_ID', 'string')],
    'datetime',
    'The completeness timestamp of one dataset as known downstream in another, or null.',
  ),
  misc(
    'hash128',
    [req('ALGORITHM', 'string', 'only "murmur3" is supported'), opt('SEED', 'integer', 'defaults to 0'), VALUES],
    'integer',
    'A 128-bit MurmurHash3 of each string or bytes value, with an optional seed.',
    MAP,
  ),
  misc(
    'is-changed',
    [req('FUNCTION', 'function', 'evaluated with `_` bound to the current and to the previous source version')],
    'boolean',
    'Whether an expression differs between the current and the previous version of the source entity (null if unknown).',
  ),
  misc('literal', [req('VALUE', 'any', 'returned as written, never evaluated')], 'value', 'Returns its argument verbatim, unevaluated.'),
  misc(
    'tuples',
    [many('VALUES', 'value', '*')],
    'list',
    'The cartesian product of its arguments as a list of tuples, skipping nulls; useful for composite join keys.',
  ),
];

// ---------------------------------------------------------------------------------------------
const nis = category('Namespaced identifiers', 'dtl/dtl-functions-namespaced-identifiers.html');
const NAMESPACED_IDENTIFIERS: readonly CatalogEntry[] = [
  nis('is-ni', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a namespaced identifier.'),
  nis(
    'ni',
    [opt('NAMESPACE', 'string', 'defaults to the global namespace; URIs are only accepted without it'), VALUES],
    'ni',
    'Casts strings, and without a namespace also URIs, to namespaced identifiers.',
    MAP,
  ),
  nis('ni-id', [VALUES], 'string', 'The identifier part of namespaced identifiers or `ns:id` strings.', MAP),
  nis('ni-ns', [VALUES], 'string', 'The namespace part of namespaced identifiers or `ns:id` strings ("" when none).', MAP),
];

// ---------------------------------------------------------------------------------------------
const nulls = category('Nulls', 'dtl/dtl-functions-nulls.html');
const NULLS: readonly CatalogEntry[] = [
  nulls(
    'coalesce',
    [opt('FUNCTION', 'function', 'when given, picks the first item for which it is truthy'), VALUES],
    'value',
    'The first non-null item, or with FUNCTION the first item it accepts.',
  ),
  nulls(
    'coalesce-args',
    [many('VALUES', 'value', '+')],
    'value',
    'Evaluates its arguments left to right and stops at the first one that is not null.',
  ),
  nulls(
    'if-null',
    [req('VALUE', 'value'), req('FALLBACK-VALUE', 'value')],
    'value',
    'VALUE, unless `is-null` holds for it; then the fallback.',
  ),
  nulls('is-not-null', [VALUES], 'boolean', 'The opposite of `is-null`.'),
  nulls('is-null', [VALUES], 'boolean', 'True for null, an empty list, or a list whose first item is null.'),
];

// ---------------------------------------------------------------------------------------------
const numbers = category('Numbers', 'dtl/dtl-functions-numbers.html');
const NUMBERS: readonly CatalogEntry[] = [
  numbers(
    'decimal',
    [DEFAULT_OPT, VALUES],
    'decimal',
    'Converts numbers and numeric text to arbitrary-precision decimals.',
    MAP,
  ),
  numbers('float', [DEFAULT_OPT, VALUES], 'float', 'Converts numbers and numeric text to 64-bit floating point.', MAP),
  numbers('hex', [VALUES], 'string', 'Writes integers as "0x" two\'s-complement hexadecimal text.', MAP),
  numbers(
    'integer',
    [DEFAULT_OPT, VALUES],
    'integer',
    'Converts numbers, numeric text and "0x" hex text to integers (fractions are truncated).',
    MAP,
  ),
  numbers('is-decimal', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a decimal.'),
  numbers('is-float', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a float.'),
  numbers('is-integer', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is an integer.'),
];

// ---------------------------------------------------------------------------------------------
const phonenumbers = category('Phonenumbers', 'dtl/dtl-functions-phonenumbers.html');
const PHONENUMBERS: readonly CatalogEntry[] = [
  phonenumbers(
    'phonenumber-parse',
    [opt('DEFAULT_REGION', 'string', 'region code used when a number has no country code'), VALUES],
    'uri',
    'Parses phone numbers into `tel:` URIs, skipping invalid ones.',
    MAP,
  ),
  phonenumbers(
    'phonenumber-format',
    [
      req(
        'FORMAT_STRING',
        'string',
        'e164, rfc3966, national, international, national-e164, isocode or country-code',
      ),
      VALUES,
    ],
    'string',
    'Renders `tel:` URIs as text in one of several phone-number styles.',
    MAP,
  ),
];

// ---------------------------------------------------------------------------------------------
const sets = category('Sets', 'dtl/dtl-functions-sets.html');
const SETS_FUNCTIONS: readonly CatalogEntry[] = [
  sets(
    'difference',
    SETS,
    'list',
    'The items of the first argument that do not occur in the second, in order, duplicates kept.',
  ),
  sets(
    'intersection',
    SETS,
    'list',
    'The items of the first argument that also occur in the second, in order, duplicates kept.',
  ),
  sets('intersects', SETS, 'boolean', 'Whether the two arguments have any value in common.'),
  sets('union', SETS, 'list', 'Each value of the first and then the second argument, at its first occurrence only.'),
];

// ---------------------------------------------------------------------------------------------
const strings = category('Strings', 'dtl/dtl-functions-strings.html');
const CHARACTERS_OPT = opt('CHARACTERS', 'string', 'set of characters to strip; defaults to whitespace');
const STRINGS: readonly CatalogEntry[] = [
  strings(
    'concat',
    [many('VALUES', 'value', '+')],
    'string',
    'Glues together all string values from all arguments; non-strings are ignored.',
  ),
  strings('is-string', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a string.'),
  strings('join', [req('SEPARATOR', 'string'), VALUES], 'string', 'Joins the string values with a separator between them.'),
  strings('length', [VALUES], 'integer', 'The number of characters in each string.', MAP),
  strings(
    'ljust',
    [req('WIDTH', 'integer'), req('FILL_CHARACTER', 'value', 'a single character'), VALUES],
    'string',
    'Pads each string on the right with a fill character up to a minimum width.',
    MAP,
  ),
  strings('lower', [VALUES], 'string', 'Converts each string to lower case.', MAP),
  strings('lstrip', [CHARACTERS_OPT, VALUES], 'string', 'Trims characters from the start of each string.', MAP),
  strings(
    'matches',
    [req('PATTERN', 'string', 'wildcard pattern with `*` and `?`'), VALUES],
    'boolean',
    'True when every value is a string matching a wildcard pattern.',
  ),
  strings(
    'replace',
    {
      overloads: [
        [req('OLD_STRING', 'string'), req('NEW_STRING', 'string'), VALUES],
        [req('REPLACEMENTS', 'dict', 'maps each substring to its replacement'), VALUES],
      ],
    },
    'string',
    'Substitutes substrings in each string: one old/new pair, or every key of a dict by its value.',
    MAP,
  ),
  strings(
    'rjust',
    [req('WIDTH', 'integer'), req('FILL_CHARACTER', 'value', 'a single character'), VALUES],
    'string',
    'Pads each string on the left with a fill character up to a minimum width.',
    MAP,
  ),
  strings('rstrip', [CHARACTERS_OPT, VALUES], 'string', 'Trims characters from the end of each string.', MAP),
  strings(
    'split',
    [opt('SEPARATOR', 'string', 'an empty separator splits into characters'), VALUES],
    'list',
    'Splits strings at a separator and flattens all the pieces into one list.',
  ),
  strings('string', [VALUES], 'string', 'Converts each value to text (lists and dicts as JSON).', MAP),
  strings('strip', [CHARACTERS_OPT, VALUES], 'string', 'Trims characters from both ends of each string.', MAP),
  strings(
    'substring',
    [req('START_INDEX', 'integer'), opt('END_INDEX', 'integer', 'defaults to the end of the string'), VALUES],
    'string',
    'Cuts each string between two Python-style indexes (negative ones count from the end).',
    MAP,
  ),
  strings('upper', [VALUES], 'string', 'Converts each string to upper case.', MAP),
];

// ---------------------------------------------------------------------------------------------
const uris = category('URIs', 'dtl/dtl-functions-uris.html');
const URIS: readonly CatalogEntry[] = [
  uris('is-uri', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a URI.'),
  uris('uri', [VALUES], 'uri', 'Casts strings to URI values as they are, without escaping.', MAP),
  uris(
    'url-quote',
    [opt('SAFE_CHARS', 'string', 'ASCII characters to leave unencoded; defaults to none'), VALUES],
    'string',
    'Percent-encodes strings as UTF-8, except for the given safe characters.',
    MAP,
  ),
  uris('url-unquote', [VALUES], 'string', 'Decodes percent-encoded strings.', MAP),
];

// ---------------------------------------------------------------------------------------------
const uuids = category('UUIDs', 'dtl/dtl-functions-uuids.html');
const UUIDS: readonly CatalogEntry[] = [
  uuids('is-uuid', [VALUES], 'boolean', 'Checks whether the value, or the first item of a list, is a UUID.'),
  uuids(
    'uuid',
    [opt('VALUES', 'value', 'UUID strings to cast; without it a new random UUID is made')],
    'uuid',
    'Makes a fresh random (version 4) UUID, or casts UUID strings to UUID values when given some.',
    { mapStyle: true, nondeterministic: true },
  ),
];

// ---------------------------------------------------------------------------------------------
const deprecated = category('Deprecated', 'deprecations.html');
const DEPRECATED: readonly CatalogEntry[] = [
  deprecated('curie', [req('PREFIX', 'string'), VALUES], 'uri', 'Builds `prefix:value` URIs.', {
    mapStyle: true,
    deprecated: {},
  }),
  deprecated(
    'uri-expand',
    [opt('FUNCTION', 'function', 'computes the RDF registry key instead of `_dataset`'), req('ENTITIES', 'value')],
    'value',
    'Rewrites entity ids and keys as full URIs using the prefix rules of the RDF registry.',
    { deprecated: {} },
  ),
  deprecated(
    'lookup',
    [opt('DATASET_IDS', 'value'), req('ENTITY_REFERENCES', 'value')],
    'value',
    'Resolves entity ids or `sesam:` references to entities, tagging each with `_dataset`.',
    { deprecated: { replacement: 'lookup-entity' } },
  ),
  deprecated(
    'reference',
    [req('DATASET_ID', 'string'), req('ENTITY_IDS', 'value')],
    'uri',
    'Builds `sesam:<dataset>/<id>` reference URIs.',
    { mapStyle: true, deprecated: {} },
  ),
  deprecated(
    'ni-collapse',
    [VALUES],
    'ni',
    'Turns http(s) URLs into namespaced identifiers via the configured namespace prefixes (experimental).',
    { mapStyle: true, deprecated: {} },
  ),
  deprecated(
    'ni-expand',
    [VALUES],
    'string',
    'Turns namespaced identifiers into URLs via the configured namespace prefixes (experimental).',
    { mapStyle: true, deprecated: {} },
  ),
];

/** The 149 documented expression functions, by docs category. */
export const DOCUMENTED_FUNCTIONS: readonly CatalogEntry[] = [
  ...BOOLEAN_LOGIC,
  ...BOOLEANS,
  ...BYTES,
  ...COMPARISONS,
  ...CONDITIONALS,
  ...DATE_AND_TIME,
  ...DICTIONARIES,
  ...ENCRYPTION,
  ...HOPS,
  ...JSON_FUNCTIONS,
  ...LISTS,
  ...MATH,
  ...MISC,
  ...NAMESPACED_IDENTIFIERS,
  ...NULLS,
  ...NUMBERS,
  ...PHONENUMBERS,
  ...SETS_FUNCTIONS,
  ...STRINGS,
  ...URIS,
  ...UUIDS,
];

/** The 6 functions documented only in `deprecations.rst`. */
export const DEPRECATED_FUNCTIONS: readonly CatalogEntry[] = DEPRECATED;

/** Every expression function: the documented ones followed by the deprecated ones. */
export const FUNCTIONS: readonly CatalogEntry[] = [...DOCUMENTED_FUNCTIONS, ...DEPRECATED_FUNCTIONS];
