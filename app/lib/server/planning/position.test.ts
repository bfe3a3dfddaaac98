import { describe, expect, it } from 'vitest';
import { coverOf, leadTimeOf, spareOf } from './position';

describe('leadTimeOf', () => {
  it('takes the reorder rule, else the fastest supplier, else a week', () => {
    expect(leadTimeOf(4, [9, 2])).toEqual({ leadTimeDays: 4, leadTimeSource: 'reorder_rule' });
    expect(leadTimeOf(null, [9, 2])).toEqual({ leadTimeDays: 2, leadTimeSource: 'supplier' });
    expect(leadTimeOf(null, [])).toEqual({ leadTimeDays: 7, leadTimeSource: 'default' });
  });
});

describe('coverOf', () => {
  it('is at risk when the cover ends before the lead time', () => {
    const c = coverOf({ today: '2025-05-01', leadTimeDays: 5, available: 2, inboundByHorizon: 0, owed: 0, shipped28d: 18 });
    expect(c).toMatchObject({ horizonDate: '2025-05-06', supply: 2, daysOfCover: 3.11, atRisk: true });
    expect(c.demandRate).toBeCloseTo(18 / 28);
  });

  it('counts inbound by the horizon and subtracts owed units', () => {
    const c = coverOf({ today: '2025-05-01', leadTimeDays: 5, available: 2, inboundByHorizon: 20, owed: 4, shipped28d: 28 });
    expect(c.supply).toBe(18);
    expect(c.daysOfCover).toBe(18);
    expect(c.atRisk).toBe(false);
  });

  it('exactly the lead time of cover is not at risk (whole-unit comparison)', () => {
    expect(coverOf({ today: '2025-05-01', leadTimeDays: 7, available: 7, inboundByHorizon: 0, owed: 0, shipped28d: 28 }).atRisk).toBe(false);
    expect(coverOf({ today: '2025-05-01', leadTimeDays: 7, available: 6, inboundByHorizon: 0, owed: 0, shipped28d: 28 }).atRisk).toBe(true);
  });

  it('without demand: no cover figure, at risk only when short now', () => {
    expect(coverOf({ today: '2025-05-01', leadTimeDays: 3, available: 0, inboundByHorizon: 0, owed: 0, shipped28d: 0 })).toMatchObject({ daysOfCover: null, atRisk: false });
    expect(coverOf({ today: '2025-05-01', leadTimeDays: 3, available: 0, inboundByHorizon: 0, owed: 2, shipped28d: 0 })).toMatchObject({ daysOfCover: 0, atRisk: true });
  });
});

describe('spareOf', () => {
  it('keeps the larger of demand over the lead time and the reorder minimum', () => {
    expect(spareOf({ onHand: 100, outgoing: 0, requestedOut: 0, demandRate: 0, leadTimeDays: 5, ruleMinQty: 40 })).toBe(60);
    expect(spareOf({ onHand: 100, outgoing: 0, requestedOut: 0, demandRate: 10, leadTimeDays: 5, ruleMinQty: 40 })).toBe(50);
  });

  it('takes out what is already going out or requested, never below zero', () => {
    expect(spareOf({ onHand: 100, outgoing: 30, requestedOut: 11, demandRate: 0, leadTimeDays: 5, ruleMinQty: null })).toBe(59);
    expect(spareOf({ onHand: 10, outgoing: 30, requestedOut: 0, demandRate: 0, leadTimeDays: 5, ruleMinQty: null })).toBe(0);
  });
});
