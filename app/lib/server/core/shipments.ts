import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import {
  packInput,
  pickInput,
  shipInput,
  type LineQtyInput,
  type PackInput,
  type PickInput,
  type ShipInput,
  type ShipmentResult
} from '../../../../schemas/api/orders';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Tx } from './db';
import { tables } from './db';
import { conflict, invalid, notFound } from './errors';
import { createInvoice } from './invoices';
import { applyBalanceDeltas } from './ledger';
import { lockOpenMovesOf, MoveBatch } from './move-completion';
import type { LineRow, LockedOrder } from './order-lock';
import { lockOrder } from './order-lock';
import { getOrder, orderLines } from './orders';
import { syncMoveStates } from './reservation';
import { transact } from './transaction';
import { businessNow } from '../../../../schemas/db/business-clock';

const { salesOrderLines, shipments, shipmentLines } = tables;

/**
 * Locks the stock balances of the lines' products (product order), then the
 * lines: the same order allocate() uses, so shipping, cancelling and receipts
 * never deadlock on each other.
 */
export async function lockLinesWithBalances(tx: Tx, locked: LockedOrder, lineIds: number[]): Promise<LineRow[]> {
  const ids = [...new Set(lineIds)].sort((a, b) => a - b);
  if (ids.length === 0) return [];
  const list = sql.raw(ids.map(Number).join(','));
  await tx.execute(sql`
    SELECT 1 FROM stock_balances
    WHERE location_id = ${locked.stockLocationId}
      AND product_id IN (SELECT product_id FROM sales_order_lines WHERE id IN (${list}))
    ORDER BY product_id FOR UPDATE`);
  return tx.select().from(salesOrderLines).where(inArray(salesOrderLines.id, ids)).orderBy(asc(salesOrderLines.id)).for('update');
}

/** Quantities per order line already on shipments being picked or packed. */
async function pendingPicks(tx: Tx, orderId: number): Promise<Map<number, number>> {
  const rows = await tx
    .select({ lineId: shipmentLines.orderLineId, qty: sql<string>`sum(${shipmentLines.qty})` })
    .from(shipmentLines)
    .innerJoin(shipments, eq(shipments.id, shipmentLines.shipmentId))
    .where(and(eq(shipments.orderId, orderId), inArray(shipments.state, ['picking', 'packed'])))
    .groupBy(shipmentLines.orderLineId);
  return new Map(rows.map((r) => [r.lineId, Number(r.qty)]));
}

/** Resolves lines named by id or number; quantities for the same line add up. */
function resolveLines(lines: LineRow[], requests: LineQtyInput[]): Map<number, number> {
  const wanted = new Map<number, number>();
  const fieldErrors: Record<string, string[]> = {};
  requests.forEach((r, i) => {
    const line = r.lineId !== undefined ? lines.find((l) => l.id === r.lineId) : lines.find((l) => l.lineNo === r.lineNo);
    if (!line) fieldErrors[`lines.${i}`] = [`the order has no line ${r.lineId !== undefined ? `id ${r.lineId}` : `no. ${r.lineNo}`}`];
    else wanted.set(line.id, (wanted.get(line.id) ?? 0) + r.qty);
  });
  if (Object.keys(fieldErrors).length > 0) throw invalid('unknown order line', fieldErrors);
  return wanted;
}

