import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { tables } from '../../app/lib/server/core/db';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { createOpenMoves } from '../../app/lib/server/core/ledger';
import {
  OVER_RECEIPT_TOLERANCE_PCT,
  cancelPurchaseOrder,
  closePurchaseOrder,
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrders,
  sendPurchaseOrder
} from '../../app/lib/server/core/purchasing';
import { warehouseDate } from '../../app/lib/server/core/locations';
import { receivePurchaseOrder } from '../../app/lib/server/core/receipts';
import { stockLevels } from '../../app/lib/server/core/stock';
import { transact } from '../../app/lib/server/core/transaction';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
let buyer: Actor;
let lead: Actor; // warehouse user, scoped to A
beforeAll(async () => {
  f = await coreFixture();
  buyer = f.actorFor('buyer');
  lead = f.actorFor('warehouse');
});

let skuNo = 0;
/** A product of its own per test, supplied by the fixture's supplier (cost 700, lead 5, MOQ 10, pack 6). */
async function newProduct() {
  const p = await catalog.createProduct(f.db, buyer, { sku: `PO-${++skuNo}`, name: `PO product ${skuNo}`, costMinor: 600, priceMinor: 1000, category: 'tools' });
  await catalog.upsertSupplierProduct(f.db, buyer, { supplierId: f.supplier.id, productId: p.id, costMinor: 700, leadTimeDays: 5, moq: 10, packMultiple: 6 });
  return p.id;
}

async function level(warehouseId: number, productId: number) {
  const [l] = await stockLevels(f.db, { warehouseId, productIds: [productId] });
  return l ?? { onHand: 0, reserved: 0, available: 0, qualityHold: 0, incoming: 0, outgoing: 0, forecast: 0 };
}

async function sentPo(productId: number, qty: number, extra: { warehouseId?: number; expectedDate?: string } = {}) {
  const po = await createPurchaseOrder(f.db, buyer, { supplierId: f.supplier.id, warehouseId: extra.warehouseId ?? f.whA.id, expectedDate: extra.expectedDate, lines: [{ productId, qty }] });
  return sendPurchaseOrder(f.db, buyer, { purchaseOrderId: po.id });
}

/** Snapshot of everything a refused receipt must leave untouched. */
async function snapshot(purchaseOrderId: number) {
  return {
    moves: await f.db.select().from(tables.stockMoves).orderBy(tables.stockMoves.id),
    balances: await f.db.select().from(tables.stockBalances).orderBy(tables.stockBalances.productId, tables.stockBalances.locationId),
    po: await getPurchaseOrder(f.db, purchaseOrderId),
    receipts: await f.db.$count(tables.receipts)
  };
}

/** A confirmed order at A with one fully backordered line and its open move (as the orders service leaves it). */
async function backorderedLine(productId: number, qty: number, confirmedAt: Date) {
  return transact(f.db, buyer, 'test.backorder', async (tx) => {
    const [order] = await tx
      .insert(tables.salesOrders)
      .values({ customerId: f.customer.id, warehouseId: f.whA.id, state: 'confirmed', confirmedAt })
      .returning();
    const [line] = await tx
      .insert(tables.salesOrderLines)
      .values({ orderId: order!.id, lineNo: 1, productId, orderedQty: qty, unitPriceMinor: 1000, backorderedQty: qty })
      .returning();
    await createOpenMoves(tx, buyer, [
      { productId, qty, fromLocationId: f.locA.stock, toLocationId: f.locA.customer, documentType: 'sales_order', documentId: order!.id, documentLineId: line!.id, state: 'confirmed' }
    ]);
    return line!.id;
  });
}

