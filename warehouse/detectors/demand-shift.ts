import { chTime, queryRows } from '../kpi/clickhouse-query';
import { productWarehouseSubjects, subjects, touchedProducts, type Detector, type DetectorContext, type DetectorVerdict } from './detector';
import type { AlertFinding } from '../../schemas/api/alerts';

/**
 * Demand spike or drop per product x warehouse: the units ordered in the last 24
 * hours against the 28 24-hour windows before them (days without orders count as
 * zero). The score is robust: (x - median) / (1.4826 x MAD), the scale floored at
 * a tenth of the median and at one unit so that a perfectly steady baseline does
 * not turn one extra unit into an infinite score.
 */
interface Row {
  warehouse_id: number;
  product_id: number;
  sku: string;
  warehouse: string;
  x: number;
  median: number;
  z: number;
}

const SHIFT_SQL = `
WITH {now:DateTime64(6, 'UTC')} AS t_now
SELECT warehouse_id, product_id, sku, warehouse, x, median, z FROM (
  SELECT warehouse_id, product_id,
         groupArray((k, units)) AS pairs,
         arraySum(arrayMap(p -> if(p.1 = 0, p.2, 0), pairs)) AS x,
         arrayMap(i -> arraySum(arrayMap(p -> if(p.1 = i, p.2, 0), pairs)), range(1, 29)) AS baseline,
         arraySort(baseline) AS sorted,
         (sorted[14] + sorted[15]) / 2 AS median,
         arraySort(arrayMap(v -> abs(v - median), baseline)) AS deviations,
         (deviations[14] + deviations[15]) / 2 AS mad,
         round((x - median) / greatest(1.4826 * mad, 0.1 * median, 1), 2) AS z
  FROM (
    SELECT o.warehouse_id AS warehouse_id, l.product_id AS product_id,
           intDiv(dateDiff('second', o.created_at, t_now), 86400) AS k,
           sum(l.ordered_qty) AS units
    FROM sales_order_lines AS l FINAL
    INNER JOIN sales_orders AS o FINAL ON o.id = l.order_id
    WHERE o.created_at > t_now - INTERVAL 29 DAY AND o.created_at <= t_now AND o.state != 'draft'
      AND (empty({products:Array(Int32)}) OR l.product_id IN {products:Array(Int32)})
    GROUP BY warehouse_id, product_id, k
  )
  GROUP BY warehouse_id, product_id
  HAVING (z >= {z:Float64} AND x >= {min_units:Float64}) OR (z <= -{z:Float64} AND median >= {min_units:Float64})
) AS s
INNER JOIN (SELECT id, sku FROM products FINAL) AS p ON p.id = s.product_id
INNER JOIN (SELECT id, code AS warehouse FROM warehouses FINAL) AS w ON w.id = s.warehouse_id`;

export const demandShift: Detector = {
  name: 'demand shift',
  tables: ['sales_orders', 'sales_order_lines'],
  async run({ ch, scope, thresholds, now }: DetectorContext): Promise<DetectorVerdict[]> {
    const products = touchedProducts(scope);
    if (products !== null && products.length === 0) return [];
    const rows = await queryRows<Row>(ch, SHIFT_SQL, {
      now: chTime(now),
      products: products ?? [],
      z: thresholds.demandZ,
      min_units: thresholds.demandMinUnits
    });
    const spikes: AlertFinding[] = [];
    const drops: AlertFinding[] = [];
    for (const r of rows) {
      const spike = r.z > 0;
      const finding: AlertFinding = {
        subject: subjects.productAtWarehouse(r.product_id, r.warehouse_id),
        severity: Math.abs(r.z) >= thresholds.demandZ * 2 ? 'critical' : 'warning',
        message: spike
          ? `Demand spike: ${r.x} units of ${r.sku} ordered at ${r.warehouse} in the last 24 hours, against a usual ${r.median} a day (robust z ${r.z}).`
          : `Demand drop: ${r.x} units of ${r.sku} ordered at ${r.warehouse} in the last 24 hours, against a usual ${r.median} a day (robust z ${r.z}).`,
        details: { unitsLast24h: r.x, medianPerDay: r.median, z: r.z },
        warehouseId: r.warehouse_id,
        productId: r.product_id
      };
      (spike ? spikes : drops).push(finding);
    }
    const evaluated = products === null ? ('all' as const) : { subjects: await productWarehouseSubjects(ch, products) };
    return [
      { kind: 'demand_spike', findings: spikes, evaluated },
      { kind: 'demand_drop', findings: drops, evaluated }
    ];
  }
};
