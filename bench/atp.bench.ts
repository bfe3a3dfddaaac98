// ATP latency at order entry: one product and quantity at a time, on a network of
// 10,000 products x 5 warehouses with 1M stock moves and scheduled inbound.
import { availableToPromise } from '../app/lib/server/core/atp';
import { createCoreDb } from '../app/lib/server/core/db';
import { generateNetwork } from './core-data';
import { percentile, type Benchmark } from './harness';
import { createPool } from '../platform/pool';
import { benchPostgres } from './support';

const bench: Benchmark = {
  name: 'atp',
  description: 'ATP p50/p95 with 10,000 products x 5 warehouses and 1M stock moves',
  async run(ctx) {
    const engine = await benchPostgres();
    const pool = createPool(engine.url, 4);
    try {
      const db = createCoreDb(pool);
      const net = await generateNetwork(db, { warehouses: 5, products: 10_000, moves: 1_000_000 }, (l, f) => ctx.progress(l, f));
      const atpMs: number[] = [];
      const calls = 2_000;
      for (let i = 0; i < calls; i++) {
        if (i % 200 === 0) ctx.progress('ATP queries', i / calls);
        const productId = net.productIds[(i * 7907) % net.productIds.length]!;
        const warehouseId = net.warehouseIds[i % net.warehouseIds.length]!;
        const t = performance.now();
        await availableToPromise(db, { productId, qty: 40, warehouseId });
        atpMs.push(performance.now() - t);
      }
      ctx.progress('ATP queries', 1);
      atpMs.sort((a, b) => a - b);
      return [
        { name: 'ATP p50 (10k products x 5 warehouses, 1M moves)', value: percentile(atpMs, 50), unit: 'ms' },
        { name: 'ATP p95', value: percentile(atpMs, 95), unit: 'ms', target: { op: '<=', value: 10 } }
      ];
    } finally {
      await pool.end();
      await engine.stop();
    }
  }
};
export default bench;