async function pickTx(tx: Tx, actor: Actor, locked: LockedOrder, requests: LineQtyInput[] | undefined): Promise<number> {
  const { order } = locked;
  assertWarehouseScope(actor, order.warehouseId);
  if (order.state !== 'confirmed') throw conflict(`order ${order.id} is ${order.state}; only a confirmed order can be picked`);
  const lines = await orderLines(tx, order.id);
  const pending = await pendingPicks(tx, order.id);
  const pickable = (l: LineRow) => l.reservedQty - (pending.get(l.id) ?? 0);
  const wanted = requests
    ? resolveLines(lines, requests)
    : new Map(lines.filter((l) => pickable(l) > 0).map((l) => [l.id, pickable(l)]));
  if (wanted.size === 0) throw conflict(`order ${order.id} has nothing reserved to pick`);
  for (const [lineId, qty] of wanted) {
    const line = lines.find((l) => l.id === lineId)!;
    if (qty > pickable(line)) {
      throw conflict(`line ${line.lineNo}: only ${Math.max(pickable(line), 0)} reserved and not yet picked, cannot pick ${qty}`);
    }
  }
  const [shipment] = await tx.insert(shipments).values({ orderId: order.id, state: 'picking', actorId: actor.userId }).returning({ id: shipments.id });
  await tx.insert(shipmentLines).values([...wanted].map(([orderLineId, qty]) => ({ shipmentId: shipment!.id, orderLineId, qty })));
  return shipment!.id;
}

async function lockShipment(tx: Tx, shipmentId: number) {
  const [head] = await tx.select({ orderId: shipments.orderId }).from(shipments).where(eq(shipments.id, shipmentId));
  if (!head) throw notFound('shipment', shipmentId);
  const locked = await lockOrder(tx, head.orderId);
  const [shipment] = await tx.select().from(shipments).where(eq(shipments.id, shipmentId)).for('update');
  return { locked, shipment: shipment! };
}

async function packTx(tx: Tx, actor: Actor, shipmentId: number): Promise<void> {
  const { locked, shipment } = await lockShipment(tx, shipmentId);
  assertWarehouseScope(actor, locked.order.warehouseId);
  if (shipment.state !== 'picking') throw conflict(`shipment ${shipmentId} is ${shipment.state}; only a shipment being picked can be packed`);
  await tx.update(shipments).set({ state: 'packed', packedAt: businessNow, actorId: actor.userId }).where(eq(shipments.id, shipmentId));
}

/**
 * Ships a picked or packed shipment: each line's reservation is released and its
 * open move completed (done W.stock -> W.customer; a remainder stays open as the
 * backorder), the order lines count the shipped quantity, an invoice is issued,
 * and the order is done when nothing is left to ship.
 */
async function shipTx(tx: Tx, actor: Actor, shipmentId: number): Promise<number> {
  const { locked, shipment } = await lockShipment(tx, shipmentId);
  const { order } = locked;
  assertWarehouseScope(actor, order.warehouseId);
  if (shipment.state !== 'picking' && shipment.state !== 'packed') throw conflict(`shipment ${shipmentId} is ${shipment.state}; it cannot be shipped`);
  if (order.state !== 'confirmed') throw conflict(`order ${order.id} is ${order.state}; only a confirmed order can ship`);
  const items = await tx.select().from(shipmentLines).where(eq(shipmentLines.shipmentId, shipmentId)).orderBy(asc(shipmentLines.id));
  const lines = await lockLinesWithBalances(tx, locked, items.map((i) => i.orderLineId));
  const byId = new Map(lines.map((l) => [l.id, l]));
  for (const item of items) {
    const line = byId.get(item.orderLineId)!;
    if (item.qty > line.reservedQty) {
      throw conflict(`line ${line.lineNo}: only ${line.reservedQty} reserved, cannot ship ${item.qty}`);
    }
  }
  // Release the reservations first, so the on-hand check of the moves sees them gone.
  await applyBalanceDeltas(
    tx,
    items.map((i) => ({ productId: byId.get(i.orderLineId)!.productId, locationId: locked.stockLocationId, onHand: 0, reserved: -i.qty }))
  );
  const values = sql.join(
    items.map((i) => sql`(${i.orderLineId}::bigint, ${i.qty}::int)`),
    sql`, `
  );
  await tx.execute(sql`
    UPDATE sales_order_lines l
    SET reserved_qty = l.reserved_qty - v.qty, shipped_qty = l.shipped_qty + v.qty, backordered_qty = l.backordered_qty - v.qty,
        backordered_since = CASE WHEN l.backordered_qty - v.qty > 0 THEN coalesce(l.backordered_since, business_now()) ELSE l.backordered_since END
    FROM (VALUES ${values}) AS v(id, qty) WHERE l.id = v.id`);
  // The lines' open moves completed together: a fixed number of statements whatever the lines (move-completion.ts).
  const open = await lockOpenMovesOf(tx, 'sales_order', items.map((i) => i.orderLineId));
  const batch = new MoveBatch(actor, open.values());
  for (const item of items) {
    const move = open.get(item.orderLineId);
    if (move === undefined) throw conflict(`line ${byId.get(item.orderLineId)!.lineNo} has no open stock move`);
    batch.complete(move.id, item.qty);
  }
  await batch.write(tx);
  await syncMoveStates(tx, lines.map((l) => l.id));
  await tx.update(shipments).set({ state: 'shipped', shippedAt: businessNow, actorId: actor.userId }).where(eq(shipments.id, shipmentId));
  await createInvoice(tx, locked, shipmentId, items.map((i) => ({ qty: i.qty, unitPriceMinor: byId.get(i.orderLineId)!.unitPriceMinor })));
  await tx.execute(sql`
    UPDATE sales_orders SET state = 'done'
    WHERE id = ${order.id} AND NOT EXISTS (SELECT 1 FROM sales_order_lines WHERE order_id = ${order.id} AND backordered_qty > 0)`);
  return shipmentId;
}