describe('purchase orders', () => {
  it('creates a draft through the API with supplier cost and lead time, and sends it as incoming', async () => {
    const p = await newProduct();
    const po = await f.as('buyer').purchasing.create({ supplierId: f.supplier.id, warehouseId: f.whA.id, lines: [{ productId: p, qty: 30 }] });
    expect(po.state).toBe('draft');
    expect(po.expectedDate).toBe(await warehouseDate(f.db, f.whA.id, 5));
    expect(po.lines).toMatchObject([{ productId: p, orderedQty: 30, unitCostMinor: 700, openQty: 30 }]);
    expect(po.totalMinor).toBe(30 * 700);
    expect((await level(f.whA.id, p)).incoming).toBe(0); // a draft schedules nothing

    const sent = await f.as('buyer').purchasing.send({ purchaseOrderId: po.id });
    expect(sent.state).toBe('sent');
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 0, incoming: 30, forecast: 30 });
    const [move] = await f.db.select().from(tables.stockMoves).where(and(eq(tables.stockMoves.documentType, 'purchase_order'), eq(tables.stockMoves.documentId, po.id)));
    expect(move).toMatchObject({ state: 'confirmed', qty: 30, fromLocationId: f.locA.supplier, toLocationId: f.locA.stock, scheduledDate: po.expectedDate });

    await expect(f.as('buyer').purchasing.send({ purchaseOrderId: po.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await f.as('viewer').purchasing.list({ warehouseId: f.whA.id })).map((x) => x.id)).toContain(po.id);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('refuses lines the supplier does not supply, and roles that may not buy', async () => {
    const orphan = await catalog.createProduct(f.db, buyer, { sku: 'NO-SUPPLIER', name: 'Nobody sells this', costMinor: 1, priceMinor: 2, category: 'x' });
    const before = await f.db.$count(tables.purchaseOrders);
    const err = await f
      .as('buyer')
      .purchasing.create({ supplierId: f.supplier.id, warehouseId: f.whA.id, lines: [{ productId: orphan.id, qty: 1 }] })
      .catch((e) => e);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.cause.fieldErrors).toEqual({ 'lines.0.productId': ['is not supplied by SUP'] });
    await expect(f.as('warehouse').purchasing.create({ supplierId: f.supplier.id, warehouseId: f.whA.id, lines: [{ productId: f.products[0]!.id, qty: 1 }] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await f.db.$count(tables.purchaseOrders)).toBe(before);
  });

  it('receives partially, then the rest: on time, in full only when complete', async () => {
    const p = await newProduct();
    const po = await sentPo(p, 100);
    const lineId = po.lines[0]!.id;

    const first = await f.as('warehouse').purchasing.receive({ purchaseOrderId: po.id, lines: [{ lineId, acceptedQty: 40 }] });
    expect(first.purchaseOrder.state).toBe('partially_received');
    expect(first.receipt).toMatchObject({ onTime: true, inFull: false, lines: [{ purchaseOrderLineId: lineId, acceptedQty: 40, rejectedQty: 0 }] });
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 40, incoming: 60, forecast: 100 });
    expect(await ledgerViolations(f.db)).toEqual([]);

    const rest = await receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId, acceptedQty: 60 }] });
    expect(rest.purchaseOrder.state).toBe('received');
    expect(rest.receipt).toMatchObject({ onTime: true, inFull: true });
    expect(rest.purchaseOrder.lines[0]).toMatchObject({ receivedQty: 100, openQty: 0 });
    expect(rest.purchaseOrder.receipts).toHaveLength(2);
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 100, incoming: 0 });
    await expect(receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId, acceptedQty: 1 }] })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it(`refuses an over-receipt beyond ${OVER_RECEIPT_TOLERANCE_PCT}% and changes nothing; accepts one within it`, async () => {
    const p = await newProduct();
    const po = await sentPo(p, 100);
    const lineId = po.lines[0]!.id;
    await receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId, acceptedQty: 50 }] });

    const before = await snapshot(po.id);
    const err = await receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId, acceptedQty: 50, rejectedQty: 6 }] }).catch((e) => e);
    expect(err).toMatchObject({ code: 'CONFLICT' });
    expect(err.message).toMatch(/over-receipt refused.*106.*at most 105/);
    expect(await snapshot(po.id)).toEqual(before);

    const ok = await receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId, acceptedQty: 55 }] });
    expect(ok.purchaseOrder.state).toBe('received');
    expect(ok.purchaseOrder.lines[0]).toMatchObject({ receivedQty: 105, openQty: 0 });
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 105, incoming: 0 });
    const open = await f.db.$count(tables.stockMoves, sql`document_type = 'purchase_order' AND document_id = ${po.id} AND state IN ('confirmed', 'reserved')`);
    expect(open).toBe(0);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('puts rejected quantity into quality hold; the receipt is then not in full', async () => {
    const p = await newProduct();
    const po = await sentPo(p, 10);
    const r = await receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId: po.lines[0]!.id, acceptedQty: 8, rejectedQty: 2 }] });
    expect(r.purchaseOrder.state).toBe('received');
    expect(r.receipt).toMatchObject({ inFull: false, lines: [{ acceptedQty: 8, rejectedQty: 2 }] });
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 8, available: 8, qualityHold: 2, incoming: 0 });
    const [held] = await f.db.select().from(tables.stockMoves).where(and(eq(tables.stockMoves.productId, p), eq(tables.stockMoves.toLocationId, f.locA.quality_hold)));
    expect(held).toMatchObject({ state: 'done', qty: 2, fromLocationId: f.locA.supplier, documentType: 'purchase_order', documentId: po.id });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('records a late receipt as not on time', async () => {
    const p = await newProduct();
    const po = await sentPo(p, 12, { expectedDate: '2020-01-15' });
    const r = await receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId: po.lines[0]!.id, acceptedQty: 12 }] });
    expect(r.receipt).toMatchObject({ onTime: false, inFull: true });
  });

  it('reserves backordered order lines from a receipt, oldest confirmed first', async () => {
    const p = await newProduct();
    const newer = await backorderedLine(p, 6, new Date('2025-03-02T10:00:00Z'));
    const older = await backorderedLine(p, 6, new Date('2025-03-01T10:00:00Z'));
    const po = await sentPo(p, 8);
    await receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId: po.lines[0]!.id, acceptedQty: 8 }] });

    const lines = await f.db.select().from(tables.salesOrderLines).where(eq(tables.salesOrderLines.productId, p));
    expect(lines.find((l) => l.id === older)!.reservedQty).toBe(6);
    expect(lines.find((l) => l.id === newer)!.reservedQty).toBe(2);
    const moves = await f.db.select().from(tables.stockMoves).where(and(eq(tables.stockMoves.productId, p), eq(tables.stockMoves.documentType, 'sales_order')));
    expect(moves.find((m) => m.documentLineId === older)!.state).toBe('reserved');
    expect(moves.find((m) => m.documentLineId === newer)!.state).toBe('confirmed');
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 8, reserved: 8, available: 0 });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('closes a partially received order: what is still open is no longer incoming', async () => {
    const p = await newProduct();
    const po = await sentPo(p, 50);
    await receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId: po.lines[0]!.id, acceptedQty: 20 }] });
    const closed = await f.as('buyer').purchasing.close({ purchaseOrderId: po.id });
    expect(closed.state).toBe('closed');
    expect(closed.lines[0]).toMatchObject({ receivedQty: 20, openQty: 0 });
    expect(await level(f.whA.id, p)).toMatchObject({ onHand: 20, incoming: 0 });
    await expect(receivePurchaseOrder(f.db, lead, { purchaseOrderId: po.id, lines: [{ lineId: po.lines[0]!.id, acceptedQty: 1 }] })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('cancels a draft only', async () => {
    const p = await newProduct();
    const draft = await createPurchaseOrder(f.db, buyer, { supplierId: f.supplier.id, warehouseId: f.whA.id, lines: [{ productId: p, qty: 5 }] });
    expect((await cancelPurchaseOrder(f.db, buyer, { purchaseOrderId: draft.id })).state).toBe('cancelled');
    await expect(sendPurchaseOrder(f.db, buyer, { purchaseOrderId: draft.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    const sent = await sentPo(p, 5);
    await expect(cancelPurchaseOrder(f.db, buyer, { purchaseOrderId: sent.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(closePurchaseOrder(f.db, buyer, { purchaseOrderId: draft.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await listPurchaseOrders(f.db, { state: 'cancelled' })).map((x) => x.id)).toEqual([draft.id]);
  });

  it('lets a warehouse lead receive at their own warehouse only', async () => {
    const p = await newProduct();
    const po = await sentPo(p, 10, { warehouseId: f.whB.id });
    const before = await snapshot(po.id);
    await expect(
      f.as('warehouse').purchasing.receive({ purchaseOrderId: po.id, lines: [{ lineId: po.lines[0]!.id, acceptedQty: 10 }] })
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(f.as('buyer').purchasing.receive({ purchaseOrderId: po.id, lines: [{ lineId: po.lines[0]!.id, acceptedQty: 10 }] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot(po.id)).toEqual(before);
    const r = await f.as('admin').purchasing.receive({ purchaseOrderId: po.id, lines: [{ lineId: po.lines[0]!.id, acceptedQty: 10 }] });
    expect(r.purchaseOrder.state).toBe('received');
    expect(await level(f.whB.id, p)).toMatchObject({ onHand: 10 });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('refuses receipt lines of another order with field errors', async () => {
    const p = await newProduct();
    const a = await sentPo(p, 10);
    const b = await sentPo(p, 10);
    const err = await f
      .as('warehouse')
      .purchasing.receive({ purchaseOrderId: a.id, lines: [{ lineId: b.lines[0]!.id, acceptedQty: 1 }] })
      .catch((e) => e);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.cause.fieldErrors).toEqual({ 'lines.0.lineId': [`is not a line of purchase order ${a.id}`] });
  });
});
