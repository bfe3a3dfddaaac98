import { chTime, queryRows } from '../kpi/clickhouse-query';
import { orderLineSubjects, subjects, touchedOrders, type Detector, type DetectorVerdict } from './detector';

/**
 * A backorder older than the threshold: a line that a shipment left partly behind
 * (backordered_since) and that still waits. Age counts whole days since then;
 * critical at twice the threshold. Clears when the line ships or is cancelled.
 */
interface Row {
  line_id: number;
  order_id: number;
  line_no: number;
  warehouse_id: number;
  warehouse: string;
  product_id: number;
  sku: string;
  customer: string;
  units: number;
  age_days: number;
}

const SQL = `
SELECT l.id AS line_id, l.order_id AS order_id, l.line_no AS line_no, o.warehouse_id AS warehouse_id, w.code AS warehouse,
       l.product_id AS product_id, p.sku AS sku, c.name AS customer, l.backordered_qty AS units,
       intDiv(dateDiff('second', l.backordered_since, {now:DateTime64(6, 'UTC')}), 86400) AS age_days
FROM sales_order_lines AS l FINAL
INNER JOIN sales_orders AS o FINAL ON o.id = l.order_id
INNER JOIN (SELECT id, code FROM warehouses FINAL) AS w ON w.id = o.warehouse_id
INNER JOIN (SELECT id, sku FROM products FINAL) AS p ON p.id = l.product_id
INNER JOIN (SELECT id, name FROM customers FINAL) AS c ON c.id = o.customer_id
WHERE l.backordered_qty > 0 AND l.backordered_since IS NOT NULL AND o.state IN ('confirmed', 'awaiting_approval')
  AND age_days >= {days:Float64}
  AND (empty({orders:Array(Int64)}) OR l.order_id IN {orders:Array(Int64)})`;

export const backorderAge: Detector = {
  name: 'backorder aging',
  tables: ['sales_orders', 'sales_order_lines'],
  async run({ ch, scope, thresholds, now }): Promise<DetectorVerdict[]> {
    const orders = touchedOrders(scope);
    if (orders !== null && orders.length === 0) return [];
    const rows = await queryRows<Row>(ch, SQL, { now: chTime(now), days: thresholds.backorderDays, orders: orders ?? [] });
    const findings = rows.map((r) => ({
      subject: subjects.orderLine(r.line_id),
      severity: r.age_days >= thresholds.backorderDays * 2 ? ('critical' as const) : ('warning' as const),
      message: `Backorder ${r.age_days} days old: ${r.units} × ${r.sku} for ${r.customer} (order ${r.order_id} line ${r.line_no}) still waits at ${r.warehouse}.`,
      details: { orderId: r.order_id, lineNo: r.line_no, units: r.units, ageDays: r.age_days },
      warehouseId: r.warehouse_id,
      productId: r.product_id
    }));
    const evaluated =
      orders === null
        ? ('all' as const)
        : { subjects: await orderLineSubjects(ch, orders) };
    return [{ kind: 'backorder_aging', findings, evaluated }];
  }
};
