/**
 * The customers-with-orders transform written by hand (the bar compiled DTL must clear) and in
 * JSONata, both producing the same output as the compiled pipe: name, type, the orders with
 * their items, discount and total, order_count and total, customers at or below 25 filtered out.
 * The hand-written version does exact money arithmetic in integer cents, as a careful
 * programmer would (the output keeps two decimals like the DTL's decimals do).
 */

export interface RawItem {
  ean: string;
  price: number;
  quantity: number;
}
export interface RawOrder {
  _id: string;
  customer_id: string;
  items: RawItem[];
  discount?: number;
}
export interface RawCustomer {
  _id: string;
  first_name: string;
  last_name: string;
  age: number;
}

function cents(x: number): number {
  return Math.round(x * 100);
}

function money(c: number): string {
  const neg = c < 0;
  const a = Math.abs(c);
  const s = String(a).padStart(3, '0');
  return '~f' + (neg ? '-' : '') + s.slice(0, -2) + '.' + s.slice(-2);
}

export function handWritten(c: RawCustomer, index: Map<string, RawOrder[]>): Record<string, unknown> | undefined {
  const found = index.get(c._id) ?? [];
  const orders: Record<string, unknown>[] = [];
  let total = 0;
  for (const o of found) {
    let sum = 0;
    const items = new Array<Record<string, unknown>>(o.items.length);
    for (let i = 0; i < o.items.length; i++) {
      const it = o.items[i]!;
      sum += cents(it.price) * it.quantity;
      items[i] = { ean: it.ean, price: money(cents(it.price)), quantity: it.quantity };
    }
    const d = o.discount === undefined ? 0 : cents(o.discount);
    const t = sum - d;
    total += t;
    const out: Record<string, unknown> = { items };
    if (o.discount !== undefined) out.discount = money(d);
    out.total = money(t);
    orders.push(out);
  }
  if (total <= 2500) return undefined;
  return { _id: c._id, type: 'customer', name: c.first_name + ' ' + c.last_name, orders, order_count: orders.length, total: money(total) };
}

/** The same transform in JSONata; the join index is given as a bound function. */
export const JSONATA_EXPRESSION = `(
  $orders := $ordersOf(_id);
  $os := $orders.{
    "items": items,
    "discount": discount,
    "total": $sum(items.(quantity * price)) - ($exists(discount) ? discount : 0)
  };
  $total := $sum($os.total);
  $total > 25 ? {
    "_id": _id,
    "type": "customer",
    "name": first_name & " " & last_name,
    "orders": $os,
    "order_count": $count($os),
    "total": $total
  } : undefined
)`;
