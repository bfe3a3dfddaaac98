import type { ClickHouseClient } from '@clickhouse/client';
import type { KpiResult, KpiScope } from '../../schemas/api/kpi';
import {
  asOfMillis,
  stockAtRiskCountInput,
  stockAtRiskInput,
  type StockAtRiskCount,
  type StockAtRiskCountInput,
  type StockAtRiskInput,
  type StockAtRiskRow
} from '../../schemas/api/kpi-supply';
import { readAsOf } from './as-of';
import { queryRows } from './clickhouse-query';
import { localDayExpr, warehouseZones } from './local-day';
import { scopeFilter } from './scope-filter';

/**
 * Stock at risk per product x warehouse, looking from asOfTime (default now):
 * - available: on hand - reserved in the stock location (current balances);
 * - lead time: the reorder rule of that product x warehouse, else the product's
 *   shortest supplier lead time, else 7 days; horizon = the warehouse's local date
 *   at asOfTime + lead time;
 * - inbound: as the core's `incoming` at that horizon (core/stock.ts): on hand in the
 *   warehouse's transit location + open (confirmed/reserved) moves into its stock or
 *   transit location from outside the warehouse, scheduled on or before the horizon
 *   (or unscheduled): POs sent, transfers approved;
 * - owed: units confirmed orders are still waiting for, now: over the lines of
 *   orders in state 'confirmed' shipping from the warehouse, sum of
 *   greatest(0, backordered - reserved) (the reserved part is already out of
 *   available). The core re-reserves backorders as stock arrives, so the inbound
 *   goes to them first;
 * - supply = available + inbound - owed (negative when customers already wait
 *   for more than is on hand and coming);
 * - demand rate: units of done moves from the warehouse to a customer location in
 *   [asOfTime - 28 days, asOfTime), divided by 28;
 * - days of cover = supply / demand rate (negative when supply is); without
 *   demand NULL, or 0 when supply < 0. Projected stockout = local today +
 *   floor(max(supply, 0) / demand rate) (today when supply <= 0); without demand
 *   today when supply < 0, else NULL. At risk when days of cover < lead time
 *   (the stockout falls before the horizon), or when supply < 0 without demand
 *   (short now, whatever the history);
 * - shortfall = max(0, ceil(demand rate x lead time) - supply);
 * - elsewhere: available of the same product in the region's other warehouses
 *   (sum, and the single warehouse with the most; ties to the lowest id).
 * Keyed by every product x warehouse with a balance, an open inbound move or owed
 * units (the supply position's pairs; a pair with demand has a balance).
 */
/** The trailing window of the demand rate, in days. */
export const DEMAND_DAYS = 28;
const KPI = 'stock at risk';

/**
 * `productIds` narrows to some products (the stockout detector's touched keys); not a board filter.
 * The supply side of each pair is kept by the ingest (fact_supply_position); only the demand and
 * what depends on the day it looks from (today, the horizon, the inbound due by it) are computed here.
 * A pair with demand has a balance (its stock location shipped it; balances are never deleted),
 * so the supply position holds every pair this KPI keys by.
 */
function stockAtRiskQuery(scope: KpiScope, zones: string[], productIds: number[] | null = null) {
  const filter = scopeFilter(scope, { warehouse: 'b.warehouse_id', region: 'b.region_id', category: 'b.category' }, KPI);
  if (productIds !== null) {
    filter.sql += ' AND b.product_id IN {only_products:Array(Int32)}';
    filter.params.only_products = productIds;
  }
  // Supply and demand as integers: cover < lead  <=>  supply * 28 < lead * shipped (no rounding in the decision).
  const sql = `
    WITH fromUnixTimestamp64Milli({as_of:Int64}, 'UTC') AS as_of,
    demand AS (
      SELECT product_id, from_warehouse_id AS warehouse_id, toInt64(sum(qty)) AS shipped
      FROM fact_done_moves
      WHERE state = 'done' AND to_kind = 'customer' AND done_at >= as_of - INTERVAL ${DEMAND_DAYS} DAY AND done_at < as_of
      GROUP BY product_id, warehouse_id),
    based AS (
      SELECT s.product_id AS product_id, s.warehouse_id AS warehouse_id, w.region_id AS region_id, s.category AS category,
             s.available AS available, d.shipped AS shipped, s.owed AS owed,
             s.lead_time_days AS lead_time_days, s.lead_time_source AS lead_time_source,
             ${localDayExpr('as_of', 'w.time_zone', zones)} AS today,
             today + lead_time_days AS horizon,
             s.in_transit + arraySum(x -> if(x.1 IS NULL OR x.1 <= horizon, x.2, 0), s.open) AS inbound
      FROM fact_supply_position AS s
      INNER JOIN (SELECT id, region_id, time_zone FROM warehouses FINAL) AS w ON w.id = s.warehouse_id
      LEFT JOIN demand AS d ON d.product_id = s.product_id AND d.warehouse_id = s.warehouse_id)
    SELECT b.product_id AS productId, b.warehouse_id AS warehouseId, b.region_id AS regionId, b.category AS category,
           b.available AS available, b.inbound AS inbound, b.owed AS owed, b.lead_time_days AS leadTimeDays,
           b.lead_time_source AS leadTimeSource, b.today AS today, b.horizon AS horizonDate,
           b.shipped AS shipped28d, b.shipped / ${DEMAND_DAYS} AS demandRate,
           toInt64(b.available + b.inbound - b.owed) AS supply,
           multiIf(b.shipped > 0, supply * ${DEMAND_DAYS} / b.shipped, supply < 0, 0, NULL) AS cover,
           multiIf(b.shipped > 0, b.today + intDiv(greatest(supply, 0) * ${DEMAND_DAYS}, b.shipped),
                   supply < 0, b.today, NULL) AS projectedStockout,
           if(b.shipped > 0, supply * ${DEMAND_DAYS} < b.lead_time_days * b.shipped, supply < 0) AS atRisk,
           greatest(toInt64(0), toInt64(intDiv(b.shipped * b.lead_time_days + ${DEMAND_DAYS - 1}, ${DEMAND_DAYS})) - supply) AS shortfall
    FROM based AS b
    WHERE ${filter.sql}`;
  return { sql, params: filter.params };
}

