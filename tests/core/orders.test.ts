import { and, eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { tables } from '../../app/lib/server/core/db';
import { DomainError } from '../../app/lib/server/core/errors';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { createOpenMoves } from '../../app/lib/server/core/ledger';
import { APPROVAL_DISCOUNT_BP } from '../../app/lib/server/core/order-approval';
import { approveOrder } from '../../app/lib/server/core/orders';
import { transact } from '../../app/lib/server/core/transaction';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
let today: string;
beforeAll(async () => {
  f = await coreFixture();
  const r = await f.db.execute<{ d: string }>(sql`SELECT to_char((now() AT TIME ZONE 'Europe/Berlin')::date, 'YYYY-MM-DD') AS d`);
  today = r.rows[0]!.d;
});

let seq = 0;
async function newProduct(priceMinor = 1000, packSizes: { name: string; qty: number }[] = []) {
  seq += 1;
  return catalog.createProduct(f.db, SYSTEM_ACTOR, { sku: `ORD-${seq}`, name: `Order product ${seq}`, costMinor: 400, priceMinor, category: 'tools', packSizes });
}
async function newCustomer(opts: { creditLimitMinor?: number; onHold?: boolean } = {}) {
  seq += 1;
  return catalog.createCustomer(f.db, SYSTEM_ACTOR, { code: `CU-${seq}`, name: `Customer ${seq}`, regionId: f.region.id, creditLimitMinor: opts.creditLimitMinor ?? 10_000_000, onHold: opts.onHold ?? false });
}
const balance = async (productId: number, locationId: number) =>
  (await f.db.select().from(tables.stockBalances).where(and(eq(tables.stockBalances.productId, productId), eq(tables.stockBalances.locationId, locationId))))[0];
const movesOf = (orderId: number) =>
  f.db.select().from(tables.stockMoves).where(and(eq(tables.stockMoves.documentType, 'sales_order'), eq(tables.stockMoves.documentId, orderId)));
const addDays = (d: string, n: number) => {
  const x = new Date(`${d}T00:00:00Z`);
  x.setUTCDate(x.getUTCDate() + n);
  return x.toISOString().slice(0, 10);
};
const codeOf = (e: unknown) => (e as { code?: string }).code;

describe('creating an order', () => {
  it('prices lines at the contract price or the list price and converts packs to base units', async () => {
    const contract = await newProduct(1000, [{ name: 'case', qty: 12 }]);
    const list = await newProduct(750);
    await catalog.setCustomerPrice(f.db, SYSTEM_ACTOR, { customerId: f.customer.id, productId: contract.id, priceMinor: 900 });
    const order = await f.as('sales').orders.create({
      customerId: f.customer.id,
      warehouseId: f.whA.id,
      lines: [
        { productId: contract.id, qty: 2, pack: 'Case' },
        { productId: list.id, qty: 5 }
      ]
    });
    expect(order.state).toBe('draft');
    expect(order.createdBy).toBe(f.users.sales.id);
    expect(order.lines.map((l) => [l.lineNo, l.productId, l.orderedQty, l.unitPriceMinor, l.backorderedQty, l.reservedQty])).toEqual([
      [1, contract.id, 24, 900, 24, 0],
      [2, list.id, 5, 750, 5, 0]
    ]);
    expect(await movesOf(order.id)).toEqual([]);
  });

  it('refuses an unknown pack or product with field errors and stores nothing', async () => {
    const p = await newProduct(1000, [{ name: 'case', qty: 12 }]);
    const before = await f.db.$count(tables.salesOrders);
    const err = await f
      .as('sales')
      .orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 1, pack: 'pallet' }, { productId: 999_999, qty: 1 }] })
      .catch((e) => e);
    expect(codeOf(err)).toBe('BAD_REQUEST');
    expect(err.cause.fieldErrors['lines.0.pack'][0]).toMatch(/no pack "pallet".*case \(12\)/);
    expect(err.cause.fieldErrors['lines.1.productId'][0]).toMatch(/does not exist/);
    expect(await f.db.$count(tables.salesOrders)).toBe(before);
    await expect(f.as('warehouse').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 1 }] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('confirming an order', () => {
  it('reserves stock that is there and promises today', async () => {
    const p1 = await newProduct();
    const p2 = await newProduct();
    await f.stockUp(f.locA, p1.id, 10);
    await f.stockUp(f.locA, p2.id, 10);
    const draft = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p1.id, qty: 4 }, { productId: p2.id, qty: 10 }] });
    const order = await f.as('sales').orders.confirm({ orderId: draft.id });
    expect(order.state).toBe('confirmed');
    expect(order.confirmedAt).not.toBeNull();
    expect(order.promisedDate).toBe(today);
    expect(order.lines.map((l) => [l.reservedQty, l.promisedDate])).toEqual([[4, today], [10, today]]);
    expect((await balance(p1.id, f.locA.stock))?.reserved).toBe(4);
    expect((await balance(p2.id, f.locA.stock))?.reserved).toBe(10);
    const moves = await movesOf(order.id);
    expect(moves.map((m) => [m.productId, m.qty, m.state, m.fromLocationId, m.toLocationId, m.scheduledDate]).sort()).toEqual(
      [
        [p1.id, 4, 'reserved', f.locA.stock, f.locA.customer, today],
        [p2.id, 10, 'reserved', f.locA.stock, f.locA.customer, today]
      ].sort()
    );
    const stored = await f.as('viewer').orders.get({ orderId: order.id });
    expect(stored.lines.map((l) => l.reservedQty)).toEqual([4, 10]);
    expect(stored.promisedDate).toBe(today);
    // Confirming twice is a wrong transition.
    await expect(f.as('sales').orders.confirm({ orderId: order.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('promises the date of a scheduled purchase when stock is short, and null when nothing covers it', async () => {
    const p = await newProduct();
    const unscheduled = await newProduct();
    await f.stockUp(f.locA, p.id, 3);
    const inbound = addDays(today, 7);
    await transact(f.db, SYSTEM_ACTOR, 'test.po', (tx) =>
      createOpenMoves(tx, SYSTEM_ACTOR, [
        { productId: p.id, qty: 20, fromLocationId: f.locA.supplier, toLocationId: f.locA.stock, documentType: 'purchase_order', documentId: 1, scheduledDate: inbound, state: 'confirmed' }
      ])
    );
    const draft = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 8 }] });
    const order = await f.as('sales').orders.confirm({ orderId: draft.id });
    expect(order.lines[0]!.reservedQty).toBe(3);
    expect(order.lines[0]!.promisedDate).toBe(inbound);
    expect(order.promisedDate).toBe(inbound);
    const [move] = await movesOf(order.id);
    expect([move!.state, move!.qty, move!.scheduledDate]).toEqual(['confirmed', 8, inbound]);

    const draft2 = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 1 }, { productId: unscheduled.id, qty: 2 }] });
    const order2 = await f.as('sales').orders.confirm({ orderId: draft2.id });
    expect(order2.lines.map((l) => [l.reservedQty, l.promisedDate])).toEqual([[0, inbound], [0, null]]);
    expect(order2.promisedDate).toBeNull();
    expect(await ledgerViolations(f.db)).toEqual([]);
  });
});

