import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { tables } from '../../app/lib/server/core/db';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { warehouseDate } from '../../app/lib/server/core/locations';
import { createPurchaseOrder, getPurchaseOrder, sendPurchaseOrder } from '../../app/lib/server/core/purchasing';
import { proposedQuantity, runReorder, suggestions } from '../../app/lib/server/core/reorder';
import { approveTransfer, getTransfer } from '../../app/lib/server/core/transfers';
import { MAX_DOCUMENT_LINES } from '../../schemas/api/document-lines';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
let planner: Actor;
let p1: number, p2: number, p3: number, p4: number, p5: number;

beforeAll(async () => {
  f = await coreFixture();
  planner = f.actorFor('planner');
  [p1, p2, p3] = f.products.map((p) => p.id) as [number, number, number];
  // p4: nobody supplies it; p5: supplied, with an inbound PO beyond its rule's horizon.
  p4 = (await catalog.createProduct(f.db, planner, { sku: 'NO-TERMS', name: 'No terms', costMinor: 1, priceMinor: 2, category: 'x' })).id;
  p5 = (await catalog.createProduct(f.db, planner, { sku: 'LATE-INBOUND', name: 'Late inbound', costMinor: 1, priceMinor: 2, category: 'x' })).id;
  await catalog.upsertSupplierProduct(f.db, planner, { supplierId: f.supplier.id, productId: p5, costMinor: 300, leadTimeDays: 5, moq: 10, packMultiple: 6 });

  await f.stockUp(f.locA, p1, 3);
  await f.stockUp(f.locA, p2, 15);
  await f.stockUp(f.locA, p3, 100);
  const rule = { safetyStock: 0, sourceSupplierId: f.supplier.id };
  const A = f.whA.id;
  const B = f.whB.id;
  await catalog.upsertReorderRule(f.db, planner, { ...rule, productId: p1, warehouseId: A, minQty: 20, maxQty: 50, multiple: 6, leadTimeDays: 5 });
  await catalog.upsertReorderRule(f.db, planner, { ...rule, productId: p2, warehouseId: A, minQty: 20, maxQty: 20, multiple: 1, leadTimeDays: 5 });
  await catalog.upsertReorderRule(f.db, planner, { ...rule, productId: p4, warehouseId: A, minQty: 5, maxQty: 10, multiple: 1, leadTimeDays: 5 });
  await catalog.upsertReorderRule(f.db, planner, { ...rule, productId: p5, warehouseId: A, minQty: 10, maxQty: 20, multiple: 1, leadTimeDays: 5 });
  // No lane B -> A: blocked.
  await catalog.upsertReorderRule(f.db, planner, { productId: p3, warehouseId: A, minQty: 200, maxQty: 300, multiple: 1, leadTimeDays: 2, sourceWarehouseId: B });
  // At B, p3 comes from A over the lane (2 days).
  await catalog.upsertReorderRule(f.db, planner, { productId: p3, warehouseId: B, minQty: 10, maxQty: 30, multiple: 5, leadTimeDays: 2, sourceWarehouseId: A });

  const late = await createPurchaseOrder(f.db, f.actorFor('buyer'), {
    supplierId: f.supplier.id,
    warehouseId: A,
    expectedDate: await warehouseDate(f.db, A, 30),
    lines: [{ productId: p5, qty: 60 }]
  });
  await sendPurchaseOrder(f.db, f.actorFor('buyer'), { purchaseOrderId: late.id });
});

const counts = async () => ({ pos: await f.db.$count(tables.purchaseOrders), transfers: await f.db.$count(tables.transfers), moves: await f.db.$count(tables.stockMoves) });

describe('reorder quantities', () => {
  it('rounds up to the rule multiple, the supplier pack multiple and at least the MOQ', () => {
    expect(proposedQuantity(47, 6, { moq: 10, packMultiple: 6 })).toBe(48);
    expect(proposedQuantity(5, 1, { moq: 10, packMultiple: 6 })).toBe(12); // MOQ 10, in packs of 6
    expect(proposedQuantity(47, 4, { moq: 10, packMultiple: 6 })).toBe(48); // multiple of 4 and of 6
    expect(proposedQuantity(2, 1, { moq: 10, packMultiple: 1 })).toBe(10);
    expect(proposedQuantity(27, 5)).toBe(30); // a warehouse source knows no MOQ
    expect(proposedQuantity(0, 6, { moq: 10, packMultiple: 6 })).toBe(0);
  });
});

