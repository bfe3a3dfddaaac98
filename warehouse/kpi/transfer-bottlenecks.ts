import type { ClickHouseClient } from '@clickhouse/client';
import type { KpiResult } from '../../schemas/api/kpi';
import { asOfMillis, transferBottlenecksInput, type LaneBottleneck, type TransferBottlenecksInput } from '../../schemas/api/kpi-supply';
import { readAsOf } from './as-of';
import { queryRows } from './clickhouse-query';
import { localDayExpr, warehouseZones } from './local-day';
import { hoursBetween } from './kpi-window';
import { scopeFilter } from './scope-filter';

/**
 * Transfer bottlenecks per lane (from -> to warehouse), from fact_transfers:
 * - in transit at asOfTime: shipped by then, not received by then, not cancelled;
 *   units = shipped - received - short - damaged (all shipped while not yet received);
 * - transit time = received_at - shipped_at in hours, mean and p90 (linear
 *   interpolation between ranks, as PERCENTILE.INC) over transfers received in the
 *   window, beside the lane's planned lead time in days;
 * - late: in transit while the destination's local date at asOfTime is after the
 *   expected arrival, and received in the window on a local date after it;
 * - dwell per stage: mean hours of requested -> approved, approved -> shipped,
 *   shipped -> received over the transfers whose stage ended in the window.
 * A lane is listed when it has a transfer in transit or a stage ending in the window.
 * Scope: a lane is in scope when either end is (warehouse, region).
 */
export async function transferBottlenecks(ch: ClickHouseClient, input: unknown | TransferBottlenecksInput): Promise<KpiResult<LaneBottleneck[]>> {
  const data = transferBottlenecksInput.parse(input);
  const asOf = await readAsOf(ch);
  const { categories, customerIds, ...ends } = data;
  const kpi = 'transfer bottlenecks';
  if (categories || customerIds) scopeFilter({ categories, customerIds }, {}, kpi); // refuses: a transfer has no single category or customer
  const fromEnd = scopeFilter(ends, { warehouse: 'from_warehouse_id', region: 'from_region_id' }, kpi);
  const toEnd = scopeFilter(ends, { warehouse: 'to_warehouse_id', region: 'to_region_id' }, kpi);
  const zones = await warehouseZones(ch);
  const inWindow = (col: string) => `ifNull(${col} >= w_from AND ${col} < w_to, 0)`;
  const mean = (x: string, cond: string) => `if(countIf(${cond}) = 0, NULL, round(avgIf(${x}, ${cond}), 2))`;

  const rows = await queryRows<Omit<LaneBottleneck, 'dwellHours' | 'stageCounts'> & Record<string, number | null>>(
    ch,
    `WITH fromUnixTimestamp64Milli({from:Int64}, 'UTC') AS w_from,
          fromUnixTimestamp64Milli({to:Int64}, 'UTC') AS w_to,
          fromUnixTimestamp64Milli({as_of:Int64}, 'UTC') AS as_of
     SELECT from_warehouse_id AS fromWarehouseId, to_warehouse_id AS toWarehouseId,
            any(lane_lead_time_days) AS plannedLeadTimeDays,
            countIf(in_transit) AS inTransitCount,
            sumIf(if(received_at IS NULL, in_transit_qty, shipped_qty), in_transit) AS inTransitUnits,
            countIf(in_transit AND today_there > expected_arrival) AS lateInTransitCount,
            countIf(received_in) AS receivedCount,
            ${mean('transit_hours', 'received_in')} AS meanTransitHours,
            if(countIf(received_in) = 0, NULL, round(quantileExactInclusiveIf(0.9)(transit_hours, received_in), 2)) AS p90TransitHours,
            countIf(received_in AND received_day > expected_arrival) AS lateReceivedCount,
            countIf(cancelled_in) AS cancelledCount,
            ${mean('approve_hours', 'approved_in')} AS requestedToApproved,
            ${mean('ship_hours', 'shipped_in')} AS approvedToShipped,
            ${mean('transit_hours', 'received_in')} AS shippedToReceived,
            countIf(approved_in) AS approvedCount, countIf(shipped_in) AS shippedCount
     FROM (
       SELECT *,
              ifNull(shipped_at <= as_of AND (received_at IS NULL OR received_at > as_of), 0) AND cancelled_at IS NULL AS in_transit,
              ${inWindow('approved_at')} AS approved_in,
              ${inWindow('shipped_at')} AND approved_at IS NOT NULL AS shipped_in,
              ${inWindow('received_at')} AND shipped_at IS NOT NULL AS received_in,
              ${inWindow('cancelled_at')} AS cancelled_in,
              toFloat64(ifNull(${hoursBetween('requested_at', 'approved_at')}, 0)) AS approve_hours,
              toFloat64(ifNull(${hoursBetween('approved_at', 'shipped_at')}, 0)) AS ship_hours,
              toFloat64(ifNull(${hoursBetween('shipped_at', 'received_at')}, 0)) AS transit_hours,
              ${localDayExpr('as_of', 'to_time_zone', zones)} AS today_there,
              ${localDayExpr('ifNull(received_at, as_of)', 'to_time_zone', zones)} AS received_day
       FROM fact_transfers
       WHERE ((${fromEnd.sql}) OR (${toEnd.sql}))
     )
     WHERE in_transit OR approved_in OR shipped_in OR received_in OR cancelled_in
     GROUP BY from_warehouse_id, to_warehouse_id
     ORDER BY from_warehouse_id, to_warehouse_id`,
    { ...fromEnd.params, ...toEnd.params, from: Date.parse(data.from), to: Date.parse(data.to), as_of: asOfMillis(data.asOfTime) }
  );
  return {
    asOf,
    data: rows.map((r) => ({
      fromWarehouseId: r.fromWarehouseId,
      toWarehouseId: r.toWarehouseId,
      plannedLeadTimeDays: r.plannedLeadTimeDays,
      inTransitCount: r.inTransitCount,
      inTransitUnits: r.inTransitUnits,
      lateInTransitCount: r.lateInTransitCount,
      receivedCount: r.receivedCount,
      meanTransitHours: r.meanTransitHours,
      p90TransitHours: r.p90TransitHours,
      lateReceivedCount: r.lateReceivedCount,
      cancelledCount: r.cancelledCount,
      dwellHours: { requestedToApproved: r.requestedToApproved!, approvedToShipped: r.approvedToShipped!, shippedToReceived: r.shippedToReceived! },
      stageCounts: { approved: r.approvedCount!, shipped: r.shippedCount!, received: r.receivedCount }
    }))
  };
}

