import { APPROVAL_DISCOUNT_BP, netValue } from '../app/lib/server/core/order-approval';
import type { CustomerCtx } from './history-context';
import type { LineRec, OrderRec } from './history-model';
import { today, type Sim } from './history-state';
import { MINUTE } from './history-time';

/**
 * Sales orders as the core handles them (orders.ts, order-approval.ts,
 * order-cancel.ts): entered and confirmed at once; held for approval when the
 * discount, a credit hold or the credit limit demands it; on confirmation free
 * stock is reserved in reservation order, every line gets its open move and a
 * promised date (today when reserved in full, else from ATP); customers cancel
 * some long backorders.
 */

/** A backorder this many days old may be cancelled by the customer, with this chance per day. */
const CANCEL_AFTER_DAYS = 7;
const CANCEL_DAILY_CHANCE = 0.05;

/** An order as drawn from the demand model (operations-demand.ts drawOrder), by index. */
export interface DrawnOrder {
  customer: CustomerCtx;
  lines: { product: number; qty: number }[];
  priority: number;
  discountBp: number;
}

const money = (minor: number) => (minor / 100).toFixed(2);
const valueOf = (l: LineRec, qty: number) => qty * l.unitPriceMinor * (10_000 - l.order.discountBp);

/** A customer's order arrives at t: entered a few minutes before, confirmed now (or held for approval). */
export function placeOrder(sim: Sim, drawn: DrawnOrder, t: number): void {
  const { ctx, ids } = sim;
  const rng = sim.rng.orders;
  const c = drawn.customer;
  const day = today(sim, c.warehouse, t);
  const order: OrderRec = {
    id: ids.take('sales_orders'),
    customer: c.index,
    customerId: c.id,
    warehouse: c.warehouse,
    warehouseId: ctx.warehouses[c.warehouse]!.id,
    state: 'draft',
    priority: drawn.priority,
    discountBp: drawn.discountBp,
    requestedDate: rng.chance(0.3) ? day + rng.int(1, 7) : null,
    promisedDate: null,
    approvalReason: null,
    approvedBy: null,
    approvedAt: null,
    createdBy: ctx.actorId,
    createdAt: Math.max(sim.start, t - Math.round(rng.between(0.3, 6) * MINUTE)),
    confirmedAt: null,
    cancelledAt: null,
    lines: []
  };
  for (const { product: p, qty } of drawn.lines) {
    const product = ctx.products[p]!;
    order.lines.push({
      id: ids.take('sales_order_lines'),
      order,
      lineNo: order.lines.length + 1,
      product: p,
      productId: product.id,
      orderedQty: qty,
      unitPriceMinor: c.prices.get(p) ?? product.def.priceMinor,
      reservedQty: 0,
      shippedQty: 0,
      backorderedQty: qty,
      cancelledQty: 0,
      promisedDate: null,
      backorderedSince: null,
      move: null,
      picking: 0
    });
  }
  sim.rows.orders.push(order);
  const reasons = approvalReasons(sim, order, c);
  if (reasons.length === 0) return activate(sim, order, t, false);
  order.state = 'awaiting_approval';
  order.approvalReason = reasons.join('; ');
  sim.awaiting.add(order);
}

/**
 * Finance decides the orders waiting for approval (as the live operations do):
 * a customer on credit hold is mostly turned down, a credit-limit excess mostly
 * accepted, a large discount nearly always.
 */
export function decideApprovals(sim: Sim, t: number): void {
  const rng = sim.rng.approvals;
  for (const order of [...sim.awaiting].slice(0, 500)) {
    sim.awaiting.delete(order);
    const onHold = sim.ctx.customers[order.customer]!.def.onHold;
    const approve = rng.chance(onHold ? 0.2 : (order.approvalReason ?? '').includes('credit limit') ? 0.7 : 0.9);
    if (approve) activate(sim, order, t, true);
    else reject(sim, order, t, onHold ? 'customer on credit hold' : 'not approved by finance');
  }
}

/** The core's approval rules, in its words (order-approval.ts approvalReasons). */
function approvalReasons(sim: Sim, order: OrderRec, c: CustomerCtx): string[] {
  const reasons: string[] = [];
  if (order.discountBp > APPROVAL_DISCOUNT_BP) {
    reasons.push(`discount ${order.discountBp / 100} % is over the ${APPROVAL_DISCOUNT_BP / 100} % approval threshold`);
  }
  if (c.def.onHold) reasons.push(`customer ${c.def.code} is on credit hold`);
  const value = netValue(order.lines.map((l) => ({ qty: l.backorderedQty, unitPriceMinor: l.unitPriceMinor })), order.discountBp);
  const receivables = sim.receivables[c.index]!;
  const open = Math.round(sim.openOrders[c.index]! / 10_000);
  if (receivables + open + value > c.def.creditLimitMinor) {
    reasons.push(
      `credit limit exceeded: open receivables ${money(receivables)} + open orders ${money(open)} + this order ${money(value)} > limit ${money(c.def.creditLimitMinor)}`
    );
  }
  return reasons;
}

function reject(sim: Sim, order: OrderRec, t: number, reason: string): void {
  if (order.state !== 'awaiting_approval') return;
  order.state = 'cancelled';
  order.cancelledAt = t;
  order.approvalReason = `${order.approvalReason ?? ''} — rejected by ${sim.ctx.actorName}: ${reason}`.trim();
  for (const l of order.lines) {
    l.cancelledQty += l.backorderedQty;
    l.backorderedQty = 0;
  }
}

