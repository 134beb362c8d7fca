/** The text of one compiled pipe module (shared by `dtl build` and in-process evaluation). */

export interface ModuleParts {
  readonly header: string;
  readonly id: string;
  /** Specifier of the runtime library (`rt`). */
  readonly runtimeImport: string;
  readonly declarations: readonly string[];
  readonly rules: readonly string[];
  readonly transforms: readonly string[];
  readonly dependencies: readonly string[];
}

export function renderModule(p: ModuleParts): string {
  return `${p.header}
import * as rt from ${JSON.stringify(p.runtimeImport)};

export const id = ${JSON.stringify(p.id)};

export default function create(env) {
  const { cx, H } = env;
  let OUT = null;
  let R = null;
  let B = null;
  void R; void B; void OUT;
${indent(p.declarations.join('\n'), 2)}

${indent(p.rules.join('\n\n'), 2)}

  return {
    transforms: [${p.transforms.join(', ')}],
    dependencies: [${p.dependencies.join(',\n    ')}],
    setRequestParams(params) { B = params; },
  };
}
`;
}

export function indent(s: string, n: number): string {
  const pad = ' '.repeat(n);
  return s
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}
