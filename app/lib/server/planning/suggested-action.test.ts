import { describe, expect, it } from 'vitest';
import { REVIEW_DAYS, suggestAction, type ActionInput, type RuleProposal } from './suggested-action';

const acme = { supplierId: 7, code: 'SUP-1', name: 'Acme', leadTimeDays: 5, moq: 10, packMultiple: 5, costMinor: 2000 };
const slowCheap = { supplierId: 8, code: 'SUP-2', name: 'Slow', leadTimeDays: 20, moq: 1, packMultiple: 1, costMinor: 100 };

/** A warehouse at risk by demand (18 units in 28 days, 2 left, 5-day lead time), no reorder rule. */
const atRisk = (over: Partial<ActionInput> = {}): ActionInput => ({
  productId: 1,
  warehouseId: 2,
  rule: null,
  position: { atRisk: true, supply: 2, demandRate: 18 / 28, leadTimeDays: 5 },
  pending: 0,
  suppliers: [acme, slowCheap],
  donors: [],
  ...over
});

const proposal = (over: Partial<RuleProposal> = {}): RuleProposal => ({
  forecast: 0,
  covered: 0,
  min: 10,
  max: 50,
  horizon: '2025-06-06',
  proposedQty: 50,
  source: { kind: 'supplier', supplierId: 7 },
  blocked: null,
  ...over
});

describe('suggestAction', () => {
  it('without a rule, buys up to lead time + review days of demand from the fastest supplier, rounded to packs and MOQ', () => {
    const a = suggestAction(atRisk());
    // ceil(18/28 * 19) = 13, less the 2 on hand: 11, in packs of 5: 15.
    expect(a).toMatchObject({ kind: 'buy', supplierId: 7, need: 11, qty: 15, warehouseId: 2, productId: 1 });
    expect(REVIEW_DAYS).toBe(14);
  });

  it('moves stock from a region neighbour that can spare it and is no slower than the supplier', () => {
    const a = suggestAction(atRisk({ donors: [{ warehouseId: 9, code: 'A', spare: 60, laneLeadTimeDays: 2 }] }));
    expect(a).toMatchObject({ kind: 'transfer', fromWarehouseId: 9, toWarehouseId: 2, qty: 11, need: 11, spare: 60 });
  });

  it('buys when no neighbour can spare the whole quantity, or only slower than the supplier', () => {
    expect(suggestAction(atRisk({ donors: [{ warehouseId: 9, code: 'A', spare: 10, laneLeadTimeDays: 2 }] })).kind).toBe('buy');
    expect(suggestAction(atRisk({ donors: [{ warehouseId: 9, code: 'A', spare: 60, laneLeadTimeDays: 6 }] })).kind).toBe('buy');
  });

  it('picks the neighbour with the most to spare', () => {
    const donors = [
      { warehouseId: 9, code: 'A', spare: 20, laneLeadTimeDays: 1 },
      { warehouseId: 4, code: 'D', spare: 80, laneLeadTimeDays: 3 }
    ];
    expect(suggestAction(atRisk({ donors }))).toMatchObject({ kind: 'transfer', fromWarehouseId: 4 });
  });

  it('when the reorder rule triggers, takes the core proposal: max - forecast - covered, rounded by the core', () => {
    const a = suggestAction(atRisk({ rule: { multiple: 5, proposal: proposal({ forecast: 3, covered: 5, proposedQty: 45 }) } }));
    expect(a).toMatchObject({ kind: 'buy', supplierId: 7, need: 42, qty: 45 });
    expect(a.reason).toContain('below the reorder minimum 10');
  });

  it('transfers the rule multiple when a neighbour can spare it', () => {
    const a = suggestAction(atRisk({ rule: { multiple: 5, proposal: proposal({ forecast: 3 }) }, donors: [{ warehouseId: 9, code: 'A', spare: 100, laneLeadTimeDays: 2 }] }));
    expect(a).toMatchObject({ kind: 'transfer', need: 47, qty: 50 });
  });

  it("uses the rule's own supplier even when another one is faster", () => {
    const fast = { ...acme, supplierId: 3, code: 'FAST', leadTimeDays: 1 };
    const a = suggestAction(atRisk({ suppliers: [fast, slowCheap], rule: { multiple: 1, proposal: proposal({ source: { kind: 'supplier', supplierId: 8 }, proposedQty: 50 }) } }));
    expect(a).toMatchObject({ kind: 'buy', supplierId: 8, qty: 50 });
  });

  it('nothing to do when covered, or when proposals already cover the need', () => {
    expect(suggestAction(atRisk({ position: { atRisk: false, supply: 40, demandRate: 1, leadTimeDays: 5 } })).kind).toBe('none');
    const covered = suggestAction(atRisk({ pending: 15 }));
    expect(covered.kind).toBe('none');
    expect(covered.reason).toContain('15 units');
  });

  it('says so when there is neither a supplier nor a neighbour', () => {
    const a = suggestAction(atRisk({ suppliers: [] }));
    expect(a.kind).toBe('none');
    expect(a.reason).toContain('no supplier');
  });
});
