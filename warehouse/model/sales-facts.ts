import type { ModelView } from './model-view';
import { shippedShipments } from './order-line-source';

const SHIPPED = shippedShipments(false);

/**
 * Facts of the sales side: shipment lines as a view over the landing tables read
 * WITH FINAL. Only shipments in state 'shipped' (shipped_at set) count. The order
 * lines with their lifecycle times (fact_order_lines) and the shipments with their
 * invoice (fact_shipments) are materialized: warehouse/model/materialized-facts.ts.
 *
 * Local days are not columns here: ClickHouse takes a time zone only as a
 * constant, so the KPIs bucket days at query time (warehouse/kpi/local-day.ts)
 * from the UTC times and warehouse_time_zone the facts carry.
 */

/**
 * Shipped shipments with their order's customer, warehouse, regions and zone, and the invoice
 * (NULL while not invoiced): the rows of mat_shipments (materialized-facts.ts). `narrow` reads
 * the shipments of some orders only ({orders}, an incremental refresh).
 */
export function shipmentSource(narrow: boolean): string {
  return `
SELECT sh.shipment_id AS shipment_id, sh.order_id AS order_id, o.customer_id AS customer_id, c.region_id AS customer_region_id,
       o.warehouse_id AS warehouse_id, w.region_id AS warehouse_region_id, w.time_zone AS warehouse_time_zone,
       o.created_at AS ordered_at, sh.picked_at AS picked_at, sh.packed_at AS packed_at, sh.shipped_at AS shipped_at,
       sh.invoice_id AS invoice_id, sh.invoiced_at AS invoiced_at
FROM (${shippedShipments(narrow)}) AS sh
INNER JOIN (SELECT id, customer_id, warehouse_id, created_at FROM sales_orders FINAL${narrow ? ' WHERE id IN {orders:Array(Int64)}' : ''}) AS o ON o.id = sh.order_id
INNER JOIN (SELECT id, region_id, time_zone FROM warehouses FINAL) AS w ON w.id = o.warehouse_id
INNER JOIN (SELECT id, region_id FROM customers FINAL) AS c ON c.id = o.customer_id`;
}

/** Lines of shipped shipments with their shipment time, order line, order, warehouse, customer and product. */
const fact_shipment_lines = `
SELECT sl.id AS shipment_line_id, sl.shipment_id AS shipment_id, sl.order_line_id AS order_line_id, toInt64(sl.qty) AS qty,
       sh.shipped_at AS shipped_at, sh.invoiced_at AS invoiced_at, l.order_id AS order_id, l.product_id AS product_id,
       o.warehouse_id AS warehouse_id, o.customer_id AS customer_id
FROM shipment_lines AS sl FINAL
INNER JOIN (${SHIPPED}) AS sh ON sh.shipment_id = sl.shipment_id
INNER JOIN (SELECT id, order_id, product_id FROM sales_order_lines FINAL) AS l ON l.id = sl.order_line_id
INNER JOIN (SELECT id, customer_id, warehouse_id FROM sales_orders FINAL) AS o ON o.id = l.order_id`;

export const SALES_FACTS: readonly ModelView[] = [{ name: 'fact_shipment_lines', select: fact_shipment_lines }
];
