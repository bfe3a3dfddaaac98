import type pg from 'pg';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import type { KpiBench } from './support';

/**
 * The sales fixture the sales KPI tests compute their expected numbers from.
 * Master data through the catalog service; orders, lines, shipments and invoices
 * by SQL with explicit times. Days below are UTC unless marked local.
 *
 * Regions N and S. Warehouse BER (Europe/Berlin, N), LON (UTC, S).
 * Products P1 tools 1000, P2 paint 2000, P3 tools 1000. Customers C1 (N), C2 (S).
 *
 * O1 BER C1 created 03-01 10:00, promised 03-04, done
 *    L1 P1 10, shipped 10 (S1 03-02 08:00)
 *    L2 P2 5, shipped 3 (S1) + 2 (S2 03-05 09:00), backordered since 03-02 08:00 (now complete)
 * O2 BER C2 created 03-01 23:30 (03-02 00:30 local), discount 10 %, confirmed
 *    L1 P1 4, fully cancelled
 *    L2 P3 8 @1000, line promised 03-03, shipped 6 (S3 03-02 12:00, never invoiced), backordered 2 since 03-02 12:00
 * O3 LON C2 created 03-02 15:00, promised 03-02, confirmed
 *    L1 P2 3, nothing shipped, backordered 3 (never shipped: no backordered_since); 1 on a picking shipment S7
 * O4 LON C1 created 03-02 20:00, cancelled: L1 P1 2 cancelled 2
 * O5 BER C1 created 02-28 23:30 (before the window), L1 P1 6 shipped 6 (S6 03-01 10:00)
 * O6 BER C1 created 03-01 12:00, draft (never confirmed), L1 P1 1
 * O7 LON C1 created 03-01 06:00, promised 03-01, done
 *    L1 P2 2 shipped 2; L2 P1 5, cancelled 1, shipped 4 (both S4 03-01 18:00)
 * O8 BER C1 created 03-02 06:00, promised 03-02, L1 P3 1 shipped 1 (S5 03-02 23:30 = 03-03 00:30 local: late)
 * Invoices: S1 +1 h, S2 +2 h, S4 +30 min, S5 +24 h, S6 +3 h; S3 none.
 *
 * Backorders (created outside the sales window):
 * B1 BER C1 created 02-01: L1 P1 10 @1000 shipped 7, backordered 3 since 03-08 12:00:01;
 *    L2 P2 4 @2000 shipped 1, backordered 3 since 03-03 11:00
 * B2 LON C2 created 01-01, discount 25 %: L1 P3 5 @333 shipped 1, backordered 4 since 01-15 00:00;
 *    L2 P1 3 @1001 shipped 2, backordered 1 since 02-20 12:00
 * B3 BER C1 cancelled order still showing backordered 2 since 03-01 (left out: cancelled)
 * B4 BER C1 created 03-09: L1 P2 2 @2000 shipped 1, backordered 1 since 03-11 00:00
 */

export interface SalesFixture {
  regions: { N: number; S: number };
  wh: { BER: number; LON: number };
  products: { P1: number; P2: number; P3: number };
  customers: { C1: number; C2: number };
  orders: Record<string, number>;
  lines: Record<string, number>;
}

interface LineSpec {
  key: string;
  product: number;
  ordered: number;
  price?: number;
  shipped?: number;
  cancelled?: number;
  reserved?: number;
  promised?: string;
  since?: string;
}

interface OrderSpec {
  key: string;
  warehouse: number;
  customer: number;
  state: 'draft' | 'confirmed' | 'done' | 'cancelled';
  created: string;
  promised?: string;
  discountBp?: number;
  lines: LineSpec[];
}

const T = (s: string) => `2025-${s}Z`;

