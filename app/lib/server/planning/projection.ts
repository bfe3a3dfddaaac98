import type { Projection, ProjectionDay } from '../../../../schemas/boards/planner';
import { addDays, daysBetween } from './dates';

export interface ProjectionInput {
  /** The warehouse's local date. */
  today: string;
  /** Days ahead to project (the lead time): the chart runs from today to today + horizonDays. */
  horizonDays: number;
  available: number;
  /** Units confirmed orders already wait for: the first inbound goes to them. */
  owed: number;
  /** Scheduled deliveries; undated and overdue ones count today. */
  inbound: readonly { date: string | null; qty: number }[];
  /** Units per day (trailing 28 days). */
  demandRate: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Projected available per day over the lead-time horizon: today starts from
 * available - owed plus what is due by today; each later day adds what is due
 * that day and takes one day of demand. Inbound due after the horizon is left out
 * (it cannot help before a new order would arrive).
 *
 * The stockout date reads as in the stock-at-risk KPI (today + floor(supply /
 * rate)): the last day that still ends at or above zero before the projection
 * goes below it; today when it starts below zero.
 */
export function projectStock(input: ProjectionInput): Projection {
  const horizon = Math.max(0, Math.floor(input.horizonDays));
  const due = new Array<number>(horizon + 1).fill(0);
  for (const d of input.inbound) {
    const offset = d.date === null ? 0 : Math.max(0, daysBetween(input.today, d.date));
    if (offset <= horizon) due[offset]! += d.qty;
  }
  const start = input.available - input.owed;
  const days: ProjectionDay[] = [];
  let level = start;
  let stockoutDate: string | null = null;
  for (let offset = 0; offset <= horizon; offset++) {
    const demand = offset === 0 ? 0 : input.demandRate;
    level += due[offset]! - demand;
    const date = addDays(input.today, offset);
    if (stockoutDate === null && level < 0) stockoutDate = offset === 0 ? date : addDays(input.today, offset - 1);
    days.push({ date, inbound: due[offset]!, demand: round2(demand), projected: round2(level) });
  }
  return { start, demandRate: round2(input.demandRate), days, stockoutDate };
}
