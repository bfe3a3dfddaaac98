import { z } from 'zod';
import { alertView } from '../api/alerts';
import { backorderCell, backorderRow, fillRow, otifOutput } from '../api/kpi-sales';
import { laneBottleneck, stockAtRiskCount } from '../api/kpi-supply';

/**
 * The executive board's tiles, shared by the server (which builds them) and the
 * browser (which parses every pushed tile with them). Ratios are 0..1 or null
 * when there is nothing to divide by; money is in minor units.
 */

/** The rolling window of the 30-day figures (fill rate, OTIF, transfer health). */
export const WINDOW_DAYS = 30;
/** How many alerts the ticker carries: the newest of the scope. */
export const TICKER_SIZE = 5;

const count = z.number().int().min(0);
const ratio = z.number().min(0).max(1).nullable();

/** One local day of the fill-rate trend (everything shipped so far). */
export const fillPoint = z.object({ day: z.iso.date(), orders: count, lines: count, lineFill: ratio, unitFill: ratio });
export type FillPoint = z.infer<typeof fillPoint>;

/** Fill rate of one region or warehouse over the 30 days. */
export const fillShare = z.object({ id: z.number().int(), orders: count, lines: count, lineFill: ratio, unitFill: ratio });
export type FillShare = z.infer<typeof fillShare>;

export const fillRateTile = z.object({
  /** The local date(s) counted as today: one per time zone of the network's warehouses. */
  todayDates: z.array(z.iso.date()).min(1),
  today: fillRow,
  last7Days: fillRow,
  last30Days: fillRow,
  trend: z.array(fillPoint),
  byRegion: z.array(fillShare),
  byWarehouse: z.array(fillShare)
});
export type FillRateTile = z.infer<typeof fillRateTile>;

export const otifTile = otifOutput;
export type OtifTile = z.infer<typeof otifTile>;

export const backordersTile = z.object({
  asOfTime: z.iso.datetime(),
  total: backorderRow,
  byWarehouse: z.array(backorderCell.extend({ warehouseId: z.number().int() }))
});
export type BackordersTile = z.infer<typeof backordersTile>;

export const transfersTile = z.object({ lanes: z.array(laneBottleneck) });
export type TransfersTile = z.infer<typeof transfersTile>;

export const stockAtRiskTile = stockAtRiskCount;
export type StockAtRiskTile = z.infer<typeof stockAtRiskTile>;

export const alertTickerTile = z.object({
  /** The newest unresolved alerts of the scope (at most TICKER_SIZE). */
  alerts: z.array(alertView).max(TICKER_SIZE),
  unresolved: count,
  counts: z.object({ critical: count, warning: count, info: count })
});
export type AlertTickerTile = z.infer<typeof alertTickerTile>;

/** Tile names, as the server emits them and the page reads them. */
export const EXECUTIVE_TILES = {
  fillRate: 'fillRate',
  otif: 'otif',
  backorders: 'backorders',
  transfers: 'transfers',
  stockAtRisk: 'stockAtRisk',
  alerts: 'alerts'
} as const;
