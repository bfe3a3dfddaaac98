import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { stockAtRisk, stockAtRiskCount } from '../../warehouse/kpi/stock-at-risk';
import { UnsupportedFilterError } from '../../warehouse/kpi/scope-filter';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
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
        productId: P1.id, warehouseId: n.C.id, regionId: n.north.id, category: 'tools', available: 0, inbound: 0, owed: 0,
        leadTimeDays: 3, leadTimeSource: 'supplier', today: '2026-03-01', horizonDate: '2026-03-04',
        shipped28d: 5, demandRate: 0.1786, daysOfCover: 0, projectedStockout: '2026-03-01', atRisk: true, shortfall: 1,
        elsewhereAvailable: 24, bestElsewhereWarehouseId: n.A.id, bestElsewhereAvailable: 24
      },
      {
        productId: P3.id, warehouseId: n.B.id, regionId: n.north.id, category: 'food', available: 3, inbound: 0, owed: 0,
        leadTimeDays: 7, leadTimeSource: 'default', today: '2026-03-01', horizonDate: '2026-03-08',
        shipped28d: 21, demandRate: 0.75, daysOfCover: 4, projectedStockout: '2026-03-05', atRisk: true, shortfall: 3, ...none
      },
      {
        productId: P2.id, warehouseId: n.A.id, regionId: n.north.id, category: 'tools', available: 2, inbound: 7, owed: 0,
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
      available: 24, inbound: 5, owed: 0, leadTimeDays: 3, leadTimeSource: 'supplier', today: '2026-03-02', horizonDate: '2026-03-05',
      shipped28d: 56, daysOfCover: 14.5, projectedStockout: '2026-03-16', atRisk: false, shortfall: 0, ...none
    });
    const quiet = await stockAtRisk(ch(), { asOfTime: AS_OF, onlyAtRisk: false, warehouseIds: [n.D.id] });
    expect(quiet.data).toEqual([
      {
        productId: P2.id, warehouseId: n.D.id, regionId: n.south.id, category: 'tools', available: 100, inbound: 0, owed: 0,
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

  it('takes what confirmed orders still wait for out of the supply', async () => {
    const customer = await catalog.createCustomer(bench.db, SYSTEM_ACTOR, { code: 'K1', name: 'Customer K1', regionId: n.north.id, creditLimitMinor: 10_000_000 });
    const { P1, P2, P3, A, B, C, D } = n;
    type Line = { product: number; ordered: number; shipped?: number; cancelled?: number; reserved?: number };
    const order = async (warehouseId: number, state: 'draft' | 'awaiting_approval' | 'confirmed' | 'cancelled', lines: Line[]) => {
      const confirmed = state === 'confirmed' || state === 'cancelled' ? '2026-02-27T10:00:00Z' : null;
      const { rows } = await bench.pool.query<{ id: string }>(
        `INSERT INTO sales_orders (customer_id, warehouse_id, state, created_at, confirmed_at, cancelled_at)
         VALUES ($1, $2, $3, '2026-02-27T09:00:00Z', $4, $5) RETURNING id`,
        [customer.id, warehouseId, state, confirmed, state === 'cancelled' ? '2026-02-28T10:00:00Z' : null]
      );
      for (const [i, l] of lines.entries()) {
        const shipped = l.shipped ?? 0;
        const cancelled = l.cancelled ?? 0;
        await bench.pool.query(
          `INSERT INTO sales_order_lines (order_id, line_no, product_id, ordered_qty, unit_price_minor, reserved_qty, shipped_qty, backordered_qty, cancelled_qty)
           VALUES ($1, $2, $3, $4, 1000, $5, $6, $7, $8)`,
          [rows[0]!.id, i + 1, l.product, l.ordered, l.reserved ?? 0, shipped, l.ordered - shipped - cancelled, cancelled]
        );
      }
    };
    // P1@A owes 24 (30 backordered, the 6 reserved in its balance already out of available) + 6 (10 ordered, 4 shipped) = 30.
    await order(A.id, 'confirmed', [{ product: P1.id, ordered: 30, reserved: 6 }, { product: P2.id, ordered: 4, reserved: 4 }]);
    await order(A.id, 'confirmed', [{ product: P1.id, ordered: 10, shipped: 4 }]);
    // Not owed: a draft, one awaiting approval, a cancelled one's cancelled remainder; P2@A's line above is fully reserved.
    await order(A.id, 'draft', [{ product: P1.id, ordered: 50 }]);
    await order(A.id, 'awaiting_approval', [{ product: P1.id, ordered: 40 }]);
    await order(A.id, 'cancelled', [{ product: P1.id, ordered: 9, cancelled: 9 }]);
    // P2@C owes 2 of 7 (5 reserved); P2@D owes 10 of its 100 available; P3@D has nothing but 5 owed.
    await order(C.id, 'confirmed', [{ product: P2.id, ordered: 7, reserved: 5 }]);
    await order(D.id, 'confirmed', [{ product: P2.id, ordered: 12, shipped: 2 }, { product: P3.id, ordered: 5 }]);
    await bench.landed();

    // P1@A: supply 24 + 5 - 30 = -1 at 2 a day: -0.5 days, out today, shortfall ceil(2 x 3) + 1 = 7.
    // P3@D: supply -5 without demand: at risk, 0 days of cover, out today, shortfall 5.
    const r = await stockAtRisk(ch(), { asOfTime: AS_OF });
    expect(r.data.map((x) => [x.productId, x.warehouseId, x.owed, x.daysOfCover])).toEqual([
      [P1.id, A.id, 30, -0.5],
      [P1.id, C.id, 0, 0],
      [P3.id, D.id, 5, 0],
      [P3.id, B.id, 0, 4],
      [P2.id, A.id, 0, 4.5]
    ]);
    expect(r.data[0]).toEqual({
      productId: P1.id, warehouseId: A.id, regionId: n.north.id, category: 'tools', available: 24, inbound: 5, owed: 30,
      leadTimeDays: 3, leadTimeSource: 'supplier', today: '2026-03-02', horizonDate: '2026-03-05',
      shipped28d: 56, demandRate: 2, daysOfCover: -0.5, projectedStockout: '2026-03-02', atRisk: true, shortfall: 7,
      elsewhereAvailable: 0, bestElsewhereWarehouseId: null, bestElsewhereAvailable: 0
    });
    expect(r.data[2]).toEqual({
      productId: P3.id, warehouseId: D.id, regionId: n.south.id, category: 'food', available: 0, inbound: 0, owed: 5,
      leadTimeDays: 7, leadTimeSource: 'default', today: '2026-03-01', horizonDate: '2026-03-08',
      shipped28d: 0, demandRate: 0, daysOfCover: 0, projectedStockout: '2026-03-01', atRisk: true, shortfall: 5,
      elsewhereAvailable: 0, bestElsewhereWarehouseId: null, bestElsewhereAvailable: 0
    });
    // Owed but covered, without demand: not at risk.
    const quiet = await stockAtRisk(ch(), { asOfTime: AS_OF, onlyAtRisk: false, categories: ['tools'], warehouseIds: [C.id, D.id], sort: 'shortfall' });
    expect(quiet.data.map((x) => [x.productId, x.warehouseId, x.available, x.owed, x.daysOfCover, x.atRisk, x.shortfall])).toEqual([
      [P1.id, C.id, 0, 0, 0, true, 1],
      [P2.id, C.id, 15, 2, null, false, 0],
      [P2.id, D.id, 100, 10, null, false, 0]
    ]);
    expect((await stockAtRiskCount(ch(), { asOfTime: AS_OF })).data).toEqual({ atRisk: 5, evaluated: 8 });
  });

  it('refuses bad input and filters it cannot apply', async () => {
    await expect(stockAtRisk(ch(), { limit: 0 })).rejects.toThrow(ZodError);
    await expect(stockAtRisk(ch(), { asOfTime: 'yesterday' })).rejects.toThrow(ZodError);
    await expect(stockAtRisk(ch(), { sort: 'price' })).rejects.toThrow(ZodError);
    await expect(stockAtRisk(ch(), { warehouseIds: [-1] })).rejects.toThrow(ZodError);
    await expect(stockAtRisk(ch(), { customerIds: [1] })).rejects.toThrow(UnsupportedFilterError);
  });
});
