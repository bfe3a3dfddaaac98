import type { ClickHouseClient } from '@clickhouse/client';
import type { KpiResult } from '../../schemas/api/kpi';
import {
  asOfMillis,
  daysOfSupplyInput,
  inventoryTurnsInput,
  STOCK_AGE_BUCKETS,
  stockAgingInput,
  type DaysOfSupplyInput,
  type DaysOfSupplyRow,
  type InventoryTurns,
  type InventoryTurnsInput,
  type InventoryTurnsRow,
  type StockAgingInput,
  type StockAgingRow
} from '../../schemas/api/kpi-supply';
import { readAsOf } from './as-of';
import { queryRows } from './clickhouse-query';
import { scopeFilter } from './scope-filter';
import { ARRIVAL } from '../model/materialized-facts';
import { INTERNAL_KINDS } from '../model/stock-move-source';

const DAY_MS = 86_400_000;
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Inventory turns per warehouse over [from, to), all at the product's current cost:
 * - COGS = units of done moves from the warehouse to a customer location in the window x cost
 *   (returns are not netted);
 * - inventory value = on hand in the warehouse's internal locations (stock, quality hold,
 *   damaged, transit) x cost. Closing and opening values are reconstructed from today's
 *   balances minus the net done moves since `to` and since `from` (the moves since `from`
 *   read once per leg: into an internal location, out of one); average = (opening + closing) / 2,
 *   not a daily average;
 * - turns = COGS / average value; annualized = turns x 365 / window days;
 * - days of supply = closing value / (COGS / window days).
 * NULL where the divisor is 0. The total row sums the warehouses in scope.
 */
export async function inventoryTurns(ch: ClickHouseClient, input: unknown | InventoryTurnsInput): Promise<KpiResult<InventoryTurns>> {
  const data = inventoryTurnsInput.parse(input);
  const asOf = await readAsOf(ch);
  const f = scopeFilter(data, { warehouse: 'warehouse_id', region: 'region_id', category: 'category' }, 'inventory turns');
  const rows = await queryRows<{ warehouseId: number; cogs: number; now: number; sinceFrom: number; sinceTo: number }>(
    ch,
    `WITH fromUnixTimestamp64Milli({from:Int64}, 'UTC') AS w_from, fromUnixTimestamp64Milli({to:Int64}, 'UTC') AS w_to
     SELECT warehouse_id AS warehouseId, toInt64(sum(cogs)) AS cogs, toInt64(sum(now_value)) AS now,
            toInt64(sum(net_since_from)) AS sinceFrom, toInt64(sum(net_since_to)) AS sinceTo
     FROM (
       SELECT warehouse_id, region_id, category, 0 AS cogs,
              (on_hand + quality_hold + damaged + in_transit) * cost_minor AS now_value, 0 AS net_since_from, 0 AS net_since_to
       FROM fact_stock_position
       UNION ALL
       -- Into an internal location: inventory in (the sort key narrows to those kinds).
       SELECT to_warehouse_id, to_region_id, category, 0, 0, qty * cost_minor, if(done_at >= w_to, qty * cost_minor, 0)
       FROM fact_done_moves
       WHERE state = 'done' AND done_at >= w_from AND to_kind IN ${INTERNAL_KINDS}
       UNION ALL
       -- Out of an internal location: inventory out, and COGS when it went to a customer before w_to.
       SELECT from_warehouse_id, from_region_id, category, if(to_kind = 'customer' AND done_at < w_to, qty * cost_minor, 0), 0,
              -qty * cost_minor, if(done_at >= w_to, -qty * cost_minor, 0)
       FROM fact_done_moves
       WHERE state = 'done' AND done_at >= w_from AND from_kind IN ${INTERNAL_KINDS})
     WHERE ${f.sql}
     GROUP BY warehouse_id ORDER BY warehouse_id`,
    { ...f.params, from: Date.parse(data.from), to: Date.parse(data.to) }
  );
  const days = (Date.parse(data.to) - Date.parse(data.from)) / DAY_MS;
  const row = (warehouseId: number | null, cogs: number, opening: number, closing: number): InventoryTurnsRow => {
    const average = (opening + closing) / 2;
    const turns = average === 0 ? null : cogs / average;
    return {
      warehouseId,
      cogsMinor: cogs,
      openingValueMinor: opening,
      closingValueMinor: closing,
      averageValueMinor: average,
      turns: turns === null ? null : round(turns, 4),
      annualizedTurns: turns === null ? null : round((turns * 365) / days, 4),
      daysOfSupply: cogs === 0 ? null : round(closing / (cogs / days), 2)
    };
  };
  const warehouses = rows.map((r) => row(r.warehouseId, r.cogs, r.now - r.sinceFrom, r.now - r.sinceTo));
  const sum = (k: 'cogsMinor' | 'openingValueMinor' | 'closingValueMinor') => warehouses.reduce((s, w) => s + w[k], 0);
  return { asOf, data: { warehouses, total: row(null, sum('cogsMinor'), sum('openingValueMinor'), sum('closingValueMinor')) } };
}

/**
 * Days of supply per product x warehouse: on hand in the stock location now /
 * average daily demand, where demand = units of done moves from the warehouse to a
 * customer location in [from, to) / window days. NULL without demand; sorted by
 * days of supply (shortest first, no demand last).
 */
