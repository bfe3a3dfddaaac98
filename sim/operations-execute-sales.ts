import { sql } from 'drizzle-orm';
import { payInvoice } from '../app/lib/server/core/invoices';
import { approveOrder, confirmOrder, createOrder, rejectOrder } from '../app/lib/server/core/orders';
import { createReturn } from '../app/lib/server/core/returns';
import { packShipment, pickOrder, ship } from '../app/lib/server/core/shipments';
import { DAY_MS } from './clock';
import type { ExecContext } from './executor';
import type { OrderApprovalsOperation, OrderOperation, PaymentsOperation, ReturnOperation, ShipWaveOperation } from './operations-types';
import { Random } from './random';

/** Share of orders a wave picks only in part (a line or half a line left for later). */
const PARTIAL_PICK_CHANCE = 0.05;
/** How many recent shipments a return may be against. */
const RETURN_WINDOW = 50;

async function rows<T>(ctx: ExecContext, query: ReturnType<typeof sql>): Promise<T[]> {
  return (await ctx.db.execute(query)).rows as T[];
}

/** Sales enters the order and confirms it (it reserves, or waits for approval). */
export async function executeOrder(ctx: ExecContext, op: OrderOperation): Promise<void> {
  const sales = ctx.users.actors.sales;
  const order = await ctx.attempt('orders.create', () =>
    createOrder(ctx.db, sales, {
      customerId: ctx.id('customers', op.customer),
      warehouseId: ctx.id('warehouses', op.warehouse),
      priority: op.priority,
      discountBp: op.discountBp,
      lines: op.lines.map((l) => ({ productId: ctx.id('products', l.sku), qty: l.qty, ...(l.pack ? { pack: l.pack } : {}) }))
    })
  );
  if (!order) return;
  const confirmed = await ctx.attempt('orders.confirm', () => confirmOrder(ctx.db, sales, { orderId: order.id }));
  if (confirmed?.state === 'awaiting_approval') ctx.note('orders.awaiting_approval');
  else if (confirmed?.lines.some((l) => l.reservedQty < l.backorderedQty)) ctx.note('orders.short_at_confirmation');
}

/**
 * The lead finishes shipments left half done, then picks, packs and ships the
 * reserved orders, highest priority and oldest first, up to the wave's capacity.
 * Now and then an order is picked only in part: the rest stays as a backorder.
 */
export async function executeShipWave(ctx: ExecContext, op: ShipWaveOperation): Promise<void> {
  const lead = ctx.lead(op.warehouse);
  const warehouseId = ctx.id('warehouses', op.warehouse);
  const rng = Random.fromSeed(op.salt);
  const pending = await rows<{ id: number; state: string }>(
    ctx,
    sql`SELECT s.id, s.state FROM shipments s JOIN sales_orders o ON o.id = s.order_id
        WHERE o.warehouse_id = ${warehouseId} AND s.state IN ('picking', 'packed') ORDER BY s.id`
  );
  for (const s of pending) {
    if (s.state === 'picking' && !(await ctx.attempt('orders.pack', () => packShipment(ctx.db, lead, { shipmentId: Number(s.id) })))) continue;
    await shipShipment(ctx, lead, Number(s.id), op.at);
  }
  const due = await rows<{ id: number }>(
    ctx,
    sql`SELECT o.id FROM sales_orders o
        WHERE o.warehouse_id = ${warehouseId} AND o.state = 'confirmed'
          AND EXISTS (SELECT 1 FROM sales_order_lines l WHERE l.order_id = o.id AND l.reserved_qty > 0)
        ORDER BY o.priority DESC, o.confirmed_at, o.id LIMIT ${op.capacity}`
  );
  if (due.length === 0 && pending.length === 0) ctx.note('ship-wave.idle');
  for (const { id } of due) {
    const orderId = Number(id);
    const lines = rng.chance(PARTIAL_PICK_CHANCE) ? await partialPick(ctx, orderId) : undefined;
    if (lines) ctx.note('shipments.partial');
    const picked = await ctx.attempt('orders.pick', () => pickOrder(ctx.db, lead, { orderId, ...(lines ? { lines } : {}) }));
    if (!picked) continue;
    if (!(await ctx.attempt('orders.pack', () => packShipment(ctx.db, lead, { shipmentId: picked.shipment.id })))) continue;
    await shipShipment(ctx, lead, picked.shipment.id, op.at);
  }
}

async function shipShipment(ctx: ExecContext, lead: Parameters<typeof ship>[1], shipmentId: number, at: number): Promise<void> {
  const shipped = await ctx.attempt('orders.ship', () => ship(ctx.db, lead, { shipmentId }));
  if (!shipped) return;
  if (shipped.invoice) ctx.memory.invoiceIssued.set(shipped.invoice.id, at);
  if (shipped.order.state !== 'done') ctx.note('shipments.leaving_backorder');
}

/** All reserved lines but the last, or half of a single line; undefined when there is nothing to split. */
async function partialPick(ctx: ExecContext, orderId: number): Promise<{ lineId: number; qty: number }[] | undefined> {
  const lines = await rows<{ id: number; reserved_qty: number }>(
    ctx,
    sql`SELECT id, reserved_qty FROM sales_order_lines WHERE order_id = ${orderId} AND reserved_qty > 0 ORDER BY line_no`
  );
  if (lines.length >= 2) return lines.slice(0, -1).map((l) => ({ lineId: Number(l.id), qty: Number(l.reserved_qty) }));
  const only = lines[0];
  if (only && only.reserved_qty >= 2) return [{ lineId: Number(only.id), qty: Math.floor(only.reserved_qty / 2) }];
  return undefined;
}

/**
 * Finance decides the orders waiting for approval: a customer on credit hold is
 * mostly turned down, a credit-limit excess mostly accepted, a large discount
 * nearly always.
 */
