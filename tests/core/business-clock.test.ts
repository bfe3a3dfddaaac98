import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../app/lib/server/core/actor';
import { BusinessClockReader, followSimulatedClock, readBusinessClock, setBusinessClock } from '../../app/lib/server/core/business-clock';
import { tables } from '../../app/lib/server/core/db';
import { warehouseDate } from '../../app/lib/server/core/locations';
import { createPurchaseOrder, sendPurchaseOrder } from '../../app/lib/server/core/purchasing';
import { approveTransfer, requestTransfer, shipTransfer } from '../../app/lib/server/core/transfers';
import { coreFixture, type CoreFixture } from '../support/core';

/**
 * The business clock dates every document: the wall clock by default, a clock of
 * its own when set (a time-compressed demo, a simulation). Sessions and alerts keep
 * the wall clock.
 */
let f: CoreFixture;
let admin: Actor;
const DAY = 86_400_000;

beforeAll(async () => {
  f = await coreFixture();
  admin = f.actorFor('admin');
});

const isoDay = (ms: number, timeZone = 'UTC') => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(ms);

describe('the business clock', () => {
  it('is the wall clock until it is set', async () => {
    const clock = await readBusinessClock(f.db);
    expect(clock).toMatchObject({ rate: 1, set: false });
    expect(Math.abs(Date.parse(clock.now) - Date.now())).toBeLessThan(5_000);
    const order = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: f.products[0]!.id, qty: 1 }] });
    expect(Math.abs(Date.parse(order.createdAt) - Date.now())).toBeLessThan(5_000);
  });

  it('dates orders, shipments, invoices, moves, POs and transfers at the business instant, and counts days from it', async () => {
    const at = Date.now() + 40 * DAY;
    await setBusinessClock(f.db, admin, { at: new Date(at), rate: 0 });
    const [p1, p2] = f.products;
    await f.stockUp(f.locA, p1!.id, 20);

    const draft = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: p1!.id, qty: 5 }, { productId: p2!.id, qty: 3 }] });
    const order = await f.as('sales').orders.confirm({ orderId: draft.id });
    const shipped = await f.as('warehouse').orders.ship({ orderId: order.id, lines: [{ lineNo: 1, qty: 3 }] }); // 2 stay backordered
    expect(Date.parse(draft.createdAt)).toBe(at);
    expect(Date.parse(order.confirmedAt!)).toBe(at);
    // Reserved in full today (the business today, in the warehouse's zone); the short line is promised from ATP.
    expect(order.lines.find((l) => l.productId === p1!.id)!.promisedDate).toBe(isoDay(at, 'Europe/Berlin'));
    expect(shipped.shipment.shippedAt && Date.parse(shipped.shipment.shippedAt)).toBe(at);
    const [invoice] = await f.db.select().from(tables.invoices).where(sql`${tables.invoices.orderId} = ${order.id}`);
    expect(invoice!.issuedAt.getTime()).toBe(at);
    const moves = await f.db.select().from(tables.stockMoves).where(sql`${tables.stockMoves.documentId} = ${order.id} AND ${tables.stockMoves.documentType} = 'sales_order'`);
    expect(moves.length).toBeGreaterThan(0);
    for (const m of moves) expect(m.createdAt.getTime()).toBe(at);
    expect(moves.filter((m) => m.state === 'done').map((m) => m.doneAt!.getTime())).toEqual([at]);
    const [backordered] = await f.db.select().from(tables.salesOrderLines).where(sql`${tables.salesOrderLines.orderId} = ${order.id} AND ${tables.salesOrderLines.lineNo} = 1`);
    expect(backordered!.backorderedSince!.getTime()).toBe(at);

    // Expected dates count from the business today: the supplier's lead time (5 days) and the lane's (2 days).
    expect(await warehouseDate(f.db, f.whA.id, 5)).toBe(isoDay(at + 5 * DAY, 'Europe/Berlin'));
    const po = await createPurchaseOrder(f.db, f.actorFor('buyer'), { supplierId: f.supplier.id, warehouseId: f.whA.id, lines: [{ productId: p2!.id, qty: 12 }] });
    const sent = await sendPurchaseOrder(f.db, f.actorFor('buyer'), { purchaseOrderId: po.id });
    expect(sent.expectedDate).toBe(isoDay(at + 5 * DAY, 'Europe/Berlin'));
    expect(Date.parse(sent.sentAt!)).toBe(at);
    const planner = f.actorFor('planner');
    const t = await requestTransfer(f.db, planner, { fromWarehouseId: f.whA.id, toWarehouseId: f.whB.id, lines: [{ productId: p1!.id, qty: 2 }] });
    await approveTransfer(f.db, planner, { transferId: t.id });
    const onRoad = await shipTransfer(f.db, f.actorFor('warehouse'), { transferId: t.id });
    expect(Date.parse(onRoad.requestedAt)).toBe(at);
    expect(Date.parse(onRoad.shippedAt!)).toBe(at);
    expect(onRoad.expectedArrival).toBe(isoDay(at + 2 * DAY));
  });

  it('runs at its rate: a day in a minute is 1,440 business seconds per wall second', async () => {
    const from = Date.parse((await readBusinessClock(f.db)).now);
    await setBusinessClock(f.db, admin, { rate: 1440 });
    const wallStart = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    const clock = await readBusinessClock(f.db);
    const wall = Date.now() - wallStart;
    expect(clock).toMatchObject({ rate: 1440, set: true });
    const advanced = Date.parse(clock.now) - from;
    expect(advanced).toBeGreaterThanOrEqual(1440 * 250);
    expect(advanced).toBeLessThanOrEqual(1440 * (wall + 250));
    // The cached reader computes the same instant from the anchor it read.
    const reader = new BusinessClockReader(f.db, 60_000);
    const [viaReader, viaDb] = [(await reader.now()).getTime(), Date.parse((await readBusinessClock(f.db)).now)];
    expect(Math.abs(viaReader - viaDb)).toBeLessThan(1440 * 200);
  });

  it('refuses to go back, a bad rate, or a role other than admin, and changes nothing', async () => {
    await setBusinessClock(f.db, admin, { rate: 0 });
    const before = await readBusinessClock(f.db);
    await expect(setBusinessClock(f.db, admin, { at: new Date(Date.parse(before.now) - DAY), rate: 1 })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/does not go back/)
    });
    await expect(f.as('admin').businessClock.set({ rate: -1 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/at least 0/) });
    await expect(f.as('admin').businessClock.set({ rate: 1e6 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/at most 100000/) });
    await expect(f.as('admin').businessClock.set({ at: 'next tuesday' as unknown as Date, rate: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(f.as('planner').businessClock.set({ rate: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await f.as('viewer').businessClock.get()).toEqual(before);
  });

  it('lets the simulator move it back (a simulation may replay a past period), and the wall clock stays for sessions and alerts', async () => {
    const past = Date.parse('2026-03-02T09:00:00Z');
    await followSimulatedClock(f.db, admin, past, 0);
    expect(Date.parse((await readBusinessClock(f.db)).now)).toBe(past);
    const draft = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: f.products[2]!.id, qty: 1 }] });
    expect(Date.parse(draft.createdAt)).toBe(past);
    const { rows } = await f.db.execute<{ wall: string }>(sql`INSERT INTO alerts (kind, subject, severity, message) VALUES ('ingest_lag', 'ingest', 'warning', 'test') RETURNING raised_at AS wall`);
    expect(Math.abs(new Date(rows[0]!.wall).getTime() - Date.now())).toBeLessThan(5_000);
  });
});
