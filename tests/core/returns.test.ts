import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import { tables } from '../../app/lib/server/core/db';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { createOpenMoves, postDoneMoves } from '../../app/lib/server/core/ledger';
import type { WarehouseLocations } from '../../app/lib/server/core/locations';
import { transact } from '../../app/lib/server/core/transaction';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
beforeAll(async () => {
  f = await coreFixture();
});

const { stockBalances, stockMoves, salesOrders, salesOrderLines, customerReturns } = tables;

const balance = async (productId: number, locationId: number) => {
  const [b] = await f.db.select().from(stockBalances).where(and(eq(stockBalances.productId, productId), eq(stockBalances.locationId, locationId)));
  return { onHand: b?.onHand ?? 0, reserved: b?.reserved ?? 0 };
};

/** A confirmed order at warehouse A with one line waiting for stock (what orders.ts leaves after confirming short). */
async function backorderedLine(productId: number, qty: number) {
  return transact(f.db, SYSTEM_ACTOR, 'test.backorder', async (tx) => {
    const [order] = await tx
      .insert(salesOrders)
      .values({ customerId: f.customer.id, warehouseId: f.whA.id, state: 'confirmed', confirmedAt: new Date() })
      .returning();
    const [line] = await tx
      .insert(salesOrderLines)
      .values({ orderId: order!.id, lineNo: 1, productId, orderedQty: qty, unitPriceMinor: 1000, backorderedQty: qty })
      .returning();
    await createOpenMoves(tx, SYSTEM_ACTOR, [
      { productId, qty, fromLocationId: f.locA.stock, toLocationId: f.locA.customer, documentType: 'sales_order', documentId: order!.id, documentLineId: line!.id, state: 'confirmed' }
    ]);
    return line!;
  });
}

/** An order of customer C1 at A that shipped qty of the product (done move stock -> customer). */
async function shippedOrder(productId: number, qty: number, customerId = f.customer.id) {
  await f.stockUp(f.locA, productId, qty);
  return transact(f.db, SYSTEM_ACTOR, 'test.shipped', async (tx) => {
    const [order] = await tx.insert(salesOrders).values({ customerId, warehouseId: f.whA.id, state: 'done', confirmedAt: new Date() }).returning();
    const [line] = await tx
      .insert(salesOrderLines)
      .values({ orderId: order!.id, lineNo: 1, productId, orderedQty: qty, unitPriceMinor: 1000, shippedQty: qty, backorderedQty: 0 })
      .returning();
    await postDoneMoves(tx, SYSTEM_ACTOR, [
      { productId, qty, fromLocationId: f.locA.stock, toLocationId: f.locA.customer, documentType: 'sales_order', documentId: order!.id, documentLineId: line!.id }
    ]);
    return order!;
  });
}

const lineOf = async (id: number) => (await f.db.select().from(salesOrderLines).where(eq(salesOrderLines.id, id)))[0]!;
const moveCount = () => f.db.$count(stockMoves);
const snapshot = async (loc: WarehouseLocations, productId: number) => ({
  moves: await moveCount(),
  returns: await f.db.$count(customerReturns),
  stock: await balance(productId, loc.stock),
  hold: await balance(productId, loc.quality_hold)
});

