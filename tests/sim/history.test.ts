import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import { createCoreDb, type CoreDb } from '../../app/lib/server/core/db';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { confirmOrder, createOrder } from '../../app/lib/server/core/orders';
import { ship } from '../../app/lib/server/core/shipments';
import { createPool } from '../../platform/pool';
import { writeHistory, type HistorySummary } from '../../sim/history';
import { historyViolations } from '../../sim/history-checks';
import { generateNetwork } from '../../sim/network';
import { writeNetwork, type NetworkIds } from '../../sim/network-writer';
import { freshDatabase } from '../support/databases';

/** A small network at a small rate (80 orders a day), so that 90 days write in a few seconds. */
const SPEC = { seed: 31, products: 60, customers: 30, suppliers: 6, branches: 2, ordersPerDay: 80 };
/** A Wednesday, 11:20 in Chicago: the morning wave is leaving, the DC's dispatch is still to come. */
const END = new Date('2026-03-11T16:20:00Z');
const DAY = 86_400_000;
const OPENED_AT = new Date(END.getTime() - 90 * DAY);

async function one<T>(db: CoreDb, query: ReturnType<typeof sql>): Promise<T> {
  return (await db.execute(query)).rows[0] as T;
}

const schemaOf = (db: CoreDb) =>
  db.execute(sql`
    SELECT 'index' AS what, indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'constraint', conname, pg_get_constraintdef(oid) || CASE WHEN convalidated THEN '' ELSE ' NOT VALID' END FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    ORDER BY 1, 2`);

