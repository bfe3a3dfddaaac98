import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { tables } from '../../app/lib/server/core/db';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { allocate } from '../../app/lib/server/core/reservation';
import { transact } from '../../app/lib/server/core/transaction';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
beforeAll(async () => {
  f = await coreFixture();
});

let seq = 0;
async function newProduct() {
  seq += 1;
  return catalog.createProduct(f.db, SYSTEM_ACTOR, { sku: `SHP-${seq}`, name: `Ship product ${seq}`, costMinor: 400, priceMinor: 1000, category: 'tools' });
}
const balance = async (productId: number, locationId: number) =>
  (await f.db.select().from(tables.stockBalances).where(and(eq(tables.stockBalances.productId, productId), eq(tables.stockBalances.locationId, locationId))))[0];
const movesOf = (orderId: number) =>
  f.db
    .select()
    .from(tables.stockMoves)
    .where(and(eq(tables.stockMoves.documentType, 'sales_order'), eq(tables.stockMoves.documentId, orderId)))
    .orderBy(tables.stockMoves.id);
async function confirmed(productId: number, qty: number, warehouseId = f.whA.id) {
  const draft = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId, lines: [{ productId, qty }] });
  return f.as('sales').orders.confirm({ orderId: draft.id });
}
/** Stock arrives (as a receipt would) and waiting backorders are served. */
async function arrive(productId: number, qty: number) {
  await f.stockUp(f.locA, productId, qty);
  await transact(f.db, SYSTEM_ACTOR, 'test.arrive', (tx) => allocate(tx, f.whA.id, [productId]));
}
const counts = async () => ({
  shipments: await f.db.$count(tables.shipments),
  moves: await f.db.$count(tables.stockMoves),
  invoices: await f.db.$count(tables.invoices),
  balances: JSON.stringify(await f.db.execute(sql`SELECT product_id, location_id, on_hand, reserved FROM stock_balances ORDER BY 1, 2`).then((r) => r.rows)),
  lines: JSON.stringify(await f.db.execute(sql`SELECT id, reserved_qty, shipped_qty, backordered_qty FROM sales_order_lines ORDER BY id`).then((r) => r.rows))
});

