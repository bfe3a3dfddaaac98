import type pg from 'pg';
import { DAY_MS, HOUR_MS, localTime, MINUTE_MS } from '../../sim/clock';
import type { Network, WarehouseDef } from '../../sim/network-types';
import { scheduledInHour, SCHEDULES } from '../../sim/operations-calendar';
import type { Warehouse } from './scenario-world';

/**
 * What the scenario test looks at, and when. The late-document detectors judge
 * by date: a document expected on day d is late from 00:00 UTC of day d + 1 + grace.
 * That instant (in the documents' time) is a checkpoint; the simulated instant is
 * it plus the world's offset.
 */

/**
 * Where the run starts: whole days after the history's end (the simulated hour of
 * the day is then the documents' hour, so that a delivery on time in simulated
 * time is on time by its dates too), on the next Monday in the time zone given, so
 * that the run's working days do not depend on the day the test runs.
 */
export function nextMondayAfter(historyEnd: number, timeZone: string): number {
  let at = historyEnd + DAY_MS;
  while (localTime(at, timeZone).weekday !== 1) at += DAY_MS;
  return at;
}

/** The first instant when a document expected on `isoDate` is late (documents' time), plus a few minutes. */
export const lateFrom = (isoDate: string, graceDays: number) => Date.parse(`${isoDate}T00:00:00Z`) + (graceDays + 1) * DAY_MS + 5 * MINUTE_MS;

/** The first `count` ship waves of a warehouse at or after `from` (simulated). */
export function nextWaves(w: WarehouseDef, from: number, count: number): number[] {
  const out: number[] = [];
  for (let h = Math.floor(from / HOUR_MS); out.length < count; h++) {
    out.push(...scheduledInHour(h * HOUR_MS, w.timeZone, SCHEDULES['ship-wave']!).filter((at) => at >= from));
  }
  return out.slice(0, count);
}

/** A PO or transfer open when the run starts, with the instant (documents' time) it turns late. */
export interface OpenDocument {
  subject: string;
  /** Supplier code (POs) or lane, `FROM→TO` (transfers). */
  owner: string;
  state: string;
  lateAt: number;
}

/** The POs and transfers open in a world's database (before its run: the same in every world). */
export async function openDocuments(pool: pg.Pool, grace: { supplier: number; transfer: number }): Promise<{ pos: OpenDocument[]; transfers: OpenDocument[] }> {
  const pos = await pool.query<{ id: string; supplier: string; state: string; expected: string }>(
    `SELECT po.id, s.code AS supplier, po.state, po.expected_date::text AS expected FROM purchase_orders po JOIN suppliers s ON s.id = po.supplier_id
     WHERE po.state IN ('sent', 'partially_received') ORDER BY po.id`
  );
  const transfers = await pool.query<{ id: string; lane: string; state: string; expected: string }>(
    `SELECT t.id, f.code || '→' || d.code AS lane, t.state, t.expected_arrival::text AS expected FROM transfers t
     JOIN warehouses f ON f.id = t.from_warehouse_id JOIN warehouses d ON d.id = t.to_warehouse_id
     WHERE t.state IN ('requested', 'approved', 'shipped') ORDER BY t.id`
  );
  return {
    pos: pos.rows.map((r) => ({ subject: `purchase_order:${r.id}`, owner: r.supplier, state: r.state, lateAt: lateFrom(r.expected, grace.supplier) })),
    transfers: transfers.rows.map((r) => ({ subject: `transfer:${r.id}`, owner: r.lane, state: r.state, lateAt: lateFrom(r.expected, grace.transfer) }))
  };
}

/** Shipments a warehouse has shipped, and its confirmed orders holding reserved stock (ready to pick), as landed in ClickHouse. */
export async function shippingState(wh: Warehouse, warehouseId: number): Promise<{ shipped: number; ready: number }> {
  const [shipped] = await wh.rows<{ n: string }>(
    `SELECT count() AS n FROM shipments AS s FINAL INNER JOIN (SELECT id, warehouse_id FROM sales_orders FINAL WHERE _deleted = 0) AS o ON o.id = s.order_id
     WHERE s._deleted = 0 AND s.state = 'shipped' AND o.warehouse_id = {w:Int64}`,
    { w: warehouseId }
  );
  const [ready] = await wh.rows<{ n: string }>(
    `SELECT uniqExact(o.id) AS n FROM sales_orders AS o FINAL INNER JOIN (SELECT order_id, reserved_qty FROM sales_order_lines FINAL WHERE _deleted = 0) AS l ON l.order_id = o.id
     WHERE o._deleted = 0 AND o.state = 'confirmed' AND l.reserved_qty > 0 AND o.warehouse_id = {w:Int64}`,
    { w: warehouseId }
  );
  return { shipped: Number(shipped!.n), ready: Number(ready!.n) };
}

/** The category with the smallest share of order lines: a spike there stands out most. */
export function quietestCategory(network: Network): string {
  const share = new Map<string, number>();
  for (const p of network.products) share.set(p.category, (share.get(p.category) ?? 0) + p.lineShare);
  return [...share].sort((a, b) => a[1] - b[1])[0]![0];
}