export async function executeApprovals(ctx: ExecContext, op: OrderApprovalsOperation): Promise<void> {
  const finance = ctx.users.actors.finance;
  const rng = Random.fromSeed(op.salt);
  const waiting = await rows<{ id: number; on_hold: boolean; reason: string | null }>(
    ctx,
    sql`SELECT o.id, c.on_hold, o.approval_reason AS reason FROM sales_orders o JOIN customers c ON c.id = o.customer_id
        WHERE o.state = 'awaiting_approval' ORDER BY o.id LIMIT 500`
  );
  if (waiting.length === 0) ctx.note('order-approvals.idle');
  for (const w of waiting) {
    const orderId = Number(w.id);
    const approve = rng.chance(w.on_hold ? 0.2 : (w.reason ?? '').includes('credit limit') ? 0.7 : 0.9);
    if (approve) await ctx.attempt('orders.approve', () => approveOrder(ctx.db, finance, { orderId }));
    else await ctx.attempt('orders.reject', () => rejectOrder(ctx.db, finance, { orderId, reason: w.on_hold ? 'customer on credit hold' : 'not approved by finance' }));
  }
}

/**
 * Customers pay their invoices around the due day: a few within days, most
 * within their terms, some late, a few very late (decided once per invoice from
 * the run's seed); finance books each payment in full.
 */
export async function executePayments(ctx: ExecContext, op: PaymentsOperation): Promise<void> {
  const finance = ctx.users.actors.finance;
  const open = await rows<{ id: number; open: string; issued_at: Date | string; terms: number }>(
    ctx,
    sql`SELECT i.id, i.amount_minor - i.paid_minor AS open, i.issued_at, c.payment_terms_days AS terms
        FROM invoices i JOIN sales_orders o ON o.id = i.order_id JOIN customers c ON c.id = o.customer_id
        WHERE i.state = 'open' ORDER BY i.id`
  );
  let paid = 0;
  for (const inv of open) {
    const invoiceId = Number(inv.id);
    const issued = ctx.memory.invoiceIssued.get(invoiceId) ?? new Date(inv.issued_at).getTime();
    const rng = Random.fromSeed(ctx.seed).derive(`invoice/${invoiceId}`);
    const roll = rng.float();
    const terms = Number(inv.terms);
    // A tenth pay within days (prompt payers), most within terms, some late, a few very late.
    const days = roll < 0.1 ? rng.between(0, 3) : terms * (roll < 0.8 ? rng.between(0.5, 1) : roll < 0.95 ? rng.between(1, 1.5) : rng.between(1.5, 2.5));
    if (op.at < issued + days * DAY_MS) continue;
    const amountMinor = Number(inv.open);
    if (await ctx.attempt('orders.pay', () => payInvoice(ctx.db, finance, { invoiceId, amountMinor }))) {
      ctx.memory.invoiceIssued.delete(invoiceId);
      paid++;
    }
  }
  if (paid === 0) ctx.note('payments.idle');
}

const DISPOSITIONS = ['restock', 'quality_hold', 'scrap'] as const;
const REASONS: Record<(typeof DISPOSITIONS)[number], string[]> = {
  restock: ['ordered too many', 'no longer needed', 'wrong item ordered'],
  quality_hold: ['packaging damaged', 'suspected defect'],
  scrap: ['damaged in transit', 'defective']
};

/** A customer sends back part of a line from one of the warehouse's recent shipments. */
export async function executeReturn(ctx: ExecContext, op: ReturnOperation): Promise<void> {
  const lead = ctx.lead(op.warehouse);
  const warehouseId = ctx.id('warehouses', op.warehouse);
  const rng = Random.fromSeed(op.salt);
  const candidates = await rows<{ order_id: number; customer_id: number; product_id: number; returnable: number }>(
    ctx,
    sql`WITH recent AS (
          SELECT DISTINCT s.order_id FROM (
            SELECT s.order_id FROM shipments s JOIN sales_orders o ON o.id = s.order_id
            WHERE o.warehouse_id = ${warehouseId} AND s.state = 'shipped' ORDER BY s.id DESC LIMIT ${RETURN_WINDOW}) s),
        shipped AS (
          SELECT l.order_id, l.product_id, sum(l.shipped_qty) AS qty FROM sales_order_lines l
          WHERE l.order_id IN (SELECT order_id FROM recent) AND l.shipped_qty > 0 GROUP BY 1, 2),
        back AS (
          SELECT r.order_id, rl.product_id, sum(rl.qty) AS qty FROM customer_returns r JOIN customer_return_lines rl ON rl.return_id = r.id
          WHERE r.order_id IN (SELECT order_id FROM recent) GROUP BY 1, 2)
        SELECT s.order_id, o.customer_id, s.product_id, (s.qty - coalesce(b.qty, 0))::int AS returnable
        FROM shipped s JOIN sales_orders o ON o.id = s.order_id
        LEFT JOIN back b ON b.order_id = s.order_id AND b.product_id = s.product_id
        WHERE s.qty > coalesce(b.qty, 0)
        ORDER BY s.order_id, s.product_id`
  );
  if (candidates.length === 0) return ctx.note('return.idle');
  const c = rng.pick(candidates);
  const qty = rng.int(1, Math.max(1, Math.ceil(Number(c.returnable) / 4)));
  const disposition = rng.weightedPick(DISPOSITIONS, [0.7, 0.2, 0.1]);
  await ctx.attempt('returns.create', () =>
    createReturn(ctx.db, lead, {
      customerId: Number(c.customer_id),
      warehouseId,
      orderId: Number(c.order_id),
      reason: rng.pick(REASONS[disposition]),
      lines: [{ productId: Number(c.product_id), qty, disposition }]
    })
  );
}
