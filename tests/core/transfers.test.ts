import { and, eq, inArray } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { tables } from '../../app/lib/server/core/db';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { createOpenMoves } from '../../app/lib/server/core/ledger';
import { warehouseDate } from '../../app/lib/server/core/locations';
import { stockLevels } from '../../app/lib/server/core/stock';
import { transact } from '../../app/lib/server/core/transaction';
import {
  approveTransfer,
  cancelTransfer,
  getTransfer,
  listTransfers,
  receiveTransfer,
  requestTransfer,
  shipTransfer
} from '../../app/lib/server/core/transfers';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
let planner: Actor;
let admin: Actor;
let lead: Actor; // warehouse user, scoped to A
beforeAll(async () => {
  f = await coreFixture();
  planner = f.actorFor('planner');
  admin = f.actorFor('admin');
  lead = f.actorFor('warehouse');
});

let skuNo = 0;
async function newProduct(stockAtA = 0) {
  const p = await catalog.createProduct(f.db, admin, { sku: `TR-${++skuNo}`, name: `Transfer product ${skuNo}`, costMinor: 100, priceMinor: 200, category: 'x' });
  if (stockAtA > 0) await f.stockUp(f.locA, p.id, stockAtA);
  return p.id;
}

async function level(warehouseId: number, productId: number) {
  const [l] = await stockLevels(f.db, { warehouseId, productIds: [productId] });
  return l ?? { onHand: 0, reserved: 0, available: 0, damaged: 0, inTransit: 0, incoming: 0, outgoing: 0, forecast: 0 };
}

/** Everything a refused call must leave as it was. */
async function snapshot(transferId: number) {
  return {
    transfer: await getTransfer(f.db, transferId),
    moves: await f.db.select().from(tables.stockMoves).orderBy(tables.stockMoves.id),
    balances: await f.db.select().from(tables.stockBalances).orderBy(tables.stockBalances.productId, tables.stockBalances.locationId)
  };
}

async function approved(lines: { productId: number; qty: number }[]) {
  const t = await requestTransfer(f.db, planner, { fromWarehouseId: f.whA.id, toWarehouseId: f.whB.id, lines });
  return approveTransfer(f.db, planner, { transferId: t.id });
}

