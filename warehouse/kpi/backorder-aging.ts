import type { ClickHouseClient } from '@clickhouse/client';
import type { KpiResult } from '../../schemas/api/kpi';
import {
  BACKORDER_BUCKETS,
  backorderAgingInput,
  type BackorderAgingInput,
  type BackorderAgingOutput,
  type BackorderBucket,
  type BackorderCell,
  type BackorderRow
} from '../../schemas/api/kpi-sales';
import { readAsOf } from './as-of';
import { queryRows } from './clickhouse-query';
import { scopeFilter } from './scope-filter';
import { chTime } from './clickhouse-query';

/**
 * Backorder aging.
 *
 * Open backordered lines: lines of confirmed, not cancelled orders with
 * backordered_qty > 0 and backordered_since set (a shipment left part of the
 * line behind; a line never shipped is waiting, not backordered), as they stand
 * now, within the scope filters (warehouse, the warehouse's region, category,
 * customer). Lines backordered after the clock (asOfTime, default now) are left out.
 *
 * - age   = whole days from backordered_since to the clock (floor of elapsed time / 24 h)
 * - bucket: 0-3, 4-7, 8-14, 15-30, 31+ days
 * - units = backordered_qty
 * - value = round(Σ units × unit_price_minor × (10000 - discount_bp) / 10000), the
 *           order discount applied and rounded (half up) once per reported cell,
 *           as the core rounds an order's open value; so bucket values may differ
 *           from their row's value by rounding.
 *
 * Totals always; with groupBy, one row per warehouse, customer or product.
 */

const GROUP_COLUMN = { warehouse: 'warehouse_id', customer: 'customer_id', product: 'product_id' } as const;

interface Row {
  grp: number;
  group_key: number;
  bucket: string;
  lines: number;
  units: number;
  value_minor: number;
}

const emptyCell = (): BackorderCell => ({ lines: 0, units: 0, valueMinor: 0 });

function emptyRow(): BackorderRow {
  return { ...emptyCell(), buckets: Object.fromEntries(BACKORDER_BUCKETS.map((b) => [b, emptyCell()])) as Record<BackorderBucket, BackorderCell> };
}

export async function backorderAging(ch: ClickHouseClient, input: unknown | BackorderAgingInput): Promise<KpiResult<BackorderAgingOutput>> {
  const s = backorderAgingInput.parse(input);
  const scope = scopeFilter(s, { warehouse: 'warehouse_id', region: 'warehouse_region_id', category: 'category', customer: 'customer_id' }, 'backorder aging');
  const clock = s.asOfTime ? new Date(s.asOfTime) : new Date();
  const asOf = await readAsOf(ch);
  // Without groupBy there is no group key: only the total and its buckets (grp 3 and 2, as below).
  const key = s.groupBy ? GROUP_COLUMN[s.groupBy] : null;
  const head = key ? 'grouping(group_key, bucket) AS grp, group_key' : '2 + grouping(bucket) AS grp, toInt64(0) AS group_key';
  const sets = key ? '(), (bucket), (group_key), (group_key, bucket)' : '(), (bucket)';
  const rows = await queryRows<Row>(
    ch,
    `SELECT ${head}, bucket,
            toInt64(count()) AS lines, toInt64(sum(backordered_qty)) AS units,
            toInt64(intDiv(sum(toInt128(backordered_qty) * unit_price_minor * (10000 - discount_bp)) + 5000, 10000)) AS value_minor
     FROM (
       SELECT ${key ? `toInt64(${key}) AS group_key, ` : ''}backordered_qty, unit_price_minor, discount_bp,
              intDiv(toUnixTimestamp64Micro({clock:DateTime64(6, 'UTC')}) - toUnixTimestamp64Micro(assumeNotNull(backordered_since)), 86400000000) AS age,
              multiIf(age <= 3, '0-3', age <= 7, '4-7', age <= 14, '8-14', age <= 30, '15-30', '31+') AS bucket
       FROM fact_open_order_lines
       WHERE order_state != 'cancelled' AND backordered_qty > 0 AND backordered_since IS NOT NULL
         AND backordered_since <= {clock:DateTime64(6, 'UTC')} AND ${scope.sql}
     )
     GROUP BY GROUPING SETS (${sets})
     SETTINGS force_grouping_standard_compatibility = 1`,
    { clock: chTime(clock.toISOString()), ...scope.params }
  );
  // Standard GROUPING bits: group_key = 2, bucket = 1, set when the column is NOT grouped.
  const total = emptyRow();
  const groups = new Map<number, BackorderRow>();
  const rowOf = (r: Row) => {
    if (r.grp >= 2) return total;
    if (!groups.has(r.group_key)) groups.set(r.group_key, emptyRow());
    return groups.get(r.group_key)!;
  };
  for (const r of rows) {
    const cell = { lines: r.lines, units: r.units, valueMinor: r.value_minor };
    const target = rowOf(r);
    if (r.grp % 2 === 1) Object.assign(target, cell);
    else target.buckets[r.bucket as BackorderBucket] = cell;
  }
  const data: BackorderAgingOutput = { asOfTime: clock.toISOString(), total };
  if (s.groupBy) data.groups = [...groups].sort(([a], [b]) => a - b).map(([k, row]) => ({ key: k, ...row }));
  return { data, asOf };
}