/**
 * The stock elsewhere in their region of the rows (already narrowed: a page, or those at risk),
 * read for their products only (the position's sort key) in a second query: joined in the
 * first, the region's stocks of every product x warehouse cost more than the rest of it.
 * Elsewhere = the other warehouses of the region with stock available: their sum, and the one
 * with the most (ties to the lowest id).
 */
async function withElsewhere(ch: ClickHouseClient, rows: Row[]): Promise<StockAtRiskRow[]> {
  if (rows.length === 0) return [];
  const regions = await queryRows<{ productId: number; regionId: number; stocks: [number, number][] }>(
    ch,
    `SELECT product_id AS productId, region_id AS regionId, groupArray((warehouse_id, available)) AS stocks
     FROM fact_stock_position WHERE product_id IN {products:Array(Int32)} GROUP BY product_id, region_id`,
    { products: [...new Set(rows.map((r) => r.productId))] }
  );
  const stocksOf = new Map(regions.map((r) => [`${r.productId}:${r.regionId}`, r.stocks]));
  return rows.map((row) => {
    const others = (stocksOf.get(`${row.productId}:${row.regionId}`) ?? [])
      .filter(([warehouseId, available]) => warehouseId !== row.warehouseId && available > 0)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const best = others[0];
    return {
      ...toRow(row),
      elsewhereAvailable: others.reduce((sum, [, available]) => sum + available, 0),
      bestElsewhereWarehouseId: best ? best[0] : null,
      bestElsewhereAvailable: best ? best[1] : 0
    };
  });
}

const ORDER: Record<NonNullable<StockAtRiskInput['sort']>, string> = {
  daysOfCover: 'cover IS NULL, cover ASC, demandRate DESC',
  demandRate: 'demandRate DESC',
  shortfall: 'shortfall DESC, cover IS NULL, cover ASC'
};

type Row = Omit<StockAtRiskRow, 'daysOfCover' | 'atRisk' | 'elsewhereAvailable' | 'bestElsewhereWarehouseId' | 'bestElsewhereAvailable'> & {
  cover: number | null;
  atRisk: number | boolean;
  supply: number;
};
type Elsewhere = 'elsewhereAvailable' | 'bestElsewhereWarehouseId' | 'bestElsewhereAvailable';

const toRow = ({ cover, supply: _supply, ...r }: Row): Omit<StockAtRiskRow, Elsewhere> => ({
  ...r,
  demandRate: round(r.demandRate, 4),
  daysOfCover: cover === null ? null : round(cover, 2),
  atRisk: Boolean(r.atRisk)
});

export async function stockAtRisk(ch: ClickHouseClient, input: unknown | StockAtRiskInput): Promise<KpiResult<StockAtRiskRow[]>> {
  const data = stockAtRiskInput.parse(input);
  const asOf = await readAsOf(ch);
  const q = stockAtRiskQuery(data, await warehouseZones(ch));
  const order = `${ORDER[data.sort]}, productId, warehouseId`;
  const rows = await queryRows<Row>(ch, `SELECT * FROM (${q.sql}) WHERE ${data.onlyAtRisk ? 'atRisk' : '1'} ORDER BY ${order} LIMIT {limit:UInt32}`, {
    ...q.params,
    as_of: asOfMillis(data.asOfTime),
    limit: data.limit
  });
  return { asOf, data: await withElsewhere(ch, rows) };
}

/** Every product x warehouse at risk at `asOfTime`, of the given products (null: all): the stockout detector's read. */
export async function productsAtRisk(ch: ClickHouseClient, asOfTime: Date, productIds: number[] | null): Promise<StockAtRiskRow[]> {
  const q = stockAtRiskQuery({}, await warehouseZones(ch), productIds);
  const rows = await queryRows<Row>(ch, `SELECT * FROM (${q.sql}) WHERE atRisk ORDER BY productId, warehouseId`, { ...q.params, as_of: asOfTime.getTime() });
  return withElsewhere(ch, rows);
}

/** How many product x warehouse pairs in scope are at risk (the executive board's tile), of how many evaluated. */
export async function stockAtRiskCount(ch: ClickHouseClient, input: unknown | StockAtRiskCountInput): Promise<KpiResult<StockAtRiskCount>> {
  const data = stockAtRiskCountInput.parse(input);
  const asOf = await readAsOf(ch);
  const q = stockAtRiskQuery(data, await warehouseZones(ch));
  const [row] = await queryRows<StockAtRiskCount>(ch, `SELECT toUInt64(countIf(atRisk)) AS atRisk, count() AS evaluated FROM (${q.sql})`, {
    ...q.params,
    as_of: asOfMillis(data.asOfTime)
  });
  return { asOf, data: row ?? { atRisk: 0, evaluated: 0 } };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
