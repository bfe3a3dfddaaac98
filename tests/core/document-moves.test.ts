// Documents of many lines: transfer shipment and receipt, purchase-order receipt and
// sales-order shipment write their ledger changes set-based (move-completion.ts). These tests replay the
// same documents through the line-by-line helpers the services used before
// (openMoveOf, completeOpenMove, reduceOpenMove, postDoneMoves, createOpenMoves) and
// require the same moves, balances and lines, and count the round trips to
// PostgreSQL: a 300-line document takes as many as a 10-line one.
import { and, eq, inArray, sql } from 'drizzle-orm';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type Actor } from '../../app/lib/server/core/actor';
import { insertProducts } from '../../app/lib/server/core/catalog';
import { createCoreDb, tables, type CoreDb } from '../../app/lib/server/core/db';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { completeOpenMove, createOpenMoves, openMoveOf, postDoneMoves, reduceOpenMove, type DocumentType, type MoveInput } from '../../app/lib/server/core/ledger';
import { warehouseLocations } from '../../app/lib/server/core/locations';
import { confirmOrder, createOrder } from '../../app/lib/server/core/orders';
import { createPurchaseOrder, sendPurchaseOrder } from '../../app/lib/server/core/purchasing';
import { ship } from '../../app/lib/server/core/shipments';
import { receivePurchaseOrder } from '../../app/lib/server/core/receipts';
import { transact } from '../../app/lib/server/core/transaction';
import { approveTransfer, getTransfer, receiveTransfer, requestTransfer, shipTransfer } from '../../app/lib/server/core/transfers';
import { createPool } from '../../platform/pool';
import { coreFixture, type CoreFixture } from '../support/core';

const { stockMoves, stockBalances, transferLines, transfers, purchaseOrderLines } = tables;

let f: CoreFixture;
let admin: Actor;
let lead: Actor; // warehouse user at A
/** A second pool on the same database whose connections count their round trips. */
let counted: { db: CoreDb; trips: () => number };
beforeAll(async () => {
  f = await coreFixture();
  admin = f.actorFor('admin');
  lead = f.actorFor('warehouse');
  const pool = createPool(f.url, 4);
  afterAll(() => pool.end());
  let trips = 0;
  pool.on('connect', (client: pg.PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => (trips++, query(...args))) as typeof client.query;
  });
  counted = { db: createCoreDb(pool), trips: () => trips };
});

async function roundTrips<T>(work: (db: CoreDb) => Promise<T>): Promise<{ trips: number; result: T }> {
  const before = counted.trips();
  const result = await work(counted.db);
  return { trips: counted.trips() - before, result };
}

let batchNo = 0;
/** n new products (supplied by the fixture's supplier), each with `stock` on hand at A. */
async function products(n: number, stock = 0): Promise<number[]> {
  const tag = ++batchNo;
  return transact(f.db, SYSTEM_ACTOR, 'test.products', async (tx) => {
    const rows = await insertProducts(
      tx,
      Array.from({ length: n }, (_, i) => ({ sku: `DM-${tag}-${i}`, name: `Many-line product ${tag}/${i}`, costMinor: 100, priceMinor: 200, category: 'x' }))
    );
    const ids = rows.map((r) => r.id);
    await tx.insert(tables.supplierProducts).values(ids.map((productId) => ({ supplierId: f.supplier.id, productId, costMinor: 100, leadTimeDays: 5 })));
    if (stock > 0) {
      const opening = ids.map((productId) => ({ productId, qty: stock, fromLocationId: f.locA.adjustment, toLocationId: f.locA.stock, documentType: 'opening_balance' as const, documentId: 0 }));
      await postDoneMoves(tx, SYSTEM_ACTOR, opening);
    }
    return ids;
  });
}

/**
 * A document's moves in id order, each as (index of its line, state, qty, from,
 * to, actor, scheduled date, done or not): two documents posted alike compare equal.
 */
async function movesOf(documentType: DocumentType, documentId: number, lineIds: number[]) {
  const moves = await f.db
    .select()
    .from(stockMoves)
    .where(and(eq(stockMoves.documentType, documentType), eq(stockMoves.documentId, documentId)))
    .orderBy(stockMoves.id);
  return moves.map((m) => [lineIds.indexOf(m.documentLineId!), m.state, m.qty, m.fromLocationId, m.toLocationId, m.actorId, m.scheduledDate, m.doneAt !== null]);
}

/** Balances of each product by location, product by product (in the order given). */
async function balancesOf(productIds: number[]) {
  const rows = await f.db.select().from(stockBalances).where(inArray(stockBalances.productId, productIds));
  return productIds.map((p) =>
    rows
      .filter((r) => r.productId === p)
      .map((r) => [r.locationId, r.onHand, r.reserved])
      .sort((a, b) => a[0]! - b[0]!)
  );
}

