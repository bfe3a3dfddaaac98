import { and, eq, inArray, sql } from 'drizzle-orm';
import { cancelLineInput, orderIdInput, type CancelLineInput, type OrderDetail, type OrderIdInput } from '../../../../schemas/api/orders';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Tx } from './db';
import { tables } from './db';
import { conflict, invalid } from './errors';
import { applyBalanceDeltas, reduceOpenMove } from './ledger';
import type { LockedOrder } from './order-lock';
import { lockOrder } from './order-lock';
import { getOrder, orderLines } from './orders';
import { allocate } from './reservation';
import { cancelPendingShipments, lockLinesWithBalances } from './shipments';
import { transact } from './transaction';

const { stockMoves } = tables;

const CANCELLABLE = new Set(['draft', 'awaiting_approval', 'confirmed']);

/**
 * Cancels what is still to ship on the given lines: their reservations are
 * released, their open moves cancelled, shipments being picked for them voided,
 * and the freed stock goes to waiting backorders (allocate).
 */
async function cancelRemainders(tx: Tx, locked: LockedOrder, lineIds: number[]): Promise<void> {
  const { order } = locked;
  const lines = (await lockLinesWithBalances(tx, locked, lineIds)).filter((l) => l.backorderedQty > 0);
  if (lines.length === 0) return;
  const ids = lines.map((l) => l.id);
  if (order.state === 'confirmed') {
    await applyBalanceDeltas(
      tx,
      lines.map((l) => ({ productId: l.productId, locationId: locked.stockLocationId, onHand: 0, reserved: -l.reservedQty }))
    );
    const moves = await tx
      .select()
      .from(stockMoves)
      .where(
        and(
          eq(stockMoves.documentType, 'sales_order'),
          eq(stockMoves.documentId, order.id),
          inArray(stockMoves.state, ['confirmed', 'reserved']),
          inArray(stockMoves.documentLineId, ids)
        )
      )
      .orderBy(stockMoves.id)
      .for('update');
    for (const move of moves) await reduceOpenMove(tx, move.id, move.qty, move);
  }
  await tx.execute(sql`
    UPDATE sales_order_lines
    SET cancelled_qty = cancelled_qty + backordered_qty, backordered_qty = 0, reserved_qty = 0
    WHERE id IN (${sql.raw(ids.map(Number).join(','))})`);
  await cancelPendingShipments(tx, order.id, ids);
  if (order.state === 'confirmed') await allocate(tx, order.warehouseId, lines.map((l) => l.productId));
}

/** An order with nothing left to ship is closed: done when anything shipped, else cancelled. */
async function closeIfSettled(tx: Tx, orderId: number): Promise<void> {
  await tx.execute(sql`
    UPDATE sales_orders o
    SET state = CASE WHEN EXISTS (SELECT 1 FROM sales_order_lines WHERE order_id = o.id AND shipped_qty > 0)
                     THEN 'done'::sales_order_state ELSE 'cancelled'::sales_order_state END,
        cancelled_at = business_now()
    WHERE o.id = ${orderId} AND NOT EXISTS (SELECT 1 FROM sales_order_lines WHERE order_id = o.id AND backordered_qty > 0)`);
}

/**
 * Cancels an order: a draft or an order awaiting approval just becomes
 * cancelled; a confirmed order cancels every line's remainder and releases its
 * reservations (a partly shipped order is then done). A done or cancelled
 * order cannot be cancelled.
 */
export async function cancelOrder(db: CoreDb, actor: Actor, input: OrderIdInput): Promise<OrderDetail> {
  const { orderId } = orderIdInput.parse(input);
  return transact(db, actor, 'orders.cancel', async (tx) => {
    const locked = await lockOrder(tx, orderId);
    assertWarehouseScope(actor, locked.order.warehouseId);
    if (!CANCELLABLE.has(locked.order.state)) throw conflict(`order ${orderId} is ${locked.order.state}; it cannot be cancelled`);
    const lines = await orderLines(tx, orderId);
    await cancelRemainders(tx, locked, lines.map((l) => l.id));
    await closeIfSettled(tx, orderId);
    return getOrder(tx, orderId);
  });
}

/** Cancels what is left to ship on one line; the order closes when nothing is left on any line. */
export async function cancelOrderLine(db: CoreDb, actor: Actor, input: CancelLineInput): Promise<OrderDetail> {
  const data = cancelLineInput.parse(input);
  return transact(db, actor, 'orders.cancelLine', async (tx) => {
    const locked = await lockOrder(tx, data.orderId);
    assertWarehouseScope(actor, locked.order.warehouseId);
    if (!CANCELLABLE.has(locked.order.state)) throw conflict(`order ${data.orderId} is ${locked.order.state}; its lines cannot be cancelled`);
    const lines = await orderLines(tx, data.orderId);
    const line = data.lineId !== undefined ? lines.find((l) => l.id === data.lineId) : lines.find((l) => l.lineNo === data.lineNo);
    if (!line) throw invalid('unknown order line', { lineId: [`order ${data.orderId} has no such line`] });
    if (line.backorderedQty === 0) throw conflict(`line ${line.lineNo} has nothing left to cancel`);
    await cancelRemainders(tx, locked, [line.id]);
    await closeIfSettled(tx, data.orderId);
    return getOrder(tx, data.orderId);
  });
}
