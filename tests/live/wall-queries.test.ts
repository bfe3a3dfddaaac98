import { beforeAll, describe, expect, it } from 'vitest';
import { dayIn, pickingQueue, receiptsDue, transfersInFlight } from '../../app/lib/server/live/boards/wall-queries';
import * as catalog from '../../app/lib/server/core/catalog';
import { pickingQueueTile, receiptsDueTile, transfersTile } from '../../schemas/boards/wall';
import { coreFixture, type CoreFixture } from '../support/core';

/**
 * The wall screen's queues on a real core database: what a picker, the receiving
 * dock and the transfer desk of warehouse A see, and which of it is late (against
 * A's own calendar day). Documents are made through the API as people would; only
 * a promised date or an expected arrival in the past is written by SQL, as nothing
 * in the API back-dates them.
 */
let f: CoreFixture;
let today: string;
const now = new Date();

/** A calendar day `n` days from `day` (YYYY-MM-DD). */
function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

let skuNo = 0;
/** A product of its own per case, with stock at A and the fixture's supplier. */
async function productAtA(onHand: number): Promise<number> {
  const p = await catalog.createProduct(f.db, f.actorFor('admin'), { sku: `WALL-${++skuNo}`, name: `Wall product ${skuNo}`, costMinor: 300, priceMinor: 900, category: 'tools' });
  await catalog.upsertSupplierProduct(f.db, f.actorFor('admin'), { supplierId: f.supplier.id, productId: p.id, costMinor: 300, leadTimeDays: 5, moq: 1, packMultiple: 1 });
  if (onHand > 0) await f.stockUp(f.locA, p.id, onHand);
  return p.id;
}

/** A confirmed order at A, fully reserved (stock is there), promised today. */
async function confirmedOrder(productId: number, qty: number, priority = 0): Promise<number> {
  const sales = f.as('sales');
  const order = await sales.orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, priority, lines: [{ productId, qty }] });
  await sales.orders.confirm({ orderId: order.id });
  return order.id;
}

beforeAll(async () => {
  f = await coreFixture();
  today = dayIn(f.whA.timeZone, now);
});

describe('picking queue', () => {
  it('lists late orders before on-time ones, marks them late, and drops an order once shipped', async () => {
    const product = await productAtA(100);
    // The on-time order has the higher priority: lateness still comes first.
    const onTime = await confirmedOrder(product, 4, 5);
    const late = await confirmedOrder(product, 6);
    const promised = addDays(today, -2);
    await f.pool.query('UPDATE sales_orders SET promised_date = $2::date WHERE id = $1', [late, promised]);
    await f.pool.query('UPDATE sales_order_lines SET promised_date = $2::date WHERE order_id = $1', [late, promised]);

    const queue = pickingQueueTile.parse(await pickingQueue(f.db, f.whA.id, now));
    expect(queue.today).toBe(today);
    const ids = queue.orders.map((o) => o.orderId);
    expect(ids).toContain(onTime);
    expect(ids.indexOf(late)).toBeLessThan(ids.indexOf(onTime));
    expect(queue.orders.find((o) => o.orderId === late)).toMatchObject({ late: true, promisedDate: promised, customer: 'Customer One', lines: 1, units: 6, picking: false });
    expect(queue.orders.find((o) => o.orderId === onTime)).toMatchObject({ late: false, promisedDate: today, priority: 5, lines: 1, units: 4 });
    // Every late order precedes every on-time one, and the totals count what is listed.
    const firstOnTime = queue.orders.findIndex((o) => !o.late);
    expect(queue.orders.slice(firstOnTime).every((o) => !o.late)).toBe(true);
    expect(queue.totals).toEqual({
      orders: queue.orders.length,
      lines: queue.orders.reduce((s, o) => s + o.lines, 0),
      units: queue.orders.reduce((s, o) => s + o.units, 0),
      late: queue.orders.filter((o) => o.late).length
    });

    await f.as('warehouse').orders.ship({ orderId: late });
    const after = await pickingQueue(f.db, f.whA.id, now);
    expect(after.orders.map((o) => o.orderId)).not.toContain(late);
    expect(after.orders.map((o) => o.orderId)).toContain(onTime);
    expect(after.totals.orders).toBe(queue.totals.orders - 1);
    expect(after.totals.late).toBe(queue.totals.late - 1);
    // Another warehouse's queue never shows A's orders.
    expect((await pickingQueue(f.db, f.whB.id, now)).orders.map((o) => o.orderId)).not.toContain(onTime);
  });
});

