import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import {
  COUNT_APPROVAL_MIN_UNITS,
  COUNT_APPROVAL_VARIANCE_PCT,
  approveCount,
  countNeedsApproval,
  countStock,
  getCount,
  listCounts,
  rejectCount
} from '../../app/lib/server/core/counts';
import { tables } from '../../app/lib/server/core/db';
import { DomainError } from '../../app/lib/server/core/errors';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { createOpenMoves } from '../../app/lib/server/core/ledger';
import { allocate } from '../../app/lib/server/core/reservation';
import { transact } from '../../app/lib/server/core/transaction';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
beforeAll(async () => {
  f = await coreFixture();
});

const { stockBalances, stockMoves, salesOrders, salesOrderLines, cycleCounts } = tables;

const stockAt = async (productId: number) => {
  const [b] = await f.db.select().from(stockBalances).where(and(eq(stockBalances.productId, productId), eq(stockBalances.locationId, f.locA.stock)));
  return { onHand: b?.onHand ?? 0, reserved: b?.reserved ?? 0 };
};
const countMoves = (countId: number) =>
  f.db
    .select()
    .from(stockMoves)
    .where(and(eq(stockMoves.documentType, 'cycle_count'), eq(stockMoves.documentId, countId)));
const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as DomainError);

/** A confirmed order line at A waiting for qty; allocate() reserves what stock there is. */
async function backorderedLine(productId: number, qty: number) {
  return transact(f.db, SYSTEM_ACTOR, 'test.backorder', async (tx) => {
    const [order] = await tx.insert(salesOrders).values({ customerId: f.customer.id, warehouseId: f.whA.id, state: 'confirmed', confirmedAt: new Date() }).returning();
    const [line] = await tx
      .insert(salesOrderLines)
      .values({ orderId: order!.id, lineNo: 1, productId, orderedQty: qty, unitPriceMinor: 1000, backorderedQty: qty })
      .returning();
    await createOpenMoves(tx, SYSTEM_ACTOR, [
      { productId, qty, fromLocationId: f.locA.stock, toLocationId: f.locA.customer, documentType: 'sales_order', documentId: order!.id, documentLineId: line!.id, state: 'confirmed' }
    ]);
    await allocate(tx, f.whA.id, [productId]);
    return line!;
  });
}

describe('count approval policy', () => {
  it('asks for approval above max(10 units, 5 % of the system qty) only', () => {
    expect([COUNT_APPROVAL_VARIANCE_PCT, COUNT_APPROVAL_MIN_UNITS]).toEqual([5, 10]);
    expect(countNeedsApproval(0, 10)).toBe(false);
    expect(countNeedsApproval(0, 11)).toBe(true);
    expect(countNeedsApproval(100, 89)).toBe(true);
    expect(countNeedsApproval(100, 90)).toBe(false);
    expect(countNeedsApproval(1000, 950)).toBe(false); // 50 = 5 %
    expect(countNeedsApproval(1000, 949)).toBe(true);
    expect(countNeedsApproval(1000, 1051)).toBe(true);
    expect(countNeedsApproval(1000, 1000)).toBe(false);
  });
});

