import { asc, eq, sql } from 'drizzle-orm';
import { receivePurchaseOrderInput, type ReceivePurchaseOrderInput, type ReceiveResult } from '../../../../schemas/api/purchasing';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb } from './db';
import { tables } from './db';
import { conflict, invalid } from './errors';
import type { MoveInput, OpenMove } from './ledger';
import { warehouseLocations, type WarehouseLocations } from './locations';
import { warehouseDate } from './locations';
import { lockOpenMovesOf, MoveBatch } from './move-completion';
import { getPurchaseOrder, lockPurchaseOrder, maxReceivable, OVER_RECEIPT_TOLERANCE_PCT } from './purchasing';
import { allocate } from './reservation';
import { transact } from './transaction';

const { purchaseOrderLines, receipts, receiptLines, products } = tables;

type PurchaseOrderLine = typeof purchaseOrderLines.$inferSelect;

/**
 * Receives a delivery against a sent purchase order. Accepted units complete the
 * line's open move into stock, rejected ones go into quality hold; a delivery
 * beyond the ordered quantity is allowed up to OVER_RECEIPT_TOLERANCE_PCT and is
 * posted as an extra done move. The receipt records whether it came on time (on or
 * before the expected date, warehouse calendar) and in full (after it, every line
 * has its ordered quantity accepted). Backorders at the warehouse are then reserved.
 */
export async function receivePurchaseOrder(db: CoreDb, actor: Actor, input: ReceivePurchaseOrderInput): Promise<ReceiveResult> {
  const data = receivePurchaseOrderInput.parse(input);
  return transact(db, actor, 'purchasing.receive', async (tx) => {
    const po = await lockPurchaseOrder(tx, data.purchaseOrderId);
    assertWarehouseScope(actor, po.warehouseId);
    if (po.state !== 'sent' && po.state !== 'partially_received') {
      throw conflict(`purchase order ${po.id} is ${po.state}; only a sent or partially received order can be received`);
    }
    const lines = await tx
      .select({ line: purchaseOrderLines, sku: products.sku })
      .from(purchaseOrderLines)
      .innerJoin(products, eq(products.id, purchaseOrderLines.productId))
      .where(eq(purchaseOrderLines.purchaseOrderId, po.id))
      .orderBy(asc(purchaseOrderLines.id))
      .for('update', { of: purchaseOrderLines });
    const byId = new Map(lines.map((l) => [l.line.id, l]));

    const fieldErrors: Record<string, string[]> = {};
    data.lines.forEach((l, i) => {
      if (!byId.has(l.lineId)) fieldErrors[`lines.${i}.lineId`] = [`is not a line of purchase order ${po.id}`];
    });
    if (Object.keys(fieldErrors).length) throw invalid('unknown purchase order lines', fieldErrors);
    for (const l of data.lines) {
      const { line, sku } = byId.get(l.lineId)!;
      const total = line.receivedQty + line.rejectedQty + l.acceptedQty + l.rejectedQty;
      if (total > maxReceivable(line.orderedQty)) {
        throw conflict(
          `over-receipt refused: ${sku} would reach ${total} received of ${line.orderedQty} ordered; ` +
            `at most ${maxReceivable(line.orderedQty)} (${OVER_RECEIPT_TOLERANCE_PCT}% tolerance)`
        );
      }
    }

    const loc = await warehouseLocations(tx, po.warehouseId);
    const today = await warehouseDate(tx, po.warehouseId);
    const updated = new Map<number, PurchaseOrderLine>(lines.map((l) => [l.line.id, l.line]));
    const delivery = [...data.lines].sort((a, b) => a.lineId - b.lineId);
    const open = await lockOpenMovesOf(tx, 'purchase_order', delivery.map((l) => l.lineId));
    const batch = new MoveBatch(actor, open.values());
    for (const l of delivery) {
      const line = updated.get(l.lineId)!;
      planReceiptMoves(batch, po.id, line, open.get(line.id), l.acceptedQty, l.rejectedQty, loc);
      updated.set(line.id, { ...line, receivedQty: line.receivedQty + l.acceptedQty, rejectedQty: line.rejectedQty + l.rejectedQty });
    }
    await batch.write(tx);
    const next = delivery.map((l) => updated.get(l.lineId)!);
    await tx.execute(sql`
      UPDATE purchase_order_lines l SET received_qty = v.received_qty, rejected_qty = v.rejected_qty
      FROM unnest(${sql.param(next.map((l) => l.id))}::bigint[], ${sql.param(next.map((l) => l.receivedQty))}::int[],
                  ${sql.param(next.map((l) => l.rejectedQty))}::int[]) AS v(id, received_qty, rejected_qty)
      WHERE l.id = v.id`);

    const all = [...updated.values()];
    const delivered = all.every((l) => l.receivedQty + l.rejectedQty >= l.orderedQty);
    const inFull = all.every((l) => l.receivedQty >= l.orderedQty);
    const onTime = today <= po.expectedDate;
    const [receipt] = await tx.insert(receipts).values({ purchaseOrderId: po.id, onTime, inFull, actorId: actor.userId }).returning();
    await tx.insert(receiptLines).values(
      data.lines.map((l) => ({ receiptId: receipt!.id, purchaseOrderLineId: l.lineId, acceptedQty: l.acceptedQty, rejectedQty: l.rejectedQty }))
    );
    await tx
      .update(tables.purchaseOrders)
      .set({ state: delivered ? 'received' : 'partially_received' })
      .where(eq(tables.purchaseOrders.id, po.id));

    const arrived = data.lines.filter((l) => l.acceptedQty > 0).map((l) => updated.get(l.lineId)!.productId);
    if (arrived.length) await allocate(tx, po.warehouseId, arrived);

    const purchaseOrder = await getPurchaseOrder(tx, po.id);
    return { receipt: purchaseOrder.receipts.find((r) => r.id === receipt!.id)!, purchaseOrder };
  });
}

/**
 * Plans one line of a delivery: what the open move still expects is completed
 * (accepted into stock first, then rejected into quality hold); anything beyond
 * it (an over-receipt within tolerance) is a new done move from the supplier.
 */
function planReceiptMoves(
  batch: MoveBatch,
  purchaseOrderId: number,
  line: PurchaseOrderLine,
  open: OpenMove | undefined,
  accepted: number,
  rejected: number,
  loc: WarehouseLocations
): void {
  let openQty = open?.qty ?? 0;
  const acceptedFromOpen = Math.min(accepted, openQty);
  if (acceptedFromOpen > 0) {
    batch.complete(open!.id, acceptedFromOpen);
    openQty -= acceptedFromOpen;
  }
  const rejectedFromOpen = Math.min(rejected, openQty);
  if (rejectedFromOpen > 0) {
    batch.complete(open!.id, rejectedFromOpen, loc.quality_hold);
    openQty -= rejectedFromOpen;
  }
  const extra: MoveInput[] = [];
  const base = { productId: line.productId, fromLocationId: loc.supplier, documentType: 'purchase_order' as const, documentId: purchaseOrderId, documentLineId: line.id };
  if (accepted > acceptedFromOpen) extra.push({ ...base, qty: accepted - acceptedFromOpen, toLocationId: loc.stock });
  if (rejected > rejectedFromOpen) extra.push({ ...base, qty: rejected - rejectedFromOpen, toLocationId: loc.quality_hold });
  batch.postDone(extra);
}
