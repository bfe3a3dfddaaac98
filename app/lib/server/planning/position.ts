import type { WarehousePosition } from '../../../../schemas/boards/planner';
import { addDays } from './dates';
import { DEFAULT_LEAD_DAYS } from '../../../../warehouse/model/supply-position-source';
import { DEMAND_DAYS } from '../../../../warehouse/kpi/stock-at-risk';

/**
 * Cover of one product at one warehouse, read the way the stock-at-risk KPI
 * reads it (warehouse/kpi/stock-at-risk.ts), but from the core's figures so the
 * drill-down agrees with the balances it shows next to them. The rule's constants are the KPI's.
 */

/** The reorder rule's lead time, else the product's shortest supplier lead time, else a week. */
export function leadTimeOf(ruleLeadDays: number | null, supplierLeadDays: readonly number[]): Pick<WarehousePosition, 'leadTimeDays' | 'leadTimeSource'> {
  if (ruleLeadDays !== null) return { leadTimeDays: ruleLeadDays, leadTimeSource: 'reorder_rule' };
  if (supplierLeadDays.length > 0) return { leadTimeDays: Math.min(...supplierLeadDays), leadTimeSource: 'supplier' };
  return { leadTimeDays: DEFAULT_LEAD_DAYS, leadTimeSource: 'default' };
}

export interface CoverInput {
  today: string;
  leadTimeDays: number;
  available: number;
  inboundByHorizon: number;
  owed: number;
  /** Units shipped to customers in the last 28 days. */
  shipped28d: number;
}

export interface Cover {
  horizonDate: string;
  supply: number;
  demandRate: number;
  daysOfCover: number | null;
  atRisk: boolean;
}

/**
 * supply = available + inbound by the horizon - owed; days of cover = supply /
 * demand rate; at risk when the cover ends before the lead time does (compared
 * in whole units: supply x 28 < lead x shipped), or when short now without demand.
 */
export function coverOf(c: CoverInput): Cover {
  const supply = c.available + c.inboundByHorizon - c.owed;
  const demandRate = c.shipped28d / DEMAND_DAYS;
  const daysOfCover = c.shipped28d > 0 ? Math.round(((supply * DEMAND_DAYS) / c.shipped28d) * 100) / 100 : supply < 0 ? 0 : null;
  const atRisk = c.shipped28d > 0 ? supply * DEMAND_DAYS < c.leadTimeDays * c.shipped28d : supply < 0;
  return { horizonDate: addDays(c.today, c.leadTimeDays), supply, demandRate, daysOfCover, atRisk };
}

/**
 * What a warehouse can give a neighbour without putting itself at risk: its
 * stock less everything already going out (orders, transfers approved or
 * requested) and less what it keeps for itself: its own demand over its lead
 * time, or its reorder minimum when higher.
 */
export function spareOf(p: {
  onHand: number;
  outgoing: number;
  requestedOut: number;
  demandRate: number;
  leadTimeDays: number;
  ruleMinQty: number | null;
}): number {
  const keep = Math.max(Math.ceil(p.demandRate * p.leadTimeDays - 1e-9), p.ruleMinQty ?? 0);
  return Math.max(0, p.onHand - p.outgoing - p.requestedOut - keep);
}
