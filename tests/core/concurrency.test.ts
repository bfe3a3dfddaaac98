import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { confirmOrder, createOrder } from '../../app/lib/server/core/orders';
import { coreFixture, type CoreFixture } from '../support/core';

let f: CoreFixture;
beforeAll(async () => {
  f = await coreFixture();
});

describe('concurrent confirmations', () => {
  it('32 clients racing for the last 20 units reserve exactly 20, and none fails', async () => {
    const p = f.products[0]!.id;
    const q = f.products[1]!.id;
    await f.stockUp(f.locA, p, 20);
    await f.stockUp(f.locA, q, 1000);
    const sales = f.actorFor('sales');
    const drafts = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        createOrder(f.db, sales, {
          customerId: f.customer.id,
          warehouseId: f.whA.id,
          // Lines in both product orders so lock ordering is exercised too.
          lines: i % 2 ? [{ productId: p, qty: 1 + (i % 3) }, { productId: q, qty: 5 }] : [{ productId: q, qty: 5 }, { productId: p, qty: 1 + (i % 3) }]
        })
      )
    );
    const results = await Promise.allSettled(drafts.map((o) => confirmOrder(f.db, sales, { orderId: o.id })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);

    const reserved = await f.db.execute<{ lines: number; balance: number; on_hand: number }>(sql`
      SELECT (SELECT sum(reserved_qty)::int FROM sales_order_lines WHERE product_id = ${p}) AS lines,
             reserved AS balance, on_hand FROM stock_balances WHERE product_id = ${p} AND location_id = ${f.locA.stock}`);
    expect(reserved.rows[0]).toEqual({ lines: 20, balance: 20, on_hand: 20 });
    const ordered = drafts.reduce((s, o) => s + o.lines.find((l) => l.productId === p)!.orderedQty, 0);
    expect(ordered).toBeGreaterThan(20); // the race is real: more was asked than there is
    expect(await ledgerViolations(f.db)).toEqual([]);
  });
});
