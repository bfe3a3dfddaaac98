// The sales flow alone, as the live-latency benchmark drives it but without the
// control tower: 16 clients each create an order of 2 lines, confirm it (credit
// check, reservation, promise) and ship it (moves, balances, invoice), over a
// ledger that grows as it runs: transactions/s and the confirmation's p50/p99 (the
// credit check reads the customer's open invoices and orders, which grow).
import { sql } from 'drizzle-orm';
import { createCoreDb } from '../app/lib/server/core/db';
import { createPool } from '../platform/pool';
import { generateNetwork } from './core-data';
import { percentile, type Benchmark } from './harness';
import { salesStep, type SalesOrder } from './sales-transaction';
import { benchPostgres } from './support';

const CLIENTS = 16;
const TRANSACTIONS = Number(process.env.BENCH_SALES_TRANSACTIONS ?? 6_000);

const bench: Benchmark = {
  name: 'sales-flow',
  description: `${TRANSACTIONS.toLocaleString('en')} sales transactions (create, confirm, ship) by ${CLIENTS} clients through the core services, the ledger growing as they run`,
  async run(ctx) {
    const engine = await benchPostgres();
    const pool = createPool(engine.url, CLIENTS + 2);
    pool.on('connect', (client) => client.on('error', () => undefined)); // 57P01 on a client still closing when PostgreSQL stops
    try {
      const db = createCoreDb(pool);
      const net = await generateNetwork(db, { warehouses: 4, products: 500, moves: 100_000 }, (l, f) => ctx.progress(l, f));
      let next = 0;
      const done: number[] = [];
      const confirmMs: number[] = [];
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, w) => {
          let order: SalesOrder | null = null;
          let step = 0;
          while (next < TRANSACTIONS) {
            const k = next++;
            if (k % 200 === 0) ctx.progress('sales transactions', k / TRANSACTIONS);
            const t = performance.now();
            order = await salesStep(db, net, k, w, step, order);
            if (step === 1) confirmMs.push(performance.now() - t);
            done.push(performance.now() - t0);
            step = (step + 1) % 3;
          }
        })
      );
      ctx.progress('sales transactions', 1);
      const elapsed = (performance.now() - t0) / 1000;
      const [{ invoices }] = (await db.execute<{ invoices: string }>(sql`SELECT count(*) AS invoices FROM invoices`)).rows as [{ invoices: string }];
      ctx.log(`${done.length} transactions in ${elapsed.toFixed(1)} s; ${invoices} invoices at the end`);
      const sorted = confirmMs.sort((a, b) => a - b);
      return [
        { name: 'transactions per second', value: done.length / elapsed, unit: 'tx/s' },
        { name: 'confirm p50', value: percentile(sorted, 50), unit: 'ms' },
        { name: 'confirm p99', value: percentile(sorted, 99), unit: 'ms' }
      ];
    } finally {
      await pool.end();
      await engine.stop();
    }
  }
};

export default bench;
