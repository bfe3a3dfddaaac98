import type pg from 'pg';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { postDoneMoves } from '../../app/lib/server/core/ledger';
import { warehouseLocations } from '../../app/lib/server/core/locations';
import { transact } from '../../app/lib/server/core/transaction';
import type { KpiBench } from './support';

/**
 * A small network for the detector tests: warehouses A and B in one region, six
 * products, a customer, a supplier. Documents are written by SQL with times
 * relative to now, as the detectors judge them against the clock.
 */
export async function detectorNetwork(bench: KpiBench) {
  const { db } = bench;
  const a = SYSTEM_ACTOR;
  const region = await catalog.createRegion(db, a, { code: 'N', name: 'North' });
  const whA = await catalog.createWarehouse(db, a, { code: 'DC', name: 'Central DC', kind: 'central_dc', regionId: region.id });
  const whB = await catalog.createWarehouse(db, a, { code: 'BR', name: 'Branch', kind: 'branch', regionId: region.id });
  await catalog.upsertTransferLane(db, a, { fromWarehouseId: whA.id, toWarehouseId: whB.id, leadTimeDays: 2 });
  const products = [];
  for (let i = 1; i <= 6; i++) {
    products.push(await catalog.createProduct(db, a, { sku: `SKU-${i}`, name: `Product ${i}`, costMinor: 500, priceMinor: 1000, category: 'tools', abcClass: 'A' }));
  }
  const customer = await catalog.createCustomer(db, a, { code: 'C1', name: 'Hardware Co', regionId: region.id, creditLimitMinor: 100_000_000 });
  const supplier = await catalog.createSupplier(db, a, { code: 'SUP', name: 'Acme Supply' });
  const locA = await warehouseLocations(db, whA.id);
  return { region, whA, whB, products, customer, supplier, locA, pool: bench.pool, db };
}

export type DetectorNetwork = Awaited<ReturnType<typeof detectorNetwork>>;

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const isoDate = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

/** A confirmed order of one line placed `agoMs` ago; returns the order and line ids. */
export async function placeOrder(
  pool: pg.Pool,
  n: DetectorNetwork,
  o: { productId: number; qty: number; agoMs: number; warehouseId?: number; shipped?: number; backorderedSinceAgoMs?: number }
): Promise<{ orderId: number; lineId: number }> {
  const created = ago(o.agoMs);
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO sales_orders (customer_id, warehouse_id, state, created_at, confirmed_at, promised_date) VALUES ($1, $2, 'confirmed', $3, $3, $4) RETURNING id`,
    [n.customer.id, o.warehouseId ?? n.whA.id, created, created.slice(0, 10)]
  );
  const orderId = Number(rows[0]!.id);
  const shipped = o.shipped ?? 0;
  const line = await pool.query<{ id: string }>(
    `INSERT INTO sales_order_lines (order_id, line_no, product_id, ordered_qty, unit_price_minor, shipped_qty, backordered_qty, backordered_since)
     VALUES ($1, 1, $2, $3, 1000, $4, $5, $6) RETURNING id`,
    [orderId, o.productId, o.qty, shipped, o.qty - shipped, o.backorderedSinceAgoMs === undefined ? null : ago(o.backorderedSinceAgoMs)]
  );
  return { orderId, lineId: Number(line.rows[0]!.id) };
}

/** A transfer A -> B in the given state, expected `expectedInDays` from today (negative: in the past). */
export async function placeTransfer(pool: pg.Pool, n: DetectorNetwork, state: 'approved' | 'shipped', expectedInDays: number): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO transfers (from_warehouse_id, to_warehouse_id, state, expected_arrival, requested_at, approved_at, shipped_at)
     VALUES ($1, $2, $3::transfer_state, $4, now() - interval '5 days', now() - interval '5 days', CASE WHEN $3::transfer_state = 'shipped' THEN now() - interval '4 days' END) RETURNING id`,
    [n.whA.id, n.whB.id, state, isoDate(expectedInDays)]
  );
  const id = Number(rows[0]!.id);
  await pool.query(`INSERT INTO transfer_lines (transfer_id, product_id, qty, shipped_qty) VALUES ($1, $2, 30, $3)`, [id, n.products[0]!.id, state === 'shipped' ? 30 : 0]);
  return id;
}

/** A sent purchase order of 100 units, expected `expectedInDays` from today. */
export async function placePurchaseOrder(pool: pg.Pool, n: DetectorNetwork, expectedInDays: number): Promise<number> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO purchase_orders (supplier_id, warehouse_id, state, expected_date, sent_at) VALUES ($1, $2, 'sent', $3, now() - interval '10 days') RETURNING id`,
    [n.supplier.id, n.whA.id, isoDate(expectedInDays)]
  );
  const id = Number(rows[0]!.id);
  await pool.query(`INSERT INTO purchase_order_lines (purchase_order_id, product_id, ordered_qty, unit_cost_minor) VALUES ($1, $2, 100, 500)`, [id, n.products[0]!.id]);
  return id;
}

/** Stock on hand through the ledger (opening balance moves). */
export async function stockUp(n: DetectorNetwork, productId: number, qty: number): Promise<void> {
  await transact(n.db, SYSTEM_ACTOR, 'test.stockUp', (tx) =>
    postDoneMoves(tx, SYSTEM_ACTOR, [{ productId, qty, fromLocationId: n.locA.adjustment, toLocationId: n.locA.stock, documentType: 'opening_balance', documentId: 0 }])
  );
}

/** Units shipped to the customer from A's stock through the ledger (demand, as the stock-at-risk KPI counts it). */
export async function shipToCustomer(n: DetectorNetwork, productId: number, qty: number): Promise<void> {
  await transact(n.db, SYSTEM_ACTOR, 'test.ship', (tx) =>
    postDoneMoves(tx, SYSTEM_ACTOR, [{ productId, qty, fromLocationId: n.locA.stock, toLocationId: n.locA.customer, documentType: 'sales_order', documentId: 0 }])
  );
}