async function insertOrder(pool: pg.Pool, o: OrderSpec, lines: Record<string, number>): Promise<number> {
  const confirmed = o.state === 'draft' ? null : o.created.replace(/:00Z$/, ':05Z');
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO sales_orders (customer_id, warehouse_id, state, discount_bp, promised_date, created_at, confirmed_at, cancelled_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [o.customer, o.warehouse, o.state, o.discountBp ?? 0, o.promised ?? null, o.created, confirmed, o.state === 'cancelled' ? o.created : null]
  );
  const orderId = Number(rows[0]!.id);
  for (const [i, l] of o.lines.entries()) {
    const shipped = l.shipped ?? 0;
    const cancelled = l.cancelled ?? 0;
    const r = await pool.query<{ id: string }>(
      `INSERT INTO sales_order_lines (order_id, line_no, product_id, ordered_qty, unit_price_minor, reserved_qty, shipped_qty,
                                      backordered_qty, cancelled_qty, promised_date, backordered_since)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [orderId, i + 1, l.product, l.ordered, l.price ?? 1000, l.reserved ?? 0, shipped, l.ordered - shipped - cancelled, cancelled, l.promised ?? null, l.since ?? null]
    );
    lines[l.key] = Number(r.rows[0]!.id);
  }
  return orderId;
}

async function insertShipment(
  pool: pg.Pool,
  orderId: number,
  state: 'picking' | 'shipped',
  at: string,
  items: [lineId: number, qty: number][],
  invoicedAt?: string
): Promise<void> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO shipments (order_id, state, picked_at, packed_at, shipped_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [orderId, state, at, state === 'shipped' ? at : null, state === 'shipped' ? at : null]
  );
  const shipmentId = Number(rows[0]!.id);
  for (const [lineId, qty] of items) {
    await pool.query('INSERT INTO shipment_lines (shipment_id, order_line_id, qty) VALUES ($1, $2, $3)', [shipmentId, lineId, qty]);
  }
  if (invoicedAt) {
    await pool.query(`INSERT INTO invoices (order_id, shipment_id, amount_minor, issued_at, due_date) VALUES ($1, $2, 1000, $3, '2025-04-30')`, [
      orderId,
      shipmentId,
      invoicedAt
    ]);
  }
}

export async function salesFixture(bench: KpiBench): Promise<SalesFixture> {
  const a = SYSTEM_ACTOR;
  const db = bench.db;
  const N = (await catalog.createRegion(db, a, { code: 'N', name: 'North' })).id;
  const S = (await catalog.createRegion(db, a, { code: 'S', name: 'South' })).id;
  const BER = (await catalog.createWarehouse(db, a, { code: 'BER', name: 'Berlin DC', kind: 'central_dc', regionId: N, timeZone: 'Europe/Berlin' })).id;
  const LON = (await catalog.createWarehouse(db, a, { code: 'LON', name: 'London branch', kind: 'branch', regionId: S, timeZone: 'UTC' })).id;
  const product = async (sku: string, category: string, priceMinor: number) =>
    (await catalog.createProduct(db, a, { sku, name: sku, costMinor: 500, priceMinor, category, abcClass: 'A' })).id;
  const P1 = await product('P1', 'tools', 1000);
  const P2 = await product('P2', 'paint', 2000);
  const P3 = await product('P3', 'tools', 1000);
  const C1 = (await catalog.createCustomer(db, a, { code: 'C1', name: 'Customer One', regionId: N, creditLimitMinor: 10_000_000 })).id;
  const C2 = (await catalog.createCustomer(db, a, { code: 'C2', name: 'Customer Two', regionId: S, creditLimitMinor: 10_000_000 })).id;

  const lines: Record<string, number> = {};
  const orders: Record<string, number> = {};
  const specs: OrderSpec[] = [
    { key: 'O1', warehouse: BER, customer: C1, state: 'done', created: T('03-01T10:00:00'), promised: '2025-03-04', lines: [
      { key: 'O1L1', product: P1, ordered: 10, shipped: 10 },
      { key: 'O1L2', product: P2, ordered: 5, price: 2000, shipped: 5, since: T('03-02T08:00:00') }
    ] },
    { key: 'O2', warehouse: BER, customer: C2, state: 'confirmed', created: T('03-01T23:30:00'), discountBp: 1000, lines: [
      { key: 'O2L1', product: P1, ordered: 4, cancelled: 4 },
      { key: 'O2L2', product: P3, ordered: 8, shipped: 6, promised: '2025-03-03', since: T('03-02T12:00:00') }
    ] },
    { key: 'O3', warehouse: LON, customer: C2, state: 'confirmed', created: T('03-02T15:00:00'), promised: '2025-03-02', lines: [
      { key: 'O3L1', product: P2, ordered: 3, price: 2000, reserved: 1 }
    ] },
    { key: 'O4', warehouse: LON, customer: C1, state: 'cancelled', created: T('03-02T20:00:00'), lines: [
      { key: 'O4L1', product: P1, ordered: 2, cancelled: 2 }
    ] },
    { key: 'O5', warehouse: BER, customer: C1, state: 'done', created: T('02-28T23:30:00'), promised: '2025-03-01', lines: [
      { key: 'O5L1', product: P1, ordered: 6, shipped: 6 }
    ] },
    { key: 'O6', warehouse: BER, customer: C1, state: 'draft', created: T('03-01T12:00:00'), lines: [{ key: 'O6L1', product: P1, ordered: 1 }] },
    { key: 'O7', warehouse: LON, customer: C1, state: 'done', created: T('03-01T06:00:00'), promised: '2025-03-01', lines: [
      { key: 'O7L1', product: P2, ordered: 2, price: 2000, shipped: 2 },
      { key: 'O7L2', product: P1, ordered: 5, cancelled: 1, shipped: 4 }
    ] },
    { key: 'O8', warehouse: BER, customer: C1, state: 'done', created: T('03-02T06:00:00'), promised: '2025-03-02', lines: [
      { key: 'O8L1', product: P3, ordered: 1, shipped: 1 }
    ] },
    { key: 'B1', warehouse: BER, customer: C1, state: 'confirmed', created: T('02-01T09:00:00'), lines: [
      { key: 'B1L1', product: P1, ordered: 10, shipped: 7, since: T('03-08T12:00:01') },
      { key: 'B1L2', product: P2, ordered: 4, price: 2000, shipped: 1, since: T('03-03T11:00:00') }
    ] },
    { key: 'B2', warehouse: LON, customer: C2, state: 'confirmed', created: T('01-01T09:00:00'), discountBp: 2500, lines: [
      { key: 'B2L1', product: P3, ordered: 5, price: 333, shipped: 1, since: T('01-15T00:00:00') },
      { key: 'B2L2', product: P1, ordered: 3, price: 1001, shipped: 2, since: T('02-20T12:00:00') }
    ] },
    { key: 'B3', warehouse: BER, customer: C1, state: 'cancelled', created: T('02-15T09:00:00'), lines: [
      { key: 'B3L1', product: P1, ordered: 2, since: T('03-01T00:00:00') }
    ] },
    { key: 'B4', warehouse: BER, customer: C1, state: 'confirmed', created: T('03-09T09:00:00'), lines: [
      { key: 'B4L1', product: P2, ordered: 2, price: 2000, shipped: 1, since: T('03-11T00:00:00') }
    ] }
  ];
  for (const o of specs) orders[o.key] = await insertOrder(bench.pool, o, lines);

  const L = (k: string) => lines[k]!;
  await insertShipment(bench.pool, orders.O1!, 'shipped', T('03-02T08:00:00'), [[L('O1L1'), 10], [L('O1L2'), 3]], T('03-02T09:00:00'));
  await insertShipment(bench.pool, orders.O1!, 'shipped', T('03-05T09:00:00'), [[L('O1L2'), 2]], T('03-05T11:00:00'));
  await insertShipment(bench.pool, orders.O2!, 'shipped', T('03-02T12:00:00'), [[L('O2L2'), 6]]);
  await insertShipment(bench.pool, orders.O7!, 'shipped', T('03-01T18:00:00'), [[L('O7L1'), 2], [L('O7L2'), 4]], T('03-01T18:30:00'));
  await insertShipment(bench.pool, orders.O8!, 'shipped', T('03-02T23:30:00'), [[L('O8L1'), 1]], T('03-03T23:30:00'));
  await insertShipment(bench.pool, orders.O5!, 'shipped', T('03-01T10:00:00'), [[L('O5L1'), 6]], T('03-01T13:00:00'));
  await insertShipment(bench.pool, orders.O3!, 'picking', T('03-02T16:00:00'), [[L('O3L1'), 1]]);
  await bench.landed();
  return { regions: { N, S }, wh: { BER, LON }, products: { P1, P2, P3 }, customers: { C1, C2 }, orders, lines };
}

/** The sales window most tests read: [2025-03-01, 2025-03-03) UTC. */
export const WINDOW = { from: '2025-03-01T00:00:00Z', to: '2025-03-03T00:00:00Z' };
/** A window with no orders at all. */
export const EMPTY_WINDOW = { from: '2025-04-01T00:00:00Z', to: '2025-04-02T00:00:00Z' };
