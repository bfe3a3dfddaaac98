import { sql } from 'drizzle-orm';
import type { Tx } from './db';
import { tables } from './db';
import { notFound } from './errors';
import { execPrepared } from './prepared';

export type OrderRow = typeof tables.salesOrders.$inferSelect;
export type LineRow = typeof tables.salesOrderLines.$inferSelect;
export type CustomerRow = typeof tables.customers.$inferSelect;

/** An order locked for change, with what its transitions need to know. */
export interface LockedOrder {
  order: OrderRow;
  customer: CustomerRow;
  /** Today in the warehouse's time zone (YYYY-MM-DD). */
  today: string;
  stockLocationId: number;
  customerLocationId: number;
  /** The order's lines (when asked for). */
  lines: LineRow[];
  /** The customer's credit exposure besides this order (when asked for). */
  exposure: { receivablesMinor: number; openOrdersMinor: number } | null;
  /** Set when the lock also confirmed the draft (confirmIfClear): its confirmation time. */
  confirmedAt: Date | null;
  /**
   * Set when the lock also confirmed the draft: the stock balances of its open
   * lines' products with free stock were locked too (FOR UPDATE, product order),
   * as allocate's first step (lockFreeBalances) does; their product ids.
   */
  balancesLocked?: number[];
}

export interface LockWants {
  lines?: boolean;
  exposure?: boolean;
  /**
   * Confirm a draft in the same statement when no approval rule holds it: discount
   * at most maxDiscountBp, customer not on hold, exposure + this order within the
   * credit limit. The rules in words (approvalReasons) stay the reference: when this
   * does not confirm, the caller finds out why.
   */
  confirmIfClear?: { maxDiscountBp: number };
}

const camel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** A row from to_jsonb(): camelCase keys, timestamps as Dates. */
function fromJson<T>(row: Record<string, unknown>, timestamps: string[]): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[camel(k)] = v;
  for (const k of timestamps) out[k] = out[k] === null || out[k] === undefined ? null : new Date(out[k] as string);
  return out as T;
}

const LINES = sql`(SELECT json_agg(l ORDER BY l.line_no) FROM sales_order_lines l WHERE l.order_id = o.id)`;
/**
 * Open invoices of the customer, and its other confirmed order lines still to ship, after discounts.
 * Each walks the customer's orders by index and looks up each order's invoices or lines in a
 * correlated subquery the planner cannot turn into a join: with join freedom, statistics that lag a
 * fast-growing table (invoices, order lines) made it scan them whole on every confirmation, and under
 * 16 concurrent writers that scan grew to most of PostgreSQL's CPU (`npm run bench -- sales-flow`).
 */
const RECEIVABLES = sql`(SELECT coalesce(sum((SELECT sum(i.amount_minor - i.paid_minor) FROM invoices i WHERE i.order_id = so.id AND i.state = 'open')), 0)
    FROM sales_orders so WHERE so.customer_id = o.customer_id)`;
const OPEN_ORDERS = sql`(SELECT coalesce(round(sum((SELECT sum(l.backordered_qty::numeric * l.unit_price_minor) FROM sales_order_lines l WHERE l.order_id = so.id)
                                       * (10000 - so.discount_bp)) / 10000), 0)
    FROM sales_orders so WHERE so.customer_id = o.customer_id AND so.state = 'confirmed' AND so.id <> o.id)`;
const THIS_ORDER = sql`(SELECT coalesce(round(sum(l.backordered_qty::numeric * l.unit_price_minor * (10000 - o.discount_bp)) / 10000), 0)
    FROM sales_order_lines l WHERE l.order_id = o.id)`;

/**
 * Locks an order (FOR UPDATE) and reads its customer, the warehouse's today and
 * its stock and customer locations, on request its lines and the customer's
 * credit exposure, and (confirmIfClear) confirms a draft no rule holds back: one
 * statement, planned once per connection. Every change to an order takes this
 * lock first, then stock balances, then order lines.
 */
