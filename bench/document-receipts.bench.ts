// Documents with many lines: ms per transfer shipment, transfer receipt and
// purchase-order receipt of 10, 100 and 300 lines (with partial, short, damaged and
// rejected quantities), and the round trips to PostgreSQL each one takes.
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { SYSTEM_ACTOR } from '../app/lib/server/core/actor';
import { createSupplier, upsertTransferLane } from '../app/lib/server/core/catalog';
import { createCoreDb, type CoreDb } from '../app/lib/server/core/db';
import { createPurchaseOrder, sendPurchaseOrder } from '../app/lib/server/core/purchasing';
import { receivePurchaseOrder } from '../app/lib/server/core/receipts';
import { approveTransfer, receiveTransfer, requestTransfer, shipTransfer } from '../app/lib/server/core/transfers';
import { createPool } from '../platform/pool';
import { generateNetwork } from './core-data';
import { percentile, type Benchmark, type Figure } from './harness';
import { benchPostgres } from './support';

const SIZES = [10, 100, 300];
const REPS = Number(process.env.BENCH_RECEIPT_REPS ?? 5);

/** Counts client.query calls (round trips) on every connection the pool opens. */
function countRoundTrips(pool: pg.Pool) {
  const counter = { n: 0 };
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => (counter.n++, query(...args))) as typeof client.query;
  });
  return counter;
}

async function timed<T>(counter: { n: number }, work: () => Promise<T>): Promise<{ ms: number; trips: number; result: T }> {
  const n = counter.n;
  const t = performance.now();
  const result = await work();
  return { ms: performance.now() - t, trips: counter.n - n, result };
}

async function transferRound(db: CoreDb, counter: { n: number }, from: number, to: number, productIds: number[]) {
  const requested = await requestTransfer(db, SYSTEM_ACTOR, { fromWarehouseId: from, toWarehouseId: to, lines: productIds.map((productId) => ({ productId, qty: 4 })) });
  await approveTransfer(db, SYSTEM_ACTOR, { transferId: requested.id });
  const lines = requested.lines;
  const ship = await timed(counter, () =>
    shipTransfer(db, SYSTEM_ACTOR, { transferId: requested.id, lines: lines.map((l, i) => ({ lineId: l.id, qty: i % 10 === 9 ? 3 : 4 })) })
  );
  const shipped = ship.result.lines;
  const receive = await timed(counter, () =>
    receiveTransfer(db, SYSTEM_ACTOR, {
      transferId: requested.id,
      lines: shipped.map((l, i) => {
        const shortQty = i % 10 === 3 || i % 10 === 7 ? 1 : 0;
        const damagedQty = i % 10 === 5 || i % 10 === 7 ? 1 : 0;
        return { lineId: l.id, receivedQty: l.shippedQty - shortQty - damagedQty, shortQty, damagedQty };
      })
    })
  );
  return { ship, receive };
}

async function purchaseRound(db: CoreDb, counter: { n: number }, supplierId: number, warehouseId: number, productIds: number[]) {
  const po = await createPurchaseOrder(db, SYSTEM_ACTOR, { supplierId, warehouseId, lines: productIds.map((productId) => ({ productId, qty: 12 })) });
  await sendPurchaseOrder(db, SYSTEM_ACTOR, { purchaseOrderId: po.id });
  return timed(counter, () =>
    receivePurchaseOrder(db, SYSTEM_ACTOR, {
      purchaseOrderId: po.id,
      lines: po.lines.map((l, i) => ({ lineId: l.id, acceptedQty: i % 10 === 2 ? 10 : i % 10 === 4 ? 6 : 12, rejectedQty: i % 10 === 2 ? 2 : 0 }))
    })
  );
}

const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

const bench: Benchmark = {
  name: 'document-receipts',
  description: 'ms per transfer shipment, transfer receipt and PO receipt of 10, 100 and 300 lines, and round trips per document',
  async run(ctx) {
    const engine = await benchPostgres();
    const pool = createPool(engine.url, 4);
    const counter = countRoundTrips(pool);
    try {
      const db = createCoreDb(pool);
      const net = await generateNetwork(db, { warehouses: 2, products: 1_500, moves: 90_000 }, (l, f) => ctx.progress(l, f));
      const [from, to] = net.warehouseIds as [number, number];
      await upsertTransferLane(db, SYSTEM_ACTOR, { fromWarehouseId: from, toWarehouseId: to, leadTimeDays: 2 });
      const supplier = await createSupplier(db, SYSTEM_ACTOR, { code: 'BENCH-SUP', name: 'Bench supplier' });
      await db.execute(sql`
        INSERT INTO supplier_products (supplier_id, product_id, cost_minor, lead_time_days)
        SELECT ${supplier.id}::int, id, 400, 5 FROM products WHERE sku LIKE 'B-%'`);

      const figures: Figure[] = [];
      let offset = 0;
      const steps = SIZES.length * REPS;
      for (const size of SIZES) {
        const ship: number[] = [];
        const receive: number[] = [];
        const po: number[] = [];
        const trips = { ship: 0, receive: 0, po: 0 };
        for (let rep = 0; rep < REPS; rep++) {
          ctx.progress(`${size}-line documents`, (SIZES.indexOf(size) * REPS + rep) / steps);
          const products = Array.from({ length: size }, (_, i) => net.productIds[(offset + i) % net.productIds.length]!);
          offset += size;
          const t = await transferRound(db, counter, from, to, products);
          const p = await purchaseRound(db, counter, supplier.id, to, products);
          ship.push(t.ship.ms);
          receive.push(t.receive.ms);
          po.push(p.ms);
          trips.ship = t.ship.trips;
          trips.receive = t.receive.trips;
          trips.po = p.trips;
        }
        figures.push(
          { name: `transfer shipment, ${size} lines (median of ${REPS})`, value: median(ship), unit: 'ms', note: `${trips.ship} round trips` },
          { name: `transfer receipt, ${size} lines`, value: median(receive), unit: 'ms', note: `${trips.receive} round trips` },
          { name: `purchase-order receipt, ${size} lines`, value: median(po), unit: 'ms', note: `${trips.po} round trips` }
        );
      }
      ctx.progress(`${SIZES.at(-1)}-line documents`, 1);
      return figures;
    } finally {
      await pool.end();
      await engine.stop();
    }
  }
};
export default bench;
