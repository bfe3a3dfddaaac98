import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { daysOfSupply, inventoryTurns, stockAging } from '../../warehouse/kpi/inventory-health';
import { UnsupportedFilterError } from '../../warehouse/kpi/scope-filter';
import { kpiBench } from './support';
import { insertMoves, rebuildBalances, supplyNetwork, type SupplyNetwork } from './kpi-supply-support';

/** A 30-day window [02-01, 03-03); costs P1 500, P2 300, P3 200. */
const WINDOW = { from: '2026-02-01T00:00:00Z', to: '2026-03-03T00:00:00Z' };
const bench = await kpiBench();
let n: SupplyNetwork;
const ch = () => bench.clickhouse.client;

beforeAll(async () => {
  n = await supplyNetwork(bench);
  await bench.landed();
});

describe('inventory health', () => {
  it('is empty without stock or moves', async () => {
    const turns = await inventoryTurns(ch(), WINDOW);
    expect(turns.data).toEqual({
      warehouses: [],
      total: { warehouseId: null, cogsMinor: 0, openingValueMinor: 0, closingValueMinor: 0, averageValueMinor: 0, turns: null, annualizedTurns: null, daysOfSupply: null }
    });
    expect((await daysOfSupply(ch(), WINDOW)).data).toEqual([]);
    expect((await stockAging(ch(), { asOfTime: WINDOW.to })).data).toEqual([]);
  });

  it('computes turns from COGS and the reconstructed opening and closing values', async () => {
    const { loc, P1, P2, P3 } = n;
    await insertMoves(bench.pool, [
      { productId: P1.id, qty: 100, from: loc.A.adjustment, to: loc.A.stock, doneAt: '2026-01-01T00:00:00Z' },
      { productId: P1.id, qty: 6, from: loc.A.stock, to: loc.A.customer, doneAt: '2026-01-20T00:00:00Z', documentType: 'sales_order' },
      { productId: P1.id, qty: 50, from: loc.A.supplier, to: loc.A.stock, doneAt: '2026-02-10T00:00:00Z', documentType: 'purchase_order' },
      { productId: P1.id, qty: 40, from: loc.A.stock, to: loc.A.customer, doneAt: '2026-02-15T00:00:00Z', documentType: 'sales_order' },
      { productId: P1.id, qty: 20, from: loc.A.stock, to: loc.B.transit, doneAt: '2026-02-20T00:00:00Z', documentType: 'transfer' },
      { productId: P1.id, qty: 20, from: loc.B.transit, to: loc.B.stock, doneAt: '2026-02-22T00:00:00Z', documentType: 'transfer' },
      { productId: P1.id, qty: 10, from: loc.A.stock, to: loc.A.customer, doneAt: '2026-03-05T00:00:00Z', documentType: 'sales_order' },
      { productId: P2.id, qty: 30, from: loc.A.adjustment, to: loc.A.stock, doneAt: '2025-11-01T00:00:00Z' },
      { productId: P2.id, qty: 5, from: loc.A.supplier, to: loc.A.quality_hold, doneAt: '2026-02-12T00:00:00Z', documentType: 'purchase_order' },
      { productId: P3.id, qty: 40, from: loc.B.adjustment, to: loc.B.stock, doneAt: '2026-01-15T00:00:00Z' },
      { productId: P3.id, qty: 12, from: loc.B.stock, to: loc.B.customer, doneAt: '2026-02-25T00:00:00Z', documentType: 'sales_order' },
      { productId: P3.id, qty: 5, from: loc.B.adjustment, to: loc.B.stock, doneAt: '2026-03-01T00:00:00Z', documentType: 'cycle_count' },
      { productId: P2.id, qty: 4, from: loc.C.customer, to: loc.C.stock, doneAt: '2026-02-01T00:00:00Z', documentType: 'return' }
    ]);
    await rebuildBalances(bench.pool);
    await bench.landed();

    const r = await inventoryTurns(ch(), WINDOW);
    expect(r.data).toEqual({
      warehouses: [
        // A: COGS 40 x 500. Now: P1 74 x 500 + P2 (30 + 5 held) x 300 = 47,500. Since 02-01: +25,000 -20,000 -5,000 -10,000 +1,500;
        // since 03-03: -5,000. Opening 56,000, closing 52,500.
        { warehouseId: n.A.id, cogsMinor: 20_000, openingValueMinor: 56_000, closingValueMinor: 52_500, averageValueMinor: 54_250, turns: 0.3687, annualizedTurns: 4.4854, daysOfSupply: 78.75 },
        // B: COGS 12 x 200. Opening P3 40 x 200; closing P1 20 x 500 + P3 33 x 200.
        { warehouseId: n.B.id, cogsMinor: 2_400, openingValueMinor: 8_000, closingValueMinor: 16_600, averageValueMinor: 12_300, turns: 0.1951, annualizedTurns: 2.374, daysOfSupply: 207.5 },
        // C: a return of 4 P2 at the window's first instant, nothing sold.
        { warehouseId: n.C.id, cogsMinor: 0, openingValueMinor: 0, closingValueMinor: 1_200, averageValueMinor: 600, turns: 0, annualizedTurns: 0, daysOfSupply: null }
      ],
      total: { warehouseId: null, cogsMinor: 22_400, openingValueMinor: 64_000, closingValueMinor: 70_300, averageValueMinor: 67_150, turns: 0.3336, annualizedTurns: 4.0586, daysOfSupply: 94.15 }
    });

    const food = await inventoryTurns(ch(), { ...WINDOW, categories: ['food'] });
    const foodRow = { warehouseId: n.B.id, cogsMinor: 2_400, openingValueMinor: 8_000, closingValueMinor: 6_600, averageValueMinor: 7_300, turns: 0.3288, annualizedTurns: 4, daysOfSupply: 82.5 };
    expect(food.data).toEqual({ warehouses: [foodRow], total: { ...foodRow, warehouseId: null } });
    const onlyB = await inventoryTurns(ch(), { ...WINDOW, warehouseIds: [n.B.id] });
    expect(onlyB.data.warehouses.map((w) => w.warehouseId)).toEqual([n.B.id]);
    expect((await inventoryTurns(ch(), { ...WINDOW, regionIds: [n.south.id] })).data.warehouses).toEqual([]);
  });

  it('computes days of supply per product x warehouse', async () => {
    const r = await daysOfSupply(ch(), WINDOW);
    expect(r.data).toEqual([
      { productId: n.P1.id, warehouseId: n.A.id, onHand: 74, shippedUnits: 40, averageDailyDemand: 1.3333, daysOfSupply: 55.5 },
      { productId: n.P3.id, warehouseId: n.B.id, onHand: 33, shippedUnits: 12, averageDailyDemand: 0.4, daysOfSupply: 82.5 },
      { productId: n.P1.id, warehouseId: n.B.id, onHand: 20, shippedUnits: 0, averageDailyDemand: 0, daysOfSupply: null },
      { productId: n.P2.id, warehouseId: n.A.id, onHand: 30, shippedUnits: 0, averageDailyDemand: 0, daysOfSupply: null },
      { productId: n.P2.id, warehouseId: n.C.id, onHand: 4, shippedUnits: 0, averageDailyDemand: 0, daysOfSupply: null }
    ]);
    expect((await daysOfSupply(ch(), { ...WINDOW, limit: 1, categories: ['tools'] })).data.map((x) => x.productId)).toEqual([n.P1.id]);
  });

  it('buckets on hand by the age of its last arrival', async () => {
    const bucket = (units: [number, number, number, number, number], values: [number, number, number, number, number]) =>
      (['0-30', '31-60', '61-90', '91+', 'unknown'] as const).map((b, i) => ({ bucket: b, units: units[i], valueMinor: values[i] }));
    const r = await stockAging(ch(), { asOfTime: WINDOW.to });
    expect(r.data).toEqual([
      // P1 arrived 02-10 (21 days); P2 on 2025-11-01 (122 days). The 5 held P2 are not in the stock location.
      { warehouseId: n.A.id, onHand: 104, valueMinor: 46_000, buckets: bucket([74, 0, 0, 30, 0], [37_000, 0, 0, 9_000, 0]) },
      // P1 arrived by transfer 02-22 (9 days); P3's opening 01-15 (47 days): the count on 03-01 does not reset it.
      { warehouseId: n.B.id, onHand: 53, valueMinor: 16_600, buckets: bucket([20, 33, 0, 0, 0], [10_000, 6_600, 0, 0, 0]) },
      // Only a return: no arrival on record.
      { warehouseId: n.C.id, onHand: 4, valueMinor: 1_200, buckets: bucket([0, 0, 0, 0, 4], [0, 0, 0, 0, 1_200]) }
    ]);
    // 30 whole days after 02-10 is still 0-30; a day later it is 31-60.
    const at = async (asOfTime: string) => (await stockAging(ch(), { asOfTime, warehouseIds: [n.A.id] })).data[0]!.buckets.map((b) => b.units);
    expect(await at('2026-03-12T23:59:59Z')).toEqual([74, 0, 0, 30, 0]);
    expect(await at('2026-03-13T00:00:00Z')).toEqual([0, 74, 0, 30, 0]);
    // Looking back to before P1's arrival of 02-10 (the newest the facts keep for it): its opening of 01-01, 39 days.
    expect(await at('2026-02-09T00:00:00Z')).toEqual([0, 74, 0, 30, 0]);
    expect((await stockAging(ch(), { asOfTime: WINDOW.to, categories: ['food'] })).data.map((w) => [w.warehouseId, w.onHand])).toEqual([[n.B.id, 33]]);
  });

  it('refuses bad input and filters it cannot apply', async () => {
    await expect(inventoryTurns(ch(), { from: WINDOW.to, to: WINDOW.from })).rejects.toThrow(ZodError);
    await expect(inventoryTurns(ch(), { ...WINDOW, customerIds: [1] })).rejects.toThrow(UnsupportedFilterError);
    await expect(daysOfSupply(ch(), { ...WINDOW, limit: 10_000 })).rejects.toThrow(ZodError);
    await expect(stockAging(ch(), { asOfTime: '2026-13-01T00:00:00Z' })).rejects.toThrow(ZodError);
    await expect(stockAging(ch(), { categories: [''] })).rejects.toThrow(ZodError);
  });
});
