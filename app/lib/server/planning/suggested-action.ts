import type { SuggestedAction } from '../../../../schemas/boards/planner';
import { proposedQuantity } from '../core/reorder';

/**
 * The planner's suggested action for one product at one warehouse: how many
 * units to bring in, and whether to buy them or move them from a neighbour.
 *
 * How many: when the warehouse's reorder rule triggers, the core's reorder
 * proposal (core/reorder.ts: max - forecast at the horizon - already proposed,
 * rounded to the multiples and the MOQ). Without one, but at risk by demand: up
 * to the demand of the lead time plus two weeks of cycle stock, less what is
 * already proposed.
 *
 * Where from: a warehouse of the same region with a transfer lane into this one
 * that can spare the whole quantity and delivers no slower than the supplier;
 * else the rule's supplier, or the product's fastest one (cheapest on a tie).
 */
export const REVIEW_DAYS = 14;

/** The core's reorder suggestion for this product at this warehouse (core/reorder.ts suggestions). */
export interface RuleProposal {
  forecast: number;
  covered: number;
  min: number;
  max: number;
  horizon: string;
  proposedQty: number;
  source: { kind: 'supplier'; supplierId: number } | { kind: 'warehouse'; warehouseId: number };
  blocked: string | null;
}

export interface SupplierTerms {
  supplierId: number;
  code: string;
  name: string;
  leadTimeDays: number;
  moq: number;
  packMultiple: number;
  costMinor: number;
}

/** A neighbour that could send stock: what it can spare and its lane's lead time into the warehouse. */
export interface Donor {
  warehouseId: number;
  code: string;
  spare: number;
  laneLeadTimeDays: number;
}

export interface ActionInput {
  productId: number;
  warehouseId: number;
  /** The warehouse's reorder rule for the product, with the core's proposal when it triggers. */
  rule: { multiple: number; proposal: RuleProposal | null } | null;
  position: { atRisk: boolean; supply: number; demandRate: number; leadTimeDays: number };
  /** Units already proposed (draft PO lines, requested transfers into the warehouse). */
  pending: number;
  suppliers: readonly SupplierTerms[];
  donors: readonly Donor[];
}

interface Need {
  units: number;
  why: string;
  /** The core's rounded quantity when the reorder rule decided. */
  ruleQty: number | null;
}

function needOf(input: ActionInput): Need | { none: string } {
  const p = input.rule?.proposal;
  if (p && p.blocked === null) {
    const already = p.covered > 0 ? ` (with ${p.covered} already proposed)` : '';
    return {
      units: p.max - p.forecast - p.covered,
      why: `Forecast ${p.forecast} on ${p.horizon}${already} is below the reorder minimum ${p.min}: back up to the maximum ${p.max}.`,
      ruleQty: p.proposedQty
    };
  }
  const { atRisk, supply, demandRate, leadTimeDays } = input.position;
  if (!atRisk) return { none: p?.blocked ? `The reorder rule cannot propose: ${p.blocked}.` : 'Covered through the lead time: nothing to order now.' };
  const target = Math.ceil(demandRate * (leadTimeDays + REVIEW_DAYS) - 1e-9);
  const units = target - supply - input.pending;
  if (units <= 0) return { none: `Already proposed: ${input.pending} units in draft purchase orders or requested transfers cover the need.` };
  return {
    units,
    why: `Stock runs out within the ${leadTimeDays}-day lead time: ${units} units bring supply to ${leadTimeDays + REVIEW_DAYS} days of demand${input.pending > 0 ? `, beside ${input.pending} already proposed` : ''}.`,
    ruleQty: null
  };
}

function fastestSupplier(input: ActionInput): SupplierTerms | null {
  const p = input.rule?.proposal;
  if (p?.source.kind === 'supplier') {
    const id = p.source.supplierId;
    return input.suppliers.find((s) => s.supplierId === id) ?? null;
  }
  const sorted = [...input.suppliers].sort((a, b) => a.leadTimeDays - b.leadTimeDays || a.costMinor - b.costMinor || a.supplierId - b.supplierId);
  return sorted[0] ?? null;
}

export function suggestAction(input: ActionInput): SuggestedAction {
  const need = needOf(input);
  if ('none' in need) return { kind: 'none', reason: need.none };
  const multiple = input.rule?.multiple ?? 1;
  const p = input.rule?.proposal;

  const moveQty = p?.source.kind === 'warehouse' && need.ruleQty !== null ? need.ruleQty : proposedQuantity(need.units, multiple);
  const ruleSource = p?.source.kind === 'warehouse' ? p.source.warehouseId : null;
  const donor =
    [...input.donors]
      .filter((d) => d.spare >= moveQty)
      .sort((a, b) => Number(b.warehouseId === ruleSource) - Number(a.warehouseId === ruleSource) || b.spare - a.spare || a.laneLeadTimeDays - b.laneLeadTimeDays || a.warehouseId - b.warehouseId)[0] ?? null;

  const supplier = fastestSupplier(input);
  if (donor && (!supplier || donor.laneLeadTimeDays <= supplier.leadTimeDays)) {
    return {
      kind: 'transfer',
      fromWarehouseId: donor.warehouseId,
      fromCode: donor.code,
      toWarehouseId: input.warehouseId,
      productId: input.productId,
      qty: moveQty,
      need: need.units,
      spare: donor.spare,
      laneLeadTimeDays: donor.laneLeadTimeDays,
      reason: `${need.why} ${donor.code} is in the region and can spare it.`
    };
  }
  if (supplier) {
    const qty = need.ruleQty !== null && p?.source.kind === 'supplier' ? need.ruleQty : proposedQuantity(need.units, multiple, supplier);
    return {
      kind: 'buy',
      supplierId: supplier.supplierId,
      supplierCode: supplier.code,
      supplierName: supplier.name,
      warehouseId: input.warehouseId,
      productId: input.productId,
      qty,
      need: need.units,
      unitCostMinor: supplier.costMinor,
      leadTimeDays: supplier.leadTimeDays,
      reason: `${need.why} No warehouse in the region can spare ${moveQty} sooner; ${supplier.code} delivers in ${supplier.leadTimeDays} days (MOQ ${supplier.moq}, packs of ${supplier.packMultiple}).`
    };
  }
  return { kind: 'none', reason: `${need.why} But no supplier has terms for this product and no warehouse in the region can spare ${moveQty}.` };
}