describe('shipping', () => {
  it('ships part of a line, leaves a backorder that is reserved when stock arrives, oldest first', async () => {
    const p = await newProduct();
    await f.stockUp(f.locA, p.id, 6);
    const first = await confirmed(p.id, 10);
    expect(first.lines[0]!.reservedQty).toBe(6);
    const second = await confirmed(p.id, 4);
    expect(second.lines[0]!.reservedQty).toBe(0);

    const shipped = await f.as('warehouse').orders.ship({ orderId: first.id });
    expect(shipped.shipment.state).toBe('shipped');
    expect(shipped.shipment.lines.map((l) => l.qty)).toEqual([6]);
    const line = shipped.order.lines[0]!;
    expect([line.shippedQty, line.backorderedQty, line.reservedQty]).toEqual([6, 4, 0]);
    expect(line.backorderedSince).not.toBeNull();
    expect(shipped.order.state).toBe('confirmed');
    expect((await balance(p.id, f.locA.stock))).toMatchObject({ onHand: 0, reserved: 0 });
    expect((await balance(p.id, f.locA.customer))?.onHand).toBe(6);
    expect((await movesOf(first.id)).map((m) => [m.state, m.qty])).toEqual([
      ['confirmed', 4],
      ['done', 6]
    ]);

    // 5 arrive: the older backorder (4 left) is served first, the newer order gets the last one.
    await arrive(p.id, 5);
    const a = await f.as('viewer').orders.get({ orderId: first.id });
    const b = await f.as('viewer').orders.get({ orderId: second.id });
    expect(a.lines[0]!.reservedQty).toBe(4);
    expect(b.lines[0]!.reservedQty).toBe(1);
    expect((await movesOf(first.id)).map((m) => m.state)).toEqual(['reserved', 'done']);
    expect((await movesOf(second.id)).map((m) => m.state)).toEqual(['confirmed']);

    const rest = await f.as('warehouse').orders.ship({ orderId: first.id, lines: [{ lineNo: 1, qty: 4 }] });
    expect(rest.order.state).toBe('done');
    expect(rest.order.lines[0]).toMatchObject({ shippedQty: 10, backorderedQty: 0, reservedQty: 0 });
    expect(rest.order.invoices).toHaveLength(2);
    await expect(f.as('sales').orders.cancel({ orderId: first.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('refuses to ship more than is reserved and changes nothing', async () => {
    const p = await newProduct();
    await f.stockUp(f.locA, p.id, 3);
    const order = await confirmed(p.id, 5);
    const before = await counts();
    await expect(f.as('warehouse').orders.ship({ orderId: order.id, lines: [{ lineNo: 1, qty: 4 }] })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(f.as('admin').orders.pick({ orderId: order.id, lines: [{ lineId: order.lines[0]!.id, qty: 4 }] })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(f.as('warehouse').orders.ship({ orderId: order.id, lines: [{ lineNo: 9, qty: 1 }] })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await counts()).toEqual(before);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('picks, packs and ships in steps; a second pick cannot take what is already picked', async () => {
    const p = await newProduct();
    await f.stockUp(f.locA, p.id, 8);
    const order = await confirmed(p.id, 8);
    const picked = await f.as('warehouse').orders.pick({ orderId: order.id, lines: [{ lineNo: 1, qty: 5 }] });
    expect(picked.shipment.state).toBe('picking');
    expect(picked.invoice).toBeNull();
    await expect(f.as('warehouse').orders.pick({ orderId: order.id, lines: [{ lineNo: 1, qty: 4 }] })).rejects.toMatchObject({ code: 'CONFLICT' });
    const packed = await f.as('warehouse').orders.pack({ shipmentId: picked.shipment.id });
    expect(packed.shipment.state).toBe('packed');
    expect(packed.shipment.packedAt).not.toBeNull();
    // Picking and packing move no stock.
    expect(await balance(p.id, f.locA.stock)).toMatchObject({ onHand: 8, reserved: 8 });
    await expect(f.as('warehouse').orders.pack({ shipmentId: picked.shipment.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(f.as('sales').orders.ship({ shipmentId: picked.shipment.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    const shipped = await f.as('warehouse').orders.ship({ shipmentId: picked.shipment.id });
    expect(shipped.shipment.state).toBe('shipped');
    expect(shipped.invoice?.amountMinor).toBe(5000);
    expect(shipped.order.lines[0]).toMatchObject({ shippedQty: 5, backorderedQty: 3, reservedQty: 3 });
    expect(await balance(p.id, f.locA.stock)).toMatchObject({ onHand: 3, reserved: 3 });
    await expect(f.as('warehouse').orders.ship({ shipmentId: picked.shipment.id })).rejects.toMatchObject({ code: 'CONFLICT' });

    // The remainder (3, reserved) can now be picked; cancelling the line voids that shipment.
    const second = await f.as('warehouse').orders.pick({ orderId: order.id });
    expect(second.shipment.lines.map((l) => l.qty)).toEqual([3]);
    const cancelled = await f.as('sales').orders.cancelLine({ orderId: order.id, lineNo: 1 });
    expect(cancelled.state).toBe('done');
    expect(cancelled.shipments.find((s) => s.id === second.shipment.id)?.state).toBe('cancelled');
    expect(await balance(p.id, f.locA.stock)).toMatchObject({ onHand: 3, reserved: 0 });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('lets a warehouse lead ship only at their own warehouse', async () => {
    const p = await newProduct();
    await f.stockUp(f.locB, p.id, 4);
    const order = await confirmed(p.id, 4, f.whB.id);
    expect(order.lines[0]!.reservedQty).toBe(4);
    await expect(f.as('warehouse').orders.ship({ orderId: order.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(f.as('warehouse').orders.pick({ orderId: order.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const shipped = await f.as('admin').orders.ship({ orderId: order.id });
    expect(shipped.order.state).toBe('done');
    expect(await balance(p.id, f.locB.stock)).toMatchObject({ onHand: 0, reserved: 0 });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('refuses to pick an order that is not confirmed', async () => {
    const p = await newProduct();
    const draft = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 1 }] });
    await expect(f.as('warehouse').orders.ship({ orderId: draft.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    const nothing = await confirmed(p.id, 2);
    await expect(f.as('warehouse').orders.ship({ orderId: nothing.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
