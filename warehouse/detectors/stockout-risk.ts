import type { ClickHouseClient } from '@clickhouse/client';
import { queryRows } from '../kpi/clickhouse-query';
import { productsAtRisk } from '../kpi/stock-at-risk';
import { productWarehouseSubjects, subjects, touchedOrders, touchedProducts, type Detector, type DetectorScope, type DetectorVerdict } from './detector';

/**
 * Projected stockout within the lead time: the stock-at-risk KPI's at-risk rows
 * (available + inbound before the horizon - owed to confirmed orders covers fewer
 * days than stock ordered now needs to arrive, or is already short). Critical
 * when less than two days of cover are left.
 */
const CRITICAL_COVER_DAYS = 2;

/** The products a batch may have moved: touched directly, or lines of touched orders (an order's state decides what is owed). */
async function productsToCheck(ch: ClickHouseClient, scope: DetectorScope): Promise<number[] | null> {
  const products = touchedProducts(scope);
  const orders = touchedOrders(scope);
  if (products === null || orders === null || orders.length === 0) return products;
  const ofOrders = await queryRows<{ id: number }>(ch, 'SELECT DISTINCT product_id AS id FROM fact_order_lines WHERE order_id IN {orders:Array(Int64)}', { orders });
  return [...new Set([...products, ...ofOrders.map((r) => r.id)])];
}

export const stockoutRisk: Detector = {
  name: 'stockout risk',
  tables: ['stock_moves', 'stock_balances', 'reorder_rules', 'supplier_products', 'sales_orders', 'sales_order_lines'],
  async run({ ch, scope, now }): Promise<DetectorVerdict[]> {
    const products = await productsToCheck(ch, scope);
    if (products !== null && products.length === 0) return [];
    const rows = await productsAtRisk(ch, now, products);
    const ids = { products: [...new Set(rows.map((r) => r.productId))], warehouses: [...new Set([...rows.map((r) => r.warehouseId), ...rows.flatMap((r) => (r.bestElsewhereWarehouseId ? [r.bestElsewhereWarehouseId] : []))])] };
    const skus = new Map((await queryRows<{ id: number; sku: string }>(ch, 'SELECT id, sku FROM products FINAL WHERE id IN {ids:Array(Int32)}', { ids: ids.products })).map((p) => [p.id, p.sku]));
    const codes = new Map((await queryRows<{ id: number; code: string }>(ch, 'SELECT id, code FROM warehouses FINAL WHERE id IN {ids:Array(Int32)}', { ids: ids.warehouses })).map((w) => [w.id, w.code]));
    const findings = rows.map((r) => {
      const elsewhere =
        r.bestElsewhereWarehouseId !== null
          ? ` ${r.elsewhereAvailable} available elsewhere in the region, most at ${codes.get(r.bestElsewhereWarehouseId)} (${r.bestElsewhereAvailable}).`
          : ' No stock elsewhere in the region.';
      return {
        subject: subjects.productAtWarehouse(r.productId, r.warehouseId),
        severity: (r.daysOfCover ?? 0) < CRITICAL_COVER_DAYS ? ('critical' as const) : ('warning' as const),
        message:
          r.demandRate > 0
            ? `${skus.get(r.productId)} at ${codes.get(r.warehouseId)} runs out around ${r.projectedStockout}: ${r.daysOfCover} days of cover ` +
              `(${r.available} available + ${r.inbound} inbound − ${r.owed} owed at ${r.demandRate} a day), less than the ${r.leadTimeDays}-day lead time.${elsewhere}`
            : // No shipments to measure a rate by: the risk is orders already waiting for more than is there and coming.
              `${skus.get(r.productId)} at ${codes.get(r.warehouseId)} is short now: ${r.owed} units owed to waiting orders, ` +
              `only ${r.available} available + ${r.inbound} inbound within the ${r.leadTimeDays}-day lead time.${elsewhere}`,
        details: { available: r.available, inbound: r.inbound, owed: r.owed, demandRate: r.demandRate, daysOfCover: r.daysOfCover, projectedStockout: r.projectedStockout, leadTimeDays: r.leadTimeDays, shortfall: r.shortfall, elsewhereAvailable: r.elsewhereAvailable },
        warehouseId: r.warehouseId,
        productId: r.productId
      };
    });
    const evaluated = products === null ? ('all' as const) : { subjects: await productWarehouseSubjects(ch, products) };
    return [{ kind: 'stockout_risk', findings, evaluated }];
  }
};