describe('writeHistory', () => {
  const network = generateNetwork(SPEC);
  let pool: ReturnType<typeof createPool>;
  let db: CoreDb;
  let ids: NetworkIds;
  let summary: HistorySummary;
  const steps: [string, number][] = [];

  beforeAll(async () => {
    pool = createPool(await freshDatabase('hist'), 4);
    db = createCoreDb(pool);
    ids = await writeNetwork(db, network, () => {}, { openedAt: OPENED_AT });
    summary = await writeHistory(db, network, ids, { endAt: END, progress: (label, f) => steps.push([label, f]) });
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('keeps every ledger invariant, and every document agrees with the ledger', async () => {
    expect(await ledgerViolations(db)).toEqual([]);
    expect(await historyViolations(db)).toEqual([]);
    expect(summary.rows.stock_moves).toBeGreaterThan(10_000);
    expect(summary.rows.sales_orders).toBeGreaterThan(80 * 80);
  });

  it('spreads 90 days of orders, weekly seasonality included, between the opening and the end', async () => {
    const r = await one<{ first: Date; last: Date; days: number; moves_first: Date; moves_last: Date; sundays: string; mondays: string }>(
      db,
      sql`SELECT min(created_at) AS first, max(created_at) AS last, count(DISTINCT (created_at AT TIME ZONE 'America/Chicago')::date)::int AS days,
                 (SELECT min(created_at) FROM stock_moves WHERE document_type <> 'opening_balance') AS moves_first,
                 (SELECT max(coalesce(done_at, created_at)) FROM stock_moves) AS moves_last,
                 count(*) FILTER (WHERE extract(dow FROM created_at AT TIME ZONE 'America/Chicago') = 0) AS sundays,
                 count(*) FILTER (WHERE extract(dow FROM created_at AT TIME ZONE 'America/Chicago') = 1) AS mondays
          FROM sales_orders`
    );
    expect(r.days).toBeGreaterThanOrEqual(88);
    expect(new Date(r.first).getTime()).toBeGreaterThan(OPENED_AT.getTime());
    expect(new Date(r.first).getTime()).toBeLessThan(OPENED_AT.getTime() + 2 * DAY);
    expect(new Date(r.last).getTime()).toBeLessThan(END.getTime());
    expect(new Date(r.moves_first).getTime()).toBeGreaterThan(OPENED_AT.getTime());
    expect(new Date(r.moves_last).getTime()).toBeLessThan(END.getTime());
    expect(Number(r.sundays) * 2).toBeLessThan(Number(r.mondays));
  });

  it('has shipped, partly shipped and backordered, invoiced and paid orders, and open ones', async () => {
    const r = await one<Record<string, string>>(
      db,
      sql`SELECT (SELECT count(*) FROM sales_orders WHERE state = 'done') AS done,
                 (SELECT count(*) FROM sales_orders WHERE state = 'confirmed') AS open,
                 (SELECT count(*) FROM sales_order_lines WHERE backordered_since IS NOT NULL AND shipped_qty > 0) AS partly_shipped,
                 (SELECT count(*) FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
                   WHERE o.state = 'confirmed' AND l.backordered_qty > l.reserved_qty) AS waiting,
                 (SELECT count(*) FROM sales_order_lines WHERE cancelled_qty > 0) AS cancelled_lines,
                 (SELECT count(*) FROM sales_orders WHERE state = 'awaiting_approval' OR approved_at IS NOT NULL) AS held,
                 (SELECT count(*) FROM invoices WHERE state = 'paid') AS paid,
                 (SELECT count(*) FROM invoices WHERE state = 'open' AND due_date < ${END.toISOString().slice(0, 10)}::date) AS overdue,
                 (SELECT count(*) FROM invoices i JOIN payments p ON p.invoice_id = i.id WHERE p.paid_at::date > i.due_date) AS paid_late,
                 (SELECT count(*) FROM shipments WHERE state IN ('picking', 'packed')) AS on_the_way_out,
                 (SELECT count(*) FROM customer_returns) AS returns,
                 (SELECT count(*) FROM cycle_counts WHERE state = 'posted') AS counts`
    );
    for (const [what, n] of Object.entries(r)) expect(Number(n), what).toBeGreaterThan(0);
  });

  it('leaves backorders of various ages', async () => {
    const r = await one<{ ages: number; oldest: number }>(
      db,
      sql`SELECT count(DISTINCT floor(extract(epoch FROM ${END.toISOString()}::timestamptz - o.confirmed_at) / 86400))::int AS ages,
                 max(extract(epoch FROM ${END.toISOString()}::timestamptz - o.confirmed_at) / 86400)::float AS oldest
          FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
          WHERE o.state = 'confirmed' AND l.backordered_qty > l.reserved_qty`
    );
    expect(r.ages).toBeGreaterThanOrEqual(3);
    expect(r.oldest).toBeGreaterThan(3);
  });

  it('fills 85-99 % of order lines in full with the first shipment', async () => {
    const r = await one<{ rate: number }>(
      db,
      sql`WITH first AS (SELECT DISTINCT ON (order_id) id, order_id FROM shipments WHERE state = 'shipped' ORDER BY order_id, id)
          SELECT avg(CASE WHEN sl.qty = l.ordered_qty THEN 1.0 ELSE 0.0 END)::float AS rate
          FROM first f JOIN sales_order_lines l ON l.order_id = f.order_id
          LEFT JOIN shipment_lines sl ON sl.shipment_id = f.id AND sl.order_line_id = l.id`
    );
    expect(r.rate).toBeGreaterThan(0.85);
    expect(r.rate).toBeLessThan(0.99);
  });

  it('has received and open purchase orders, on time and late, and transfers received and in transit', async () => {
    const r = await one<Record<string, string>>(
      db,
      sql`SELECT (SELECT count(*) FROM purchase_orders WHERE state = 'received') AS received,
                 (SELECT count(*) FROM purchase_orders WHERE state IN ('sent', 'partially_received')) AS open,
                 (SELECT count(*) FROM receipts WHERE on_time) AS on_time,
                 (SELECT count(*) FROM receipts WHERE NOT on_time) AS late,
                 (SELECT count(*) FROM receipts WHERE NOT in_full) AS short,
                 (SELECT count(*) FROM transfers WHERE state = 'received') AS transfers_received,
                 (SELECT count(*) FROM transfers WHERE state = 'shipped') AS in_transit,
                 (SELECT coalesce(sum(on_hand), 0) FROM stock_balances b JOIN locations l ON l.id = b.location_id WHERE l.kind = 'transit') AS transit_stock`
    );
    for (const [what, n] of Object.entries(r)) expect(Number(n), what).toBeGreaterThan(0);
    expect(Number(r.on_time)).toBeGreaterThan(Number(r.late));
  });

  it('reports progress from 0 to 1, day by day and table by table', () => {
    expect(steps[0]).toEqual(['checking the database', 0]);
    expect(steps.at(-1)).toEqual(['history written', 1]);
    expect(steps.map(([, f]) => f)).toEqual([...steps.map(([, f]) => f)].sort((x, y) => x - y));
    expect(steps.filter(([l]) => l.startsWith('simulating ')).length).toBeGreaterThanOrEqual(90);
    expect(steps.some(([l]) => l === 'writing sales_order_lines')).toBe(true);
    expect(summary.rows.stock_moves).toBeGreaterThan(summary.rows.sales_order_lines!);
    expect(summary.end).toEqual(END);
    expect(summary.start.getTime()).toBeGreaterThan(OPENED_AT.getTime());
  });

  it('leaves indexes, constraints and sequences so that the core services carry on', async () => {
    const pristine = createPool(await freshDatabase('hist'), 1);
    try {
      expect((await schemaOf(db)).rows).toEqual((await schemaOf(createCoreDb(pristine))).rows);
    } finally {
      await pristine.end();
    }
    const max = await one<{ order: string; move: string }>(db, sql`SELECT (SELECT max(id) FROM sales_orders) AS order, (SELECT max(id) FROM stock_moves) AS move`);
    const customerId = ids.customers.get(network.customers.find((c) => !c.onHold)!.code)!;
    const warehouseId = ids.warehouses.get(network.warehouses[0]!.code)!;
    const stocked = await one<{ product_id: number }>(
      db,
      sql`SELECT b.product_id FROM stock_balances b JOIN locations l ON l.id = b.location_id
          WHERE l.warehouse_id = ${warehouseId} AND l.kind = 'stock' AND b.on_hand - b.reserved >= 1 ORDER BY b.product_id LIMIT 1`
    );
    const order = await createOrder(db, SYSTEM_ACTOR, { customerId, warehouseId, lines: [{ productId: Number(stocked.product_id), qty: 1 }] });
    expect(order.id).toBeGreaterThan(Number(max.order));
    const confirmed = await confirmOrder(db, SYSTEM_ACTOR, { orderId: order.id });
    expect(confirmed.lines[0]!.reservedQty).toBe(1);
    await ship(db, SYSTEM_ACTOR, { orderId: order.id });
    const after = await one<{ move: string }>(db, sql`SELECT min(id) AS move FROM stock_moves WHERE document_id = ${order.id} AND document_type = 'sales_order'`);
    expect(Number(after.move)).toBeGreaterThan(Number(max.move));
    expect(await ledgerViolations(db)).toEqual([]);
    expect(await historyViolations(db)).toEqual([]);
  });

  it('refuses a database that already has a history, and leaves it as it was', async () => {
    const before = await one<{ n: string }>(db, sql`SELECT count(*) AS n FROM stock_moves`);
    await expect(writeHistory(db, network, ids, { endAt: END })).rejects.toThrow(/holding only the network/);
    expect(await one<{ n: string }>(db, sql`SELECT count(*) AS n FROM stock_moves`)).toEqual(before);
  });
});
