import type { ClickHouseClient } from '@clickhouse/client';
import type { KpiResult } from '../../schemas/api/kpi';
import {
  invoiceLagInput,
  orderCycleInput,
  type DurationStats,
  type InvoiceLagInput,
  type InvoiceLagOutput,
  type OrderCycleInput,
  type OrderCycleOutput
} from '../../schemas/api/kpi-sales';
import { readAsOf } from './as-of';
import { queryRows } from './clickhouse-query';
import { scopeFilter } from './scope-filter';
import { FROM, hoursBetween, TO, windowParams } from './kpi-window';

/**
 * Order cycle time and invoice lag, in hours.
 *
 * Order cycle time: orders of confirmed sales whose every line with demand
 * (ordered - cancelled > 0) is fully shipped, and whose last shipment (the
 * completion) was shipped in [from, to); cycle = completion - order created_at.
 * Orders with no demand left (all lines cancelled) are not cycles.
 *
 * Invoice lag: shipments shipped in [from, to); lag = invoice issued_at -
 * shipped_at. Shipments not invoiced yet are counted apart (uninvoiced).
 *
 * Both report count, mean, p50 and p90; percentiles interpolate linearly
 * between the closest ranks (as PostgreSQL's percentile_cont), null when empty.
 * Filters: warehouse, the warehouse's region, customer. Category is refused: an
 * order or a shipment spans categories.
 */

const SCOPE = { warehouse: 'warehouse_id', region: 'warehouse_region_id', customer: 'customer_id' };

interface StatsRow {
  n: number;
  mean: number | null;
  p50: number | null;
  p90: number | null;
  uninvoiced?: number;
}

function toStats(r: StatsRow): DurationStats {
  const empty = r.n === 0;
  return { count: r.n, meanHours: empty ? null : r.mean, p50Hours: empty ? null : r.p50, p90Hours: empty ? null : r.p90 };
}

const STATS = `toInt64(count(h)) AS n, avg(h) AS mean, quantileExactInclusive(0.5)(h) AS p50, quantileExactInclusive(0.9)(h) AS p90`;

export async function orderCycleTime(ch: ClickHouseClient, input: unknown | OrderCycleInput): Promise<KpiResult<OrderCycleOutput>> {
  const w = orderCycleInput.parse(input);
  const scope = scopeFilter(w, SCOPE, 'order cycle time');
  const asOf = await readAsOf(ch);
  // Per order, as the ingest keeps it (fact_order_fill.completed_at): a quarter of the rows, none regrouped.
  const [row] = await queryRows<StatsRow>(
    ch,
    `SELECT ${STATS}
     FROM (
       SELECT ${hoursBetween('ordered_at', 'assumeNotNull(completed_at)')} AS h
       FROM fact_order_fill
       WHERE completed_at >= ${FROM} AND completed_at < ${TO} AND ${scope.sql}
     )`,
    { ...windowParams(w), ...scope.params }
  );
  return { data: toStats(row!), asOf };
}

export async function invoiceLag(ch: ClickHouseClient, input: unknown | InvoiceLagInput): Promise<KpiResult<InvoiceLagOutput>> {
  const w = invoiceLagInput.parse(input);
  const scope = scopeFilter(w, SCOPE, 'invoice lag');
  const asOf = await readAsOf(ch);
  const [row] = await queryRows<StatsRow>(
    ch,
    `SELECT ${STATS}, toInt64(countIf(invoiced_at IS NULL)) AS uninvoiced
     FROM (
       SELECT invoiced_at, ${hoursBetween('shipped_at', 'invoiced_at')} AS h
       FROM fact_shipments
       WHERE shipped_at >= ${FROM} AND shipped_at < ${TO} AND ${scope.sql}
     )`,
    { ...windowParams(w), ...scope.params }
  );
  return { data: { ...toStats(row!), uninvoiced: row!.uninvoiced ?? 0 }, asOf };
}
