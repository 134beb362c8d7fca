/** `dtl eval EXPR`: evaluate one DTL expression (or a rules object) against a source entity. */
import { parseArgs } from 'node:util';
import { writePretty } from '@dtl/runtime/values/json';
import type { Value } from '@dtl/runtime/values/types';
import { evaluateDtl } from '../eval/evaluate.js';
import { type CliIO, UsageError } from './io.js';

export const EVAL_HELP = `Usage: dtl eval EXPR [--source ENTITY] [--rules]

Evaluates one DTL expression, given as JSON, against a source entity (transit-encoded JSON,
default {"_id": "1"}) and prints the result. With --rules, EXPR is a whole rules object and
the emitted entities are printed.

  dtl eval '["concat", "_S.first", " ", "_S.last"]' --source '{"_id": "1", "first": "Ann", "last": "Lee"}'
  dtl eval '["sum", ["list", "~f73.50", "~f10.40"]]'`;

export async function runEval(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { source: { type: 'string' }, rules: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    io.out(EVAL_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('dtl eval takes one EXPR (JSON)');
  const text = positionals[0]!;
  const r = await evaluateDtl(values.rules ? { rules: text, source: values.source } : { expr: text, source: values.source });
  if (!r.ok) {
    for (const d of r.diagnostics) io.err(`${d.severity}: ${d.message} [${d.code}]`);
    if (r.error) io.err(`dtl eval: ${r.error}`);
    return 1;
  }
  io.out(writePretty((values.rules ? r.emitted : r.value) as Value, 2));
  return 0;
}
