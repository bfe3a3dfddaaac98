import pg from 'pg';
import { DAY_MS, HOUR_MS, localTime, MINUTE_MS } from '../../sim/clock';
import type { Network, WarehouseDef } from '../../sim/network-types';
import { scheduledInHour, SCHEDULES } from '../../sim/operations-calendar';
import type { Warehouse, World } from './scenario-world';

/**
 * What the scenario test looks at, and when. The late-document detectors judge
 * by date: a document expected on day d is late from 00:00 UTC of day d + 1 + grace.
 * That instant is a checkpoint (documents are dated on the simulated timeline).
 */

/**
 * Where the history ends and the run starts: the next Monday in the time zone
 * given, at least a day after `from`, so that the run's working days do not
 * depend on the day the test runs.
 */
export function nextMondayAfter(from: number, timeZone: string): number {
  let at = from + DAY_MS;
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

/**
 * What the scenario test reads of a warehouse's shipping, as landed in ClickHouse: shipments shipped,
 * confirmed orders holding reserved stock (ready to pick), and when the oldest of those became ready
 * (documents' time, ms; as shipping_stalled counts it: the later of its confirmation and its reserved
 * line's last landed change).
 */
export interface ShippingState {
  shipped: number;
  ready: number;
  readySince: number | null;
}

const ms = (v: string | null) => (v === null ? null : Date.parse(`${v.replace(' ', 'T')}Z`));

export async function shippingState(wh: Warehouse, warehouseId: number): Promise<ShippingState> {
  const [shipped] = await wh.rows<{ n: string }>(
    `SELECT count() AS n FROM shipments AS s FINAL INNER JOIN (SELECT id, warehouse_id FROM sales_orders FINAL WHERE _deleted = 0) AS o ON o.id = s.order_id
     WHERE s._deleted = 0 AND s.state = 'shipped' AND o.warehouse_id = {w:Int64}`,
    { w: warehouseId }
  );
  const [ready] = await wh.rows<{ n: string; since: string | null }>(
    `SELECT uniqExact(o.id) AS n, if(count() = 0, NULL, toString(min(greatest(assumeNotNull(o.confirmed_at), l._commit_time)))) AS since
     FROM sales_orders AS o FINAL INNER JOIN (SELECT order_id, reserved_qty, _commit_time FROM sales_order_lines FINAL WHERE _deleted = 0) AS l ON l.order_id = o.id
     WHERE o._deleted = 0 AND o.state = 'confirmed' AND l.reserved_qty > 0 AND o.warehouse_id = {w:Int64}`,
    { w: warehouseId }
  );
  return { shipped: Number(shipped!.n), ready: Number(ready!.n), readySince: ms(ready!.since) };
}

/** The category with the smallest share of order lines: a spike there stands out most. */
export function quietestCategory(network: Network): string {
  const share = new Map<string, number>();
  for (const p of network.products) share.set(p.category, (share.get(p.category) ?? 0) + p.lineShare);
  return [...share].sort((a, b) => a[1] - b[1])[0]![0];
}
