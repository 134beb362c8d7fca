/**
 * Emitting DTL values as JavaScript: primitives inline, everything else hoisted into a pool of
 * module-level constants (deep-frozen, since compiled code shares them across entities).
 */
import { Bytes, DateTime, DateValue, Float, NI, Typed, URI, UUID, type Dict, type Value } from '@dtl/runtime/values/types';
import { Decimal } from '@dtl/runtime/values/decimal';

export class ConstantPool {
  private readonly byCode = new Map<string, string>();
  readonly declarations: string[] = [];

  /** A JS expression for the value: inline for primitives, a pooled constant otherwise. */
  ref(v: Value): string {
    const inline = primitiveJs(v);
    if (inline !== undefined) return inline;
    const code = valueJs(v);
    let name = this.byCode.get(code);
    if (!name) {
      name = `K${this.byCode.size}`;
      this.byCode.set(code, name);
      this.declarations.push(`const ${name} = rt.freeze(${code});`);
    }
    return name;
  }

  /** Pools arbitrary JS initialiser code (compiled patterns, hops specs). */
  pool(prefix: string, code: string): string {
    const key = prefix + '\u0000' + code;
    let name = this.byCode.get(key);
    if (!name) {
      name = `${prefix}${this.byCode.size}`;
      this.byCode.set(key, name);
      this.declarations.push(`const ${name} = ${code};`);
    }
    return name;
  }
}

function primitiveJs(v: Value): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
      return String(v);
  }
  return undefined;
}

/** Full JS source for any value. */
export function valueJs(v: Value): string {
  const p = primitiveJs(v);
  if (p !== undefined) return p;
  if (Array.isArray(v)) return `[${v.map(valueJs).join(', ')}]`;
  if (v instanceof Typed) {
    // String(-0) is "0": the sign of a float zero is spelled out (Python keeps it: str(-0.0)).
    if (v instanceof Float) return `new rt.Float(${Number.isNaN(v.value) ? 'NaN' : Object.is(v.value, -0) ? '-0' : String(v.value)})`;
    if (v instanceof Decimal) return `rt.Decimal.parse(${JSON.stringify(v.toString())})`;
    if (v instanceof NI) return `new rt.NI(${JSON.stringify(v.text)})`;
    if (v instanceof URI) return `new rt.URI(${JSON.stringify(v.value)})`;
    if (v instanceof UUID) return `new rt.UUID(${JSON.stringify(v.value)})`;
    if (v instanceof Bytes) return `rt.bytesFromBase64(${JSON.stringify(v.base64)})`;
    if (v instanceof DateTime) return `new rt.DateTime(${v.ns}n)`;
    if (v instanceof DateValue) return `new rt.DateValue(${v.year}, ${v.month}, ${v.day})`;
  }
  const d = v as Dict;
  const keys = Object.keys(d);
  if (keys.includes('__proto__')) return `rt.dictFromEntries([${keys.map((k) => `[${JSON.stringify(k)}, ${valueJs(d[k]!)}]`).join(', ')}])`;
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${valueJs(d[k]!)}`).join(', ')}}`;
}
