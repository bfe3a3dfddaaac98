import { eq, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { tables } from '../../app/lib/server/core/db';
import { addDays } from '../../app/lib/server/core/invoices';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { netValue } from '../../app/lib/server/core/order-approval';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
let today: string;
beforeAll(async () => {
  f = await coreFixture();
  const r = await f.db.execute<{ d: string }>(sql`SELECT to_char((now() AT TIME ZONE 'Europe/Berlin')::date, 'YYYY-MM-DD') AS d`);
  today = r.rows[0]!.d;
});

let seq = 0;
async function shippedOrder(opts: { priceMinor: number; qty: number; discountBp: number; paymentTermsDays?: number }) {
  seq += 1;
  const p = await catalog.createProduct(f.db, SYSTEM_ACTOR, { sku: `INV-${seq}`, name: `Invoice product ${seq}`, costMinor: 1, priceMinor: opts.priceMinor, category: 'tools' });
  const c = await catalog.createCustomer(f.db, SYSTEM_ACTOR, { code: `IC-${seq}`, name: `Invoice customer ${seq}`, regionId: f.region.id, creditLimitMinor: 100_000_000, paymentTermsDays: opts.paymentTermsDays ?? 30 });
  await f.stockUp(f.locA, p.id, opts.qty);
  const draft = await f.as('sales').orders.create({ customerId: c.id, warehouseId: f.whA.id, discountBp: opts.discountBp, lines: [{ productId: p.id, qty: opts.qty }] });
  await f.as('sales').orders.confirm({ orderId: draft.id });
  return f.as('warehouse').orders.ship({ orderId: draft.id });
}

describe('invoices', () => {
  it('issues an invoice on shipment: qty x price less the discount, rounded, due after the terms', async () => {
    // 3 x 9.99 = 29.97, less 7.5 % = 27.72225 -> 27.72
    const { invoice, order } = await shippedOrder({ priceMinor: 999, qty: 3, discountBp: 750, paymentTermsDays: 45 });
    expect(invoice).toMatchObject({ amountMinor: 2772, paidMinor: 0, state: 'open', dueDate: addDays(today, 45), orderId: order.id });
    expect(order.invoices.map((i) => i.id)).toEqual([invoice!.id]);
    expect(await ledgerViolations(f.db)).toEqual([]);
  });

  it('rounds half up and adds days across month ends', () => {
    expect(netValue([{ qty: 1, unitPriceMinor: 5 }], 1000)).toBe(5); // 4.5 -> 5
    expect(netValue([{ qty: 1, unitPriceMinor: 15 }], 1000)).toBe(14); // 13.5 -> 14
    expect(netValue([{ qty: 2, unitPriceMinor: 1000 }, { qty: 1, unitPriceMinor: 1 }], 0)).toBe(2001);
    expect(netValue([{ qty: 7, unitPriceMinor: 300 }], 10_000)).toBe(0);
    expect(addDays('2024-01-31', 30)).toBe('2024-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
  });
});

describe('payments', () => {
  it('records partial and final payments; the invoice is paid when nothing is open', async () => {
    const { invoice } = await shippedOrder({ priceMinor: 1000, qty: 5, discountBp: 0 });
    expect(invoice!.amountMinor).toBe(5000);
    const first = await f.as('finance').orders.pay({ invoiceId: invoice!.id, amountMinor: 2000 });
    expect(first.invoice).toMatchObject({ paidMinor: 2000, state: 'open' });
    expect(first.payment).toMatchObject({ invoiceId: invoice!.id, amountMinor: 2000, actorId: f.users.finance.id });

    await expect(f.as('finance').orders.pay({ invoiceId: invoice!.id, amountMinor: 3001 })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(f.as('finance').orders.pay({ invoiceId: invoice!.id, amountMinor: 0 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(f.as('finance').orders.pay({ invoiceId: invoice!.id, amountMinor: -5 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(f.as('sales').orders.pay({ invoiceId: invoice!.id, amountMinor: 100 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(f.as('finance').orders.pay({ invoiceId: 987_654, amountMinor: 100 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const [stillOpen] = await f.db.select().from(tables.invoices).where(eq(tables.invoices.id, invoice!.id));
    expect(stillOpen).toMatchObject({ paidMinor: 2000, state: 'open' });

    const last = await f.as('admin').orders.pay({ invoiceId: invoice!.id, amountMinor: 3000 });
    expect(last.invoice).toMatchObject({ paidMinor: 5000, state: 'paid' });
    await expect(f.as('finance').orders.pay({ invoiceId: invoice!.id, amountMinor: 1 })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await f.db.$count(tables.payments, eq(tables.payments.invoiceId, invoice!.id))).toBe(2);
  });

  it('never lets concurrent payments overpay an invoice', async () => {
    const { invoice } = await shippedOrder({ priceMinor: 1000, qty: 1, discountBp: 0 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => f.as('finance').orders.pay({ invoiceId: invoice!.id, amountMinor: 400 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    const [after] = await f.db.select().from(tables.invoices).where(eq(tables.invoices.id, invoice!.id));
    expect(after).toMatchObject({ paidMinor: 800, state: 'open' });
  });
});