describe('reorder run', () => {
  it('suggests without writing: forecast at the lead-time horizon below min brings it up to max', async () => {
    const before = await counts();
    const list = await f.as('buyer').purchasing.suggestions({ warehouseId: f.whA.id });
    expect(await counts()).toEqual(before);
    const by = new Map(list.map((s) => [s.productId, s]));
    expect([...by.keys()].sort((a, b) => a - b)).toEqual([p1, p2, p3, p4, p5].sort((a, b) => a - b));
    expect(by.get(p1)).toMatchObject({ sku: 'SKU-1', forecast: 3, covered: 0, min: 20, max: 50, proposedQty: 48, source: { kind: 'supplier', supplierId: f.supplier.id }, blocked: null });
    expect(by.get(p1)!.horizon).toBe(await warehouseDate(f.db, f.whA.id, 5));
    expect(by.get(p2)).toMatchObject({ forecast: 15, proposedQty: 12, blocked: null });
    // The 60 arriving in 30 days are beyond the 5-day horizon of p5's rule.
    expect(by.get(p5)).toMatchObject({ forecast: 0, proposedQty: 24, blocked: null });
    expect(by.get(p4)!.blocked).toMatch(/no terms/);
    expect(by.get(p3)).toMatchObject({ forecast: 100, proposedQty: 200, source: { kind: 'warehouse', warehouseId: f.whB.id } });
    expect(by.get(p3)!.blocked).toMatch(/no transfer lane/);
    await expect(f.as('sales').purchasing.suggestions({ warehouseId: f.whA.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('creates one draft PO per supplier, and nothing the second time', async () => {
    const run = await runReorder(f.db, planner, f.whA.id);
    expect(run.transferIds).toEqual([]);
    expect(run.purchaseOrderIds).toHaveLength(1);
    const po = await getPurchaseOrder(f.db, run.purchaseOrderIds[0]!);
    expect(po).toMatchObject({ state: 'draft', fromReorder: true, supplierId: f.supplier.id, warehouseId: f.whA.id });
    expect(po.lines.map((l) => [l.productId, l.orderedQty]).sort((a, b) => a[0]! - b[0]!)).toEqual(
      [[p1, 48], [p2, 12], [p5, 24]].sort((a, b) => a[0]! - b[0]!)
    );

    const before = await counts();
    const again = await runReorder(f.db, planner, f.whA.id);
    expect(again).toMatchObject({ purchaseOrderIds: [], transferIds: [] });
    expect(await counts()).toEqual(before);
    // Only the blocked proposals remain; the ordered ones count as covered.
    expect((await suggestions(f.db, f.whA.id)).map((s) => s.productId).sort((a, b) => a - b)).toEqual([p3, p4].sort((a, b) => a - b));

    // Once sent, the same quantities are incoming within the horizon: still nothing new.
    await sendPurchaseOrder(f.db, f.actorFor('buyer'), { purchaseOrderId: po.id });
    expect((await runReorder(f.db, planner, f.whA.id)).purchaseOrderIds).toEqual([]);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('requests a transfer when the source is a warehouse, once', async () => {
    const run = await f.as('planner').purchasing.reorder({ warehouseId: f.whB.id });
    expect(run.purchaseOrderIds).toEqual([]);
    expect(run.suggestions).toMatchObject([{ productId: p3, forecast: 0, proposedQty: 30, blocked: null }]);
    expect(run.transferIds).toHaveLength(1);
    const t = await getTransfer(f.db, run.transferIds[0]!);
    expect(t).toMatchObject({ state: 'requested', fromWarehouseId: f.whA.id, toWarehouseId: f.whB.id, expectedArrival: await warehouseDate(f.db, f.whB.id, 2) });
    expect(t.lines).toMatchObject([{ productId: p3, qty: 30 }]);

    expect(await f.as('planner').purchasing.reorder({ warehouseId: f.whB.id })).toMatchObject({ suggestions: [], purchaseOrderIds: [], transferIds: [] });
    await approveTransfer(f.db, planner, { transferId: t.id });
    expect((await runReorder(f.db, planner, f.whB.id)).transferIds).toEqual([]);
    expect(await f.db.$count(tables.transfers, eq(tables.transfers.toWarehouseId, f.whB.id))).toBe(1);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('does not order twice when runs race', async () => {
    const p6 = (await catalog.createProduct(f.db, planner, { sku: 'RACE', name: 'Race', costMinor: 1, priceMinor: 2, category: 'x' })).id;
    await catalog.upsertSupplierProduct(f.db, planner, { supplierId: f.supplier.id, productId: p6, costMinor: 10, leadTimeDays: 5, moq: 1, packMultiple: 1 });
    await catalog.upsertReorderRule(f.db, planner, { productId: p6, warehouseId: f.whA.id, minQty: 1, maxQty: 7, multiple: 1, leadTimeDays: 5, sourceSupplierId: f.supplier.id });
    const runs = await Promise.all(Array.from({ length: 8 }, () => runReorder(f.db, planner, f.whA.id)));
    expect(runs.flatMap((r) => r.purchaseOrderIds)).toHaveLength(1);
    const lines = await f.db.select().from(tables.purchaseOrderLines).where(eq(tables.purchaseOrderLines.productId, p6));
    expect(lines.map((l) => l.orderedQty)).toEqual([7]);
  });
});

describe('reorder horizon', () => {
  it('looks as far ahead as the supplier delivers, so a rule shorter than the supplier lead time does not re-order', async () => {
    const g = await coreFixture();
    const p = g.products[2]!.id;
    // Rule lead time 1 day, supplier lead time 5 days (fixture): the PO lands after the rule's horizon.
    await g.as('planner').catalog.reorderRules.upsert({ productId: p, warehouseId: g.whB.id, minQty: 20, maxQty: 50, leadTimeDays: 1, sourceSupplierId: g.supplier.id });
    const first = await g.as('planner').purchasing.reorder({ warehouseId: g.whB.id });
    expect(first.purchaseOrderIds).toHaveLength(1);
    await g.as('buyer').purchasing.send({ purchaseOrderId: first.purchaseOrderIds[0]! });
    const second = await g.as('planner').purchasing.reorder({ warehouseId: g.whB.id });
    expect(second.purchaseOrderIds).toEqual([]);
  });
});

describe('reorder run over many products', () => {
  it('splits the lines of one supplier or source warehouse over documents of at most MAX_DOCUMENT_LINES', async () => {
    const g = await coreFixture();
    const n = MAX_DOCUMENT_LINES + 1;
    // Bulk rows: the subject is the run, not how master data is entered.
    const made = await g.db
      .insert(tables.products)
      .values(Array.from({ length: n }, (_, i) => ({ sku: `BULK-${i}`, name: `Bulk ${i}`, costMinor: 1, priceMinor: 2, category: 'bulk' })))
      .returning({ id: tables.products.id });
    const ids = made.map((p) => p.id);
    await g.db.insert(tables.supplierProducts).values(ids.map((productId) => ({ supplierId: g.supplier.id, productId, costMinor: 1, leadTimeDays: 5 })));
    await g.db.insert(tables.reorderRules).values([
      ...ids.map((productId) => ({ productId, warehouseId: g.whA.id, minQty: 5, maxQty: 10, leadTimeDays: 5, sourceSupplierId: g.supplier.id })),
      ...ids.map((productId) => ({ productId, warehouseId: g.whB.id, minQty: 5, maxQty: 10, leadTimeDays: 2, sourceWarehouseId: g.whA.id }))
    ]);

    const buy = await runReorder(g.db, g.actorFor('planner'), g.whA.id);
    const pos = await Promise.all(buy.purchaseOrderIds.map((id) => getPurchaseOrder(g.db, id)));
    expect(pos.map((po) => po.lines.length)).toEqual([MAX_DOCUMENT_LINES, 1]);
    expect(new Set(pos.flatMap((po) => po.lines.map((l) => l.productId)))).toEqual(new Set(ids));

    const move = await runReorder(g.db, g.actorFor('planner'), g.whB.id);
    const transfers = await Promise.all(move.transferIds.map((id) => getTransfer(g.db, id)));
    expect(transfers.map((t) => t.lines.length)).toEqual([MAX_DOCUMENT_LINES, 1]);
    expect(transfers.flatMap((t) => t.lines).every((l) => l.qty === 10)).toBe(true);
    expect(await runReorder(g.db, g.actorFor('planner'), g.whB.id)).toMatchObject({ transferIds: [] });
  });
});
