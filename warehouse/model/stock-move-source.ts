/**
 * The source of the stock-move facts: each move with both ends' location kind,
 * warehouse and region, and the product's category and cost. `range` reads only
 * the moves whose newest version lies in (from, to], tombstones included (an
 * incremental refresh); without it, every live move (a rebuild). The _version
 * skip index keeps a range read to the newest parts. `where` (over stock_moves'
 * columns) narrows the moves before the joins.
 */

/** The location kinds that hold a warehouse's inventory (the core's INTERNAL_KINDS), as an SQL list. */
export const INTERNAL_KINDS = `('stock', 'quality_hold', 'damaged', 'transit')`;

/**
 * Each location with its warehouse, region and zone, as a subquery. Inlined with
 * inner aliases of its own each time: ClickHouse 26's join reordering fails
 * ("Left and right columns have same names") when one view with a join is joined
 * twice into the same query.
 */
export const locationDim = (p: string) => `(
  SELECT ${p}l.id AS location_id, ${p}l.kind AS kind, ${p}l.warehouse_id AS warehouse_id, ${p}w.region_id AS region_id,
         ${p}w.time_zone AS time_zone, CAST(${p}l.kind IN ${INTERNAL_KINDS}, 'Bool') AS internal
  FROM locations AS ${p}l FINAL
  INNER JOIN (SELECT id, region_id, time_zone FROM warehouses FINAL) AS ${p}w ON ${p}w.id = ${p}l.warehouse_id)`;

export function stockMoveSource(range: boolean, where?: string): string {
  const newest = range
    ? `SELECT * FROM stock_moves WHERE _version > {from:UInt64} AND _version <= {to:UInt64} ORDER BY _version DESC LIMIT 1 BY id`
    : `SELECT * FROM stock_moves FINAL`;
  // `where` picks moves (by their newest version) before the joins, which cost more than the read.
  const moves = where ? `(SELECT * FROM (${newest}) WHERE ${where})` : `(${newest})`;
  return `
SELECT m.id AS move_id, m.product_id AS product_id, mp.category AS category, mp.cost_minor AS cost_minor, m.qty AS qty,
       m.state AS state, m.document_type AS document_type, m.document_id AS document_id, m.document_line_id AS document_line_id,
       m.scheduled_date AS scheduled_date, m.created_at AS created_at, m.done_at AS done_at,
       m.from_location_id AS from_location_id, f.kind AS from_kind, f.warehouse_id AS from_warehouse_id, f.region_id AS from_region_id,
       m.to_location_id AS to_location_id, t.kind AS to_kind, t.warehouse_id AS to_warehouse_id, t.region_id AS to_region_id,
       m._version AS _version, m._deleted AS _deleted
FROM ${moves} AS m
INNER JOIN ${locationDim('from_')} AS f ON f.location_id = m.from_location_id
INNER JOIN ${locationDim('to_')} AS t ON t.location_id = m.to_location_id
INNER JOIN (SELECT id, category, cost_minor FROM products FINAL) AS mp ON mp.id = m.product_id`;
}

/**
 * Per product x warehouse, from the balances of its internal locations: on hand,
 * reserved and available (= on hand - reserved) in the stock location, quality
 * hold, damaged, and in transit (inbound transfers shipped to it). `narrow` reads
 * only the products in {products} (the balances' sort key).
 */
export function stockPositionSource(narrow: boolean): string {
  return `
SELECT pos_b.product_id AS product_id, l.warehouse_id AS warehouse_id, any(l.region_id) AS region_id,
       any(pos_p.category) AS category, any(pos_p.cost_minor) AS cost_minor,
       toInt64(sumIf(pos_b.on_hand, l.kind = 'stock')) AS on_hand,
       toInt64(sumIf(pos_b.reserved, l.kind = 'stock')) AS reserved,
       toInt64(sumIf(pos_b.on_hand - pos_b.reserved, l.kind = 'stock')) AS available,
       toInt64(sumIf(pos_b.on_hand, l.kind = 'quality_hold')) AS quality_hold,
       toInt64(sumIf(pos_b.on_hand, l.kind = 'damaged')) AS damaged,
       toInt64(sumIf(pos_b.on_hand, l.kind = 'transit')) AS in_transit
FROM (SELECT * FROM stock_balances FINAL${narrow ? ' WHERE product_id IN {products:Array(Int32)}' : ''}) AS pos_b
INNER JOIN ${locationDim('pos_')} AS l ON l.location_id = pos_b.location_id
INNER JOIN (SELECT id, category, cost_minor FROM products FINAL) AS pos_p ON pos_p.id = pos_b.product_id
WHERE l.internal
GROUP BY pos_b.product_id, l.warehouse_id`;
}

/**
 * The products whose balances, own row (category, cost), moves, order lines (or their order's
 * state), reorder rules or supplier lead times changed between two versions: the stock position
 * and the supply position (supply-position-source.ts) are rewritten for them.
 */
export const CHANGED_PRODUCTS = `
SELECT DISTINCT product_id AS id FROM (
  SELECT product_id FROM stock_balances WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT id AS product_id FROM products WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT product_id FROM stock_moves WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT product_id FROM sales_order_lines WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT product_id FROM sales_order_lines
            WHERE order_id IN (SELECT id FROM sales_orders WHERE _version > {from:UInt64} AND _version <= {to:UInt64})
  UNION ALL SELECT product_id FROM reorder_rules WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT product_id FROM supplier_products WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
)`;
