/**
 * JSON text exactly as Python's `json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`
 * writes it, plus sesam-py's HTML escaping of `<`, `>` and `&`: the format of sesam-py's
 * expected-output files, so `dtl test --update` writes byte-identical files.
 */

export function pyNumber(n: number): string {
  if (Number.isInteger(n) && !Object.is(n, -0)) {
    // Python keeps ints as ints; JSON.parse gave us a number that was written without a point.
    return String(n);
  }
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const s = String(n);
  const m = /^(-?\d(?:\.\d+)?)e([+-])(\d+)$/.exec(s);
  if (m) return `${m[1]}e${m[2]}${m[3]!.padStart(2, '0')}`;
  return s;
}

/** Python's code-point ordering of keys (JS sorts by UTF-16 units). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function pyString(s: string): string {
  // Python escapes the same control characters JSON.stringify does, but writes \u007f raw
  // and uses lower-case hex; JSON.stringify already matches for everything we need.
  return JSON.stringify(s).replace(/[\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16));
}

export function pyDumps(v: unknown, indent = 2, level = 0): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyString(v);
  const pad = ' '.repeat(indent * (level + 1));
  const end = ' '.repeat(indent * level);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return '[\n' + v.map((x) => pad + pyDumps(x, indent, level + 1)).join(',\n') + '\n' + end + ']';
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).sort(compareCodePoints);
  if (keys.length === 0) return '{}';
  return '{\n' + keys.map((k) => pad + pyString(k) + ': ' + pyDumps(obj[k], indent, level + 1)).join(',\n') + '\n' + end + '}';
}

/** The expected-file text sesam-py's `update` writes. */
export function expectedFileText(entities: unknown[]): string {
  return (
    pyDumps(entities)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026') + '\n'
  );
}

/** Compact sorted-key JSON, used as a sort key (Python's json.dumps(sort_keys=True)). */
export function sortedJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return typeof v === 'number' ? pyNumber(v) : JSON.stringify(v ?? null);
  if (Array.isArray(v)) return '[' + v.map(sortedJson).join(', ') + ']';
  const obj = v as Record<string, unknown>;
  return '{' + Object.keys(obj).sort(compareCodePoints).map((k) => JSON.stringify(k) + ': ' + sortedJson(obj[k])).join(', ') + '}';
}