describe('cycle counts', () => {
  it('posts a loss and a gain within the threshold at once as adjustment moves', async () => {
    const p = f.products[0]!.id;
    await f.stockUp(f.locA, p, 100);
    const loss = await countStock(f.db, f.actorFor('warehouse'), { warehouseId: f.whA.id, productId: p, countedQty: 93 });
    expect(loss).toMatchObject({ state: 'posted', systemQty: 100, countedQty: 93, variance: -7, adjustment: -7, warehouseId: f.whA.id, locationId: f.locA.stock, decidedBy: null });
    expect((await countMoves(loss.id)).map((m) => [m.fromLocationId, m.toLocationId, m.qty, m.state])).toEqual([[f.locA.stock, f.locA.adjustment, 7, 'done']]);
    expect((await stockAt(p)).onHand).toBe(93);

    const gain = await countStock(f.db, f.actorFor('warehouse'), { warehouseId: f.whA.id, productId: p, countedQty: 96 });
    expect(gain).toMatchObject({ state: 'posted', variance: 3, adjustment: 3 });
    expect((await countMoves(gain.id)).map((m) => [m.fromLocationId, m.toLocationId, m.qty])).toEqual([[f.locA.adjustment, f.locA.stock, 3]]);
    expect((await stockAt(p)).onHand).toBe(96);

    const same = await countStock(f.db, f.actorFor('admin'), { warehouseId: f.whA.id, productId: p, countedQty: 96 });
    expect(same).toMatchObject({ state: 'posted', variance: 0, adjustment: 0 });
    expect(await countMoves(same.id)).toEqual([]);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('holds a count above the threshold for approval, then posts counted minus on hand at approval', async () => {
    const p = f.products[1]!.id;
    await f.stockUp(f.locA, p, 100);
    const count = await countStock(f.db, f.actorFor('warehouse'), { warehouseId: f.whA.id, productId: p, countedQty: 80 });
    expect(count).toMatchObject({ state: 'awaiting_approval', systemQty: 100, variance: -20, adjustment: 0 });
    expect(await countMoves(count.id)).toEqual([]);
    expect((await stockAt(p)).onHand).toBe(100);
    expect((await listCounts(f.db, { state: 'awaiting_approval' })).items.map((c) => c.id)).toContain(count.id);

    // one count may wait per product and location
    const second = await refusal(countStock(f.db, f.actorFor('warehouse'), { warehouseId: f.whA.id, productId: p, countedQty: 99 }));
    expect(second).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/awaits approval/) });
    expect(await f.db.$count(cycleCounts)).toBe((await listCounts(f.db, { limit: 500 })).total);

    // stock arrives before the approval: the counted 80 stays the truth
    await f.stockUp(f.locA, p, 5);
    const approved = await approveCount(f.db, f.actorFor('planner'), { id: count.id });
    expect(approved).toMatchObject({ state: 'posted', adjustment: -25, decidedBy: f.users.planner.id });
    expect(approved.decidedAt).toBeInstanceOf(Date);
    expect((await countMoves(count.id)).map((m) => [m.fromLocationId, m.toLocationId, m.qty])).toEqual([[f.locA.stock, f.locA.adjustment, 25]]);
    expect((await stockAt(p)).onHand).toBe(80);

    const again = await refusal(approveCount(f.db, f.actorFor('planner'), { id: count.id }));
    expect(again).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/is posted/) });
    expect((await stockAt(p)).onHand).toBe(80);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('rejects a count awaiting approval without posting anything', async () => {
    const p = f.products[2]!.id;
    await f.stockUp(f.locA, p, 10);
    const count = await countStock(f.db, f.actorFor('warehouse'), { warehouseId: f.whA.id, productId: p, countedQty: 40 });
    expect(count.state).toBe('awaiting_approval');
    const rejected = await rejectCount(f.db, f.actorFor('admin'), { id: count.id });
    expect(rejected).toMatchObject({ state: 'rejected', adjustment: 0, decidedBy: f.users.admin.id });
    expect(await countMoves(count.id)).toEqual([]);
    expect((await stockAt(p)).onHand).toBe(10);
    expect(await refusal(approveCount(f.db, f.actorFor('admin'), { id: count.id }))).toMatchObject({ code: 'CONFLICT' });
    expect(await refusal(rejectCount(f.db, f.actorFor('admin'), { id: 999_999 }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a loss below reserved stock, and gives a gain to a waiting order', async () => {
    const p = (await f.as('admin').catalog.products.create({ sku: 'CNT-1', name: 'Counted', costMinor: 1, priceMinor: 2, category: 'x' })).id;
    await f.stockUp(f.locA, p, 6);
    const line = await backorderedLine(p, 10); // reserves the 6
    expect(await stockAt(p)).toEqual({ onHand: 6, reserved: 6 });
    const movesBefore = await f.db.$count(stockMoves);
    const countsBefore = await f.db.$count(cycleCounts);
    const err = await refusal(countStock(f.db, f.actorFor('warehouse'), { warehouseId: f.whA.id, productId: p, countedQty: 4 }));
    expect(err).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/6 are reserved for orders: release those reservations/) });
    expect(await f.db.$count(stockMoves)).toBe(movesBefore);
    expect(await f.db.$count(cycleCounts)).toBe(countsBefore);

    const gain = await countStock(f.db, f.actorFor('warehouse'), { warehouseId: f.whA.id, productId: p, countedQty: 9 });
    expect(gain).toMatchObject({ state: 'posted', adjustment: 3 });
    expect(await stockAt(p)).toEqual({ onHand: 9, reserved: 9 });
    const [l] = await f.db.select().from(salesOrderLines).where(eq(salesOrderLines.id, line.id));
    expect(l!.reservedQty).toBe(9);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('re-checks reservations at approval: a loss that would now take reserved stock is refused and the count keeps waiting', async () => {
    const p = (await f.as('admin').catalog.products.create({ sku: 'CNT-2', name: 'Counted 2', costMinor: 1, priceMinor: 2, category: 'x' })).id;
    await f.stockUp(f.locA, p, 50);
    const count = await countStock(f.db, f.actorFor('warehouse'), { warehouseId: f.whA.id, productId: p, countedQty: 20 });
    expect(count.state).toBe('awaiting_approval');
    await backorderedLine(p, 30); // reserves 30 of the 50
    const err = await refusal(approveCount(f.db, f.actorFor('admin'), { id: count.id }));
    expect(err).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/30 are reserved/) });
    expect((await getCount(f.db, count.id)).state).toBe('awaiting_approval');
    expect(await stockAt(p)).toEqual({ onHand: 50, reserved: 30 });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('keeps a warehouse user to their own warehouse and refuses bad input', async () => {
    const p = f.products[0]!.id;
    const wrongWarehouse = await refusal(countStock(f.db, f.actorFor('warehouse'), { warehouseId: f.whB.id, productId: p, countedQty: 1 }));
    expect(wrongWarehouse).toMatchObject({ code: 'FORBIDDEN' });
    await f.stockUp(f.locB, p, 100);
    const atB = await countStock(f.db, f.actorFor('admin'), { warehouseId: f.whB.id, productId: p, countedQty: 50 });
    expect(atB.state).toBe('awaiting_approval');
    expect(await refusal(approveCount(f.db, f.actorFor('warehouse'), { id: atB.id }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await refusal(countStock(f.db, f.actorFor('admin'), { warehouseId: f.whA.id, productId: p, countedQty: -1 }))).toBeInstanceOf(Error);
    expect(await refusal(countStock(f.db, f.actorFor('admin'), { warehouseId: f.whA.id, productId: 999_999, countedQty: 1 }))).toMatchObject({ code: 'NOT_FOUND' });
    expect((await listCounts(f.db, { warehouseId: f.whB.id })).items.map((c) => c.id)).toEqual([atB.id]);
  });
});
