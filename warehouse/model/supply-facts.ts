/**
 * The sources of the supply side's facts, read from the landing tables WITH FINAL:
 * transfers, PO lines and receipts. They are materialized with the stock moves and
 * positions: warehouse/model/materialized-facts.ts.
 */

/**
 * Transfers with the lane's planned lead time (NULL when the lane is gone), the
 * stage times, both ends' regions and the destination's zone, and the summed
 * line quantities; in transit = shipped - received - short - damaged (invariant 4).
 * The rows of mat_transfers (materialized-facts.ts); `narrow` reads some transfers
 * only ({transfers}, an incremental refresh).
 */
export function transferSource(narrow: boolean): string {
  const only = (col: string) => (narrow ? ` WHERE ${col} IN {transfers:Array(Int64)}` : '');
  return `
SELECT t.id AS transfer_id, t.from_warehouse_id AS from_warehouse_id, t.to_warehouse_id AS to_warehouse_id,
       fw.region_id AS from_region_id, tw.region_id AS to_region_id, tw.time_zone AS to_time_zone,
       t.state AS state, t.expected_arrival AS expected_arrival, lane.lead_time_days AS lane_lead_time_days,
       t.requested_at AS requested_at, t.approved_at AS approved_at, t.shipped_at AS shipped_at,
       t.received_at AS received_at, t.cancelled_at AS cancelled_at,
       toInt64(ln.qty) AS qty, toInt64(ln.shipped_qty) AS shipped_qty, toInt64(ln.received_qty) AS received_qty,
       toInt64(ln.short_qty) AS short_qty, toInt64(ln.damaged_qty) AS damaged_qty,
       toInt64(ln.shipped_qty - ln.received_qty - ln.short_qty - ln.damaged_qty) AS in_transit_qty
FROM (SELECT * FROM transfers FINAL${only('id')}) AS t
INNER JOIN (SELECT id, region_id FROM warehouses FINAL) AS fw ON fw.id = t.from_warehouse_id
INNER JOIN (SELECT id, region_id, time_zone FROM warehouses FINAL) AS tw ON tw.id = t.to_warehouse_id
LEFT JOIN (SELECT from_warehouse_id, to_warehouse_id, toNullable(lead_time_days) AS lead_time_days FROM transfer_lanes FINAL) AS lane
       ON lane.from_warehouse_id = t.from_warehouse_id AND lane.to_warehouse_id = t.to_warehouse_id
LEFT JOIN (SELECT transfer_id, sum(qty) AS qty, sum(shipped_qty) AS shipped_qty, sum(received_qty) AS received_qty,
                  sum(short_qty) AS short_qty, sum(damaged_qty) AS damaged_qty
           FROM transfer_lines FINAL${only('transfer_id')} GROUP BY transfer_id) AS ln ON ln.transfer_id = t.id`;
}

/**
 * The transfers a change between two versions may have changed. The core never
 * deletes a transfer or its lines (a transfer is cancelled instead).
 */
export const CHANGED_TRANSFERS = `
SELECT DISTINCT transfer_id AS id FROM (
  SELECT id AS transfer_id FROM transfers WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT transfer_id FROM transfer_lines WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
)`;

const PURCHASE_ORDERS = '{purchase_orders:Array(Int64)}';

/**
 * Purchase order lines with their order's supplier, warehouse, region, state and dates, and the
 * product's category: the rows of mat_po_lines; `narrow` reads some purchase orders only ({purchase_orders}).
 */
export function poLineSource(narrow: boolean): string {
  return `
SELECT pl.id AS po_line_id, pl.purchase_order_id AS purchase_order_id, pl.product_id AS product_id, po_p.category AS category,
       po.supplier_id AS supplier_id, po.warehouse_id AS warehouse_id, po_w.region_id AS region_id, po.state AS po_state,
       po.expected_date AS expected_date, po.created_at AS created_at, po.sent_at AS sent_at,
       pl.ordered_qty AS ordered_qty, pl.received_qty AS received_qty, pl.rejected_qty AS rejected_qty, pl.unit_cost_minor AS unit_cost_minor
FROM (SELECT * FROM purchase_order_lines FINAL${narrow ? ` WHERE purchase_order_id IN ${PURCHASE_ORDERS}` : ''}) AS pl
INNER JOIN (SELECT id, supplier_id, warehouse_id, state, expected_date, created_at, sent_at FROM purchase_orders FINAL${narrow ? ` WHERE id IN ${PURCHASE_ORDERS}` : ''}) AS po
        ON po.id = pl.purchase_order_id
INNER JOIN (SELECT id, region_id FROM warehouses FINAL) AS po_w ON po_w.id = po.warehouse_id
INNER JOIN (SELECT id, category FROM products FINAL) AS po_p ON po_p.id = pl.product_id`;
}

/**
 * Receipts (one per delivery) with their order's supplier, warehouse, region, expected date and the
 * summed receipt lines: the rows of mat_receipts; `narrow` reads some purchase orders only.
 */
export function receiptSource(narrow: boolean): string {
  const receipts = `SELECT * FROM receipts FINAL${narrow ? ` WHERE purchase_order_id IN ${PURCHASE_ORDERS}` : ''}`;
  return `
SELECT r.id AS receipt_id, r.purchase_order_id AS purchase_order_id, po.supplier_id AS supplier_id, po.warehouse_id AS warehouse_id,
       rc_w.region_id AS region_id, po.expected_date AS expected_date, r.received_at AS received_at, r.on_time AS on_time, r.in_full AS in_full,
       toInt64(rl.accepted_qty) AS accepted_qty, toInt64(rl.rejected_qty) AS rejected_qty
FROM (${receipts}) AS r
INNER JOIN (SELECT id, supplier_id, warehouse_id, expected_date FROM purchase_orders FINAL${narrow ? ` WHERE id IN ${PURCHASE_ORDERS}` : ''}) AS po
        ON po.id = r.purchase_order_id
INNER JOIN (SELECT id, region_id FROM warehouses FINAL) AS rc_w ON rc_w.id = po.warehouse_id
LEFT JOIN (SELECT receipt_id, sum(accepted_qty) AS accepted_qty, sum(rejected_qty) AS rejected_qty FROM receipt_lines FINAL
           ${narrow ? `WHERE receipt_id IN (SELECT id FROM (${receipts}))` : ''} GROUP BY receipt_id) AS rl
       ON rl.receipt_id = r.id`;
}

/**
 * The purchase orders a change between two versions may have changed. The core never
 * deletes a purchase order, its lines or receipts (a PO is cancelled or closed instead).
 */
export const CHANGED_PURCHASE_ORDERS = `
SELECT DISTINCT purchase_order_id AS id FROM (
  SELECT id AS purchase_order_id FROM purchase_orders WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT purchase_order_id FROM purchase_order_lines WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT purchase_order_id FROM receipts WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT purchase_order_id FROM receipts
            WHERE id IN (SELECT receipt_id FROM receipt_lines WHERE _version > {from:UInt64} AND _version <= {to:UInt64})
)`;