// The transfer loops as they were, line by line.
async function shipLineByLine(transferId: number, qty: number[]) {
  await transact(f.db, lead, 'test.shipLineByLine', async (tx) => {
    const t = await getTransfer(tx, transferId);
    const to = await warehouseLocations(tx, t.toWarehouseId);
    for (const [i, line] of t.lines.entries()) {
      const shipped = qty[i]!;
      const open = (await openMoveOf(tx, 'transfer', line.id))!;
      if (shipped > 0) await completeOpenMove(tx, lead, open.id, shipped);
      if (shipped < open.qty) await reduceOpenMove(tx, open.id, open.qty - shipped);
      if (shipped === 0) continue;
      await createOpenMoves(tx, lead, [
        { productId: line.productId, qty: shipped, fromLocationId: to.transit, toLocationId: to.stock, documentType: 'transfer', documentId: t.id, documentLineId: line.id, scheduledDate: t.expectedArrival, state: 'confirmed' }
      ]);
      await tx.update(transferLines).set({ shippedQty: shipped }).where(eq(transferLines.id, line.id));
    }
    await tx.update(transfers).set({ state: 'shipped', shippedAt: new Date() }).where(eq(transfers.id, t.id));
  });
}

async function receiveLineByLine(transferId: number, counts: { receivedQty: number; shortQty: number; damagedQty: number }[]) {
  await transact(f.db, admin, 'test.receiveLineByLine', async (tx) => {
    const t = await getTransfer(tx, transferId);
    const to = await warehouseLocations(tx, t.toWarehouseId);
    for (const [i, line] of t.lines.entries()) {
      if (line.shippedQty === 0) continue;
      const c = counts[i]!;
      const open = (await openMoveOf(tx, 'transfer', line.id))!;
      if (c.shortQty > 0) await completeOpenMove(tx, admin, open.id, c.shortQty, to.adjustment);
      if (c.damagedQty > 0) await completeOpenMove(tx, admin, open.id, c.damagedQty, to.damaged);
      if (c.receivedQty > 0) await completeOpenMove(tx, admin, open.id, c.receivedQty);
      await tx.update(transferLines).set(c).where(eq(transferLines.id, line.id));
    }
    await tx.update(transfers).set({ state: 'received', receivedAt: new Date() }).where(eq(transfers.id, t.id));
  });
}

/** Line i asks for 4..8; one in nine ships nothing, one in nine ships 2 less. */
const requested = (i: number) => 4 + (i % 5);
const toShip = (i: number) => (i % 9 === 8 ? 0 : i % 9 === 7 ? requested(i) - 2 : requested(i));
/** Every way a line can arrive: in full, short, damaged, both, and nothing received at all. */
function arrival(shipped: number, i: number) {
  const [shortQty, damagedQty] = [[0, 0], [1, 0], [0, 2], [1, 1], [shipped, 0], [0, shipped], [1, shipped - 1], [shipped - 2, 1]][i % 8]!;
  return { receivedQty: shipped - shortQty - damagedQty, shortQty, damagedQty };
}

async function approvedTransfer(productIds: number[]) {
  const t = await requestTransfer(f.db, admin, { fromWarehouseId: f.whA.id, toWarehouseId: f.whB.id, lines: productIds.map((productId, i) => ({ productId, qty: requested(i) })) });
  return approveTransfer(f.db, admin, { transferId: t.id });
}

/** Ships and receives an n-line transfer through the services (counted); returns the round trips of each step. */
async function shipAndReceive(productIds: number[]) {
  const t = await approvedTransfer(productIds);
  const ship = await roundTrips((db) => shipTransfer(db, lead, { transferId: t.id, lines: t.lines.map((l, i) => ({ lineId: l.id, qty: toShip(i) })) }));
  const lines = ship.result.lines.flatMap((l, i) => (l.shippedQty > 0 ? [{ lineId: l.id, ...arrival(l.shippedQty, i) }] : []));
  const receive = await roundTrips((db) => receiveTransfer(db, admin, { transferId: t.id, lines }));
  return { transfer: receive.result, ship: ship.trips, receive: receive.trips };
}

