/**
 * The tutorial workload at scale, from a seeded generator (spec/perf-anchors.md): customers
 * and orders as JSON lines; orders shuffled, 1–4 items each, ~30% with a discount, 20% of
 * customers without orders. Prices have two decimals, as in the seed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ['John', 'Maria', 'Pam', 'Ola', 'Kari', 'Nils', 'Ingrid', 'Per', 'Anne', 'Lars', 'Sofie', 'Emil'];
const LAST = ['Smith', 'Hawkins', 'Curie', 'Nordmann', 'Hansen', 'Berg', 'Larsen', 'Dahl', 'Lie', 'Moen'];

export interface Workload {
  readonly dir: string;
  readonly customers: string;
  readonly orders: string;
  readonly customerCount: number;
  readonly orderCount: number;
}

function money(r: () => number, max: number): string {
  return (Math.floor(r() * max * 100) / 100 + 1).toFixed(2);
}

export function generate(dir: string, customerCount: number, orderCount: number, seed = 42): Workload {
  fs.mkdirSync(dir, { recursive: true });
  const customers = path.join(dir, 'customers.jsonl');
  const orders = path.join(dir, 'orders.jsonl');
  const stamp = path.join(dir, 'workload.json');
  const want = { customerCount, orderCount, seed, version: 1 };
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === JSON.stringify(want) && fs.existsSync(customers) && fs.existsSync(orders)) {
    return { dir, customers, orders, customerCount, orderCount };
  }
  const r = mulberry32(seed);
  let out: string[] = [];
  const fdC = fs.openSync(customers, 'w');
  for (let i = 1; i <= customerCount; i++) {
    out.push(`{"_id": "${i}", "first_name": "${FIRST[Math.floor(r() * FIRST.length)]}", "last_name": "${LAST[Math.floor(r() * LAST.length)]}", "age": ${18 + Math.floor(r() * 70)}}`);
    if (out.length === 10000) {
      fs.writeSync(fdC, out.join('\n') + '\n');
      out = [];
    }
  }
  if (out.length) fs.writeSync(fdC, out.join('\n') + '\n');
  fs.closeSync(fdC);
  // 80% of customers have orders; orders are spread over them, then shuffled.
  const buyers = Math.max(1, Math.floor(customerCount * 0.8));
  const ids: number[] = new Array<number>(orderCount);
  for (let i = 0; i < orderCount; i++) ids[i] = i;
  for (let i = orderCount - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = t;
  }
  out = [];
  const fdO = fs.openSync(orders, 'w');
  for (let k = 0; k < orderCount; k++) {
    const n = ids[k]!;
    const customer = (n % buyers) + 1;
    const items: string[] = [];
    const count = 1 + Math.floor(r() * 4);
    for (let i = 0; i < count; i++) items.push(`{"ean": "978-${String(Math.floor(r() * 1e10)).padStart(10, '0')}", "price": ${money(r, 80)}, "quantity": ${1 + Math.floor(r() * 3)}}`);
    const discount = r() < 0.3 ? `, "discount": ${money(r, 5)}` : '';
    out.push(`{"_id": "${100000 + n}", "customer_id": "${customer}", "items": [${items.join(', ')}]${discount}}`);
    if (out.length === 10000) {
      fs.writeSync(fdO, out.join('\n') + '\n');
      out = [];
    }
  }
  if (out.length) fs.writeSync(fdO, out.join('\n') + '\n');
  fs.closeSync(fdO);
  fs.writeFileSync(stamp, JSON.stringify(want));
  return { dir, customers, orders, customerCount, orderCount };
}
