/**
 * The source of the order-line facts: per line of a confirmed order, its order,
 * customer, warehouse, product and shipment times, computed from the landing
 * tables (WITH FINAL). `orders` narrows every table read to the lines of some
 * orders (an incremental refresh); without it the query covers every order (a
 * rebuild). The order_id / order_line_id skip indexes keep a narrow read cheap.
 */
import { localDayExpr } from '../kpi/local-day';

const ORDERS = '{orders:Array(Int64)}';

/** Shipped shipments with the invoice issued for them (NULL while not invoiced). */
export function shippedShipments(narrow: boolean): string {
  const only = (col: string) => (narrow ? ` AND ${col} IN ${ORDERS}` : '');
  return `
SELECT s.id AS shipment_id, s.order_id AS order_id, s.picked_at AS picked_at, s.packed_at AS packed_at,
       assumeNotNull(s.shipped_at) AS shipped_at,
       if(i.id > 0, toNullable(i.id), NULL) AS invoice_id,
       if(i.id > 0, toNullable(i.issued_at), NULL) AS invoiced_at
FROM (SELECT id, order_id, picked_at, packed_at, shipped_at FROM shipments FINAL WHERE state = 'shipped' AND shipped_at IS NOT NULL${only('order_id')}) AS s
LEFT JOIN (SELECT id, shipment_id, issued_at FROM invoices FINAL WHERE 1${only('order_id')}) AS i ON i.shipment_id = s.id`;
}

/**
 * Per order line, over its shipped shipments (aggregated once, then joined):
 * first and last shipment times, the quantity in its first shipment (earliest
 * shipped_at, then lowest shipment id), the shipment count and the first invoice.
 */
function lineShipments(narrow: boolean): string {
  const lines = narrow ? `WHERE sl.order_line_id IN (SELECT id FROM sales_order_lines WHERE order_id IN ${ORDERS})` : '';
  return `
SELECT order_line_id,
       min(shipped_at) AS first_shipped_at,
       argMin(qty, (shipped_at, shipment_id)) AS first_shipment_qty,
       max(shipped_at) AS last_shipped_at,
       toInt64(count()) AS shipment_count,
       minIf(invoiced_at, invoiced_at IS NOT NULL) AS first_invoiced_at,
       countIf(invoiced_at IS NOT NULL) AS invoiced_shipments
FROM (
  SELECT sl.order_line_id AS order_line_id, sl.shipment_id AS shipment_id, toInt64(sum(sl.qty)) AS qty,
         any(sh.shipped_at) AS shipped_at, any(sh.invoiced_at) AS invoiced_at
  FROM shipment_lines AS sl FINAL
  INNER JOIN (${shippedShipments(narrow)}) AS sh ON sh.shipment_id = sl.shipment_id
  ${lines}
  GROUP BY sl.order_line_id, sl.shipment_id
)
GROUP BY order_line_id`;
}

/**
 * One row per line of a confirmed order (confirmed_at set), whatever its state
 * now: customer and warehouse with their regions, the warehouse's zone, product
 * category and ABC class, promised dates (promised_date = the line's, else the
 * order's), quantities (demand_qty = ordered - cancelled), price and discount,
 * and the shipment times. Shipment columns are NULL (qty 0) before the first shipment.
 * ordered_day and last_shipped_day are the order's and the last shipment's local dates in
 * the warehouse's zone, one of `zones` (the warehouses' zones when the facts were written;
 * UTC for any other).
 */
