import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import { createOpenMoves } from '../../app/lib/server/core/ledger';
import { stockLevels } from '../../app/lib/server/core/stock';
import { transact } from '../../app/lib/server/core/transaction';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  f = await coreFixture();
});

describe('stock levels and ATP', () => {
  it('derives available, incoming, outgoing and forecast per warehouse', async () => {
    const p = f.products[0]!.id;
    await f.stockUp(f.locA, p, 30);
    await transact(f.db, SYSTEM_ACTOR, 'test.schedule', (tx) =>
      createOpenMoves(tx, SYSTEM_ACTOR, [
        // a PO due in 3 days, an order to ship, and a transfer A->B approved
        { productId: p, qty: 12, fromLocationId: f.locA.supplier, toLocationId: f.locA.stock, documentType: 'purchase_order', documentId: 1, scheduledDate: inDays(3), state: 'confirmed' },
        { productId: p, qty: 5, fromLocationId: f.locA.stock, toLocationId: f.locA.customer, documentType: 'sales_order', documentId: 1, scheduledDate: inDays(0), state: 'confirmed' },
        { productId: p, qty: 7, fromLocationId: f.locA.stock, toLocationId: f.locB.transit, documentType: 'transfer', documentId: 1, scheduledDate: inDays(2), state: 'confirmed' }
      ])
    );
    const [a] = await stockLevels(f.db, { warehouseId: f.whA.id, productIds: [p] });
    expect(a).toMatchObject({ onHand: 30, reserved: 0, available: 30, incoming: 12, outgoing: 12, forecast: 30 });
    const [b] = await stockLevels(f.db, { warehouseId: f.whB.id, productIds: [p] });
    expect(b).toMatchObject({ onHand: 0, incoming: 7, outgoing: 0, forecast: 7, inTransit: 0 });
    // At a 1-day horizon the PO (day 3) and the transfer (day 2) are not yet in.
    const [soon] = await stockLevels(f.db, { warehouseId: f.whA.id, productIds: [p], horizon: inDays(1) });
    expect(soon).toMatchObject({ incoming: 0, outgoing: 5, forecast: 25 });
  });

  it('promises today from stock, a later date from scheduled inbound, and shows the region', async () => {
    const p = f.products[1]!.id;
    await f.stockUp(f.locB, p, 50);
    await transact(f.db, SYSTEM_ACTOR, 'test.schedule', (tx) =>
      createOpenMoves(tx, SYSTEM_ACTOR, [
        { productId: p, qty: 20, fromLocationId: f.locA.supplier, toLocationId: f.locA.stock, documentType: 'purchase_order', documentId: 2, scheduledDate: inDays(4), state: 'confirmed' },
        { productId: p, qty: 20, fromLocationId: f.locA.supplier, toLocationId: f.locA.stock, documentType: 'purchase_order', documentId: 3, scheduledDate: inDays(9), state: 'confirmed' }
      ])
    );
    const res = await f.as('sales').stock.atp({ productId: p, qty: 30, warehouseId: f.whA.id });
    expect(res.home).toMatchObject({ available: 0, canShipNow: false, earliestDate: inDays(9) });
    expect(res.network).toEqual([expect.objectContaining({ warehouseId: f.whB.id, available: 50, canShipNow: true, earliestDate: inDays(0) })]);
    const small = await f.as('sales').stock.atp({ productId: p, qty: 15, warehouseId: f.whA.id });
    expect(small.home.earliestDate).toBe(inDays(4));
    const never = await f.as('sales').stock.atp({ productId: p, qty: 41, warehouseId: f.whA.id });
    expect(never.home.earliestDate).toBeNull();
  });

  it('refuses bad ATP input with field errors', async () => {
    await expect(f.as('sales').stock.atp({ productId: 1, qty: 0, warehouseId: f.whA.id })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(f.as('sales').stock.atp({ productId: 999999, qty: 1, warehouseId: f.whA.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lists the ledger for a warehouse, newest first', async () => {
    const moves = await f.as('viewer').stock.moves({ warehouseId: f.whB.id });
    expect(moves.length).toBeGreaterThan(0);
    expect(moves.every((m) => [f.locB.stock, f.locB.adjustment, f.locB.transit].includes(m.toLocationId) || [f.locB.stock].includes(m.fromLocationId))).toBe(true);
    expect(moves.map((m) => m.id)).toEqual([...moves.map((m) => m.id)].sort((a, b) => b - a));
  });
});