/** A line took reserved stock: its order has something to pick. */
export function markPickable(sim: Sim, line: LineRec): void {
  if (line.order.state === 'confirmed') sim.pickable[line.order.warehouse]!.add(line.order);
}

/** activateOrder: confirm, reserve in reservation order, open the moves, promise dates. */
function activate(sim: Sim, order: OrderRec, t: number, approved: boolean): void {
  if (order.state !== 'draft' && order.state !== 'awaiting_approval') return;
  const { ledger, ctx } = sim;
  const w = order.warehouse;
  const wh = ctx.warehouses[w]!;
  const day = today(sim, w, t);
  order.state = 'confirmed';
  order.confirmedAt = t;
  if (approved) {
    order.approvedBy = ctx.actorId;
    order.approvedAt = t;
  }
  sim.confirmed[w]!.add(order);
  const open = order.lines.filter((l) => l.backorderedQty > 0);
  for (const l of open) {
    sim.openOrders[order.customer]! += valueOf(l, l.backorderedQty);
    // Reservation order: with nobody waiting the line takes what is free; otherwise it queues and allocate() decides.
    const pos = ledger.position(w, l.product);
    if (pos.queue.length === 0) {
      const take = Math.min(l.backorderedQty, pos.stock.onHand - pos.stock.reserved);
      if (take > 0) {
        l.reservedQty = take;
        ledger.change(l.productId, wh.loc.stock, 0, take, t);
        markPickable(sim, l);
      }
      if (l.reservedQty < l.backorderedQty) ledger.enqueue(w, l);
    } else {
      ledger.enqueue(w, l);
      ledger.allocate(w, l.product, t, (line) => markPickable(sim, line));
    }
  }
  const short = new Map<number, number>();
  for (const l of open) {
    const full = l.reservedQty === l.backorderedQty;
    l.promisedDate = day;
    if (!full) {
      const qty = (short.get(l.product) ?? 0) + l.backorderedQty - l.reservedQty;
      short.set(l.product, qty);
      l.promisedDate = ledger.earliestDate(w, l.product, qty, order, day);
    }
    l.move = ledger.open(
      {
        productId: l.productId,
        qty: l.backorderedQty,
        fromLocationId: wh.loc.stock,
        toLocationId: wh.loc.customer,
        documentType: 'sales_order',
        documentId: order.id,
        documentLineId: l.id,
        scheduledDate: l.promisedDate
      },
      full ? 'reserved' : 'confirmed',
      t
    );
  }
  order.promisedDate = open.some((l) => l.promisedDate === null) ? null : Math.max(...open.map((l) => l.promisedDate!));
  // The order's promised date is part of the reservation order: its waiting lines take their place again.
  for (const l of open) {
    if (l.reservedQty < l.backorderedQty) {
      ledger.dequeue(w, l);
      ledger.enqueue(w, l);
    }
  }
}

/**
 * cancelRemainders + closeIfSettled: what is left to ship on these lines is
 * cancelled, reservations released (and offered to other backorders), open moves
 * cancelled; an order with nothing left to ship is done (or cancelled if nothing shipped).
 */
export function cancelLines(sim: Sim, order: OrderRec, lines: LineRec[], t: number): void {
  const { ledger } = sim;
  const w = order.warehouse;
  const wh = sim.ctx.warehouses[w]!;
  const open = lines.filter((l) => l.backorderedQty > 0);
  if (open.some((l) => l.picking > 0)) return; // being picked: the warehouse lead would not cancel now
  for (const l of open) if (l.reservedQty > 0) ledger.change(l.productId, wh.loc.stock, 0, -l.reservedQty, t);
  for (const l of open) {
    if (l.move) ledger.reduce(l.move, l.move.qty);
    l.move = null;
    sim.openOrders[order.customer]! -= valueOf(l, l.backorderedQty);
    l.cancelledQty += l.backorderedQty;
    l.backorderedQty = 0;
    l.reservedQty = 0;
    ledger.dequeue(w, l);
  }
  for (const l of open) ledger.allocate(w, l.product, t, (line) => markPickable(sim, line));
  if (order.lines.every((l) => l.backorderedQty === 0)) {
    order.state = order.lines.some((l) => l.shippedQty > 0) ? 'done' : 'cancelled';
    order.cancelledAt = t;
    sim.confirmed[w]!.delete(order);
    sim.pickable[w]!.delete(order);
  }
}

/** Customers give up on some old backorders: the whole order's remainder, or one line. */
export function cancelSweep(sim: Sim, w: number, t: number): void {
  const rng = sim.rng.cancels;
  const day = today(sim, w, t);
  const candidates = [...sim.confirmed[w]!].filter(
    (o) => o.confirmedAt !== null && day - today(sim, w, o.confirmedAt) >= CANCEL_AFTER_DAYS && o.lines.some((l) => l.backorderedQty > l.reservedQty)
  );
  for (const o of candidates) {
    if (!rng.chance(CANCEL_DAILY_CHANCE)) continue;
    const waiting = o.lines.filter((l) => l.backorderedQty > l.reservedQty);
    cancelLines(sim, o, rng.chance(0.5) ? o.lines : [rng.pick(waiting)], t);
  }
}