export function orderLineSource(narrow: boolean, zones: readonly string[]): string {
  const only = (col: string) => (narrow ? ` AND ${col} IN ${ORDERS}` : '');
  return `
SELECT l.id AS line_id, l.order_id AS order_id, l.line_no AS line_no,
       o.customer_id AS customer_id, c.region_id AS customer_region_id,
       o.warehouse_id AS warehouse_id, w.region_id AS warehouse_region_id, w.time_zone AS warehouse_time_zone,
       l.product_id AS product_id, p.category AS category, p.abc_class AS abc_class,
       o.state AS order_state, o.created_at AS ordered_at, assumeNotNull(o.confirmed_at) AS confirmed_at,
       ${localDayExpr('ordered_at', 'warehouse_time_zone', zones)} AS ordered_day,
       o.promised_date AS order_promised_date, l.promised_date AS line_promised_date,
       ifNull(l.promised_date, o.promised_date) AS promised_date,
       toInt64(l.ordered_qty) AS ordered_qty, toInt64(l.shipped_qty) AS shipped_qty, toInt64(l.backordered_qty) AS backordered_qty,
       toInt64(l.cancelled_qty) AS cancelled_qty, toInt64(l.reserved_qty) AS reserved_qty,
       toInt64(l.ordered_qty - l.cancelled_qty) AS demand_qty,
       l.unit_price_minor AS unit_price_minor, toInt64(o.discount_bp) AS discount_bp,
       l.backordered_since AS backordered_since,
       if(s.shipment_count > 0, toNullable(s.first_shipped_at), NULL) AS first_shipped_at,
       toInt64(if(s.shipment_count > 0, s.first_shipment_qty, 0)) AS first_shipment_qty,
       if(s.shipment_count > 0, toNullable(s.last_shipped_at), NULL) AS last_shipped_at,
       ${localDayExpr('last_shipped_at', 'warehouse_time_zone', zones)} AS last_shipped_day,
       toInt64(if(s.shipment_count > 0, s.shipment_count, 0)) AS shipment_count,
       if(s.invoiced_shipments > 0, toNullable(s.first_invoiced_at), NULL) AS first_invoiced_at
FROM (SELECT * FROM sales_order_lines FINAL WHERE 1${only('order_id')}) AS l
INNER JOIN (SELECT id, customer_id, warehouse_id, state, created_at, confirmed_at, promised_date, discount_bp
            FROM sales_orders FINAL WHERE confirmed_at IS NOT NULL${only('id')}) AS o ON o.id = l.order_id
INNER JOIN (SELECT id, region_id, time_zone FROM warehouses FINAL) AS w ON w.id = o.warehouse_id
INNER JOIN (SELECT id, region_id FROM customers FINAL) AS c ON c.id = o.customer_id
INNER JOIN (SELECT id, category, abc_class FROM products FINAL) AS p ON p.id = l.product_id
LEFT JOIN (${lineShipments(narrow)}) AS s ON s.order_line_id = l.id`;
}

/**
 * The orders whose facts a change between two versions may have changed, from
 * every table the source reads. A deleted order line lands as a key-only
 * tombstone (no order_id): its order comes from the facts. Shipments, their lines
 * and invoices are never deleted by the core (they are cancelled or stay); a
 * delete there reaches the facts at their next rebuild.
 */
export const CHANGED_ORDERS = `
SELECT DISTINCT order_id AS id FROM (
  SELECT id AS order_id FROM sales_orders WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT order_id FROM sales_order_lines WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT order_id FROM shipments WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT order_id FROM invoices WHERE _version > {from:UInt64} AND _version <= {to:UInt64}
  UNION ALL SELECT order_id FROM sales_order_lines
            WHERE id IN (SELECT order_line_id FROM shipment_lines WHERE _version > {from:UInt64} AND _version <= {to:UInt64})
  UNION ALL SELECT order_id FROM mat_order_lines
            WHERE line_id IN (SELECT id FROM sales_order_lines WHERE _deleted AND _version > {from:UInt64} AND _version <= {to:UInt64})
)`;

/**
 * Per confirmed order, the fill counts its lines add up to (lines with demand only):
 * what fill rate reads when no category narrows it to some of an order's lines.
 * completed_at: when its last line with demand was fully shipped (the last shipment
 * of those lines), NULL while a line is short or when nothing is left to ship: what
 * order cycle time reads. What OTIF reads, over the lines with demand: those without a
 * promise, those promised and complete, those complete on time (last shipment's local
 * day on or before the promise) and the promises of those still short (whether they
 * are due depends on the window's end). `lines` is a subquery of order-line facts
 * (orderLineSource's columns).
 */
export function orderFillSource(lines: string): string {
  return `
SELECT order_id, any(ordered_at) AS ordered_at, any(ordered_day) AS ordered_day, any(warehouse_time_zone) AS time_zone, any(warehouse_id) AS warehouse_id,
       any(warehouse_region_id) AS warehouse_region_id, any(customer_id) AS customer_id,
       toInt64(countIf(demand_qty > 0)) AS lines, toInt64(sumIf(demand_qty, demand_qty > 0)) AS units,
       toInt64(countIf(demand_qty > 0 AND first_shipment_qty >= demand_qty)) AS lines_first,
       toInt64(sumIf(least(first_shipment_qty, demand_qty), demand_qty > 0)) AS units_first,
       toInt64(countIf(demand_qty > 0 AND shipped_qty >= demand_qty)) AS lines_final,
       toInt64(sumIf(least(shipped_qty, demand_qty), demand_qty > 0)) AS units_final,
       if(lines > 0 AND lines_final = lines, maxIf(last_shipped_at, demand_qty > 0), NULL) AS completed_at,
       toInt64(countIf(demand_qty > 0 AND promised_date IS NULL)) AS lines_unpromised,
       toInt64(countIf(demand_qty > 0 AND promised_date IS NOT NULL AND shipped_qty >= demand_qty)) AS lines_promised_complete,
       toInt64(countIf(demand_qty > 0 AND shipped_qty >= demand_qty AND ifNull(last_shipped_day <= promised_date, 0))) AS lines_on_time,
       groupArrayIf(assumeNotNull(promised_date), demand_qty > 0 AND promised_date IS NOT NULL AND shipped_qty < demand_qty) AS open_promises
FROM ${lines}
GROUP BY order_id`;
}