export async function daysOfSupply(ch: ClickHouseClient, input: unknown | DaysOfSupplyInput): Promise<KpiResult<DaysOfSupplyRow[]>> {
  const data = daysOfSupplyInput.parse(input);
  const asOf = await readAsOf(ch);
  const f = scopeFilter(data, { warehouse: 'warehouse_id', region: 'region_id', category: 'category' }, 'days of supply');
  const days = (Date.parse(data.to) - Date.parse(data.from)) / DAY_MS;
  const rows = await queryRows<{ productId: number; warehouseId: number; onHand: number; shippedUnits: number }>(
    ch,
    `WITH fromUnixTimestamp64Milli({from:Int64}, 'UTC') AS w_from, fromUnixTimestamp64Milli({to:Int64}, 'UTC') AS w_to
     SELECT product_id AS productId, warehouse_id AS warehouseId, toInt64(sum(on_hand)) AS onHand, toInt64(sum(shipped)) AS shippedUnits
     FROM (
       SELECT product_id, warehouse_id, region_id, category, on_hand, 0 AS shipped FROM fact_stock_position
       UNION ALL
       SELECT product_id, from_warehouse_id, from_region_id, category, 0, qty FROM fact_done_moves
       WHERE state = 'done' AND to_kind = 'customer' AND done_at >= w_from AND done_at < w_to)
     WHERE ${f.sql}
     GROUP BY product_id, warehouse_id
     HAVING onHand != 0 OR shippedUnits != 0
     ORDER BY shippedUnits = 0, onHand / nullIf(shippedUnits, 0), productId, warehouseId
     LIMIT {limit:UInt32}`,
    { ...f.params, from: Date.parse(data.from), to: Date.parse(data.to), limit: data.limit }
  );
  return {
    asOf,
    data: rows.map((r) => ({
      ...r,
      averageDailyDemand: round(r.shippedUnits / days, 4),
      daysOfSupply: r.shippedUnits === 0 ? null : round(r.onHand / (r.shippedUnits / days), 2)
    }))
  };
}

/**
 * Stock aging per warehouse: the on hand of each product in the warehouse's stock
 * location takes the age of its last arrival there, in whole days up to asOfTime:
 * the latest done move into that location of a receipt (purchase order), a transfer or
 * an opening balance (counts, returns and quality releases do not reset the age).
 * Buckets 0-30, 31-60, 61-90, 91+ days; "unknown" when no such arrival is on record.
 * Units and value (current cost); an approximation: not FIFO layers.
 * The newest arrival per product x warehouse is kept by the ingest (fact_last_arrivals)
 * and read first; when one of the stock counted arrived after asOfTime (a look into the
 * past), the arrivals up to asOfTime are searched among the done moves instead.
 */
export async function stockAging(ch: ClickHouseClient, input: unknown | StockAgingInput): Promise<KpiResult<StockAgingRow[]>> {
  const data = stockAgingInput.parse(input);
  const asOf = await readAsOf(ch);
  const f = scopeFilter(data, { warehouse: 'p.warehouse_id', region: 'p.region_id', category: 'p.category' }, 'stock aging');
  const kept = 'SELECT product_id, warehouse_id, toNullable(last_in) AS last_in FROM fact_last_arrivals';
  const searched = `SELECT product_id, to_warehouse_id AS warehouse_id, toNullable(max(done_at)) AS last_in
       FROM fact_done_moves
       WHERE state = 'done' AND ${ARRIVAL} AND done_at <= as_of
       GROUP BY product_id, warehouse_id`;
  type Row = { warehouseId: number; bucket: (typeof STOCK_AGE_BUCKETS)[number]; units: number; valueMinor: number; late: number };
  const read = (arrivals: string) =>
    queryRows<Row>(
      ch,
      `WITH fromUnixTimestamp64Milli({as_of:Int64}, 'UTC') AS as_of
       SELECT warehouse_id AS warehouseId, bucket, toInt64(sum(on_hand)) AS units, toInt64(sum(value)) AS valueMinor, toInt64(sum(late)) AS late
       FROM (
         SELECT p.warehouse_id AS warehouse_id, p.on_hand AS on_hand, p.on_hand * p.cost_minor AS value,
                intDiv(dateDiff('second', a.last_in, as_of), 86400) AS age, ifNull(a.last_in > as_of, 0) AS late,
                multiIf(a.last_in IS NULL, 'unknown', age <= 30, '0-30', age <= 60, '31-60', age <= 90, '61-90', '91+') AS bucket
         FROM fact_stock_position AS p
         LEFT JOIN (${arrivals}) AS a ON a.product_id = p.product_id AND a.warehouse_id = p.warehouse_id
         WHERE p.on_hand > 0 AND ${f.sql})
       GROUP BY warehouse_id, bucket
       ORDER BY warehouse_id`,
      { ...f.params, as_of: asOfMillis(data.asOfTime) }
    );
  let rows = await read(kept);
  if (rows.some((r) => r.late > 0)) rows = await read(searched);
  const byWarehouse = new Map<number, StockAgingRow>();
  for (const r of rows) {
    let w = byWarehouse.get(r.warehouseId);
    if (!w) {
      w = { warehouseId: r.warehouseId, onHand: 0, valueMinor: 0, buckets: STOCK_AGE_BUCKETS.map((bucket) => ({ bucket, units: 0, valueMinor: 0 })) };
      byWarehouse.set(r.warehouseId, w);
    }
    const b = w.buckets.find((x) => x.bucket === r.bucket)!;
    b.units += r.units;
    b.valueMinor += r.valueMinor;
    w.onHand += r.units;
    w.valueMinor += r.valueMinor;
  }
  return { asOf, data: [...byWarehouse.values()] };
}