describe('transfers', () => {
  it('request → approve → ship → receive with a short and a damaged quantity', async () => {
    const p = await newProduct(50);
    const q = await newProduct(10);
    const requested = await f.as('planner').transfers.request({ fromWarehouseId: f.whA.id, toWarehouseId: f.whB.id, lines: [{ productId: p, qty: 20 }, { productId: q, qty: 10 }] });
    expect(requested).toMatchObject({ state: 'requested', expectedArrival: await warehouseDate(f.db, f.whB.id, 2) });
    expect((await level(f.whB.id, p)).incoming).toBe(0);
    const [lp, lq] = requested.lines;

    await expect(f.as('warehouse').transfers.approve({ transferId: requested.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await f.as('planner').transfers.approve({ transferId: requested.id });
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 50, outgoing: 20, forecast: 30 });
    expect(await level(f.whB.id, p)).toMatchObject({ onHand: 0, incoming: 20, forecast: 20 });
    expect(await ledgerViolations(f.db)).toEqual([]);

    // The lead at A ships all of p and 8 of q; the other 2 of q are no longer scheduled.
    const shipped = await f.as('warehouse').transfers.ship({ transferId: requested.id, lines: [{ lineId: lp!.id, qty: 20 }, { lineId: lq!.id, qty: 8 }] });
    expect(shipped.state).toBe('shipped');
    expect(shipped.lines.map((l) => l.shippedQty)).toEqual([20, 8]);
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 30, outgoing: 0 });
    expect(await level(f.whA.id, q)).toMatchObject({ onHand: 2, outgoing: 0 });
    expect(await level(f.whB.id, p)).toMatchObject({ onHand: 0, inTransit: 20, incoming: 20, forecast: 20 });
    expect(await level(f.whB.id, q)).toMatchObject({ inTransit: 8, incoming: 8 });
    expect(await ledgerViolations(f.db)).toEqual([]);

    // The lead at A may not receive at B.
    const receipt = { transferId: requested.id, lines: [{ lineId: lp!.id, receivedQty: 17, shortQty: 2, damagedQty: 1 }, { lineId: lq!.id, receivedQty: 8 }] };
    await expect(f.as('warehouse').transfers.receive(receipt)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const received = await receiveTransfer(f.db, admin, receipt);
    expect(received.state).toBe('received');
    expect(received.lines).toMatchObject([
      { shippedQty: 20, receivedQty: 17, shortQty: 2, damagedQty: 1 },
      { shippedQty: 8, receivedQty: 8, shortQty: 0, damagedQty: 0 }
    ]);
    expect(await level(f.whB.id, p)).toMatchObject({ onHand: 17, damaged: 1, inTransit: 0, incoming: 0, forecast: 17 });
    expect(await level(f.whB.id, q)).toMatchObject({ onHand: 8, inTransit: 0, incoming: 0 });
    const [short] = await f.db.select().from(tables.stockMoves).where(and(eq(tables.stockMoves.productId, p), eq(tables.stockMoves.toLocationId, f.locB.adjustment)));
    expect(short).toMatchObject({ state: 'done', qty: 2, fromLocationId: f.locB.transit, documentType: 'transfer', documentId: requested.id });
    expect(await ledgerViolations(f.db)).toEqual([]);

    await expect(receiveTransfer(f.db, admin, receipt)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await listTransfers(f.db, { warehouseId: f.whB.id, state: 'received' })).map((t) => t.id)).toContain(requested.id);
  });

  it('refuses a receipt that does not account for what was shipped, and changes nothing', async () => {
    const p = await newProduct(10);
    const t = await approved([{ productId: p, qty: 10 }]);
    await shipTransfer(f.db, lead, { transferId: t.id });
    const before = await snapshot(t.id);
    const err = await f
      .as('admin')
      .transfers.receive({ transferId: t.id, lines: [{ lineId: t.lines[0]!.id, receivedQty: 8, shortQty: 1 }] })
      .catch((e) => e);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.cause.fieldErrors).toEqual({ 'lines.0.receivedQty': ['received + short + damaged must equal the 10 shipped'] });
    expect(await snapshot(t.id)).toEqual(before);
    expect(await level(f.whB.id, p)).toMatchObject({ inTransit: 10, incoming: 10 });
    // Receiving without lines takes everything shipped.
    await receiveTransfer(f.db, admin, { transferId: t.id });
    expect(await level(f.whB.id, p)).toMatchObject({ onHand: 10, inTransit: 0, incoming: 0 });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('refuses wrong transitions with CONFLICT and changes nothing', async () => {
    const p = await newProduct(30);
    const requested = await requestTransfer(f.db, planner, { fromWarehouseId: f.whA.id, toWarehouseId: f.whB.id, lines: [{ productId: p, qty: 5 }] });
    let before = await snapshot(requested.id);
    await expect(shipTransfer(f.db, lead, { transferId: requested.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(receiveTransfer(f.db, admin, { transferId: requested.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await snapshot(requested.id)).toEqual(before);

    await approveTransfer(f.db, planner, { transferId: requested.id });
    await expect(approveTransfer(f.db, planner, { transferId: requested.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await shipTransfer(f.db, lead, { transferId: requested.id });
    before = await snapshot(requested.id);
    await expect(f.as('planner').transfers.cancel({ transferId: requested.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(shipTransfer(f.db, lead, { transferId: requested.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await snapshot(requested.id)).toEqual(before);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('cancels an approved transfer: nothing stays scheduled', async () => {
    const p = await newProduct(30);
    const t = await approved([{ productId: p, qty: 12 }]);
    expect((await level(f.whA.id, p)).outgoing).toBe(12);
    const cancelled = await f.as('planner').transfers.cancel({ transferId: t.id });
    expect(cancelled.state).toBe('cancelled');
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 30, outgoing: 0 });
    expect((await level(f.whB.id, p)).incoming).toBe(0);
    const open = await f.db.select().from(tables.stockMoves).where(and(eq(tables.stockMoves.documentType, 'transfer'), eq(tables.stockMoves.documentId, t.id)));
    expect(open.map((m) => m.state)).toEqual(['cancelled']);
    await expect(shipTransfer(f.db, lead, { transferId: t.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses a transfer without a lane, and shipping more than is on hand', async () => {
    const p = await newProduct(5);
    const err = await f
      .as('planner')
      .transfers.request({ fromWarehouseId: f.whB.id, toWarehouseId: f.whA.id, lines: [{ productId: p, qty: 1 }] })
      .catch((e) => e);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/no transfer lane/);

    const t = await approved([{ productId: p, qty: 8 }]);
    const before = await snapshot(t.id);
    await expect(shipTransfer(f.db, lead, { transferId: t.id })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/not enough stock/) });
    await expect(shipTransfer(f.db, lead, { transferId: t.id, lines: [{ lineId: t.lines[0]!.id, qty: 9 }] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await snapshot(t.id)).toEqual(before);
    // A lead at B may not ship from A (scope), nor a planner at all (role).
    await expect(shipTransfer(f.db, { ...lead, warehouseId: f.whB.id }, { transferId: t.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(f.as('planner').transfers.ship({ transferId: t.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot(t.id)).toEqual(before);
  });

  it('reserves backorders at the destination when the transfer arrives', async () => {
    const p = await newProduct(10);
    const lineId = await transact(f.db, admin, 'test.backorder', async (tx) => {
      const [order] = await tx
        .insert(tables.salesOrders)
        .values({ customerId: f.customer.id, warehouseId: f.whB.id, state: 'confirmed', confirmedAt: new Date() })
        .returning();
      const [line] = await tx
        .insert(tables.salesOrderLines)
        .values({ orderId: order!.id, lineNo: 1, productId: p, orderedQty: 4, unitPriceMinor: 200, backorderedQty: 4 })
        .returning();
      await createOpenMoves(tx, admin, [
        { productId: p, qty: 4, fromLocationId: f.locB.stock, toLocationId: f.locB.customer, documentType: 'sales_order', documentId: order!.id, documentLineId: line!.id, state: 'confirmed' }
      ]);
      return line!.id;
    });
    const t = await approved([{ productId: p, qty: 10 }]);
    await shipTransfer(f.db, lead, { transferId: t.id });
    await receiveTransfer(f.db, admin, { transferId: t.id });
    const [line] = await f.db.select().from(tables.salesOrderLines).where(inArray(tables.salesOrderLines.id, [lineId]));
    expect(line!.reservedQty).toBe(4);
    expect(await level(f.whB.id, p)).toMatchObject({ onHand: 10, reserved: 4, available: 6 });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });
});
