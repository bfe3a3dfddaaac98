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
 * Keyed by every product x warehouse with a balance, demand, an open inbound move
 * or owed units.
 */
const DEFAULT_LEAD_DAYS = 7;
const DEMAND_DAYS = 28;
const KPI = 'stock at risk';

/** `productIds` narrows to some products (the stockout detector's touched keys); not a board filter. */
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
    open_in AS (
      SELECT product_id, to_warehouse_id AS warehouse_id, groupArray((scheduled_date, toInt64(qty))) AS open
      FROM fact_open_moves
      WHERE state IN ('confirmed', 'reserved') AND to_kind IN ('stock', 'transit')
        AND (from_warehouse_id != to_warehouse_id OR from_kind NOT IN ('stock', 'quality_hold', 'damaged', 'transit'))
      GROUP BY product_id, warehouse_id),
    owed AS (
      SELECT product_id, warehouse_id, toInt64(sum(greatest(toInt64(0), backordered_qty - reserved_qty))) AS owed
      FROM fact_open_order_lines
      WHERE order_state = 'confirmed' AND backordered_qty > reserved_qty
      GROUP BY product_id, warehouse_id),
    keyed AS (
      SELECT product_id, warehouse_id, sum(available) AS available, sum(in_transit) AS in_transit, sum(shipped) AS shipped,
             sum(owed) AS owed, groupArrayArray(open) AS open
      FROM (
        SELECT product_id, warehouse_id, available, in_transit, toInt64(0) AS shipped, toInt64(0) AS owed,
               CAST([], 'Array(Tuple(Nullable(Date32), Int64))') AS open
        FROM fact_stock_position
        UNION ALL SELECT product_id, warehouse_id, 0, 0, shipped, 0, [] FROM demand
        UNION ALL SELECT product_id, warehouse_id, 0, 0, 0, 0, open FROM open_in
        UNION ALL SELECT product_id, warehouse_id, 0, 0, 0, owed, [] FROM owed)
      GROUP BY product_id, warehouse_id),
    based AS (
      SELECT k.product_id AS product_id, k.warehouse_id AS warehouse_id, w.region_id AS region_id, p.category AS category,
             k.available AS available, k.shipped AS shipped, k.owed AS owed,
             multiIf(rr.lead IS NOT NULL, rr.lead, sp.lead IS NOT NULL, sp.lead, ${DEFAULT_LEAD_DAYS}) AS lead_time_days,
             multiIf(rr.lead IS NOT NULL, 'reorder_rule', sp.lead IS NOT NULL, 'supplier', 'default') AS lead_time_source,
             ${localDayExpr('as_of', 'w.time_zone', zones)} AS today,
             today + lead_time_days AS horizon,
             k.in_transit + arraySum(x -> if(x.1 IS NULL OR x.1 <= horizon, x.2, 0), k.open) AS inbound
      FROM keyed AS k
      INNER JOIN (SELECT id, region_id, time_zone FROM warehouses FINAL) AS w ON w.id = k.warehouse_id
      INNER JOIN (SELECT id, category FROM products FINAL) AS p ON p.id = k.product_id
      LEFT JOIN (SELECT product_id, warehouse_id, toNullable(lead_time_days) AS lead FROM reorder_rules FINAL) AS rr
             ON rr.product_id = k.product_id AND rr.warehouse_id = k.warehouse_id
      LEFT JOIN (SELECT product_id, toNullable(min(lead_time_days)) AS lead FROM supplier_products FINAL GROUP BY product_id) AS sp
             ON sp.product_id = k.product_id)
    SELECT b.product_id AS productId, b.warehouse_id AS warehouseId, b.region_id AS regionId, b.category AS category,
           b.available AS available, b.inbound AS inbound, b.owed AS owed, b.lead_time_days AS leadTimeDays,
           b.lead_time_source AS leadTimeSource, toString(b.today) AS today, toString(b.horizon) AS horizonDate,
           b.shipped AS shipped28d, b.shipped / ${DEMAND_DAYS} AS demandRate,
           toInt64(b.available + b.inbound - b.owed) AS supply,
           multiIf(b.shipped > 0, supply * ${DEMAND_DAYS} / b.shipped, supply < 0, 0, NULL) AS cover,
           multiIf(b.shipped > 0, toString(b.today + intDiv(greatest(supply, 0) * ${DEMAND_DAYS}, b.shipped)),
                   supply < 0, toString(b.today), NULL) AS projectedStockout,
           if(b.shipped > 0, supply * ${DEMAND_DAYS} < b.lead_time_days * b.shipped, supply < 0) AS atRisk,
           greatest(toInt64(0), toInt64(intDiv(b.shipped * b.lead_time_days + ${DEMAND_DAYS - 1}, ${DEMAND_DAYS})) - supply) AS shortfall
    FROM based AS b
    WHERE ${filter.sql}`;
  return { sql, params: filter.params };
}

/**
 * The rows of `rows` (stockAtRiskQuery's columns, already narrowed: a page, or those at risk)
 * with the stock elsewhere in their region, ordered by `order`. Joined after the narrowing:
 * the region's stocks of every product x warehouse cost more than the rest of the query.
 */
function withElsewhere(rows: string, order: string): string {
  return `
    SELECT x.*,
           arraySort(s -> (-s.2, s.1), arrayFilter(s -> s.1 != x.warehouseId AND s.2 > 0, r.stocks)) AS others,
           toInt64(arraySum(s -> s.2, others)) AS elsewhereAvailable,
           if(empty(others), NULL, others[1].1) AS bestElsewhereWarehouseId,
           if(empty(others), 0, others[1].2) AS bestElsewhereAvailable
    FROM (${rows}) AS x
    LEFT JOIN (
      SELECT product_id, region_id, groupArray((warehouse_id, available)) AS stocks
      FROM fact_stock_position GROUP BY product_id, region_id) AS r ON r.product_id = x.productId AND r.region_id = x.regionId
    ORDER BY ${order}`;
}

const ORDER: Record<NonNullable<StockAtRiskInput['sort']>, string> = {
  daysOfCover: 'cover IS NULL, cover ASC, demandRate DESC',
  demandRate: 'demandRate DESC',
  shortfall: 'shortfall DESC, cover IS NULL, cover ASC'
};

type Row = Omit<StockAtRiskRow, 'daysOfCover' | 'atRisk'> & { cover: number | null; atRisk: number | boolean; supply: number; others: unknown };

const toRow = ({ cover, supply: _supply, others: _others, ...r }: Row): StockAtRiskRow => ({
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
  const rows = await queryRows<Row>(
    ch,
    withElsewhere(`SELECT * FROM (${q.sql}) WHERE ${data.onlyAtRisk ? 'atRisk' : '1'} ORDER BY ${order} LIMIT {limit:UInt32}`, order),
    { ...q.params, as_of: asOfMillis(data.asOfTime), limit: data.limit }
  );
  return { asOf, data: rows.map(toRow) };
}

/** Every product x warehouse at risk at `asOfTime`, of the given products (null: all): the stockout detector's read. */
export async function productsAtRisk(ch: ClickHouseClient, asOfTime: Date, productIds: number[] | null): Promise<StockAtRiskRow[]> {
  const q = stockAtRiskQuery({}, await warehouseZones(ch), productIds);
  const order = 'productId, warehouseId';
  const rows = await queryRows<Row>(ch, withElsewhere(`SELECT * FROM (${q.sql}) WHERE atRisk`, order), { ...q.params, as_of: asOfTime.getTime() });
  return rows.map(toRow);
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