export async function lockOrder(tx: Tx, orderId: number, want: LockWants = {}): Promise<LockedOrder> {
  const exposure = want.exposure || want.confirmIfClear;
  const confirm = want.confirmIfClear
    ? sql`, upd AS (
        UPDATE sales_orders so SET state = 'confirmed', confirmed_at = business_now()
        FROM o JOIN customers c ON c.id = o.customer_id, x
        WHERE so.id = o.id AND o.state = 'draft' AND o.discount_bp <= ${want.confirmIfClear.maxDiscountBp}::int AND NOT c.on_hold
          AND x.receivables + x.open_orders + x.this_order <= c.credit_limit_minor
          AND EXISTS (SELECT 1 FROM sales_order_lines l WHERE l.order_id = o.id AND l.backordered_qty > 0)
        RETURNING so.confirmed_at),
      bal AS (
        -- allocate()'s lock, taken here when the draft was confirmed: order first, then balances in product order.
        SELECT b.product_id FROM stock_balances b
        WHERE EXISTS (SELECT 1 FROM upd)
          AND b.location_id = (SELECT s.id FROM locations s JOIN o ON s.warehouse_id = o.warehouse_id WHERE s.kind = 'stock')
          AND b.product_id IN (SELECT l.product_id FROM sales_order_lines l JOIN o ON l.order_id = o.id WHERE l.backordered_qty > 0)
          AND b.on_hand > b.reserved
        ORDER BY b.product_id FOR UPDATE OF b)`
    : sql``;
  const name = `opstower_lock_order4_${want.lines ? 'l' : ''}${exposure ? 'e' : ''}${want.confirmIfClear ? 'c' : ''}`;
  const [row] = await execPrepared<{
    order: Record<string, unknown>;
    customer: Record<string, unknown>;
    today: string;
    stock_location_id: number;
    customer_location_id: number;
    lines: Record<string, unknown>[] | null;
    receivables: string | null;
    open_orders: string | null;
    confirmed_at: string | null;
    balances_locked: number[] | null;
  }>(
    tx,
    name,
    sql`
    WITH o AS (SELECT * FROM sales_orders WHERE id = ${orderId}::bigint FOR UPDATE)
    ${exposure ? sql`, x AS (SELECT ${RECEIVABLES} AS receivables, ${OPEN_ORDERS} AS open_orders, ${THIS_ORDER} AS this_order FROM o)` : sql``}
    ${confirm}
    SELECT to_jsonb(o) AS "order", to_jsonb(c) AS customer,
      to_char((business_now() AT TIME ZONE w.time_zone)::date, 'YYYY-MM-DD') AS today,
      (SELECT id FROM locations WHERE warehouse_id = o.warehouse_id AND kind = 'stock') AS stock_location_id,
      (SELECT id FROM locations WHERE warehouse_id = o.warehouse_id AND kind = 'customer') AS customer_location_id,
      ${want.lines ? LINES : sql`NULL::json`} AS lines,
      ${exposure ? sql`(SELECT receivables FROM x)` : sql`NULL::numeric`} AS receivables,
      ${exposure ? sql`(SELECT open_orders FROM x)` : sql`NULL::numeric`} AS open_orders,
      ${want.confirmIfClear ? sql`(SELECT confirmed_at FROM upd)` : sql`NULL::timestamptz`} AS confirmed_at,
      ${want.confirmIfClear ? sql`(SELECT array_agg(product_id) FROM bal)` : sql`NULL::int[]`} AS balances_locked
    FROM o JOIN customers c ON c.id = o.customer_id JOIN warehouses w ON w.id = o.warehouse_id`
  );
  if (!row) throw notFound('order', orderId);
  const order = fromJson<OrderRow>(row.order, ['approvedAt', 'createdAt', 'confirmedAt', 'cancelledAt']);
  const confirmedAt = row.confirmed_at === null ? null : new Date(row.confirmed_at);
  return {
    order: confirmedAt ? { ...order, state: 'confirmed', confirmedAt } : order,
    customer: fromJson<CustomerRow>(row.customer, ['createdAt']),
    today: row.today,
    stockLocationId: Number(row.stock_location_id),
    customerLocationId: Number(row.customer_location_id),
    lines: (row.lines ?? []).map((l) => fromJson<LineRow>(l, ['backorderedSince'])),
    exposure: exposure ? { receivablesMinor: Number(row.receivables ?? 0), openOrdersMinor: Number(row.open_orders ?? 0) } : null,
    confirmedAt,
    ...(confirmedAt ? { balancesLocked: (row.balances_locked ?? []).map(Number) } : {})
  };
}
