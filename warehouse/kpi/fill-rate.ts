import type { ClickHouseClient } from '@clickhouse/client';
import type { KpiResult } from '../../schemas/api/kpi';
import { fillRateInput, type FillMeasure, type FillRateInput, type FillRateOutput, type FillRow } from '../../schemas/api/kpi-sales';
import { readAsOf } from './as-of';
import { queryRows } from './clickhouse-query';
import { scopeFilter } from './scope-filter';
import { FROM, ratio, TO, windowParams } from './kpi-window';

/**
 * Fill rate: line, order and unit; first-shipment and final.
 *
 * Population: the lines of confirmed orders (fact_order_lines) whose order was
 * created (ordered_at) in [from, to), within the scope filters (warehouse, the
 * warehouse's region, product category, customer; a category filter keeps only
 * that category's lines of an order). A line's demand = ordered - cancelled; a
 * fully cancelled line (demand 0) drops out, and an order all of whose lines
 * dropped out drops out.
 *
 * - unit fill  = Σ shipped / Σ demand
 * - line fill  = lines with shipped >= demand / lines
 * - order fill = orders whose every line (in the population) has shipped >= demand / orders
 *
 * "First shipment" counts only the quantity of each line's first shipment
 * (earliest shipped shipment holding the line); "final" counts everything shipped
 * as of now. Demand is ordered - cancelled as it stands now (the ledger does not
 * date a cancellation), so a remainder cancelled after a partial first shipment
 * counts that line as filled at first shipment. Breakdowns: by the order's
 * local day (ordered_at in the warehouse's time zone), by warehouse and by the
 * warehouse's region. Ratios are null when their denominator is 0.
 */

interface Row {
  grp: number;
  day: string;
  warehouse_id: number;
  region_id: number;
  orders: number;
  lines: number;
  units: number;
  orders_first: number;
  lines_first: number;
  units_first: number;
  orders_final: number;
  lines_final: number;
  units_final: number;
}

function measure(orders: number, lines: number, units: number, o: number, l: number, u: number): FillMeasure {
  return { ordersFilled: o, linesFilled: l, unitsShipped: u, orderFill: ratio(o, orders), lineFill: ratio(l, lines), unitFill: ratio(u, units) };
}

function toFillRow(r: Row | undefined): FillRow {
  const x = r ?? { orders: 0, lines: 0, units: 0, orders_first: 0, lines_first: 0, units_first: 0, orders_final: 0, lines_final: 0, units_final: 0 };
  return {
    orders: x.orders,
    lines: x.lines,
    unitsDemanded: x.units,
    firstShipment: measure(x.orders, x.lines, x.units, x.orders_first, x.lines_first, x.units_first),
    final: measure(x.orders, x.lines, x.units, x.orders_final, x.lines_final, x.units_final)
  };
}

/** Per order from its lines: needed when a category keeps only some of an order's lines. */
const byLine = (scope: string) => `
  SELECT order_id, any(ordered_day) AS local_day,
         any(warehouse_id) AS o_warehouse_id, any(warehouse_region_id) AS o_region_id,
         count() AS o_lines, sum(demand_qty) AS o_units,
         countIf(first_shipment_qty >= demand_qty) AS o_lines_first, sum(least(first_shipment_qty, demand_qty)) AS o_units_first,
         countIf(shipped_qty >= demand_qty) AS o_lines_final, sum(least(shipped_qty, demand_qty)) AS o_units_final
  FROM fact_order_lines
  WHERE ordered_at >= ${FROM} AND ordered_at < ${TO} AND demand_qty > 0 AND ${scope}
  GROUP BY order_id`;

/** The same per order, kept by the ingest (fact_order_fill): a quarter of the rows to read. */
const byOrder = (scope: string) => `
  SELECT order_id, ordered_day AS local_day, warehouse_id AS o_warehouse_id,
         warehouse_region_id AS o_region_id, lines AS o_lines, units AS o_units, lines_first AS o_lines_first,
         units_first AS o_units_first, lines_final AS o_lines_final, units_final AS o_units_final
  FROM fact_order_fill
  WHERE ordered_at >= ${FROM} AND ordered_at < ${TO} AND lines > 0 AND ${scope}`;

export async function fillRate(ch: ClickHouseClient, input: unknown | FillRateInput): Promise<KpiResult<FillRateOutput>> {
  const w = fillRateInput.parse(input);
  const scope = scopeFilter(w, { warehouse: 'warehouse_id', region: 'warehouse_region_id', category: 'category', customer: 'customer_id' }, 'fill rate');
  const asOf = await readAsOf(ch);
  // One pass: lines -> orders -> the four groupings at once. grp tells the grouping set apart.
  const rows = await queryRows<Row>(
    ch,
    `SELECT grouping(local_day, o_warehouse_id, o_region_id) AS grp, toString(local_day) AS day,
            o_warehouse_id AS warehouse_id, o_region_id AS region_id,
            toInt64(count()) AS orders, toInt64(sum(o_lines)) AS lines, toInt64(sum(o_units)) AS units,
            toInt64(countIf(o_lines_first = o_lines)) AS orders_first, toInt64(sum(o_lines_first)) AS lines_first,
            toInt64(sum(o_units_first)) AS units_first,
            toInt64(countIf(o_lines_final = o_lines)) AS orders_final, toInt64(sum(o_lines_final)) AS lines_final,
            toInt64(sum(o_units_final)) AS units_final
     FROM (${w.categories === undefined ? byOrder(scope.sql) : byLine(scope.sql)})
     GROUP BY GROUPING SETS ((), (local_day), (o_warehouse_id), (o_region_id))
     SETTINGS force_grouping_standard_compatibility = 1`,
    { ...windowParams(w), ...scope.params }
  );
  // Standard GROUPING: a bit is 1 when its column is NOT in the row's grouping set (local_day=4, warehouse=2, region=1).
  const of = (grp: number) => rows.filter((r) => r.grp === grp);
  return {
    data: {
      total: toFillRow(of(7)[0]),
      byDay: of(3)
        .map((r) => ({ day: r.day, ...toFillRow(r) }))
        .sort((a, b) => a.day.localeCompare(b.day)),
      byWarehouse: of(5)
        .map((r) => ({ warehouseId: r.warehouse_id, ...toFillRow(r) }))
        .sort((a, b) => a.warehouseId - b.warehouseId),
      byRegion: of(6)
        .map((r) => ({ regionId: r.region_id, ...toFillRow(r) }))
        .sort((a, b) => a.regionId - b.regionId)
    },
    asOf
  };
}