describe('customer returns', () => {
  it('restocks, holds and scraps, each from the customer location, and restock fills a backorder', async () => {
    const p = f.products[0]!.id;
    const line = await backorderedLine(p, 5);
    const ret = await f.as('sales').returns.create({
      customerId: f.customer.id,
      warehouseId: f.whA.id,
      reason: 'wrong size',
      lines: [
        { productId: p, qty: 3, disposition: 'restock' },
        { productId: p, qty: 2, disposition: 'quality_hold' },
        { productId: p, qty: 1, disposition: 'scrap' }
      ]
    });
    expect(ret.lines.map((l) => [l.qty, l.disposition])).toEqual([
      [3, 'restock'],
      [2, 'quality_hold'],
      [1, 'scrap']
    ]);
    const moves = await f.db.select().from(stockMoves).where(and(eq(stockMoves.documentType, 'return'), eq(stockMoves.documentId, ret.id)));
    expect(moves.map((m) => [m.fromLocationId, m.toLocationId, m.qty, m.state]).sort()).toEqual(
      [
        [f.locA.customer, f.locA.stock, 3, 'done'],
        [f.locA.customer, f.locA.quality_hold, 2, 'done'],
        [f.locA.customer, f.locA.scrap, 1, 'done']
      ].sort()
    );
    expect(await balance(p, f.locA.stock)).toEqual({ onHand: 3, reserved: 3 });
    expect((await balance(p, f.locA.quality_hold)).onHand).toBe(2);
    expect((await balance(p, f.locA.scrap)).onHand).toBe(1);
    // the restocked 3 went to the waiting order line at once
    expect((await lineOf(line.id)).reservedQty).toBe(3);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('takes back against an order up to what it shipped, counting earlier returns', async () => {
    const p = f.products[1]!.id;
    const order = await shippedOrder(p, 4);
    const input = { customerId: f.customer.id, warehouseId: f.whA.id, orderId: order.id, reason: 'damaged in transit' };
    await f.as('warehouse').returns.create({ ...input, lines: [{ productId: p, qty: 3, disposition: 'quality_hold' }] });
    const before = await snapshot(f.locA, p);
    const err = await f.as('warehouse').returns.create({ ...input, lines: [{ productId: p, qty: 2, disposition: 'restock' }] }).catch((e) => e);
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/cannot return 2 of SKU-2 against order \d+: it shipped 4 and 3 already came back/);
    // two lines of one product add up: 1 + 1 > 1 left
    const split = await f
      .as('warehouse')
      .returns.create({ ...input, lines: [{ productId: p, qty: 1, disposition: 'restock' }, { productId: p, qty: 1, disposition: 'scrap' }] })
      .catch((e) => e);
    expect(split.code).toBe('CONFLICT');
    // a product the order never had
    const other = await f.as('warehouse').returns.create({ ...input, lines: [{ productId: f.products[2]!.id, qty: 1, disposition: 'restock' }] }).catch((e) => e);
    expect(other.code).toBe('CONFLICT');
    expect(await snapshot(f.locA, p)).toEqual(before);
    // the last unit is fine
    await f.as('warehouse').returns.create({ ...input, lines: [{ productId: p, qty: 1, disposition: 'restock' }] });
    expect((await balance(p, f.locA.stock)).onHand).toBe(1);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it("refuses an order of another customer, unknown things, the wrong roles and another warehouse's user", async () => {
    const p = f.products[2]!.id;
    const other = await f.as('admin').catalog.customers.create({ code: 'C2', name: 'Other', regionId: f.region.id, creditLimitMinor: 0 });
    const order = await shippedOrder(p, 2, other.id);
    const before = await snapshot(f.locA, p);
    const base = { customerId: f.customer.id, warehouseId: f.whA.id, reason: 'x', lines: [{ productId: p, qty: 1, disposition: 'restock' as const }] };
    await expect(f.as('admin').returns.create({ ...base, orderId: order.id })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/another customer/) });
    await expect(f.as('admin').returns.create({ ...base, orderId: 999_999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.as('admin').returns.create({ ...base, customerId: 999_999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.as('admin').returns.create({ ...base, lines: [{ productId: 999_999, qty: 1, disposition: 'scrap' }] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.as('admin').returns.create({ ...base, lines: [] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(f.as('finance').returns.create(base)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // the warehouse user is scoped to A
    await expect(f.as('warehouse').returns.create({ ...base, warehouseId: f.whB.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot(f.locA, p)).toEqual(before);
    expect(await moveCount()).toBe(before.moves);
  });

  it('lists and gets returns for every role', async () => {
    const list = await f.as('viewer').returns.list({ warehouseId: f.whA.id });
    expect(list.total).toBeGreaterThanOrEqual(3);
    expect(list.items[0]!.id).toBeGreaterThan(list.items[1]!.id);
    const one = await f.as('executive').returns.get({ id: list.items[0]!.id });
    expect(one.lines.length).toBeGreaterThan(0);
    expect(one).toEqual(list.items[0]);
    await expect(f.as('viewer').returns.get({ id: 999_999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('quality hold release', () => {
  it('releases held stock into stock (filling a backorder) and scraps the rest; more than held is refused', async () => {
    const p = f.products[2]!.id;
    const loc = f.locA;
    await f.as('warehouse').returns.create({ customerId: f.customer.id, warehouseId: f.whA.id, reason: 'check', lines: [{ productId: p, qty: 5, disposition: 'quality_hold' }] });
    const line = await backorderedLine(p, 2);
    const stockBefore = await balance(p, loc.stock);

    const released = await f.as('planner').returns.releaseHold({ warehouseId: f.whA.id, productId: p, qty: 3, action: 'release' });
    expect(released).toMatchObject({ qty: 3, action: 'release', heldAfter: 2 });
    const moves = await f.db.select().from(stockMoves).where(and(eq(stockMoves.documentType, 'quality_release'), eq(stockMoves.documentId, released.documentId)));
    expect(moves.map((m) => [m.fromLocationId, m.toLocationId, m.qty, m.state])).toEqual([[loc.quality_hold, loc.stock, 3, 'done']]);
    expect(await balance(p, loc.stock)).toEqual({ onHand: stockBefore.onHand + 3, reserved: stockBefore.reserved + 2 });
    expect((await lineOf(line.id)).reservedQty).toBe(2);

    const before = await snapshot(loc, p);
    await expect(f.as('warehouse').returns.releaseHold({ warehouseId: f.whA.id, productId: p, qty: 3, action: 'scrap' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/only 2 .* in quality hold/)
    });
    await expect(f.as('warehouse').returns.releaseHold({ warehouseId: f.whB.id, productId: p, qty: 1, action: 'scrap' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(f.as('sales').returns.releaseHold({ warehouseId: f.whA.id, productId: p, qty: 1, action: 'scrap' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot(loc, p)).toEqual(before);

    const scrapped = await f.as('warehouse').returns.releaseHold({ warehouseId: f.whA.id, productId: p, qty: 2, action: 'scrap' });
    expect(scrapped.heldAfter).toBe(0);
    expect(scrapped.documentId).not.toBe(released.documentId);
    expect((await balance(p, loc.quality_hold)).onHand).toBe(0);
    expect((await balance(p, loc.stock)).onHand).toBe(stockBefore.onHand + 3);
    const [{ scrap }] = (await f.db.execute<{ scrap: number }>(sql`SELECT on_hand AS scrap FROM stock_balances WHERE product_id = ${p} AND location_id = ${loc.scrap}`)).rows as [{ scrap: number }];
    expect(scrap).toBe(2);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });
});