describe('receipts due', () => {
  it('lists a sent purchase order past its expected date as overdue, one due today as due, and nothing later or unsent', async () => {
    const product = await productAtA(0);
    const buyer = f.as('buyer');
    const po = async (expectedDate: string, send = true) => {
      const created = await buyer.purchasing.create({ supplierId: f.supplier.id, warehouseId: f.whA.id, expectedDate, lines: [{ productId: product, qty: 30 }] });
      if (send) await buyer.purchasing.send({ purchaseOrderId: created.id });
      return created.id;
    };
    const overdue = await po(addDays(today, -3));
    const dueToday = await po(today);
    const later = await po(addDays(today, 4));
    const draft = await po(addDays(today, -3), false);

    const due = receiptsDueTile.parse(await receiptsDue(f.db, f.whA.id, now));
    const ids = due.receipts.map((r) => r.purchaseOrderId);
    expect(ids).not.toContain(later);
    expect(ids).not.toContain(draft);
    expect(ids.indexOf(overdue)).toBeLessThan(ids.indexOf(dueToday)); // oldest first
    expect(due.receipts.find((r) => r.purchaseOrderId === overdue)).toMatchObject({
      supplier: 'Supplier',
      expectedDate: addDays(today, -3),
      overdue: true,
      partiallyReceived: false,
      lines: 1,
      openUnits: 30
    });
    expect(due.receipts.find((r) => r.purchaseOrderId === dueToday)).toMatchObject({ expectedDate: today, overdue: false });
    expect(due.totals.overdue).toBe(due.receipts.filter((r) => r.overdue).length);

    // A partial delivery keeps it on the list with what is still open.
    const [line] = (await buyer.purchasing.get({ purchaseOrderId: overdue })).lines;
    await f.as('warehouse').purchasing.receive({ purchaseOrderId: overdue, lines: [{ lineId: line!.id, acceptedQty: 12, rejectedQty: 3 }] });
    const after = await receiptsDue(f.db, f.whA.id, now);
    expect(after.receipts.find((r) => r.purchaseOrderId === overdue)).toMatchObject({ partiallyReceived: true, openUnits: 15 });
    expect(after.totals.openUnits).toBe(due.totals.openUnits - 15);
  });
});

describe('transfers out and in', () => {
  it('lists an approved transfer out of A and into B with its expected arrival, a late one first', async () => {
    const product = await productAtA(50);
    const planner = f.as('planner');
    const request = async (qty: number) => {
      const t = await planner.transfers.request({ fromWarehouseId: f.whA.id, toWarehouseId: f.whB.id, lines: [{ productId: product, qty }] });
      return planner.transfers.approve({ transferId: t.id });
    };
    const approved = await request(7);
    // The lane's 2 days, counted on B's calendar (the destination's), which can be a
    // day behind A's: Berlin passes midnight an hour before UTC.
    const arrival = addDays(dayIn(f.whB.timeZone, new Date()), 2);
    expect(approved.expectedArrival).toBe(arrival);
    const overdue = await request(3);
    await f.pool.query('UPDATE transfers SET expected_arrival = $2::date WHERE id = $1', [overdue.id, addDays(today, -1)]);

    const atA = transfersTile.parse(await transfersInFlight(f.db, f.whA.id, now));
    expect(atA.inbound.map((t) => t.transferId)).not.toContain(approved.id);
    const out = atA.outbound.map((t) => t.transferId);
    expect(out.indexOf(overdue.id)).toBeLessThan(out.indexOf(approved.id));
    expect(atA.outbound.find((t) => t.transferId === approved.id)).toEqual({
      transferId: approved.id,
      direction: 'out',
      otherWarehouse: 'B Branch B',
      state: 'approved',
      expectedArrival: arrival,
      late: false,
      units: 7
    });
    expect(atA.outbound.find((t) => t.transferId === overdue.id)).toMatchObject({ late: true, expectedArrival: addDays(today, -1), units: 3 });
    expect(atA.totals).toMatchObject({ outbound: atA.outbound.length, inbound: atA.inbound.length });
    expect(atA.totals.late).toBe([...atA.outbound, ...atA.inbound].filter((t) => t.late).length);

    const atB = transfersTile.parse(await transfersInFlight(f.db, f.whB.id, now));
    expect(atB.outbound.map((t) => t.transferId)).not.toContain(approved.id);
    expect(atB.inbound.find((t) => t.transferId === approved.id)).toMatchObject({
      direction: 'in',
      otherWarehouse: 'A Central DC',
      state: 'approved',
      expectedArrival: arrival,
      units: 7
    });

    // Once cancelled it is no longer in flight at either end.
    await planner.transfers.cancel({ transferId: approved.id });
    expect((await transfersInFlight(f.db, f.whA.id, now)).outbound.map((t) => t.transferId)).not.toContain(approved.id);
    expect((await transfersInFlight(f.db, f.whB.id, now)).inbound.map((t) => t.transferId)).not.toContain(approved.id);
  });
});
