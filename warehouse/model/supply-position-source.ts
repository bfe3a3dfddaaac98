/**
 * The supply position per product x warehouse: what stock at risk weighs against demand,
 * kept as a fact (mat_supply_position) so the KPI reads one row per pair instead of
 * regrouping the balances, the open moves and the owed lines and joining four master
 * tables on every query (warehouse/kpi/stock-at-risk.ts says what each column means):
 * - available, in_transit: from the stock position (the balances);
 * - open: the open inbound moves from outside the warehouse, (scheduled date, qty): which of
 *   them count depends on the horizon, so on the day the KPI looks from;
 * - owed: units confirmed orders still wait for beyond what is reserved for them;
 * - lead_time_days and its source: the reorder rule, else the shortest supplier lead time, else 7 days.
 * Keyed by every pair with a balance, an open inbound move or owed units. It reads the facts
 * of the balances, the open moves and the open lines (their tables: the views come after the
 * tables when the model is created), so it is written after them.
 */
import { INTERNAL_KINDS } from './stock-move-source';

export const DEFAULT_LEAD_DAYS = 7;
const OPEN = `CAST([], 'Array(Tuple(Nullable(Date32), Int64))')`;

/**
 * `narrow`: only the products in {products}, with a tombstone for each pair of theirs that
 * the fact holds and the sources no longer do (an open inbound move cancelled before any
 * stock arrived). Columns end with _version, _deleted.
 */
export function supplyPositionSource(narrow: boolean): string {
  const narrowed = narrow ? ' AND product_id IN {products:Array(Int32)}' : '';
  const gone = narrow
    ? `UNION ALL SELECT product_id, warehouse_id, 0, 0, 0, ${OPEN}, 0 FROM mat_supply_position FINAL WHERE product_id IN {products:Array(Int32)}`
    : '';
  return `
SELECT k.product_id AS product_id, k.warehouse_id AS warehouse_id, p.category AS category,
       k.available AS available, k.in_transit AS in_transit, k.owed AS owed, k.open AS open,
       multiIf(rr.lead IS NOT NULL, rr.lead, sp.lead IS NOT NULL, sp.lead, ${DEFAULT_LEAD_DAYS}) AS lead_time_days,
       CAST(multiIf(rr.lead IS NOT NULL, 'reorder_rule', sp.lead IS NOT NULL, 'supplier', 'default'), 'LowCardinality(String)') AS lead_time_source,
       {to:UInt64} AS _version, toUInt8(NOT k.present) AS _deleted
FROM (
  SELECT product_id, warehouse_id, sum(available) AS available, sum(in_transit) AS in_transit, sum(owed) AS owed,
         arraySort(groupArrayArray(open)) AS open, max(present) AS present
  FROM (
    SELECT product_id, warehouse_id, available, in_transit, toInt64(0) AS owed, ${OPEN} AS open, 1 AS present
    FROM mat_stock_position FINAL WHERE 1${narrowed}
    UNION ALL
    SELECT product_id, to_warehouse_id, 0, 0, 0, groupArray((scheduled_date, toInt64(qty))), 1
    FROM mat_open_moves FINAL
    WHERE NOT _deleted AND state IN ('confirmed', 'reserved') AND to_kind IN ('stock', 'transit')
      AND (from_warehouse_id != to_warehouse_id OR from_kind NOT IN ${INTERNAL_KINDS})${narrowed}
    GROUP BY product_id, to_warehouse_id
    UNION ALL
    SELECT product_id, warehouse_id, 0, 0, toInt64(sum(backordered_qty - reserved_qty)), ${OPEN}, 1
    FROM mat_open_lines FINAL
    WHERE NOT _deleted AND order_state = 'confirmed' AND backordered_qty > reserved_qty${narrowed}
    GROUP BY product_id, warehouse_id
    ${gone})
  GROUP BY product_id, warehouse_id) AS k
INNER JOIN (SELECT id, category FROM products FINAL) AS p ON p.id = k.product_id
LEFT JOIN (SELECT product_id, warehouse_id, toNullable(lead_time_days) AS lead FROM reorder_rules FINAL) AS rr
       ON rr.product_id = k.product_id AND rr.warehouse_id = k.warehouse_id
LEFT JOIN (SELECT product_id, toNullable(min(lead_time_days)) AS lead FROM supplier_products FINAL GROUP BY product_id) AS sp
       ON sp.product_id = k.product_id`;
}

/** The landing tables a supply position is computed from: a batch that touched none of them leaves it as it is. */
export const SUPPLY_POSITION_SOURCES = ['stock_balances', 'products', 'stock_moves', 'sales_orders', 'sales_order_lines', 'reorder_rules', 'supplier_products'];
