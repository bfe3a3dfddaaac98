import { chTime, queryRows } from '../kpi/clickhouse-query';
import { orderLineSubjects, subjects, touchedOrders, type Detector, type DetectorVerdict } from './detector';
import type { AlertFinding } from '../../schemas/api/alerts';

/**
 * An order line whose quantity is far above what the customer usually orders of
 * the product: robust z against the customer's lines of the last 365 days in
 * other orders (at least MIN_HISTORY of them, else there is no "usual"). It looks
 * at the orders a batch touched only: it is a signal at order entry. A line that
 * is cancelled clears its alert; otherwise a person resolves it.
 */
const MIN_HISTORY = 5;

interface Line {
  line_id: number;
  order_id: number;
  line_no: number;
  customer_id: number;
  customer: string;
  warehouse_id: number;
  product_id: number;
  sku: string;
  qty: number;
  open_qty: number;
  created_at: string;
}

const LINES_SQL = `
SELECT l.id AS line_id, l.order_id AS order_id, l.line_no AS line_no, o.customer_id AS customer_id, c.name AS customer,
       o.warehouse_id AS warehouse_id, l.product_id AS product_id, p.sku AS sku, l.ordered_qty AS qty,
       l.ordered_qty - l.cancelled_qty AS open_qty, toString(o.created_at) AS created_at
FROM sales_order_lines AS l FINAL
INNER JOIN (SELECT * FROM sales_orders FINAL WHERE id IN {orders:Array(Int64)}) AS o ON o.id = l.order_id
INNER JOIN (SELECT id, name FROM customers FINAL) AS c ON c.id = o.customer_id
INNER JOIN (SELECT id, sku FROM products FINAL) AS p ON p.id = l.product_id
WHERE l.order_id IN {orders:Array(Int64)} AND o.state != 'cancelled'`;

const HISTORY_SQL = `
SELECT o.customer_id AS customer_id, l.product_id AS product_id, groupArray(l.ordered_qty) AS quantities
FROM sales_order_lines AS l FINAL
INNER JOIN sales_orders AS o FINAL ON o.id = l.order_id
WHERE concat(toString(o.customer_id), '/', toString(l.product_id)) IN {pairs:Array(String)}
  AND o.id NOT IN {orders:Array(Int64)} AND o.created_at >= {now:DateTime64(6, 'UTC')} - INTERVAL 365 DAY
GROUP BY customer_id, product_id`;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export const orderOutlier: Detector = {
  name: 'order quantity outlier',
  tables: ['sales_orders', 'sales_order_lines'],
  async run({ ch, scope, thresholds, now }): Promise<DetectorVerdict[]> {
    const orders = touchedOrders(scope);
    // Order entry is the moment: the scheduled run has nothing new to say.
    if (orders === null || orders.length === 0) return [];
    const lines = await queryRows<Line>(ch, LINES_SQL, { orders });
    const pairs = [...new Set(lines.map((l) => `${l.customer_id}/${l.product_id}`))];
    const history = pairs.length ? await queryRows<{ customer_id: number; product_id: number; quantities: number[] }>(ch, HISTORY_SQL, { pairs, orders, now: chTime(now) }) : [];
    const usual = new Map(history.map((h) => [`${h.customer_id}/${h.product_id}`, h.quantities]));
    const findings: AlertFinding[] = [];
    for (const l of lines) {
      const past = usual.get(`${l.customer_id}/${l.product_id}`) ?? [];
      if (past.length < MIN_HISTORY || l.open_qty === 0) continue;
      const med = median(past);
      const mad = median(past.map((q) => Math.abs(q - med)));
      const z = Math.round(((l.qty - med) / Math.max(1.4826 * mad, 0.25 * med, 1)) * 100) / 100;
      if (z < thresholds.orderQuantityZ) continue;
      findings.push({
        subject: subjects.orderLine(l.line_id),
        severity: z >= thresholds.orderQuantityZ * 2 ? 'critical' : 'warning',
        message: `Unusual order: ${l.customer} ordered ${l.qty} × ${l.sku} on order ${l.order_id} line ${l.line_no}; they usually order about ${med} (robust z ${z}, ${past.length} past lines).`,
        details: { orderId: l.order_id, lineNo: l.line_no, customerId: l.customer_id, qty: l.qty, usualQty: med, z, history: past.length },
        warehouseId: l.warehouse_id,
        productId: l.product_id
      });
    }
    return [{ kind: 'order_quantity_outlier', findings, evaluated: { subjects: await orderLineSubjects(ch, orders) } }];
  }
};
