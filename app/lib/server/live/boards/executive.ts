import type { KpiScope } from '../../../../../schemas/api/kpi';
import type { BoardScope } from '../../../../../schemas/live';
import {
  TICKER_SIZE,
  WINDOW_DAYS,
  type AlertTickerTile,
  type BackordersTile,
  type TransfersTile
} from '../../../../../schemas/boards/executive';
import { backorderAging } from '../../../../../warehouse/kpi/backorder-aging';
import { fillRate } from '../../../../../warehouse/kpi/fill-rate';
import { warehouseZones } from '../../../../../warehouse/kpi/local-day';
import { otif } from '../../../../../warehouse/kpi/otif';
import { stockAtRiskCount } from '../../../../../warehouse/kpi/stock-at-risk';
import { transferBottlenecks } from '../../../../../warehouse/kpi/transfer-bottlenecks';
import { fillRateTileOf, todayDates } from '../../../../../warehouse/boards/executive-fill';
import { listWarehouses } from '../../core/catalog';
import type { CoreDb } from '../../core/db';
import { unresolvedAlerts } from './alerts';
import type { BoardDefinition, TileDefinition } from './board';
import { coreAsOf } from './core-as-of';

/**
 * The executive board: fill rate, OTIF, open backorders, transfer health, stock
 * at risk and the newest alerts, for the network, a region or a warehouse. Every
 * ClickHouse tile is one KPI call (its asOf read plus one query); windows end at
 * the recomputation's `now`. Each tile lists the core tables whose landed changes
 * can move it, so an order batch leaves transfer health alone and vice versa.
 */

/** Orders and their shipments move fill rate, OTIF and backorders. */
const ORDER_TABLES = ['sales_orders', 'sales_order_lines', 'shipments', 'shipment_lines'] as const;
/** What stock at risk reads: balances, moves (inbound, demand), owed order lines, lead times (as the stockout detector). */
const STOCK_TABLES = ['stock_moves', 'stock_balances', 'reorder_rules', 'supplier_products', 'sales_orders', 'sales_order_lines'] as const;
const TRANSFER_TABLES = ['transfers', 'transfer_lines', 'transfer_lanes'] as const;

/** The board's scope as KPI filters: a region by its warehouses' region, a warehouse by itself. */
export function kpiFilters(scope: BoardScope): KpiScope {
  return {
    ...(scope.regionId !== undefined ? { regionIds: [scope.regionId] } : {}),
    ...(scope.warehouseId !== undefined ? { warehouseIds: [scope.warehouseId] } : {})
  };
}

/** The rolling window [now - 30 days, now). */
function window(now: Date) {
  return { from: new Date(now.getTime() - WINDOW_DAYS * 86_400_000).toISOString(), to: now.toISOString() };
}

/**
 * Fill rate today, last 7 and 30 days, the trend and the breakdown, from one read.
 * "Today" is each warehouse's local day (the KPI's day buckets use the warehouse's
 * zone), not UTC midnight: a Berlin order at 00:30 belongs to the new day.
 * It follows every pass (today's lines and units move with each sale); the costlier
 * tiles below recompute at most every 1-2 s (minIntervalMs), so that under a steady
 * stream of sales the headline numbers are not queued behind them.
 */
const fillRateTile: TileDefinition = {
  name: 'fillRate',
  tables: ORDER_TABLES,
  async compute({ ch, now }, scope) {
    const [fill, zones] = await Promise.all([fillRate(ch, { ...kpiFilters(scope), ...window(now) }), warehouseZones(ch)]);
    return { data: fillRateTileOf(fill.data, todayDates(now, zones), WINDOW_DAYS), asOf: fill.asOf };
  }
};

const otifTile: TileDefinition = {
  name: 'otif',
  minIntervalMs: 1_000,
  tables: ORDER_TABLES,
  async compute({ ch, now }, scope) {
    return otif(ch, { ...kpiFilters(scope), ...window(now) });
  }
};

/** Open backorders with their aging, and per warehouse for the breakdown (regions sum their warehouses). */
const backordersTile: TileDefinition = {
  name: 'backorders',
  minIntervalMs: 1_000,
  tables: ORDER_TABLES,
  async compute({ ch, now }, scope) {
    const { data, asOf } = await backorderAging(ch, { ...kpiFilters(scope), asOfTime: now.toISOString(), groupBy: 'warehouse' });
    const tile: BackordersTile = {
      asOfTime: data.asOfTime,
      total: data.total,
      byWarehouse: (data.groups ?? []).map((g) => ({ warehouseId: g.key, lines: g.lines, units: g.units, valueMinor: g.valueMinor }))
    };
    return { data: tile, asOf };
  }
};

/** Lanes with a transfer in transit or a stage ended in the 30 days; a lane is in scope when either end is. */
const transfersTile: TileDefinition = {
  name: 'transfers',
  minIntervalMs: 2_000,
  tables: TRANSFER_TABLES,
  async compute({ ch, now }, scope) {
    const { data, asOf } = await transferBottlenecks(ch, { ...kpiFilters(scope), ...window(now), asOfTime: now.toISOString() });
    const tile: TransfersTile = { lanes: data };
    return { data: tile, asOf };
  }
};

const stockAtRiskTile: TileDefinition = {
  name: 'stockAtRisk',
  minIntervalMs: 2_000,
  tables: STOCK_TABLES,
  async compute({ ch, now }, scope) {
    return stockAtRiskCount(ch, { ...kpiFilters(scope), asOfTime: now.toISOString() });
  }
};

/**
 * The newest unresolved alerts of the scope (the alerts board's reading): a
 * warehouse's include the network-wide ones; a region's are its warehouses' and
 * the network-wide ones.
 */
export async function alertTicker(db: CoreDb, scope: BoardScope): Promise<AlertTickerTile> {
  const { alerts } = await unresolvedAlerts(db, scope.warehouseId !== undefined ? { warehouseId: scope.warehouseId } : {});
  let inScope = alerts;
  if (scope.warehouseId === undefined && scope.regionId !== undefined) {
    const region = new Set((await listWarehouses(db)).filter((w) => w.regionId === scope.regionId).map((w) => w.id));
    inScope = alerts.filter((a) => a.warehouseId === null || region.has(a.warehouseId));
  }
  const counts = { critical: 0, warning: 0, info: 0 };
  for (const a of inScope) counts[a.severity] += 1;
  return { alerts: inScope.slice(0, TICKER_SIZE), unresolved: inScope.length, counts };
}

const alertsTile: TileDefinition = {
  name: 'alerts',
  tables: ['alerts'],
  async compute({ db }, scope) {
    const asOf = await coreAsOf(db);
    return { data: await alertTicker(db, scope), asOf };
  }
};

/** Tile order is push order after a batch: the headline fill rate first. */
export const executiveBoard: BoardDefinition = {
  name: 'executive',
  tiles: [fillRateTile, backordersTile, otifTile, stockAtRiskTile, transfersTile, alertsTile]
};