describe('documents of many lines', () => {
  it('ships and receives a 300-line transfer as line-by-line posting did, in as many round trips as a 10-line one', async () => {
    const n = 300;
    const [mine, reference] = [await products(n, 10), await products(n, 10)];
    const small = await shipAndReceive(await products(10, 10));
    const big = await shipAndReceive(mine);
    expect(big.ship).toBe(small.ship);
    expect(big.receive).toBe(small.receive);
    expect(big.receive).toBeLessThanOrEqual(16); // 16 here; the ledger takes 5 of them: lock, balances (2), insert, update

    const t = await approvedTransfer(reference);
    await shipLineByLine(t.id, t.lines.map((_, i) => toShip(i)));
    await receiveLineByLine(t.id, t.lines.map((_, i) => arrival(toShip(i), i)));
    const expected = await getTransfer(f.db, t.id);

    const strip = (x: typeof expected) => x.lines.map(({ qty, shippedQty, receivedQty, shortQty, damagedQty }) => ({ qty, shippedQty, receivedQty, shortQty, damagedQty }));
    expect(big.transfer.state).toBe('received');
    expect(strip(big.transfer)).toEqual(strip(expected));
    const moves = await movesOf('transfer', big.transfer.id, big.transfer.lines.map((l) => l.id));
    expect(moves.length).toBeGreaterThan(3 * n); // approved, shipped (some split), in transit, short and damaged split off
    expect(moves).toEqual(await movesOf('transfer', expected.id, expected.lines.map((l) => l.id)));
    expect(await balancesOf(mine)).toEqual(await balancesOf(reference));

    // Every quantity where it belongs: line 3 (shipped 7: 1 short, 1 damaged, 5 received).
    const at = (rows: number[][], location: number) => rows.find((r) => r[0] === location)?.[1] ?? 0;
    const [line3] = await balancesOf([mine[3]!]);
    expect([at(line3!, f.locA.stock), at(line3!, f.locB.transit), at(line3!, f.locB.stock), at(line3!, f.locB.damaged), at(line3!, f.locB.adjustment)]).toEqual([3, 0, 5, 1, 1]);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('receives a 300-line purchase order twice as line-by-line posting did, in as many round trips as a 10-line one', async () => {
    // Ordered 20 each (at most 21 may come). First delivery: in full, part, part rejected,
    // all rejected, a little of both, one over; the second brings the rest and more.
    const first = [[20, 0], [8, 0], [14, 6], [0, 20], [5, 4], [21, 0]];
    const second: Record<number, [number, number]> = { 0: [1, 0], 1: [10, 3], 4: [11, 0] };
    const delivery = (po: { lines: { id: number }[] }, round: number) =>
      po.lines.flatMap((l, i) => {
        const [acceptedQty, rejectedQty] = round === 1 ? first[i % 6]! : (second[i % 6] ?? [0, 0]);
        return acceptedQty + rejectedQty > 0 ? [{ lineId: l.id, acceptedQty, rejectedQty }] : [];
      });
    const sent = async (ids: number[]) => {
      const po = await createPurchaseOrder(f.db, admin, { supplierId: f.supplier.id, warehouseId: f.whA.id, lines: ids.map((productId) => ({ productId, qty: 20 })) });
      return sendPurchaseOrder(f.db, admin, { purchaseOrderId: po.id });
    };
    const receiveTwice = async (ids: number[]) => {
      const po = await sent(ids);
      const trips = [];
      for (const round of [1, 2]) trips.push((await roundTrips((db) => receivePurchaseOrder(db, lead, { purchaseOrderId: po.id, lines: delivery(po, round) }))).trips);
      return { po, trips };
    };

    const n = 300;
    const [mine, reference] = [await products(n), await products(n)];
    const small = await receiveTwice(await products(12));
    const big = await receiveTwice(mine);
    expect(big.trips).toEqual(small.trips);

    const ref = await sent(reference);
    const loc = f.locA;
    for (const round of [1, 2]) {
      await transact(f.db, lead, 'test.receiveLineByLine', async (tx) => {
        for (const l of delivery(ref, round)) {
          const [line] = await tx.select().from(purchaseOrderLines).where(eq(purchaseOrderLines.id, l.lineId));
          const open = await openMoveOf(tx, 'purchase_order', l.lineId);
          let openQty = open?.qty ?? 0;
          const acceptedFromOpen = Math.min(l.acceptedQty, openQty);
          if (acceptedFromOpen > 0) await completeOpenMove(tx, lead, open!.id, acceptedFromOpen);
          openQty -= acceptedFromOpen;
          const rejectedFromOpen = Math.min(l.rejectedQty, openQty);
          if (rejectedFromOpen > 0) await completeOpenMove(tx, lead, open!.id, rejectedFromOpen, loc.quality_hold);
          const base = { productId: line!.productId, fromLocationId: loc.supplier, documentType: 'purchase_order' as const, documentId: ref.id, documentLineId: l.lineId };
          const extra: MoveInput[] = [];
          if (l.acceptedQty > acceptedFromOpen) extra.push({ ...base, qty: l.acceptedQty - acceptedFromOpen, toLocationId: loc.stock });
          if (l.rejectedQty > rejectedFromOpen) extra.push({ ...base, qty: l.rejectedQty - rejectedFromOpen, toLocationId: loc.quality_hold });
          await postDoneMoves(tx, lead, extra);
          await tx
            .update(purchaseOrderLines)
            .set({ receivedQty: line!.receivedQty + l.acceptedQty, rejectedQty: line!.rejectedQty + l.rejectedQty })
            .where(eq(purchaseOrderLines.id, l.lineId));
        }
      });
    }

    const linesOf = async (id: number) =>
      (await f.db.select().from(purchaseOrderLines).where(eq(purchaseOrderLines.purchaseOrderId, id)).orderBy(purchaseOrderLines.id)).map((l) => [l.receivedQty, l.rejectedQty]);
    expect(await linesOf(big.po.id)).toEqual(await linesOf(ref.id));
    const moves = await movesOf('purchase_order', big.po.id, big.po.lines.map((l) => l.id));
    expect(moves.length).toBeGreaterThan(2 * n);
    expect(moves).toEqual(await movesOf('purchase_order', ref.id, ref.lines.map((l) => l.id)));
    expect(await balancesOf(mine)).toEqual(await balancesOf(reference));
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('ships a 200-line sales order in part, in as many round trips as a 10-line one: each shipped part done, each rest still open and reserved', async () => {
    // Every line orders 6 with 10 on hand; even lines ship 4 (2 stay backordered, reserved), odd lines ship all 6.
    const shipOrder = async (ids: number[]) => {
      const order = await createOrder(f.db, admin, { customerId: f.customer.id, warehouseId: f.whA.id, lines: ids.map((productId) => ({ productId, qty: 6 })) });
      await confirmOrder(f.db, admin, { orderId: order.id });
      const lines = order.lines.map((l, i) => ({ lineId: l.id, qty: i % 2 === 0 ? 4 : 6 }));
      const { trips, result } = await roundTrips((db) => ship(db, lead, { orderId: order.id, lines }));
      return { trips, result };
    };
    const small = await shipOrder(await products(10, 10));
    const ids = await products(200, 10);
    const big = await shipOrder(ids);
    expect(big.trips).toBe(small.trips);

    const { order, invoice } = big.result;
    expect(order.state).toBe('confirmed');
    expect(order.lines.map((l) => [l.shippedQty, l.backorderedQty, l.reservedQty])).toEqual(ids.map((_, i) => (i % 2 === 0 ? [4, 2, 2] : [6, 0, 0])));
    expect(invoice!.amountMinor).toBe(100 * (4 + 6) * 200); // 200 minor units a unit
    const moves = await movesOf('sales_order', order.id, order.lines.map((l) => l.id));
    const byLine = (i: number) => moves.filter((m) => m[0] === i).map((m) => m.slice(1, 5));
    order.lines.forEach((_, i) =>
      expect(byLine(i)).toEqual(
        i % 2 === 0
          ? [['reserved', 2, f.locA.stock, f.locA.customer], ['done', 4, f.locA.stock, f.locA.customer]]
          : [['done', 6, f.locA.stock, f.locA.customer]]
      )
    );
    const stock = (await balancesOf(ids)).map((rows) => rows.find((r) => r[0] === f.locA.stock));
    expect(stock).toEqual(ids.map((_, i) => (i % 2 === 0 ? [f.locA.stock, 6, 2] : [f.locA.stock, 4, 0])));
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('refuses a receipt when a line is no longer fully in transit, and changes nothing', async () => {
    const ids = await products(5, 10);
    const t = await approvedTransfer(ids);
    await shipTransfer(f.db, lead, { transferId: t.id });
    const line = t.lines[3]!;
    await f.db.execute(sql`UPDATE stock_moves SET qty = qty - 1 WHERE document_type = 'transfer' AND document_line_id = ${line.id} AND state = 'confirmed'`);
    const before = await f.db.select().from(stockMoves).orderBy(stockMoves.id);
    await expect(receiveTransfer(f.db, admin, { transferId: t.id })).rejects.toMatchObject({ code: 'CONFLICT', message: `transfer line ${line.id} is not fully in transit` });
    expect(await f.db.select().from(stockMoves).orderBy(stockMoves.id)).toEqual(before);
    expect((await getTransfer(f.db, t.id)).state).toBe('shipped');
    await f.db.execute(sql`UPDATE stock_moves SET qty = qty + 1 WHERE document_type = 'transfer' AND document_line_id = ${line.id} AND state = 'confirmed'`);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });
});
