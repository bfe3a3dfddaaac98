import { eq, sql } from 'drizzle-orm';
import type { Actor } from './actor';
import { promiseDates } from './atp';
import type { Tx } from './db';
import { tables } from './db';
import { forbidden } from './errors';
import { businessNow } from '../../../../schemas/db/business-clock';
import type { LineRow, LockedOrder, OrderRow } from './order-lock';
import { execPrepared } from './prepared';
import { allocateAndOpen, lockFreeBalances } from './reservation';

const { salesOrders } = tables;

/** Discounts above this (basis points: 1000 = 10 %) need an approver. */
export const APPROVAL_DISCOUNT_BP = 1000;

/** Roles that may approve or reject an order waiting for approval. */
export const APPROVER_ROLES = ['admin', 'finance', 'executive'] as const;

export function assertMayApprove(actor: Actor): void {
  if (actor.role !== 'system' && !(APPROVER_ROLES as readonly string[]).includes(actor.role)) {
    throw forbidden(`role ${actor.role} may not approve orders; approvers: ${APPROVER_ROLES.join(', ')}`);
  }
}

/** Σ qty × unit price less the order discount, rounded half up to minor units. */
export function netValue(items: { qty: number; unitPriceMinor: number }[], discountBp: number): number {
  const gross = items.reduce((sum, i) => sum + BigInt(i.qty) * BigInt(i.unitPriceMinor), 0n);
  return Number((gross * BigInt(10_000 - discountBp) + 5_000n) / 10_000n);
}

const money = (minor: number) => (minor / 100).toFixed(2);

/**
 * Why an order must wait for an approver, in words (empty: it may be confirmed
 * straight away): a discount over the threshold, a customer on hold, or a
 * customer whose exposure (open receivables + its other confirmed, unshipped
 * order lines + this order) would pass its credit limit.
 */
export function approvalReasons(locked: LockedOrder, lines: LineRow[]): string[] {
  const { order, customer } = locked;
  const reasons: string[] = [];
  if (order.discountBp > APPROVAL_DISCOUNT_BP) {
    reasons.push(`discount ${order.discountBp / 100} % is over the ${APPROVAL_DISCOUNT_BP / 100} % approval threshold`);
  }
  if (customer.onHold) reasons.push(`customer ${customer.code} is on credit hold`);
  const value = netValue(
    lines.map((l) => ({ qty: l.backorderedQty, unitPriceMinor: l.unitPriceMinor })),
    order.discountBp
  );
  const { receivablesMinor, openOrdersMinor } = locked.exposure ?? { receivablesMinor: 0, openOrdersMinor: 0 };
  if (receivablesMinor + openOrdersMinor + value > customer.creditLimitMinor) {
    reasons.push(
      `credit limit exceeded: open receivables ${money(receivablesMinor)} + open orders ${money(openOrdersMinor)} + this order ${money(value)} > limit ${money(customer.creditLimitMinor)}`
    );
  }
  return reasons;
}

/**
 * What confirming (or approving) does: the order becomes confirmed, free stock is
 * reserved in reservation order (allocate), each line is promised a date (today
 * when fully reserved, else from ATP without the order's own demand) and gets its
 * open move W.stock -> W.customer scheduled at that date. The order's promised
 * date is the latest line date (null when a line cannot be promised). Returns the
 * updated order and lines.
 */