async function result(tx: Tx, shipmentId: number): Promise<ShipmentResult> {
  const [head] = await tx.select({ orderId: shipments.orderId }).from(shipments).where(eq(shipments.id, shipmentId));
  const order = await getOrder(tx, head!.orderId);
  return {
    order,
    shipment: order.shipments.find((s) => s.id === shipmentId)!,
    invoice: order.invoices.find((i) => i.shipmentId === shipmentId) ?? null
  };
}

/** Starts picking: a shipment of reserved quantities (default: all reserved and not yet picked). */
export async function pickOrder(db: CoreDb, actor: Actor, input: PickInput): Promise<ShipmentResult> {
  const data = pickInput.parse(input);
  return transact(db, actor, 'orders.pick', async (tx) => {
    const shipmentId = await pickTx(tx, actor, await lockOrder(tx, data.orderId), data.lines);
    return result(tx, shipmentId);
  });
}

export async function packShipment(db: CoreDb, actor: Actor, input: PackInput): Promise<ShipmentResult> {
  const { shipmentId } = packInput.parse(input);
  return transact(db, actor, 'orders.pack', async (tx) => {
    await packTx(tx, actor, shipmentId);
    return result(tx, shipmentId);
  });
}

/**
 * Ships a picked or packed shipment (shipmentId), or picks, packs and ships an
 * order's lines in one go (orderId, lines; default everything reserved).
 */
export async function ship(db: CoreDb, actor: Actor, input: ShipInput): Promise<ShipmentResult> {
  const data = shipInput.parse(input);
  return transact(db, actor, 'orders.ship', async (tx) => {
    let shipmentId = data.shipmentId;
    if (shipmentId === undefined) {
      shipmentId = await pickTx(tx, actor, await lockOrder(tx, data.orderId!), data.lines);
      await packTx(tx, actor, shipmentId);
    }
    await shipTx(tx, actor, shipmentId);
    return result(tx, shipmentId);
  });
}

/** Shipments still being picked or packed that hold any of these lines are void once the lines are cancelled. */
export async function cancelPendingShipments(tx: Tx, orderId: number, lineIds?: number[]): Promise<void> {
  const lineFilter = lineIds
    ? sql`AND id IN (SELECT shipment_id FROM shipment_lines WHERE order_line_id IN (${sql.raw(lineIds.map(Number).join(',') || 'NULL')}))`
    : sql``;
  await tx.execute(sql`UPDATE shipments SET state = 'cancelled' WHERE order_id = ${orderId} AND state IN ('picking', 'packed') ${lineFilter}`);
}
