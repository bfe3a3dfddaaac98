import { sql } from 'drizzle-orm';
import type { Db } from './db';

/**
 * Stock per warehouse and product, derived from balances and open moves:
 * - available = on hand - reserved in the sellable (stock) location
 * - in transit = on hand in the warehouse's transit location (inbound transfers shipped)
 * - incoming = in transit + open moves into the warehouse from outside it (POs sent, transfers approved)
 * - outgoing = open moves out of the stock location to outside the warehouse (orders, transfers)
 * - forecast = on hand + incoming - outgoing
 */
export interface StockLevel {
  warehouseId: number;
  productId: number;
  onHand: number;
  reserved: number;
  available: number;
  qualityHold: number;
  damaged: number;
  inTransit: number;
  incoming: number;
  outgoing: number;
  forecast: number;
}

export interface StockFilter {
  warehouseId?: number;
  productIds?: number[];
  /** Count only open moves scheduled on or before this date (YYYY-MM-DD); unscheduled ones always count. */
  horizon?: string;
}

const INTERNAL = sql`('stock', 'quality_hold', 'damaged', 'transit')`;

export async function stockLevels(db: Db, filter: StockFilter = {}): Promise<StockLevel[]> {
  const wh = filter.warehouseId === undefined ? sql`TRUE` : sql`w.id = ${filter.warehouseId}`;
  const products = filter.productIds?.length ? sql`= ANY(${sql.raw(`ARRAY[${filter.productIds.map(Number).join(',')}]::int[]`)})` : undefined;
  const productOf = (col: string) => (products ? sql`${sql.raw(col)} ${products}` : sql`TRUE`);
  const due = filter.horizon ? sql`(m.scheduled_date IS NULL OR m.scheduled_date <= ${filter.horizon}::date)` : sql`TRUE`;
  const result = await db.execute<Record<string, number>>(sql`
    WITH wl AS (
      SELECT w.id AS warehouse_id, l.id AS location_id, l.kind
      FROM warehouses w JOIN locations l ON l.warehouse_id = w.id WHERE ${wh}),
    bal AS (
      SELECT wl.warehouse_id, b.product_id,
             sum(b.on_hand) FILTER (WHERE wl.kind = 'stock') AS on_hand,
             sum(b.reserved) FILTER (WHERE wl.kind = 'stock') AS reserved,
             sum(b.on_hand) FILTER (WHERE wl.kind = 'quality_hold') AS quality_hold,
             sum(b.on_hand) FILTER (WHERE wl.kind = 'damaged') AS damaged,
             sum(b.on_hand) FILTER (WHERE wl.kind = 'transit') AS in_transit
      FROM stock_balances b JOIN wl ON wl.location_id = b.location_id
      WHERE wl.kind IN ${INTERNAL} AND ${productOf('b.product_id')}
      GROUP BY 1, 2),
    inc AS (
      SELECT dst.warehouse_id, m.product_id, sum(m.qty) AS qty
      FROM stock_moves m
      JOIN wl dst ON dst.location_id = m.to_location_id AND dst.kind IN ('stock', 'transit')
      JOIN locations src ON src.id = m.from_location_id
      WHERE m.state IN ('confirmed', 'reserved') AND ${due} AND ${productOf('m.product_id')}
        AND (src.warehouse_id <> dst.warehouse_id OR src.kind NOT IN ${INTERNAL})
      GROUP BY 1, 2),
    outg AS (
      SELECT src.warehouse_id, m.product_id, sum(m.qty) AS qty
      FROM stock_moves m
      JOIN wl src ON src.location_id = m.from_location_id AND src.kind = 'stock'
      JOIN locations dst ON dst.id = m.to_location_id
      WHERE m.state IN ('confirmed', 'reserved') AND ${due} AND ${productOf('m.product_id')}
        AND (dst.warehouse_id <> src.warehouse_id OR dst.kind NOT IN ${INTERNAL})
      GROUP BY 1, 2),
    keys AS (SELECT warehouse_id, product_id FROM bal UNION SELECT warehouse_id, product_id FROM inc UNION SELECT warehouse_id, product_id FROM outg)
    SELECT k.warehouse_id AS "warehouseId", k.product_id AS "productId",
           coalesce(bal.on_hand, 0)::int AS "onHand", coalesce(bal.reserved, 0)::int AS reserved,
           (coalesce(bal.on_hand, 0) - coalesce(bal.reserved, 0))::int AS available,
           coalesce(bal.quality_hold, 0)::int AS "qualityHold", coalesce(bal.damaged, 0)::int AS damaged,
           coalesce(bal.in_transit, 0)::int AS "inTransit",
           (coalesce(bal.in_transit, 0) + coalesce(inc.qty, 0))::int AS incoming,
           coalesce(outg.qty, 0)::int AS outgoing,
           (coalesce(bal.on_hand, 0) + coalesce(bal.in_transit, 0) + coalesce(inc.qty, 0) - coalesce(outg.qty, 0))::int AS forecast
    FROM keys k
    LEFT JOIN bal ON bal.warehouse_id = k.warehouse_id AND bal.product_id = k.product_id
    LEFT JOIN inc ON inc.warehouse_id = k.warehouse_id AND inc.product_id = k.product_id
    LEFT JOIN outg ON outg.warehouse_id = k.warehouse_id AND outg.product_id = k.product_id
    ORDER BY 1, 2`);
  return result.rows as unknown as StockLevel[];
}

/** Forecast per product at a warehouse at a horizon date (reorder runs look at the lead-time horizon). */
export async function forecastAt(db: Db, warehouseId: number, productIds: number[], horizon: string): Promise<Map<number, number>> {
  const levels = await stockLevels(db, { warehouseId, productIds, horizon });
  return new Map(productIds.map((p) => [p, levels.find((l) => l.productId === p)?.forecast ?? 0]));
}
