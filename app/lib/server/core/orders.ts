import { and, asc, desc, eq, getTableColumns, inArray, lt, sql, type SQL } from 'drizzle-orm';
import {
  createOrderInput,
  listOrdersInput,
  orderIdInput,
  rejectOrderInput,
  type CreateOrderInput,
  type Invoice,
  type ListOrdersInput,
  type OrderDetail,
  type OrderIdInput,
  type OrderLine,
  type OrderListItem,
  type OrderSummary,
  type RejectOrderInput,
  type Shipment
} from '../../../../schemas/api/orders';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Db } from './db';
import { tables } from './db';
import { conflict, invalid, notFound } from './errors';
import { activateOrder, APPROVAL_DISCOUNT_BP, approvalReasons, assertMayApprove } from './order-approval';
import { lockOrder, type LineRow, type OrderRow } from './order-lock';
import { transact } from './transaction';
import { businessNow } from '../../../../schemas/db/business-clock';

const { salesOrders, salesOrderLines, customerPrices, products, shipments, shipmentLines, invoices } = tables;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toSummary(o: OrderRow): OrderSummary {
  return { ...o, approvedAt: iso(o.approvedAt), createdAt: o.createdAt.toISOString(), confirmedAt: iso(o.confirmedAt), cancelledAt: iso(o.cancelledAt) };
}

export function toLine(l: LineRow): OrderLine {
  const { orderId: _orderId, ...rest } = l;
  return { ...rest, backorderedSince: iso(l.backorderedSince) };
}

export function toInvoice(i: typeof invoices.$inferSelect): Invoice {
  return { ...i, issuedAt: i.issuedAt.toISOString() };
}

function detail(o: OrderRow, lines: LineRow[], ships: Shipment[] = [], invs: Invoice[] = []): OrderDetail {
  return { ...toSummary(o), lines: lines.map(toLine), shipments: ships, invoices: invs };
}

export async function orderLines(db: Db, orderId: number): Promise<LineRow[]> {
  return db.select().from(salesOrderLines).where(eq(salesOrderLines.orderId, orderId)).orderBy(asc(salesOrderLines.lineNo));
}

/**
 * A draft order. Unit prices: the customer's contract price, else the list
 * price; quantities in packs are converted to base units with the product's
 * pack sizes.
 */
export async function createOrder(db: CoreDb, actor: Actor, input: CreateOrderInput): Promise<OrderDetail> {
  const data = createOrderInput.parse(input);
  assertWarehouseScope(actor, data.warehouseId);
  return transact(db, actor, 'orders.create', async (tx) => {
    const refs = await tx.execute<{ customer: boolean; warehouse: boolean }>(sql`
      SELECT EXISTS (SELECT 1 FROM customers WHERE id = ${data.customerId}) AS customer,
             EXISTS (SELECT 1 FROM warehouses WHERE id = ${data.warehouseId}) AS warehouse`);
    const fieldErrors: Record<string, string[]> = {};
    if (!refs.rows[0]?.customer) fieldErrors.customerId = [`customer ${data.customerId} does not exist`];
    if (!refs.rows[0]?.warehouse) fieldErrors.warehouseId = [`warehouse ${data.warehouseId} does not exist`];
    const productIds = [...new Set(data.lines.map((l) => l.productId))];
    const found = await tx
      .select({ id: products.id, sku: products.sku, active: products.active, packSizes: products.packSizes, listPrice: products.priceMinor, contractPrice: customerPrices.priceMinor })
      .from(products)
      .leftJoin(customerPrices, and(eq(customerPrices.productId, products.id), eq(customerPrices.customerId, data.customerId)))
      .where(inArray(products.id, productIds));
    const byId = new Map(found.map((p) => [p.id, p]));
    const lines = data.lines.map((l, i) => {
      const p = byId.get(l.productId);
      const err = (field: string, msg: string) => {
        (fieldErrors[`lines.${i}.${field}`] ??= []).push(msg);
        return undefined;
      };
      if (!p) return err('productId', `product ${l.productId} does not exist`);
      if (!p.active) return err('productId', `product ${p.sku} is inactive`);
      let qty = l.qty;
      if (l.pack !== undefined) {
        const pack = p.packSizes.find((s) => s.name.toLowerCase() === l.pack!.toLowerCase());
        if (!pack) {
          const known = p.packSizes.map((s) => `${s.name} (${s.qty})`).join(', ') || 'none';
          return err('pack', `product ${p.sku} has no pack "${l.pack}"; its packs: ${known}`);
        }
        qty = l.qty * pack.qty;
      }
      if (qty > 2_000_000_000) return err('qty', 'is too large');
      return { lineNo: i + 1, productId: p.id, orderedQty: qty, backorderedQty: qty, unitPriceMinor: p.contractPrice ?? p.listPrice };
    });
    if (Object.keys(fieldErrors).length > 0) throw invalid('the order is not valid', fieldErrors);
    const [order] = await tx
      .insert(salesOrders)
      .values({
        customerId: data.customerId,
        warehouseId: data.warehouseId,
        priority: data.priority,
        discountBp: data.discountBp,
        requestedDate: data.requestedDate ?? null,
        createdBy: actor.userId
      })
      .returning();
    const inserted = await tx
      .insert(salesOrderLines)
      .values(lines.map((l) => ({ ...l!, orderId: order!.id })))
      .returning();
    return detail(order!, inserted.sort((a, b) => a.lineNo - b.lineNo));
  });
}

