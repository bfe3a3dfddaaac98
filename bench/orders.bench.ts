// Order confirmation throughput: drafts of 5 lines confirmed (reserved, promised)
// by 8 concurrent clients, beside pgbench TPC-B on the same PostgreSQL in the same run.
import { sql } from 'drizzle-orm';
import { SYSTEM_ACTOR } from '../app/lib/server/core/actor';
import { createCoreDb } from '../app/lib/server/core/db';
import { confirmOrder, createOrder } from '../app/lib/server/core/orders';
import { generateNetwork } from './core-data';
import type { Benchmark } from './harness';
import { createPool } from '../platform/pool';
import { benchPostgres, pgbenchTps } from './support';

const CLIENTS = 8;
const SECONDS = 20;

const bench: Benchmark = {
  name: 'orders',
  description: 'orders of 5 lines confirmed + reserved per second with 8 clients, beside pgbench TPC-B (same server, same run)',
  async run(ctx) {
    const engine = await benchPostgres();
    const pool = createPool(engine.url, CLIENTS + 2);
    try {
      const db = createCoreDb(pool);
      const net = await generateNetwork(db, { warehouses: 6, products: 5_000, moves: 200_000 }, (l, f) => ctx.progress(l, f));
      const drafts: number[] = [];
      const draftCount = 40_000;
      for (let i = 0; i < draftCount; i += CLIENTS) {
        if (i % 2000 === 0) ctx.progress('draft orders', i / draftCount);
        const made = await Promise.all(
          Array.from({ length: CLIENTS }, (_, c) =>
            createOrder(db, SYSTEM_ACTOR, {
              customerId: net.customerIds[(i + c) % net.customerIds.length]!,
              warehouseId: net.warehouseIds[(i + c) % net.warehouseIds.length]!,
              lines: Array.from({ length: 5 }, (_, l) => ({ productId: net.productIds[((i + c) * 31 + l * 977) % net.productIds.length]!, qty: 1 + ((i + l) % 4) }))
            })
          )
        );
        drafts.push(...made.map((o) => o.id));
      }
      ctx.progress('draft orders', 1);
      await db.execute(sql`ANALYZE`);
      let next = 0;
      let confirmed = 0;
      const deadline = performance.now() + SECONDS * 1000;
      const started = performance.now();
      const ticker = setInterval(() => ctx.progress('confirming orders', (performance.now() - started) / (SECONDS * 1000)), 1000);
      await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          while (performance.now() < deadline && next < drafts.length) {
            await confirmOrder(db, SYSTEM_ACTOR, { orderId: drafts[next++]! });
            confirmed++;
          }
        })
      );
      clearInterval(ticker);
      const ordersPerSecond = confirmed / ((performance.now() - started) / 1000);
      ctx.progress('confirming orders', 1);
      if (next >= drafts.length) ctx.log('ran out of drafts before the time was up: the figure is a lower bound');
      const reserved = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM sales_order_lines WHERE reserved_qty > 0`);
      ctx.log(`${confirmed} orders confirmed, ${reserved.rows[0]!.n} lines hold reservations`);
      ctx.progress('pgbench TPC-B (same server)', 0);
      const tps = await pgbenchTps(engine.url, SECONDS, CLIENTS);
      ctx.progress('pgbench TPC-B (same server)', 1);
      return [
        { name: 'orders (5 lines) confirmed + reserved, 8 clients', value: ordersPerSecond, unit: 'orders/s', target: { op: '>=', value: 1000 } },
        { name: 'pgbench TPC-B, 8 clients, same server', value: tps, unit: 'tps', note: 'reference (STACK.md: ~3,450)' },
        { name: 'orders/s as a share of TPC-B tps', value: (100 * ordersPerSecond) / tps, unit: '%', target: { op: '>=', value: 30 } }
      ];
    } finally {
      await pool.end();
      await engine.stop();
    }
  }
};
export default bench;
