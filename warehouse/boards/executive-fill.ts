import type { FillMeasure, FillRateOutput, FillRow } from '../../schemas/api/kpi-sales';
import type { FillPoint, FillRateTile, FillShare } from '../../schemas/boards/executive';
import { ratio } from '../kpi/kpi-window';

/**
 * The executive board's fill-rate tile from ONE fill-rate read over the last 30
 * days: "today" and "last 7 days" are summed from its local days (each order's
 * warehouse-local date), so one query serves all three windows and the trend.
 * Counts are summed and the ratios taken again: a mean of daily ratios would
 * weigh a quiet day like a busy one.
 */

/** The local date (YYYY-MM-DD) of an instant in a time zone (an unknown zone: UTC). */
export function localDate(now: Date, zone: string): string {
  const format = (timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  try {
    return format(zone);
  } catch {
    return format('UTC');
  }
}

/** A calendar date moved by n days. */
export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Today's local date in each zone of the network, oldest first (several only around midnight across zones). */
export function todayDates(now: Date, zones: readonly string[]): string[] {
  return [...new Set((zones.length ? zones : ['UTC']).map((z) => localDate(now, z)))].sort();
}

function sumMeasure(rows: FillRow[], pick: (r: FillRow) => FillMeasure, orders: number, lines: number, units: number): FillMeasure {
  const o = rows.reduce((s, r) => s + pick(r).ordersFilled, 0);
  const l = rows.reduce((s, r) => s + pick(r).linesFilled, 0);
  const u = rows.reduce((s, r) => s + pick(r).unitsShipped, 0);
  return { ordersFilled: o, linesFilled: l, unitsShipped: u, orderFill: ratio(o, orders), lineFill: ratio(l, lines), unitFill: ratio(u, units) };
}

/** Several fill rows as one: counts added, ratios recomputed (null over an empty population). */
export function sumFillRows(rows: FillRow[]): FillRow {
  const orders = rows.reduce((s, r) => s + r.orders, 0);
  const lines = rows.reduce((s, r) => s + r.lines, 0);
  const units = rows.reduce((s, r) => s + r.unitsDemanded, 0);
  return {
    orders,
    lines,
    unitsDemanded: units,
    firstShipment: sumMeasure(rows, (r) => r.firstShipment, orders, lines, units),
    final: sumMeasure(rows, (r) => r.final, orders, lines, units)
  };
}

const share = (id: number, r: FillRow): FillShare => ({ id, orders: r.orders, lines: r.lines, lineFill: r.final.lineFill, unitFill: r.final.unitFill });

/**
 * Shapes a 30-day fill-rate result: today = the local days in `today` (one per
 * zone); last 7 days = those and the 6 local days before the oldest of them;
 * last 30 days = the read's own total (a rolling 30 × 24 h); the trend has one
 * point per local day of the 30 ending today, null ratios where nothing was ordered.
 */
export function fillRateTileOf(fill: FillRateOutput, today: string[], days = 30): FillRateTile {
  const first = today[0]!;
  const last = today[today.length - 1]!;
  const since7 = addDays(first, -6);
  const byDay = new Map(fill.byDay.map((d) => [d.day, d]));
  const trend: FillPoint[] = [];
  for (let day = addDays(last, -(days - 1)); day <= last; day = addDays(day, 1)) {
    const row = byDay.get(day);
    trend.push({ day, orders: row?.orders ?? 0, lines: row?.lines ?? 0, lineFill: row?.final.lineFill ?? null, unitFill: row?.final.unitFill ?? null });
  }
  return {
    todayDates: today,
    today: sumFillRows(fill.byDay.filter((d) => today.includes(d.day))),
    last7Days: sumFillRows(fill.byDay.filter((d) => d.day >= since7)),
    last30Days: fill.total,
    trend,
    byRegion: fill.byRegion.map((r) => share(r.regionId, r)),
    byWarehouse: fill.byWarehouse.map((r) => share(r.warehouseId, r))
  };
}
