import type { ClickHouseClient } from '@clickhouse/client';
import type { BoardScope } from '../../../../../schemas/live';
import { STOCK_AT_RISK_TILE, type StockAtRiskTile } from '../../../../../schemas/boards/planner';
import type { KpiAsOf } from '../../../../../schemas/api/kpi';
import { stockAtRisk } from '../../../../../warehouse/kpi/stock-at-risk';
import { productLabels, warehouseDirectory } from '../../../../../warehouse/boards/planner';
import type { BoardDefinition, TileDefinition } from './board';

/** Enough for a network's worst cases; the table says when the list stops here. */
const ROW_LIMIT = 1000;

/** Every product x warehouse at risk in scope, with the SKU, name, ABC class and warehouse codes the table shows. */
export async function stockAtRiskTable(ch: ClickHouseClient, scope: BoardScope): Promise<{ data: StockAtRiskTile; asOf: KpiAsOf }> {
  const result = await stockAtRisk(ch, {
    onlyAtRisk: true,
    sort: 'daysOfCover',
    limit: ROW_LIMIT,
    ...(scope.warehouseId !== undefined ? { warehouseIds: [scope.warehouseId] } : {}),
    ...(scope.regionId !== undefined ? { regionIds: [scope.regionId] } : {})
  });
  const [labels, warehouses] = await Promise.all([productLabels(ch, result.data.map((r) => r.productId)), warehouseDirectory(ch)]);
  const codeOf = new Map(warehouses.map((w) => [w.id, w.code]));
  const rows = result.data.map((r) => {
    const label = labels.get(r.productId);
    return {
      ...r,
      sku: label?.sku ?? `#${r.productId}`,
      productName: label?.name ?? '',
      abcClass: label?.abcClass ?? 'C',
      warehouseCode: codeOf.get(r.warehouseId) ?? `#${r.warehouseId}`,
      bestElsewhereWarehouseCode: r.bestElsewhereWarehouseId === null ? null : (codeOf.get(r.bestElsewhereWarehouseId) ?? `#${r.bestElsewhereWarehouseId}`)
    };
  });
  return { data: { rows, truncated: rows.length >= ROW_LIMIT, limit: ROW_LIMIT, warehouses }, asOf: result.asOf };
}

/** Stock at risk moves with stock, orders, inbound documents and the planning master data (rules, supplier terms, ABC). */
export const stockAtRiskTile: TileDefinition = {
  name: STOCK_AT_RISK_TILE,
  tables: [
    'stock_moves',
    'stock_balances',
    'sales_orders',
    'sales_order_lines',
    'purchase_orders',
    'purchase_order_lines',
    'transfers',
    'transfer_lines',
    'reorder_rules',
    'supplier_products',
    'products',
    'warehouses'
  ],
  // A whole-network scan (hundreds of ms at size): at most every 2 s, not after every sale.
  minIntervalMs: 2_000,
  compute: ({ ch }, scope) => stockAtRiskTable(ch, scope)
};

export const plannerBoard: BoardDefinition = { name: 'planner', tiles: [stockAtRiskTile] };
