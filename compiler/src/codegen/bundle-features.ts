/**
 * Optional parts of the runtime a bundle carries only when its project uses them. Four
 * npm packages make up two thirds of a bundle (phone number metadata, ajv, cron-parser with
 * luxon, csv-parse), and node parses every byte of a bundle at each start, which is most of
 * a small incremental run's time. When no pipe needs one, esbuild gets a stub module in its
 * place that fails, naming the feature, if it is ever reached.
 */
import type { Plugin } from 'esbuild';
import type { ManifestPipe } from '@dtl/runtime/engine/manifest';

export interface BundleFeature {
  /** What a user would call it, for the stub's error. */
  readonly name: string;
  /** Whether the project needs it: its pipes, and the DTL functions they call. */
  readonly used: (pipes: readonly ManifestPipe[], functions: ReadonlySet<string>) => boolean;
  /** Module specifier the runtime imports → source of the stub that replaces it. */
  readonly stubs: Readonly<Record<string, string>>;
}

function fail(name: string): string {
  return `throw new Error(${JSON.stringify(`${name}: this bundle was built without it, because no pipe used it when it was built; build the project again with dtl build`)});`;
}

export const BUNDLE_FEATURES: readonly BundleFeature[] = [
  {
    name: 'the phonenumber functions',
    used: (_, functions) => [...functions].some((f) => f.startsWith('phonenumber-')),
    stubs: { 'libphonenumber-js/max': `export function parsePhoneNumberFromString() { ${fail('the phonenumber functions')} }` },
  },
  {
    name: 'the json_schema transform',
    used: (pipes) => pipes.some((p) => p.transforms.some((t) => t.type === 'json_schema')),
    // json-schema.ts constructs `new Ajv.default(...)` (the CommonJS module's default).
    stubs: Object.fromEntries(['ajv', 'ajv/dist/2020.js'].map((m) => [m, `class Missing { constructor() { ${fail('the json_schema transform')} } }\nexport default { default: Missing };`])),
  },
  {
    name: 'cron_expression schedules',
    used: (pipes) => pipes.some((p) => p.pump.cron !== undefined),
    stubs: { 'cron-parser': `export const CronExpressionParser = { parse() { ${fail('cron_expression schedules')} } };` },
  },
  {
    name: 'the csv source',
    used: (pipes) => pipes.some((p) => p.source.type === 'csv'),
    stubs: { 'csv-parse/sync': `export function parse() { ${fail('the csv source')} }` },
  },
];

/** The features a project does not use. */
export function unusedFeatures(pipes: readonly ManifestPipe[], functions: ReadonlySet<string>): BundleFeature[] {
  return BUNDLE_FEATURES.filter((f) => !f.used(pipes, functions));
}

/** An esbuild plugin putting the stubs of `features` in place of the packages they replace. */
export function leaveOut(features: readonly BundleFeature[]): Plugin {
  const stubs = new Map(features.flatMap((f) => Object.entries(f.stubs)));
  return {
    name: 'dtl-leave-out',
    setup(b) {
      if (stubs.size === 0) return;
      const filter = new RegExp(`^(?:${[...stubs.keys()].map((s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
      b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'dtl-left-out' }));
      b.onLoad({ filter: /.*/, namespace: 'dtl-left-out' }, (args) => ({ contents: stubs.get(args.path)!, loader: 'js' }));
    },
  };
}
