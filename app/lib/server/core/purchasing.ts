import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import {
  createPurchaseOrderInput,
  listPurchaseOrdersInput,
  purchaseOrderRef,
  type CreatePurchaseOrderInput,
  type ListPurchaseOrdersInput,
  type PurchaseOrderOutput,
  type PurchaseOrderRef,
  type PurchaseOrderSummary
} from '../../../../schemas/api/purchasing';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Db, Tx } from './db';
import { tables } from './db';
import { conflict, invalid, notFound } from './errors';
import { createOpenMoves, openMoveOf, reduceOpenMove } from './ledger';
import { warehouseDate, warehouseLocations } from './locations';
import { transact } from './transaction';
import { businessNow } from '../../../../schemas/db/business-clock';

const { purchaseOrders, purchaseOrderLines, receipts, receiptLines, suppliers, supplierProducts, products, warehouses } = tables;

/**
 * Receiving policy: a supplier may deliver up to this much more than ordered
 * (per line, in total over all receipts); beyond it the receipt is refused.
 */
export const OVER_RECEIPT_TOLERANCE_PCT = 5;

/** The most a line may bring in total (accepted + rejected): ordered × (1 + tolerance), rounded down. */
export function maxReceivable(orderedQty: number): number {
  return Math.floor((orderedQty * (100 + OVER_RECEIPT_TOLERANCE_PCT)) / 100);
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type PurchaseOrderRow = typeof purchaseOrders.$inferSelect;

/** Locks a purchase order row for a state change (the document is the unit of serialisation). */
export async function lockPurchaseOrder(tx: Tx, id: number): Promise<PurchaseOrderRow> {
  const [po] = await tx.select().from(purchaseOrders).where(eq(purchaseOrders.id, id)).for('update');
  if (!po) throw notFound('purchase order', id);
  return po;
}

/**
 * Inserts a draft purchase order (used by create and by the reorder run). Unit
 * costs and the default expected date come from the supplier's product terms.
 */
export async function insertPurchaseOrder(tx: Tx, actor: Actor, input: CreatePurchaseOrderInput, fromReorder = false): Promise<number> {
  const data = createPurchaseOrderInput.parse(input);
  assertWarehouseScope(actor, data.warehouseId);
  const [supplier] = await tx.select().from(suppliers).where(eq(suppliers.id, data.supplierId));
  if (!supplier) throw invalid('unknown supplier', { supplierId: ['does not exist'] });
  const [warehouse] = await tx.select({ id: warehouses.id }).from(warehouses).where(eq(warehouses.id, data.warehouseId));
  if (!warehouse) throw invalid('unknown warehouse', { warehouseId: ['does not exist'] });

  const productIds = data.lines.map((l) => l.productId);
  const terms = await tx
    .select({ productId: products.id, active: products.active, costMinor: supplierProducts.costMinor, leadTimeDays: supplierProducts.leadTimeDays })
    .from(products)
    .leftJoin(supplierProducts, and(eq(supplierProducts.productId, products.id), eq(supplierProducts.supplierId, data.supplierId)))
    .where(inArray(products.id, productIds));
  const byProduct = new Map(terms.map((t) => [t.productId, t]));
  const fieldErrors: Record<string, string[]> = {};
  data.lines.forEach((l, i) => {
    const t = byProduct.get(l.productId);
    if (!t) fieldErrors[`lines.${i}.productId`] = ['does not exist'];
    else if (!t.active) fieldErrors[`lines.${i}.productId`] = ['is not active'];
    else if (t.costMinor === null) fieldErrors[`lines.${i}.productId`] = [`is not supplied by ${supplier.code}`];
  });
  if (Object.keys(fieldErrors).length) throw invalid('some lines cannot be ordered from this supplier', fieldErrors);

  const leadTime = Math.max(...data.lines.map((l) => byProduct.get(l.productId)!.leadTimeDays ?? 0));
  const expectedDate = data.expectedDate ?? (await warehouseDate(tx, data.warehouseId, leadTime));
  const [po] = await tx
    .insert(purchaseOrders)
    .values({ supplierId: data.supplierId, warehouseId: data.warehouseId, expectedDate, fromReorder, createdBy: actor.userId })
    .returning({ id: purchaseOrders.id });
  await tx.insert(purchaseOrderLines).values(
    data.lines.map((l) => ({
      purchaseOrderId: po!.id,
      productId: l.productId,
      orderedQty: l.qty,
      unitCostMinor: l.unitCostMinor ?? byProduct.get(l.productId)!.costMinor!
    }))
  );
  return po!.id;
}

/** A draft purchase order: nothing is scheduled until it is sent. */
export async function createPurchaseOrder(db: CoreDb, actor: Actor, input: CreatePurchaseOrderInput): Promise<PurchaseOrderOutput> {
  return transact(db, actor, 'purchasing.create', async (tx) => getPurchaseOrder(tx, await insertPurchaseOrder(tx, actor, input)));
}

/** draft → sent: each line becomes an open move supplier → stock at the expected date (incoming). */
export async function sendPurchaseOrder(db: CoreDb, actor: Actor, input: PurchaseOrderRef): Promise<PurchaseOrderOutput> {
  const { purchaseOrderId } = purchaseOrderRef.parse(input);
  return transact(db, actor, 'purchasing.send', async (tx) => {
    const po = await lockPurchaseOrder(tx, purchaseOrderId);
    assertWarehouseScope(actor, po.warehouseId);
    if (po.state !== 'draft') throw conflict(`purchase order ${po.id} is ${po.state}; only a draft can be sent`);
    const loc = await warehouseLocations(tx, po.warehouseId);
    const lines = await tx.select().from(purchaseOrderLines).where(eq(purchaseOrderLines.purchaseOrderId, po.id)).orderBy(asc(purchaseOrderLines.id));
    await createOpenMoves(
      tx,
      actor,
      lines.map((l) => ({
        productId: l.productId,
        qty: l.orderedQty,
        fromLocationId: loc.supplier,
        toLocationId: loc.stock,
        documentType: 'purchase_order' as const,
        documentId: po.id,
        documentLineId: l.id,
        scheduledDate: po.expectedDate,
        state: 'confirmed' as const
      }))
    );
    await tx.update(purchaseOrders).set({ state: 'sent', sentAt: businessNow }).where(eq(purchaseOrders.id, po.id));
    return getPurchaseOrder(tx, po.id);
  });
}

/** sent / partially received → closed: what is still expected is cancelled (no longer incoming). */
export async function closePurchaseOrder(db: CoreDb, actor: Actor, input: PurchaseOrderRef): Promise<PurchaseOrderOutput> {
  const { purchaseOrderId } = purchaseOrderRef.parse(input);
  return transact(db, actor, 'purchasing.close', async (tx) => {
    const po = await lockPurchaseOrder(tx, purchaseOrderId);
    assertWarehouseScope(actor, po.warehouseId);
    if (po.state !== 'sent' && po.state !== 'partially_received') {
      throw conflict(`purchase order ${po.id} is ${po.state}; only a sent or partially received order can be closed`);
    }
    const lines = await tx.select().from(purchaseOrderLines).where(eq(purchaseOrderLines.purchaseOrderId, po.id)).orderBy(asc(purchaseOrderLines.id));
    for (const line of lines) {
      const open = await openMoveOf(tx, 'purchase_order', line.id);
      if (open) await reduceOpenMove(tx, open.id, open.qty, open);
    }
    await tx.update(purchaseOrders).set({ state: 'closed', closedAt: businessNow }).where(eq(purchaseOrders.id, po.id));
    return getPurchaseOrder(tx, po.id);
  });
}

/** draft → cancelled (a sent order is closed instead). */
export async function cancelPurchaseOrder(db: CoreDb, actor: Actor, input: PurchaseOrderRef): Promise<PurchaseOrderOutput> {
  const { purchaseOrderId } = purchaseOrderRef.parse(input);
  return transact(db, actor, 'purchasing.cancel', async (tx) => {
    const po = await lockPurchaseOrder(tx, purchaseOrderId);
    assertWarehouseScope(actor, po.warehouseId);
    if (po.state !== 'draft') throw conflict(`purchase order ${po.id} is ${po.state}; only a draft can be cancelled (close a sent order)`);
    await tx.update(purchaseOrders).set({ state: 'cancelled', closedAt: businessNow }).where(eq(purchaseOrders.id, po.id));
    return getPurchaseOrder(tx, po.id);
  });
}

/** A purchase order with its lines and receipts. */
export async function getPurchaseOrder(db: Db, id: number): Promise<PurchaseOrderOutput> {
  const [po] = await db.select().from(purchaseOrders).where(eq(purchaseOrders.id, id));
  if (!po) throw notFound('purchase order', id);
  const lines = await db
    .select({ line: purchaseOrderLines, sku: products.sku })
    .from(purchaseOrderLines)
    .innerJoin(products, eq(products.id, purchaseOrderLines.productId))
    .where(eq(purchaseOrderLines.purchaseOrderId, id))
    .orderBy(asc(purchaseOrderLines.id));
  const receiptRows = await db.select().from(receipts).where(eq(receipts.purchaseOrderId, id)).orderBy(asc(receipts.id));
  const receiptLineRows = receiptRows.length
    ? await db
        .select()
        .from(receiptLines)
        .where(inArray(receiptLines.receiptId, receiptRows.map((r) => r.id)))
        .orderBy(asc(receiptLines.id))
    : [];
  return {
    ...summary(po, lines.length, lines.reduce((s, { line }) => s + line.orderedQty * line.unitCostMinor, 0)),
    lines: lines.map(({ line, sku }) => ({
      id: line.id,
      productId: line.productId,
      sku,
      orderedQty: line.orderedQty,
      receivedQty: line.receivedQty,
      rejectedQty: line.rejectedQty,
      openQty: isOpen(po.state) ? Math.max(0, line.orderedQty - line.receivedQty - line.rejectedQty) : 0,
      unitCostMinor: line.unitCostMinor
    })),
    receipts: receiptRows.map((r) => ({
      id: r.id,
      receivedAt: r.receivedAt.toISOString(),
      onTime: r.onTime,
      inFull: r.inFull,
      lines: receiptLineRows
        .filter((l) => l.receiptId === r.id)
        .map((l) => ({ purchaseOrderLineId: l.purchaseOrderLineId, acceptedQty: l.acceptedQty, rejectedQty: l.rejectedQty }))
    }))
  };
}

const isOpen = (state: PurchaseOrderRow['state']) => state === 'draft' || state === 'sent' || state === 'partially_received';

function summary(po: PurchaseOrderRow, lineCount: number, totalMinor: number): PurchaseOrderSummary {
  return {
    id: po.id,
    supplierId: po.supplierId,
    warehouseId: po.warehouseId,
    state: po.state,
    expectedDate: po.expectedDate,
    fromReorder: po.fromReorder,
    createdAt: po.createdAt.toISOString(),
    sentAt: iso(po.sentAt),
    closedAt: iso(po.closedAt),
    totalMinor,
    lineCount
  };
}

/** Purchase orders, newest first, filtered by warehouse, supplier and state. */
export async function listPurchaseOrders(db: Db, input: ListPurchaseOrdersInput = {}): Promise<PurchaseOrderSummary[]> {
  const filter = listPurchaseOrdersInput.parse(input);
  const where: SQL[] = [];
  if (filter.warehouseId !== undefined) where.push(eq(purchaseOrders.warehouseId, filter.warehouseId));
  if (filter.supplierId !== undefined) where.push(eq(purchaseOrders.supplierId, filter.supplierId));
  if (filter.state !== undefined) where.push(eq(purchaseOrders.state, filter.state));
  const rows = await db
    .select({
      po: purchaseOrders,
      lineCount: sql<number>`(SELECT count(*)::int FROM purchase_order_lines l WHERE l.purchase_order_id = ${purchaseOrders.id})`,
      totalMinor: sql<number>`(SELECT coalesce(sum(l.ordered_qty * l.unit_cost_minor), 0)::bigint FROM purchase_order_lines l WHERE l.purchase_order_id = ${purchaseOrders.id})`
    })
    .from(purchaseOrders)
    .where(and(...where))
    .orderBy(desc(purchaseOrders.id))
    .limit(filter.limit);
  return rows.map((r) => summary(r.po, Number(r.lineCount), Number(r.totalMinor)));
}
