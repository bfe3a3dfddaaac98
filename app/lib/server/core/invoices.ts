import { eq, sql } from 'drizzle-orm';
import { payInput, type PayInput, type PayResult } from '../../../../schemas/api/orders';
import type { Actor } from './actor';
import type { CoreDb, Tx } from './db';
import { tables } from './db';
import { conflict, notFound } from './errors';
import { netValue } from './order-approval';
import type { LockedOrder } from './order-lock';
import { toInvoice } from './orders';
import { transact } from './transaction';

const { invoices, payments } = tables;

/** YYYY-MM-DD plus n days. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The invoice of a shipment: Σ qty × unit price less the order discount, rounded
 * to minor units; due after the customer's payment terms (from the warehouse's today).
 */
export async function createInvoice(
  tx: Tx,
  locked: LockedOrder,
  shipmentId: number,
  items: { qty: number; unitPriceMinor: number }[]
): Promise<typeof invoices.$inferSelect> {
  const amountMinor = netValue(items, locked.order.discountBp);
  const [invoice] = await tx
    .insert(invoices)
    .values({
      orderId: locked.order.id,
      shipmentId,
      amountMinor,
      // A fully discounted shipment owes nothing.
      state: amountMinor === 0 ? 'paid' : 'open',
      dueDate: addDays(locked.today, locked.customer.paymentTermsDays)
    })
    .returning();
  return invoice!;
}

/** Records a payment against an open invoice; the invoice is paid when nothing is left open. */
export async function payInvoice(db: CoreDb, actor: Actor, input: PayInput): Promise<PayResult> {
  const { invoiceId, amountMinor } = payInput.parse(input);
  return transact(db, actor, 'orders.pay', async (tx) => {
    const [invoice] = await tx.select().from(invoices).where(eq(invoices.id, invoiceId)).for('update');
    if (!invoice) throw notFound('invoice', invoiceId);
    const open = invoice.amountMinor - invoice.paidMinor;
    if (invoice.state === 'paid' || open <= 0) throw conflict(`invoice ${invoiceId} is already paid`);
    if (amountMinor > open) throw conflict(`invoice ${invoiceId} has ${open} open; a payment of ${amountMinor} is more than that`);
    const [payment] = await tx.insert(payments).values({ invoiceId, amountMinor, actorId: actor.userId }).returning();
    const [updated] = await tx
      .update(invoices)
      .set({
        paidMinor: sql`${invoices.paidMinor} + ${amountMinor}`,
        state: amountMinor === open ? 'paid' : 'open'
      })
      .where(eq(invoices.id, invoiceId))
      .returning();
    return { invoice: toInvoice(updated!), payment: { ...payment!, paidAt: payment!.paidAt.toISOString() } };
  });
}