/**
 * Confirms a draft. When a discount or credit rule demands it the order waits
 * for approval and reserves nothing; otherwise it reserves and promises.
 */
export async function confirmOrder(db: CoreDb, actor: Actor, input: OrderIdInput): Promise<OrderDetail> {
  const { orderId } = orderIdInput.parse(input);
  return transact(db, actor, 'orders.confirm', async (tx) => {
    const locked = await lockOrder(tx, orderId, { lines: true, exposure: true, confirmIfClear: { maxDiscountBp: APPROVAL_DISCOUNT_BP } });
    const lines = locked.lines;
    assertWarehouseScope(actor, locked.order.warehouseId);
    if (locked.confirmedAt) {
      const done = await activateOrder(tx, actor, locked, lines);
      return detail(done.order, done.lines);
    }
    if (locked.order.state !== 'draft') throw conflict(`order ${orderId} is ${locked.order.state}; only a draft can be confirmed`);
    if (!lines.some((l) => l.backorderedQty > 0)) throw conflict(`order ${orderId} has nothing left to confirm`);
    const reasons = approvalReasons(locked, lines);
    if (reasons.length > 0) {
      const approvalReason = reasons.join('; ');
      await tx.update(salesOrders).set({ state: 'awaiting_approval', approvalReason }).where(eq(salesOrders.id, orderId));
      return detail({ ...locked.order, state: 'awaiting_approval', approvalReason }, lines);
    }
    const done = await activateOrder(tx, actor, locked, lines);
    return detail(done.order, done.lines);
  });
}

/** An approver releases an order waiting for approval: it is confirmed, reserves and promises. */
export async function approveOrder(db: CoreDb, actor: Actor, input: OrderIdInput): Promise<OrderDetail> {
  const { orderId } = orderIdInput.parse(input);
  assertMayApprove(actor);
  return transact(db, actor, 'orders.approve', async (tx) => {
    const locked = await lockOrder(tx, orderId, { lines: true });
    if (locked.order.state !== 'awaiting_approval') throw conflict(`order ${orderId} is ${locked.order.state}; only an order awaiting approval can be approved`);
    const done = await activateOrder(tx, actor, locked, locked.lines, { approvedBy: actor.userId });
    return detail(done.order, done.lines);
  });
}

