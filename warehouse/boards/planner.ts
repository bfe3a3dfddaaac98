import type { ClickHouseClient } from '@clickhouse/client';
import type { AbcClass, WarehouseRef } from '../../schemas/boards/planner';
import { queryRows } from '../kpi/clickhouse-query';
import { localDayExpr, warehouseZones } from '../kpi/local-day';

/**
 * The planner's reads from ClickHouse beyond the KPI library: the names a table
 * shows next to the KPI's ids, and a product's daily demand history.
 */

export interface ProductLabel {
  id: number;
  sku: string;
  name: string;
  abcClass: AbcClass;
}

/** SKU, name and ABC class of some products, from the landed products table. */
export async function productLabels(ch: ClickHouseClient, productIds: number[]): Promise<Map<number, ProductLabel>> {
  if (productIds.length === 0) return new Map();
  const rows = await queryRows<ProductLabel>(
    ch,
    `SELECT id, sku, name, toString(abc_class) AS abcClass FROM products FINAL WHERE id IN {ids:Array(Int64)}`,
    { ids: [...new Set(productIds)] }
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** Every warehouse, by code. */
export async function warehouseDirectory(ch: ClickHouseClient): Promise<WarehouseRef[]> {
  return queryRows<WarehouseRef>(ch, `SELECT id, code, name, region_id AS regionId FROM warehouses FINAL ORDER BY code`);
}

export interface DemandDay {
  warehouseId: number;
  /** The warehouse's local date. */
  day: string;
  units: number;
}

export interface ProductDemand {
  days: DemandDay[];
  /** Units shipped per warehouse in [asOf - 28 days, asOf): the stock-at-risk KPI's demand window. */
  shipped28d: Map<number, number>;
}

export const DEMAND_RATE_DAYS = 28;

/**
 * Units of a product shipped to customers per warehouse and local day over the
 * `days` days before `asOf`, and the trailing 28-day totals (the demand rate the
 * stock-at-risk KPI uses). Done moves are sorted by destination kind and time, so
 * this reads only the customer moves of the window.
 */
export async function productDemand(ch: ClickHouseClient, productId: number, days: number, asOf: Date): Promise<ProductDemand> {
  const zones = await warehouseZones(ch);
  const window = Math.max(days, DEMAND_RATE_DAYS);
  const rows = await queryRows<DemandDay & { recent: number }>(
    ch,
    `WITH fromUnixTimestamp64Milli({as_of:Int64}, 'UTC') AS as_of
     SELECT m.from_warehouse_id AS warehouseId, toString(${localDayExpr('m.done_at', 'w.time_zone', zones)}) AS day,
            toInt64(sum(m.qty)) AS units,
            toInt64(sumIf(m.qty, m.done_at >= as_of - INTERVAL ${DEMAND_RATE_DAYS} DAY)) AS recent
     FROM fact_done_moves AS m
     INNER JOIN (SELECT id, time_zone FROM warehouses FINAL) AS w ON w.id = m.from_warehouse_id
     WHERE m.to_kind = 'customer' AND m.state = 'done' AND m.product_id = {product:Int64}
       AND m.done_at >= as_of - INTERVAL {window:UInt32} DAY AND m.done_at < as_of
     GROUP BY warehouseId, day
     ORDER BY day, warehouseId`,
    { as_of: asOf.getTime(), product: productId, window }
  );
  const shipped28d = new Map<number, number>();
  for (const r of rows) shipped28d.set(r.warehouseId, (shipped28d.get(r.warehouseId) ?? 0) + r.recent);
  return { days: rows.map(({ warehouseId, day, units }) => ({ warehouseId, day, units })), shipped28d };
}
