import type { ClickHouseClient } from '@clickhouse/client';
import type { KpiResult } from '../../schemas/api/kpi';
import {
  poLineFillInput,
  supplierPerformanceInput,
  type PoLineFillInput,
  type PoLineFillRow,
  type SupplierPerformanceInput,
  type SupplierPerformanceRow
} from '../../schemas/api/kpi-supply';
import { readAsOf } from './as-of';
import { queryRows } from './clickhouse-query';
import { scopeFilter } from './scope-filter';

/** The purchase orders with a receipt in [from, to): the deliveries the window judges. */
const RECEIVED_POS = `
  SELECT DISTINCT purchase_order_id FROM fact_receipts
  WHERE received_at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`;

/** The optional supplier filter and its parameter. */
const supplierFilter = (ids: number[] | undefined) =>
  ids ? { sql: 'supplier_id IN {suppliers:Array(Int64)}', params: { suppliers: ids } } : { sql: '1', params: {} };

/**
 * Supplier on time and in full, per supplier over the receipts received in [from, to):
 * - receipts, and the shares flagged on_time (received on or before the PO's expected
 *   date in the warehouse's zone) and in_full (every PO line fully received after it),
 *   as the receipt recorded them; otif = both;
 * - fill over the lines of the purchase orders with a receipt in the window, as they
 *   stand now: unit fill = Σ received / Σ ordered (accepted units; rejected excluded),
 *   mean line fill = mean of min(1, received / ordered).
 * Scope: the PO's warehouse and region (a receipt spans categories: refused).
 */
export async function supplierPerformance(
  ch: ClickHouseClient,
  input: unknown | SupplierPerformanceInput
): Promise<KpiResult<SupplierPerformanceRow[]>> {
  const data = supplierPerformanceInput.parse(input);
  const asOf = await readAsOf(ch);
  const f = scopeFilter(data, { warehouse: 'warehouse_id', region: 'region_id' }, 'supplier performance');
  const s = supplierFilter(data.supplierIds);
  const where = `${f.sql} AND ${s.sql}`;
  const rows = await queryRows<SupplierPerformanceRow>(
    ch,
    `SELECT r.supplier_id AS supplierId, r.receipts AS receipts, r.n_on_time AS onTimeReceipts, r.n_in_full AS inFullReceipts,
            r.n_otif AS onTimeInFullReceipts,
            round(r.n_on_time / r.receipts, 4) AS onTimeShare, round(r.n_in_full / r.receipts, 4) AS inFullShare, round(r.n_otif / r.receipts, 4) AS otifShare,
            l.lines AS poLines, l.ordered AS orderedUnits, l.received AS receivedUnits, l.rejected AS rejectedUnits,
            round(l.received / l.ordered, 4) AS unitFill, round(l.mean_fill, 4) AS meanLineFill
     FROM (
       SELECT supplier_id, count() AS receipts, countIf(on_time) AS n_on_time, countIf(in_full) AS n_in_full, countIf(on_time AND in_full) AS n_otif
       FROM fact_receipts
       WHERE received_at >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND received_at < fromUnixTimestamp64Milli({to:Int64}, 'UTC') AND ${where}
       GROUP BY supplier_id) AS r
     INNER JOIN (
       SELECT supplier_id, count() AS lines, toInt64(sum(ordered_qty)) AS ordered, toInt64(sum(received_qty)) AS received,
              toInt64(sum(rejected_qty)) AS rejected, avg(least(1, received_qty / ordered_qty)) AS mean_fill
       FROM fact_po_lines
       WHERE purchase_order_id IN (${RECEIVED_POS}) AND ${where}
       GROUP BY supplier_id) AS l ON l.supplier_id = r.supplier_id
     ORDER BY supplierId`,
    { ...f.params, ...s.params, from: Date.parse(data.from), to: Date.parse(data.to) }
  );
  return { asOf, data: rows };
}

/**
 * PO line fill for a drill-down: the lines of the purchase orders with a receipt in
 * [from, to), fill = received / ordered (accepted units), worst first.
 * Scope: the PO's warehouse and region, the product's category.
 */
export async function poLineFill(ch: ClickHouseClient, input: unknown | PoLineFillInput): Promise<KpiResult<PoLineFillRow[]>> {
  const data = poLineFillInput.parse(input);
  const asOf = await readAsOf(ch);
  const f = scopeFilter(data, { warehouse: 'warehouse_id', region: 'region_id', category: 'category' }, 'PO line fill');
  const s = supplierFilter(data.supplierIds);
  const rows = await queryRows<PoLineFillRow>(
    ch,
    `SELECT po_line_id AS poLineId, purchase_order_id AS purchaseOrderId, supplier_id AS supplierId, warehouse_id AS warehouseId,
            product_id AS productId, ordered_qty AS orderedQty, received_qty AS receivedQty, rejected_qty AS rejectedQty,
            round(received_qty / ordered_qty, 4) AS fill
     FROM fact_po_lines
     WHERE purchase_order_id IN (${RECEIVED_POS}) AND ${f.sql} AND ${s.sql}
     ORDER BY fill, poLineId
     LIMIT {limit:UInt32}`,
    { ...f.params, ...s.params, from: Date.parse(data.from), to: Date.parse(data.to), limit: data.limit }
  );
  return { asOf, data: rows };
}