export async function activateOrder(
  tx: Tx,
  actor: Actor,
  locked: LockedOrder,
  lines: LineRow[],
  approval: { approvedBy: number | null } | null = null
): Promise<{ order: OrderRow; lines: LineRow[] }> {
  const { order, today } = locked;
  // lockOrder(confirmIfClear) may have confirmed the draft already.
  let confirmedAt = locked.confirmedAt;
  let extra: Partial<Pick<OrderRow, 'approvedBy' | 'approvedAt'>> = {};
  if (!confirmedAt) {
    // Dated by the business clock (business-clock.ts), as every document is.
    const [dated] = await tx
      .update(salesOrders)
      .set({ state: 'confirmed', confirmedAt: businessNow, ...(approval ? { approvedBy: approval.approvedBy, approvedAt: businessNow } : {}) })
      .where(eq(salesOrders.id, order.id))
      .returning({ confirmedAt: salesOrders.confirmedAt, approvedBy: salesOrders.approvedBy, approvedAt: salesOrders.approvedAt });
    confirmedAt = dated!.confirmedAt;
    if (approval) extra = { approvedBy: dated!.approvedBy, approvedAt: dated!.approvedAt };
  }
  const open = lines.filter((l) => l.backorderedQty > 0);
  const lockedProducts = locked.balancesLocked ?? (await lockFreeBalances(tx, order.warehouseId, open.map((l) => l.productId)));
  // One statement: reserve in reservation order, open the moves, promise what is fully reserved today.
  const reservedByLine = open.length
    ? await allocateAndOpen(
        tx,
        { orderId: order.id, warehouseId: order.warehouseId, today, stockLocationId: locked.stockLocationId, customerLocationId: locked.customerLocationId, actorId: actor.userId },
        open,
        lockedProducts
      )
    : new Map<number, number>();

  // Promise dates: today when fully reserved, else from ATP (several short lines
  // of one product are promised cumulatively).
  const shortByProduct = new Map<number, number>();
  const short: { index: number; productId: number; qty: number }[] = [];
  const unwritten: number[] = [];
  const updated: LineRow[] = lines.map((line, index) => {
    const took = reservedByLine.get(line.id) ?? 0;
    const reservedQty = line.reservedQty + took;
    const missing = line.backorderedQty - reservedQty;
    if (missing > 0) {
      const qty = (shortByProduct.get(line.productId) ?? 0) + missing;
      shortByProduct.set(line.productId, qty);
      short.push({ index, productId: line.productId, qty });
    }
    // allocateAndOpen promised the lines it filled; the others' dates are written below.
    if (line.backorderedQty > 0 && !(took > 0 && missing === 0)) unwritten.push(index);
    return { ...line, reservedQty, promisedDate: line.backorderedQty > 0 ? today : line.promisedDate };
  });
  const dates = await promiseDates(tx, order.warehouseId, short, order.id);
  short.forEach((s, i) => (updated[s.index]!.promisedDate = dates[i]!));
  const live = updated.filter((l) => l.backorderedQty > 0);
  const orderPromised = live.some((l) => l.promisedDate === null)
    ? null
    : live.reduce<string | null>((max, l) => (max === null || l.promisedDate! > max ? l.promisedDate : max), null);

  // What allocateAndOpen could not know: the dates of lines it did not fill
  // (their open moves' scheduled dates too) and the order's.
  if (unwritten.length > 0) {
    const items = unwritten.map((i) => updated[i]!);
    await execPrepared(
      tx,
      'opstower_order_promise',
      sql`
      WITH v AS (
        SELECT * FROM unnest(${sql.param(items.map((l) => l.id))}::bigint[], ${sql.param(items.map((l) => l.promisedDate))}::date[]) AS v(line_id, promised)),
      moves AS (
        UPDATE stock_moves m SET scheduled_date = v.promised
        FROM v
        WHERE m.id = (SELECT o.id FROM stock_moves o
                      WHERE o.document_line_id = v.line_id AND o.document_type::text = 'sales_order' AND o.state IN ('confirmed', 'reserved')
                      LIMIT 1)),
      lines AS (UPDATE sales_order_lines l SET promised_date = v.promised FROM v WHERE l.id = v.line_id)
      UPDATE sales_orders SET promised_date = ${orderPromised}::date WHERE id = ${order.id}::bigint`
    );
  }
  return { order: { ...order, ...extra, state: 'confirmed', confirmedAt, promisedDate: orderPromised }, lines: updated };
}