/** An approver turns an order waiting for approval down: it is cancelled. */
export async function rejectOrder(db: CoreDb, actor: Actor, input: RejectOrderInput): Promise<OrderDetail> {
  const { orderId, reason } = rejectOrderInput.parse(input);
  assertMayApprove(actor);
  return transact(db, actor, 'orders.reject', async (tx) => {
    const locked = await lockOrder(tx, orderId);
    if (locked.order.state !== 'awaiting_approval') throw conflict(`order ${orderId} is ${locked.order.state}; only an order awaiting approval can be rejected`);
    const approvalReason = `${locked.order.approvalReason ?? ''} — rejected by ${actor.name}${reason ? `: ${reason}` : ''}`.trim();
    const [order] = await tx
      .update(salesOrders)
      .set({ state: 'cancelled', cancelledAt: businessNow, approvalReason })
      .where(eq(salesOrders.id, orderId))
      .returning();
    const lines = await tx
      .update(salesOrderLines)
      .set({ cancelledQty: sql`${salesOrderLines.cancelledQty} + ${salesOrderLines.backorderedQty}`, backorderedQty: 0 })
      .where(eq(salesOrderLines.orderId, orderId))
      .returning();
    return detail(order!, lines.sort((a, b) => a.lineNo - b.lineNo));
  });
}

/** An order with its lines, shipments (with their lines) and invoices. */
export async function getOrder(db: Db, orderId: number): Promise<OrderDetail> {
  const { orderId: id } = orderIdInput.parse({ orderId });
  const [order] = await db.select().from(salesOrders).where(eq(salesOrders.id, id));
  if (!order) throw notFound('order', id);
  const lines = await orderLines(db, id);
  const ships = await db.select().from(shipments).where(eq(shipments.orderId, id)).orderBy(asc(shipments.id));
  const shipLines = ships.length
    ? await db.select().from(shipmentLines).where(inArray(shipmentLines.shipmentId, ships.map((s) => s.id))).orderBy(asc(shipmentLines.id))
    : [];
  const invs = await db.select().from(invoices).where(eq(invoices.orderId, id)).orderBy(asc(invoices.id));
  const shipmentsOut: Shipment[] = ships.map((s) => ({
    ...s,
    pickedAt: s.pickedAt.toISOString(),
    packedAt: iso(s.packedAt),
    shippedAt: iso(s.shippedAt),
    lines: shipLines.filter((l) => l.shipmentId === s.id).map(({ id: lineId, orderLineId, qty }) => ({ id: lineId, orderLineId, qty }))
  }));
  return detail(order, lines, shipmentsOut, invs.map(toInvoice));
}

/** Orders newest first, filtered by state, customer and warehouse; page with beforeId. */
export async function listOrders(db: Db, input: ListOrdersInput = {}): Promise<OrderListItem[]> {
  const f = listOrdersInput.parse(input);
  const where: SQL[] = [];
  if (f.state) where.push(eq(salesOrders.state, f.state));
  if (f.customerId) where.push(eq(salesOrders.customerId, f.customerId));
  if (f.warehouseId) where.push(eq(salesOrders.warehouseId, f.warehouseId));
  if (f.beforeId) where.push(lt(salesOrders.id, f.beforeId));
  const rows = await db
    .select({
      ...getTableColumns(salesOrders),
      lineCount: sql<string>`(SELECT count(*) FROM sales_order_lines l WHERE l.order_id = sales_orders.id)`,
      grossMinor: sql<string>`(SELECT coalesce(sum(l.ordered_qty::bigint * l.unit_price_minor), 0) FROM sales_order_lines l WHERE l.order_id = sales_orders.id)`
    })
    .from(salesOrders)
    .where(and(...where))
    .orderBy(desc(salesOrders.id))
    .limit(f.limit);
  return rows.map(({ lineCount, grossMinor, ...o }) => ({ ...toSummary(o), lineCount: Number(lineCount), grossMinor: Number(grossMinor) }));
}
