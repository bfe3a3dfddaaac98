import { sql } from 'drizzle-orm';
import { atpInput, type AtpInput, type AtpResult, type WarehouseAtp } from '../../../../schemas/api/stock';
import type { Db } from './db';
import { notFound } from './errors';
import { execPrepared } from './prepared';

interface Position {
  productId: number;
  warehouseId: number;
  code: string;
  today: string;
  available: number;
  unreservedDemand: number;
  /** Scheduled inbound into the warehouse (open moves into stock or transit), by date. */
  inbound: { date: string; qty: number }[];
}

/**
 * Available-to-promise positions of one product at the given warehouses, read
 * from balances and open moves. excludeOrderId leaves an order's own demand out
 * (an order being confirmed must not compete with itself).
 */
async function positions(db: Db, productId: number, warehouseIds: number[], excludeOrderId?: number): Promise<Position[]> {
  return positionsOf(db, [productId], warehouseIds, excludeOrderId);
}

/** Positions of several products at several warehouses in one query (one row per product x warehouse). */
async function positionsOf(db: Db, productIds: number[], warehouseIds: number[], excludeOrderId?: number): Promise<Position[]> {
  if (warehouseIds.length === 0 || productIds.length === 0) return [];
  const ids = sql`${sql.param(warehouseIds.map(Number))}::int[]`;
  const pids = sql`${sql.param([...new Set(productIds)].map(Number))}::int[]`;
  const exclude = excludeOrderId ?? 0;
  // Fixed text (arrays as parameters): a named statement, planned once per connection.
  const rows = await execPrepared<{ product_id: number; warehouse_id: number; code: string; today: string; available: number; demand: number; inbound: { date: string; qty: number }[] | null }>(db, 'opstower_atp_positions', sql`
    SELECT p.id AS product_id, w.id AS warehouse_id, w.code, to_char((business_now() AT TIME ZONE w.time_zone)::date, 'YYYY-MM-DD') AS today,
      coalesce((SELECT b.on_hand - b.reserved FROM stock_balances b
                WHERE b.product_id = p.id AND b.location_id = s.id), 0)::int AS available,
      coalesce((SELECT sum(l.backordered_qty - l.reserved_qty) FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
                WHERE o.warehouse_id = w.id AND o.state = 'confirmed' AND l.product_id = p.id AND o.id <> ${exclude}::bigint), 0)::int AS demand,
      (SELECT json_agg(json_build_object('date', to_char(coalesce(m.scheduled_date, (business_now() AT TIME ZONE w.time_zone)::date), 'YYYY-MM-DD'), 'qty', m.qty)
                       ORDER BY m.scheduled_date NULLS FIRST)
       FROM stock_moves m
       WHERE m.product_id = p.id AND m.state IN ('confirmed', 'reserved')
         AND m.to_location_id IN (s.id, t.id) AND m.from_location_id <> s.id) AS inbound
    FROM unnest(${pids}) AS p(id)
    CROSS JOIN warehouses w
    JOIN locations s ON s.warehouse_id = w.id AND s.kind = 'stock'
    JOIN locations t ON t.warehouse_id = w.id AND t.kind = 'transit'
    WHERE w.id = ANY(${ids})`);
  return rows.map((r) => ({
    productId: Number(r.product_id),
    warehouseId: Number(r.warehouse_id),
    code: r.code,
    today: r.today,
    available: Number(r.available),
    unreservedDemand: Number(r.demand),
    inbound: r.inbound ?? []
  }));
}

/** Earliest date the cumulative position (free now - promised + inbound by date) covers qty. */
export function earliestDate(p: Position, qty: number): string | null {
  let position = p.available - p.unreservedDemand;
  if (position >= qty) return p.today;
  for (const arrival of p.inbound) {
    position += arrival.qty;
    if (position >= qty) return arrival.date < p.today ? p.today : arrival.date;
  }
  return null;
}

function toAtp(p: Position, qty: number): WarehouseAtp {
  return {
    warehouseId: p.warehouseId,
    code: p.code,
    available: p.available,
    unreservedDemand: p.unreservedDemand,
    canShipNow: p.available - p.unreservedDemand >= qty,
    earliestDate: earliestDate(p, qty)
  };
}

/** Promise dates for several lines at one warehouse in one query (quantities of one product are cumulative per call site). */
export async function promiseDates(db: Db, warehouseId: number, items: { productId: number; qty: number }[], excludeOrderId?: number): Promise<(string | null)[]> {
  if (items.length === 0) return [];
  const found = await positionsOf(db, items.map((i) => i.productId), [warehouseId], excludeOrderId);
  if (found.length === 0) throw notFound('warehouse', warehouseId);
  const byProduct = new Map(found.map((p) => [p.productId, p]));
  return items.map((i) => earliestDate(byProduct.get(i.productId)!, i.qty));
}

/** ATP for a product and quantity at a warehouse, and the other warehouses of its region. */
export async function availableToPromise(db: Db, input: AtpInput): Promise<AtpResult> {
  const { productId, qty, warehouseId } = atpInput.parse(input);
  const region = await db.execute<{ id: number }>(sql`
    SELECT o.id FROM warehouses w JOIN warehouses o ON o.region_id = w.region_id WHERE w.id = ${warehouseId} ORDER BY o.id`);
  const ids = region.rows.map((r) => Number(r.id));
  if (!ids.includes(warehouseId)) throw notFound('warehouse', warehouseId);
  const exists = await db.execute(sql`SELECT 1 FROM products WHERE id = ${productId}`);
  if (exists.rows.length === 0) throw notFound('product', productId);
  const all = (await positions(db, productId, ids)).map((p) => toAtp(p, qty));
  const home = all.find((p) => p.warehouseId === warehouseId)!;
  const rank = (p: WarehouseAtp) => (p.canShipNow ? '0' : p.earliestDate ? `1${p.earliestDate}` : '2');
  const network = all.filter((p) => p.warehouseId !== warehouseId).sort((a, b) => rank(a).localeCompare(rank(b)) || b.available - a.available);
  return { productId, qty, home, network };
}