describe('approval', () => {
  it('holds an order of a customer on credit hold until an approver releases it', async () => {
    const held = await newCustomer({ onHold: true });
    const p = await newProduct();
    await f.stockUp(f.locA, p.id, 10);
    const draft = await f.as('sales').orders.create({ customerId: held.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 6 }] });
    const waiting = await f.as('sales').orders.confirm({ orderId: draft.id });
    expect(waiting.state).toBe('awaiting_approval');
    expect(waiting.approvalReason).toMatch(/on credit hold/);
    expect(waiting.lines[0]!.reservedQty).toBe(0);
    expect((await balance(p.id, f.locA.stock))?.reserved).toBe(0);
    expect(await movesOf(draft.id)).toEqual([]);

    // Sales may not approve: neither through the API nor calling the service directly.
    await expect(f.as('sales').orders.approve({ orderId: draft.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const direct = await approveOrder(f.db, f.actorFor('planner'), { orderId: draft.id }).catch((e) => e);
    expect(direct).toBeInstanceOf(DomainError);
    expect((direct as DomainError).code).toBe('FORBIDDEN');
    expect((await f.as('viewer').orders.get({ orderId: draft.id })).state).toBe('awaiting_approval');

    const approved = await f.as('finance').orders.approve({ orderId: draft.id });
    expect(approved.state).toBe('confirmed');
    expect(approved.approvedBy).toBe(f.users.finance.id);
    expect(approved.approvedAt).not.toBeNull();
    expect(approved.lines[0]!.reservedQty).toBe(6);
    expect((await balance(p.id, f.locA.stock))?.reserved).toBe(6);
    await expect(f.as('finance').orders.approve({ orderId: draft.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('sends a discount over the threshold to approval; at the threshold it confirms', async () => {
    const p = await newProduct();
    await f.stockUp(f.locA, p.id, 10);
    const over = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, discountBp: APPROVAL_DISCOUNT_BP + 1, lines: [{ productId: p.id, qty: 2 }] });
    const waiting = await f.as('sales').orders.confirm({ orderId: over.id });
    expect(waiting.state).toBe('awaiting_approval');
    expect(waiting.approvalReason).toMatch(/discount 10\.01 % is over the 10 % approval threshold/);
    expect((await balance(p.id, f.locA.stock))?.reserved).toBe(0);
    const at = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, discountBp: APPROVAL_DISCOUNT_BP, lines: [{ productId: p.id, qty: 2 }] });
    expect((await f.as('sales').orders.confirm({ orderId: at.id })).state).toBe('confirmed');
    const approved = await f.as('executive').orders.approve({ orderId: over.id });
    expect(approved.state).toBe('confirmed');
    expect((await balance(p.id, f.locA.stock))?.reserved).toBe(4);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('counts open receivables and open orders against the credit limit', async () => {
    const small = await newCustomer({ creditLimitMinor: 10_000 });
    const p = await newProduct(1000);
    await f.stockUp(f.locA, p.id, 20);
    // 6 x 10.00 = 60.00 fits the 100.00 limit; it ships and leaves an open invoice.
    const first = await f.as('sales').orders.create({ customerId: small.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 6 }] });
    expect((await f.as('sales').orders.confirm({ orderId: first.id })).state).toBe('confirmed');
    await f.as('warehouse').orders.ship({ orderId: first.id });
    // 5 x 10.00 = 50.00 alone fits, but 60.00 open on the invoice makes 110.00.
    const second = await f.as('sales').orders.create({ customerId: small.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 5 }] });
    const waiting = await f.as('sales').orders.confirm({ orderId: second.id });
    expect(waiting.state).toBe('awaiting_approval');
    expect(waiting.approvalReason).toMatch(/credit limit exceeded: open receivables 60\.00 \+ open orders 0\.00 \+ this order 50\.00 > limit 100\.00/);
    // Paying the invoice frees the credit: a new order of 4 x 10.00 plus nothing open fits.
    const invoice = (await f.as('viewer').orders.get({ orderId: first.id })).invoices[0]!;
    await f.as('finance').orders.pay({ invoiceId: invoice.id, amountMinor: invoice.amountMinor });
    const third = await f.as('sales').orders.create({ customerId: small.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 4 }] });
    expect((await f.as('sales').orders.confirm({ orderId: third.id })).state).toBe('confirmed');
    // Now 40.00 is confirmed and unshipped: another 7 x 10.00 would pass the limit.
    const fourth = await f.as('sales').orders.create({ customerId: small.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 7 }] });
    expect((await f.as('sales').orders.confirm({ orderId: fourth.id })).approvalReason).toMatch(/open orders 40\.00/);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('lets an approver reject an order, which cancels it', async () => {
    const held = await newCustomer({ onHold: true });
    const p = await newProduct();
    const draft = await f.as('sales').orders.create({ customerId: held.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 3 }] });
    await f.as('sales').orders.confirm({ orderId: draft.id });
    await expect(f.as('sales').orders.reject({ orderId: draft.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const rejected = await f.as('admin').orders.reject({ orderId: draft.id, reason: 'pay first' });
    expect(rejected.state).toBe('cancelled');
    expect(rejected.approvalReason).toMatch(/rejected by .*: pay first/);
    expect(rejected.lines[0]!.cancelledQty).toBe(3);
    expect(rejected.lines[0]!.backorderedQty).toBe(0);
  });
});

