import { queryRows } from '../kpi/clickhouse-query';
import { readLanded } from '../kpi/as-of';
import { parseLsn } from '../../ingest/lsn';
import { subjects, touchedProducts, type Detector, type DetectorVerdict } from './detector';

/**
 * Ledger drift: a balance in ClickHouse that disagrees with the sum of its done
 * moves (invariant 1 seen from the warehouse). A batch lands table by table, so
 * a reader can catch a balance whose moves are still landing: only keys whose
 * balance and moves are all at or below the newest fully landed LSN (the change
 * log lands last) are compared; a key still in motion waits for the next run.
 */
interface Row {
  product_id: number;
  location_id: number;
  sku: string;
  location: string;
  warehouse_id: number;
  on_hand: number;
  moves_sum: number;
  in_motion: number;
}

const SQL = `
WITH moves AS (
  SELECT product_id, location_id, sum(delta) AS moves_sum, max(v) AS v FROM (
    SELECT product_id, to_location_id AS location_id, toInt64(qty) AS delta, _version AS v FROM stock_moves FINAL
    WHERE state = 'done' AND (empty({products:Array(Int32)}) OR product_id IN {products:Array(Int32)})
    UNION ALL
    SELECT product_id, from_location_id AS location_id, -toInt64(qty) AS delta, _version AS v FROM stock_moves FINAL
    WHERE state = 'done' AND (empty({products:Array(Int32)}) OR product_id IN {products:Array(Int32)})
  ) GROUP BY product_id, location_id
),
balances AS (
  SELECT product_id, location_id, toInt64(on_hand) AS on_hand, _version AS v FROM stock_balances FINAL
  WHERE empty({products:Array(Int32)}) OR product_id IN {products:Array(Int32)}
)
SELECT k.product_id AS product_id, k.location_id AS location_id, p.sku AS sku, l.code AS location, l.warehouse_id AS warehouse_id,
       k.on_hand AS on_hand, k.moves_sum AS moves_sum, k.in_motion AS in_motion
FROM (
  SELECT coalesce(b.product_id, m.product_id) AS product_id, coalesce(b.location_id, m.location_id) AS location_id,
         ifNull(b.on_hand, 0) AS on_hand, ifNull(m.moves_sum, 0) AS moves_sum,
         greatest(ifNull(b.v, 0), ifNull(m.v, 0)) > {landed:UInt64} AS in_motion
  FROM balances AS b FULL OUTER JOIN moves AS m ON b.product_id = m.product_id AND b.location_id = m.location_id
  WHERE in_motion OR on_hand != moves_sum
) AS k
INNER JOIN (SELECT id, sku FROM products FINAL) AS p ON p.id = k.product_id
INNER JOIN (SELECT id, code, warehouse_id FROM locations FINAL) AS l ON l.id = k.location_id
SETTINGS join_use_nulls = 1`;

export const ledgerDrift: Detector = {
  name: 'ledger drift',
  tables: ['stock_moves', 'stock_balances'],
  async run({ ch, scope }): Promise<DetectorVerdict[]> {
    const products = touchedProducts(scope);
    if (products !== null && products.length === 0) return [];
    const asOf = await readLanded(ch);
    if (asOf.lsn === null) return [];
    const rows = await queryRows<Row>(ch, SQL, { products: products ?? [], landed: parseLsn(asOf.lsn).toString() });
    const findings = rows.filter((r) => !r.in_motion).map((r) => ({
      subject: subjects.productAtLocation(r.product_id, r.location_id),
      severity: 'critical' as const,
      message: `Ledger drift: the balance of ${r.sku} at ${r.location} says ${r.on_hand} on hand, but its done moves sum to ${r.moves_sum} (warehouse at LSN ${asOf.lsn}).`,
      details: { onHand: r.on_hand, movesSum: r.moves_sum, lsn: asOf.lsn },
      warehouseId: r.warehouse_id,
      productId: r.product_id
    }));
    // A touched run looked at the touched products' keys; clearing their old alerts needs their subjects.
    const evaluated =
      products === null
        ? ('all' as const)
        : {
            subjects: (
              await queryRows<{ product_id: number; location_id: number }>(
                ch,
                'SELECT product_id, location_id FROM stock_balances FINAL WHERE product_id IN {products:Array(Int32)}',
                { products }
              )
            ).map((k) => subjects.productAtLocation(k.product_id, k.location_id))
          };
    const unsettled = rows.filter((r) => r.in_motion).map((r) => subjects.productAtLocation(r.product_id, r.location_id));
    return [{ kind: 'ledger_drift', findings, evaluated, unsettled }];
  }
};
