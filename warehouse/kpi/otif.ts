import type { ClickHouseClient } from '@clickhouse/client';
import type { KpiResult } from '../../schemas/api/kpi';
import { otifInput, type OtifInput, type OtifMeasure, type OtifOutput } from '../../schemas/api/kpi-sales';
import { readAsOf } from './as-of';
import { queryRows } from './clickhouse-query';
import { localDayExpr, warehouseZones } from './local-day';
import { scopeFilter } from './scope-filter';
import { FROM, ratio, TO, windowParams } from './kpi-window';

/**
 * OTIF (on time, in full), line and order level.
 *
 * Window lines: as for fill rate, the lines of confirmed orders created in
 * [from, to) within the scope filters, with demand = ordered - cancelled > 0.
 * A line's promise = its promised_date, else its order's; lines with neither
 * are outside OTIF (counted as unpromisedLines).
 *
 * - complete   = shipped >= demand (as of now)
 * - due        = the promised day has ended by `to`: promise < the local date of `to` in the warehouse's zone
 * - judged     = promised and (complete or due): the population. A line neither
 *                complete nor due can still make it, so it is not judged yet.
 * - in full    = complete
 * - on time    = complete and its last shipment's local date (warehouse zone) <= promise
 * - OTIF       = on time and in full (on time already demands the full quantity,
 *                so at line level OTIF = on time; in full alone also counts late lines)
 *
 * Orders: an order is judged when every one of its window lines is judged (so an
 * order with an unpromised line is not); it is on time / in full / OTIF when
 * every line is. Ratios are counts over judged, null when nothing is judged.
 *
 * A line's local day of last shipment is kept in the facts (last_shipped_day, in the
 * warehouse's zone); the window's end is turned into each warehouse's local date here.
 */

interface Row {
  lines_judged: number;
  lines_on_time: number;
  lines_in_full: number;
  lines_otif: number;
  orders_judged: number;
  orders_on_time: number;
  orders_in_full: number;
  orders_otif: number;
  unpromised: number;
}

function toMeasure(judged: number, onTime: number, inFull: number, otif: number): OtifMeasure {
  return { judged, onTime, inFull, otif, onTimeRatio: ratio(onTime, judged), inFullRatio: ratio(inFull, judged), otifRatio: ratio(otif, judged) };
}

/** Per order from its lines: needed when a category keeps only some of an order's lines. */
function byLine(toLocal: string, scope: string): string {
  return `
       SELECT order_id,
              countIf(judged) AS l_judged, countIf(judged AND on_time) AS l_on_time,
              countIf(judged AND complete) AS l_in_full, countIf(judged AND on_time AND complete) AS l_otif,
              countIf(promised_date IS NULL) AS l_unpromised,
              min(judged) AS all_judged, min(on_time) AS all_on_time, min(complete) AS all_in_full, min(on_time AND complete) AS all_otif
       FROM (
         SELECT order_id, promised_date,
                shipped_qty >= demand_qty AS complete,
                promised_date IS NOT NULL AND (complete OR ifNull(promised_date < ${toLocal}, 0)) AS judged,
                complete AND ifNull(last_shipped_day <= promised_date, 0) AS on_time
         FROM fact_order_lines
         WHERE ordered_at >= ${FROM} AND ordered_at < ${TO} AND demand_qty > 0 AND ${scope}
       )
       GROUP BY order_id`;
}

/**
 * The same per order, kept by the ingest (fact_order_fill): a quarter of the rows, none regrouped.
 * Only whether a short line is due depends on the window's end: its promise against `to`.
 * A line on time is complete and promised, so judged: on time = OTIF at line level.
 */
function byOrder(toLocal: string, scope: string): string {
  return `
       SELECT order_id, l_judged, l_on_time, lines_promised_complete AS l_in_full, l_on_time AS l_otif, lines_unpromised AS l_unpromised,
              lines_unpromised = 0 AND open_due = length(open_promises) AS all_judged, l_on_time = lines AS all_on_time,
              lines_final = lines AS all_in_full, l_on_time = lines AS all_otif
       FROM (
         SELECT *, lines_on_time AS l_on_time, arrayCount(d -> d < ${toLocal}, open_promises) AS open_due,
                lines_promised_complete + open_due AS l_judged
         FROM fact_order_fill
         WHERE ordered_at >= ${FROM} AND ordered_at < ${TO} AND lines > 0 AND ${scope}
       )`;
}

export async function otif(ch: ClickHouseClient, input: unknown | OtifInput): Promise<KpiResult<OtifOutput>> {
  const w = otifInput.parse(input);
  const scope = scopeFilter(w, { warehouse: 'warehouse_id', region: 'warehouse_region_id', category: 'category', customer: 'customer_id' }, 'OTIF');
  const asOf = await readAsOf(ch);
  const zones = await warehouseZones(ch);
  const perOrder = w.categories === undefined;
  const toLocal = localDayExpr(TO, perOrder ? 'time_zone' : 'warehouse_time_zone', zones);
  const [row] = await queryRows<Row>(
    ch,
    `SELECT toInt64(sum(l_judged)) AS lines_judged, toInt64(sum(l_on_time)) AS lines_on_time,
            toInt64(sum(l_in_full)) AS lines_in_full, toInt64(sum(l_otif)) AS lines_otif,
            toInt64(countIf(all_judged)) AS orders_judged, toInt64(countIf(all_judged AND all_on_time)) AS orders_on_time,
            toInt64(countIf(all_judged AND all_in_full)) AS orders_in_full, toInt64(countIf(all_judged AND all_otif)) AS orders_otif,
            toInt64(sum(l_unpromised)) AS unpromised
     FROM (${perOrder ? byOrder(toLocal, scope.sql) : byLine(toLocal, scope.sql)})`,
    { ...windowParams(w), ...scope.params }
  );
  const r = row!;
  return {
    data: {
      lines: toMeasure(r.lines_judged, r.lines_on_time, r.lines_in_full, r.lines_otif),
      orders: toMeasure(r.orders_judged, r.orders_on_time, r.orders_in_full, r.orders_otif),
      unpromisedLines: r.unpromised
    },
    asOf
  };
}
