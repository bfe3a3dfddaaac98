import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { stockAtRisk, stockAtRiskCount } from '../../warehouse/kpi/stock-at-risk';
import { UnsupportedFilterError } from '../../warehouse/kpi/scope-filter';
import { kpiBench } from './support';
import { insertMoves, rebuildBalances, supplyNetwork, type SupplyNetwork } from './kpi-supply-support';

/**
 * Looking from 2026-03-01T23:30Z: already 2026-03-02 in A (Berlin), still
 * 2026-03-01 in B, C, D (UTC). The demand window is [2026-02-01T23:30Z, 2026-03-01T23:30Z).
 */
const AS_OF = '2026-03-01T23:30:00Z';
const bench = await kpiBench();
let n: SupplyNetwork;
const ch = () => bench.clickhouse.client;

beforeAll(async () => {
  n = await supplyNetwork(bench);
  await bench.landed();
});

describe('stock at risk', () => {
  it('is empty with no stock, no demand and no inbound', async () => {
    const r = await stockAtRisk(ch(), { asOfTime: AS_OF, onlyAtRisk: false });
    expect(r.data).toEqual([]);
    expect(r.asOf.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect((await stockAtRiskCount(ch(), { asOfTime: AS_OF })).data).toEqual({ atRisk: 0, evaluated: 0 });
  });

  it('computes cover, stockout and stock elsewhere per product x warehouse', async () => {
    const { loc, P1, P2, P3 } = n;
    const open = (productId: number, qty: number, from: number, to: number, scheduled: string, state: 'confirmed' | 'reserved' | 'draft' | 'cancelled' = 'confirmed') =>
      ({ productId, qty, from, to, state, scheduled }) as const;
    await insertMoves(bench.pool, [
      // P1 at A: 100 in; 56 shipped inside the window (20 exactly at its start), 10 just before it, 4 exactly at its end.
      { productId: P1.id, qty: 100, from: loc.A.adjustment, to: loc.A.stock, doneAt: '2026-01-01T00:00:00Z' },
      { productId: P1.id, qty: 20, from: loc.A.stock, to: loc.A.customer, doneAt: '2026-02-01T23:30:00Z', documentType: 'sales_order' },
      { productId: P1.id, qty: 36, from: loc.A.stock, to: loc.A.customer, doneAt: '2026-02-20T10:00:00Z', documentType: 'sales_order' },
      { productId: P1.id, qty: 10, from: loc.A.stock, to: loc.A.customer, doneAt: '2026-02-01T23:29:59Z', documentType: 'sales_order' },
      { productId: P1.id, qty: 4, from: loc.A.stock, to: loc.A.customer, doneAt: '2026-03-01T23:30:00Z', documentType: 'sales_order' },
      // P1 at A inbound: a PO due on the horizon (counts), one the day after (not), cancelled and draft ones (not), an open sale (outgoing).
      open(P1.id, 5, loc.A.supplier, loc.A.stock, '2026-03-05'),
      open(P1.id, 7, loc.A.supplier, loc.A.stock, '2026-03-06'),
      open(P1.id, 50, loc.A.supplier, loc.A.stock, '2026-03-03', 'cancelled'),
      open(P1.id, 40, loc.A.supplier, loc.A.stock, '2026-03-03', 'draft'),
      open(P1.id, 3, loc.A.stock, loc.A.customer, '2026-03-02', 'reserved'),
      // P2 at A: 58 in, 56 shipped; 3 in transit from B (its receipt scheduled after the horizon still counts: it is in transit),
      // approved transfers from C due on the horizon (counts) and after it (not).
      { productId: P2.id, qty: 58, from: loc.A.adjustment, to: loc.A.stock, doneAt: '2026-01-01T00:00:00Z' },
      { productId: P2.id, qty: 28, from: loc.A.stock, to: loc.A.customer, doneAt: '2026-02-10T08:00:00Z', documentType: 'sales_order' },
      { productId: P2.id, qty: 28, from: loc.A.stock, to: loc.A.customer, doneAt: '2026-02-25T08:00:00Z', documentType: 'sales_order' },
      { productId: P2.id, qty: 15, from: loc.B.adjustment, to: loc.B.stock, doneAt: '2026-01-01T00:00:00Z' },
      { productId: P2.id, qty: 3, from: loc.B.stock, to: loc.A.transit, doneAt: '2026-02-28T09:00:00Z', documentType: 'transfer' },
      open(P2.id, 3, loc.A.transit, loc.A.stock, '2026-03-20'),
      open(P2.id, 4, loc.C.stock, loc.A.transit, '2026-03-07'),
      open(P2.id, 6, loc.C.stock, loc.A.transit, '2026-03-08'),
      { productId: P2.id, qty: 20, from: loc.C.adjustment, to: loc.C.stock, doneAt: '2026-01-01T00:00:00Z' },
      { productId: P2.id, qty: 100, from: loc.D.adjustment, to: loc.D.stock, doneAt: '2026-01-01T00:00:00Z' },
      // P3 at B: 24 in, 21 shipped.
      { productId: P3.id, qty: 24, from: loc.B.adjustment, to: loc.B.stock, doneAt: '2026-01-01T00:00:00Z' },
      { productId: P3.id, qty: 21, from: loc.B.stock, to: loc.B.customer, doneAt: '2026-02-15T12:00:00Z', documentType: 'sales_order' },
      // P1 at C: 5 in, 5 shipped: nothing left; a cancelled PO does not help.
      { productId: P1.id, qty: 5, from: loc.C.adjustment, to: loc.C.stock, doneAt: '2026-01-01T00:00:00Z' },
      { productId: P1.id, qty: 5, from: loc.C.stock, to: loc.C.customer, doneAt: '2026-02-20T12:00:00Z', documentType: 'sales_order' },
      open(P1.id, 50, loc.C.supplier, loc.C.stock, '2026-03-02', 'cancelled')
    ]);
    await rebuildBalances(bench.pool, [
      { productId: P1.id, locationId: loc.A.stock, qty: 6 },
      { productId: P2.id, locationId: loc.C.stock, qty: 5 }
    ]);
    await bench.landed();

    const r = await stockAtRisk(ch(), { asOfTime: AS_OF });
    const none = { elsewhereAvailable: 0, bestElsewhereWarehouseId: null, bestElsewhereAvailable: 0 };
    expect(r.data).toEqual([
      {
        productId: P1.id, warehouseId: n.C.id, regionId: n.north.id, category: 'tools', available: 0, inbound: 0,
        leadTimeDays: 3, leadTimeSource: 'supplier', today: '2026-03-01', horizonDate: '2026-03-04',
        shipped28d: 5, demandRate: 0.1786, daysOfCover: 0, projectedStockout: '2026-03-01', atRisk: true, shortfall: 1,
        elsewhereAvailable: 24, bestElsewhereWarehouseId: n.A.id, bestElsewhereAvailable: 24
      },
      {
        productId: P3.id, warehouseId: n.B.id, regionId: n.north.id, category: 'food', available: 3, inbound: 0,
        leadTimeDays: 7, leadTimeSource: 'default', today: '2026-03-01', horizonDate: '2026-03-08',
        shipped28d: 21, demandRate: 0.75, daysOfCover: 4, projectedStockout: '2026-03-05', atRisk: true, shortfall: 3, ...none
      },
      {
        productId: P2.id, warehouseId: n.A.id, regionId: n.north.id, category: 'tools', available: 2, inbound: 7,
        leadTimeDays: 5, leadTimeSource: 'reorder_rule', today: '2026-03-02', horizonDate: '2026-03-07',
        shipped28d: 56, demandRate: 2, daysOfCover: 4.5, projectedStockout: '2026-03-06', atRisk: true, shortfall: 1,
        elsewhereAvailable: 27, bestElsewhereWarehouseId: n.C.id, bestElsewhereAvailable: 15
      }
    ]);

    const all = await stockAtRisk(ch(), { asOfTime: AS_OF, onlyAtRisk: false, sort: 'demandRate', limit: 3 });
    expect(all.data.map((x) => [x.productId, x.warehouseId, x.demandRate])).toEqual([
      [P1.id, n.A.id, 2],
      [P2.id, n.A.id, 2],
      [P3.id, n.B.id, 0.75]
    ]);
    expect(all.data[0]).toMatchObject({
      available: 24, inbound: 5, leadTimeDays: 3, leadTimeSource: 'supplier', today: '2026-03-02', horizonDate: '2026-03-05',
      shipped28d: 56, daysOfCover: 14.5, projectedStockout: '2026-03-16', atRisk: false, shortfall: 0, ...none
    });
    const quiet = await stockAtRisk(ch(), { asOfTime: AS_OF, onlyAtRisk: false, warehouseIds: [n.D.id] });
    expect(quiet.data).toEqual([
      {
        productId: P2.id, warehouseId: n.D.id, regionId: n.south.id, category: 'tools', available: 100, inbound: 0,
        leadTimeDays: 10, leadTimeSource: 'supplier', today: '2026-03-01', horizonDate: '2026-03-11',
        shipped28d: 0, demandRate: 0, daysOfCover: null, projectedStockout: null, atRisk: false, shortfall: 0, ...none
      }
    ]);
    const byShortfall = await stockAtRisk(ch(), { asOfTime: AS_OF, sort: 'shortfall' });
    expect(byShortfall.data.map((x) => [x.productId, x.warehouseId, x.shortfall])).toEqual([
      [P3.id, n.B.id, 3],
      [P1.id, n.C.id, 1],
      [P2.id, n.A.id, 1]
    ]);
  });

  it('counts pairs at risk for the executive board, within the scope filters', async () => {
    const count = async (extra: object) => (await stockAtRiskCount(ch(), { asOfTime: AS_OF, ...extra })).data;
    // Evaluated: P1@A, P2@A, P1@C, P2@B, P2@C, P2@D, P3@B.
    expect(await count({})).toEqual({ atRisk: 3, evaluated: 7 });
    expect(await count({ warehouseIds: [n.A.id] })).toEqual({ atRisk: 1, evaluated: 2 });
    expect(await count({ regionIds: [n.south.id] })).toEqual({ atRisk: 0, evaluated: 1 });
    expect(await count({ categories: ['food'] })).toEqual({ atRisk: 1, evaluated: 1 });
    expect(await count({ categories: ['tools'], regionIds: [n.north.id] })).toEqual({ atRisk: 2, evaluated: 5 });
    const food = await stockAtRisk(ch(), { asOfTime: AS_OF, categories: ['food'] });
    expect(food.data.map((x) => [x.productId, x.warehouseId])).toEqual([[n.P3.id, n.B.id]]);
  });

  it('moves with the time it looks from: a week later the demand window has changed', async () => {
    // From 2026-03-20T12:00Z the window [02-20T12:00, 03-20T12:00) holds P1@A's 36 (02-20T10:00 is before it: no),
    // P2@A's 28 of 02-25, P1@C's 5 of 02-20T12:00 (at the start: yes) and the 4 of 03-01T23:30.
    const later = await stockAtRisk(ch(), { asOfTime: '2026-03-20T12:00:00Z', onlyAtRisk: false, warehouseIds: [n.A.id, n.C.id], categories: ['tools'] });
    expect(later.data.map((x) => [x.productId, x.warehouseId, x.shipped28d])).toEqual([
      [n.P1.id, n.C.id, 5],
      [n.P2.id, n.A.id, 28],
      [n.P1.id, n.A.id, 4],
      [n.P2.id, n.C.id, 0]
    ]);
  });

  it('refuses bad input and filters it cannot apply', async () => {
    await expect(stockAtRisk(ch(), { limit: 0 })).rejects.toThrow(ZodError);
    await expect(stockAtRisk(ch(), { asOfTime: 'yesterday' })).rejects.toThrow(ZodError);
    await expect(stockAtRisk(ch(), { sort: 'price' })).rejects.toThrow(ZodError);
    await expect(stockAtRisk(ch(), { warehouseIds: [-1] })).rejects.toThrow(ZodError);
    await expect(stockAtRisk(ch(), { customerIds: [1] })).rejects.toThrow(UnsupportedFilterError);
  });
});