describe('cancelling', () => {
  it('releases the reservations and gives the freed stock to a waiting backorder', async () => {
    const p = await newProduct();
    await f.stockUp(f.locA, p.id, 10);
    const a = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 8 }] });
    await f.as('sales').orders.confirm({ orderId: a.id });
    const b = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p.id, qty: 6 }] });
    const bConfirmed = await f.as('sales').orders.confirm({ orderId: b.id });
    expect(bConfirmed.lines[0]!.reservedQty).toBe(2);
    expect((await balance(p.id, f.locA.stock))?.reserved).toBe(10);

    const cancelled = await f.as('sales').orders.cancel({ orderId: a.id });
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(cancelled.lines[0]).toMatchObject({ reservedQty: 0, backorderedQty: 0, cancelledQty: 8 });
    expect((await movesOf(a.id)).map((m) => m.state)).toEqual(['cancelled']);
    const bAfter = await f.as('viewer').orders.get({ orderId: b.id });
    expect(bAfter.lines[0]!.reservedQty).toBe(6);
    expect((await movesOf(b.id)).map((m) => m.state)).toEqual(['reserved']);
    expect((await balance(p.id, f.locA.stock))?.reserved).toBe(6);

    await expect(f.as('sales').orders.cancel({ orderId: a.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(f.as('warehouse').orders.cancel({ orderId: b.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('cancels a single line, and a draft just becomes cancelled', async () => {
    const p1 = await newProduct();
    const p2 = await newProduct();
    await f.stockUp(f.locA, p1.id, 5);
    await f.stockUp(f.locA, p2.id, 5);
    const o = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p1.id, qty: 2 }, { productId: p2.id, qty: 3 }] });
    await f.as('sales').orders.confirm({ orderId: o.id });
    const after = await f.as('sales').orders.cancelLine({ orderId: o.id, lineNo: 2 });
    expect(after.state).toBe('confirmed');
    expect(after.lines.map((l) => [l.reservedQty, l.cancelledQty])).toEqual([[2, 0], [0, 3]]);
    expect((await balance(p2.id, f.locA.stock))?.reserved).toBe(0);
    await expect(f.as('sales').orders.cancelLine({ orderId: o.id, lineNo: 2 })).rejects.toMatchObject({ code: 'CONFLICT' });
    const closed = await f.as('sales').orders.cancelLine({ orderId: o.id, lineNo: 1 });
    expect(closed.state).toBe('cancelled');

    const draft = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p1.id, qty: 1 }] });
    expect((await f.as('admin').orders.cancel({ orderId: draft.id })).state).toBe('cancelled');
    expect(await ledgerViolations(f.db)).toEqual([]);
  });
});

describe('reading orders', () => {
  it('lists orders newest first with filters and paging', async () => {
    const c = await newCustomer();
    const p = await newProduct(250);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await f.as('sales').orders.create({ customerId: c.id, warehouseId: f.whB.id, lines: [{ productId: p.id, qty: i + 1 }] })).id);
    }
    await f.as('sales').orders.cancel({ orderId: ids[0]! });
    const all = await f.as('viewer').orders.list({ customerId: c.id });
    expect(all.map((o) => o.id)).toEqual([...ids].reverse());
    expect(all.map((o) => o.grossMinor)).toEqual([750, 500, 250]);
    expect(all[0]!.lineCount).toBe(1);
    const page = await f.as('viewer').orders.list({ customerId: c.id, limit: 1, beforeId: ids[2] });
    expect(page.map((o) => o.id)).toEqual([ids[1]]);
    expect((await f.as('viewer').orders.list({ customerId: c.id, state: 'draft', warehouseId: f.whB.id })).map((o) => o.id)).toEqual([ids[2], ids[1]]);
    expect(await f.as('viewer').orders.list({ customerId: c.id, warehouseId: f.whA.id })).toEqual([]);
    await expect(f.as('viewer').orders.get({ orderId: 987_654 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
