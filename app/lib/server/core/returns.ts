import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import {
  createReturnInput,
  listReturnsInput,
  type CreateReturnInput,
  type CustomerReturn,
  type ListReturnsInput
} from '../../../../schemas/api/returns';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Db, Tx } from './db';
import { tables } from './db';
import { conflict, notFound } from './errors';
import { postDoneMoves } from './ledger';
import { warehouseLocations } from './locations';
import { allocate } from './reservation';
import { transact } from './transaction';

const { customerReturns, customerReturnLines, customers, products, salesOrders, salesOrderLines } = tables;

/**
 * Customer returns. Each line moves stock in from the warehouse's customer
 * location: into stock (restock), quality hold, or scrap. Restocked stock is
 * offered to backorders at once (allocate). Against an order, no product may
 * come back more than the order shipped of it, counting earlier returns.
 */
export async function createReturn(db: CoreDb, actor: Actor, input: CreateReturnInput): Promise<CustomerReturn> {
  const data = createReturnInput.parse(input);
  assertWarehouseScope(actor, data.warehouseId);
  return transact(db, actor, 'returns.create', async (tx) => {
    const loc = await warehouseLocations(tx, data.warehouseId);
    const [customer] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, data.customerId));
    if (!customer) throw notFound('customer', data.customerId);
    const productIds = [...new Set(data.lines.map((l) => l.productId))].sort((a, b) => a - b);
    const known = await tx.select({ id: products.id, sku: products.sku }).from(products).where(inArray(products.id, productIds));
    const missing = productIds.find((p) => !known.some((k) => k.id === p));
    if (missing !== undefined) throw notFound('product', missing);
    if (data.orderId !== null) {
      await checkAgainstOrder(tx, data.orderId, data.customerId, data.lines, new Map(known.map((k) => [k.id, k.sku])));
    }

    const [ret] = await tx
      .insert(customerReturns)
      .values({ customerId: data.customerId, warehouseId: data.warehouseId, orderId: data.orderId, reason: data.reason, actorId: actor.userId })
      .returning();
    const lines = await tx
      .insert(customerReturnLines)
      .values(data.lines.map((l) => ({ returnId: ret!.id, productId: l.productId, qty: l.qty, disposition: l.disposition })))
      .returning();
    await postDoneMoves(
      tx,
      actor,
      lines.map((l) => ({
        productId: l.productId,
        qty: l.qty,
        fromLocationId: loc.customer,
        toLocationId: l.disposition === 'restock' ? loc.stock : l.disposition === 'quality_hold' ? loc.quality_hold : loc.scrap,
        documentType: 'return' as const,
        documentId: ret!.id,
        documentLineId: l.id
      }))
    );
    const restocked = lines.filter((l) => l.disposition === 'restock').map((l) => l.productId);
    if (restocked.length > 0) await allocate(tx, data.warehouseId, restocked);
    return { ...ret!, lines: lines.map(({ returnId: _, ...l }) => l) };
  });
}

/**
 * The order must be the customer's, and per product what comes back (now and
 * before) cannot exceed what was shipped. The order row is locked so that two
 * returns against one order are checked one after the other.
 */
async function checkAgainstOrder(
  tx: Tx,
  orderId: number,
  customerId: number,
  lines: { productId: number; qty: number }[],
  skus: Map<number, string>
): Promise<void> {
  const [order] = await tx.select().from(salesOrders).where(eq(salesOrders.id, orderId)).for('update');
  if (!order) throw notFound('sales order', orderId);
  if (order.customerId !== customerId) throw conflict(`sales order ${orderId} belongs to another customer`);
  const shipped = await tx
    .select({ productId: salesOrderLines.productId, qty: sql<number>`sum(${salesOrderLines.shippedQty})::int` })
    .from(salesOrderLines)
    .where(eq(salesOrderLines.orderId, orderId))
    .groupBy(salesOrderLines.productId);
  const returned = await tx
    .select({ productId: customerReturnLines.productId, qty: sql<number>`sum(${customerReturnLines.qty})::int` })
    .from(customerReturnLines)
    .innerJoin(customerReturns, eq(customerReturns.id, customerReturnLines.returnId))
    .where(eq(customerReturns.orderId, orderId))
    .groupBy(customerReturnLines.productId);
  const wanted = new Map<number, number>();
  for (const l of lines) wanted.set(l.productId, (wanted.get(l.productId) ?? 0) + l.qty);
  for (const [productId, qty] of wanted) {
    const out = shipped.find((s) => s.productId === productId)?.qty ?? 0;
    const back = returned.find((r) => r.productId === productId)?.qty ?? 0;
    if (qty > out - back) {
      throw conflict(
        `cannot return ${qty} of ${skus.get(productId) ?? productId} against order ${orderId}: it shipped ${out}` +
          (back > 0 ? ` and ${back} already came back` : '')
      );
    }
  }
}

export async function getReturn(db: Db, id: number): Promise<CustomerReturn> {
  const [ret] = await db.select().from(customerReturns).where(eq(customerReturns.id, id));
  if (!ret) throw notFound('return', id);
  const lines = await db
    .select({ id: customerReturnLines.id, productId: customerReturnLines.productId, qty: customerReturnLines.qty, disposition: customerReturnLines.disposition })
    .from(customerReturnLines)
    .where(eq(customerReturnLines.returnId, id))
    .orderBy(asc(customerReturnLines.id));
  return { ...ret, lines };
}

/** Returns, newest first, with their lines; one page and the total. */
export async function listReturns(db: Db, input: ListReturnsInput = {}): Promise<{ items: CustomerReturn[]; total: number }> {
  const q = listReturnsInput.parse(input);
  const where: SQL[] = [];
  if (q.warehouseId) where.push(eq(customerReturns.warehouseId, q.warehouseId));
  if (q.customerId) where.push(eq(customerReturns.customerId, q.customerId));
  if (q.orderId) where.push(eq(customerReturns.orderId, q.orderId));
  const filter = and(...where);
  const [rows, total] = await Promise.all([
    db.select().from(customerReturns).where(filter).orderBy(desc(customerReturns.id)).limit(q.limit).offset(q.offset),
    db.$count(customerReturns, filter)
  ]);
  const ids = rows.map((r) => r.id);
  const lines = ids.length
    ? await db.select().from(customerReturnLines).where(inArray(customerReturnLines.returnId, ids)).orderBy(asc(customerReturnLines.id))
    : [];
  const items = rows.map((r) => ({
    ...r,
    lines: lines.filter((l) => l.returnId === r.id).map(({ returnId: _, ...l }) => l)
  }));
  return { items, total };
}
