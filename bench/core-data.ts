import { sql } from 'drizzle-orm';
import { SYSTEM_ACTOR } from '../app/lib/server/core/actor';
import { insertWarehouse } from '../app/lib/server/core/catalog';
import type { CoreDb } from '../app/lib/server/core/db';
import { transact } from '../app/lib/server/core/transaction';

export interface BenchNetwork {
  warehouseIds: number[];
  productIds: number[];
  customerIds: number[];
}

/**
 * A network for the core benchmarks, written in bulk SQL: one region, `warehouses`
 * warehouses, `products` products, 800 customers, `moves` done moves spread over them (balances
 * derived from the moves, so the ledger invariant holds) plus scheduled inbound.
 */
export async function generateNetwork(
  db: CoreDb,
  opts: { warehouses: number; products: number; moves: number },
  progress: (label: string, fraction: number) => void
): Promise<BenchNetwork> {
  progress('master data', 0);
  const warehouseIds: number[] = [];
  await transact(db, SYSTEM_ACTOR, 'bench.network', async (tx) => {
    const [region] = await tx.execute<{ id: number }>(sql`INSERT INTO regions (code, name) VALUES ('BENCH', 'Bench') RETURNING id`).then((r) => r.rows);
    for (let i = 0; i < opts.warehouses; i++) {
      const w = await insertWarehouse(tx, { code: `W${i + 1}`, name: `Warehouse ${i + 1}`, kind: i === 0 ? 'central_dc' : 'branch', regionId: Number(region!.id) });
      warehouseIds.push(w.id);
    }
    await tx.execute(sql`
      INSERT INTO products (sku, name, cost_minor, price_minor, category, abc_class)
      SELECT 'B-' || g, 'Bench product ' || g, 500, 1000, 'cat-' || (g % 20), (ARRAY['A','B','C'])[1 + g % 3]::abc_class
      FROM generate_series(1, ${opts.products}::int) g`);
    // 800 customers, as in the simulated network: credit exposure is computed per customer.
    await tx.execute(sql`
      INSERT INTO customers (code, name, region_id, credit_limit_minor)
      SELECT 'C' || g, 'Bench customer ' || g, ${Number(region!.id)}, 1000000000000 FROM generate_series(1, 800) g`);
  });
  const customerIds = (await db.execute<{ id: number }>(sql`SELECT id FROM customers ORDER BY id`)).rows.map((r) => Number(r.id));
  const productIds = (await db.execute<{ id: number }>(sql`SELECT id FROM products WHERE sku LIKE 'B-%' ORDER BY id`)).rows.map((r) => Number(r.id));
  const ids = sql.raw(`ARRAY[${warehouseIds.join(',')}]::int[]`);
  // Each pass over the moves visits every (product, warehouse) pair once; every
  // third pass is outbound, so every product is stocked everywhere and no balance
  // goes below zero.
  const pairs = opts.products * warehouseIds.length;
  const batch = 100_000;
  for (let done = 0; done < opts.moves; done += batch) {
    progress(`ledger moves (${opts.moves.toLocaleString('en')})`, done / opts.moves);
    const n = Math.min(batch, opts.moves - done);
    await db.execute(sql`
      INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, created_at, done_at)
      SELECT p.id, 1 + (((g - 1) / ${pairs}::int + p.id) % 20),
             CASE WHEN ((g - 1) / ${pairs}::int) % 3 = 2 THEN s.id ELSE v.id END,
             CASE WHEN ((g - 1) / ${pairs}::int) % 3 = 2 THEN c.id ELSE s.id END,
             'done', 'opening_balance', g, now() - (g % 90) * interval '1 day', now() - (g % 90) * interval '1 day'
      FROM generate_series(${done + 1}::int, ${done + n}::int) g
      JOIN LATERAL (SELECT ${sql.raw(`(SELECT min(id) FROM products WHERE sku LIKE 'B-%')`)} + ((g - 1) / ${warehouseIds.length}::int) % ${opts.products}::int AS id) p ON TRUE
      JOIN LATERAL (SELECT (${ids})[1 + ((g - 1) % ${warehouseIds.length}::int)] AS wid) w ON TRUE
      JOIN locations s ON s.warehouse_id = w.wid AND s.kind = 'stock'
      JOIN locations v ON v.warehouse_id = w.wid AND v.kind = 'supplier'
      JOIN locations c ON c.warehouse_id = w.wid AND c.kind = 'customer'`);
  }
  progress('balances and scheduled inbound', 0.95);
  await db.execute(sql`
    INSERT INTO stock_balances (product_id, location_id, on_hand, reserved, is_virtual)
    SELECT m.product_id, m.location_id, sum(m.qty)::int, 0, l.kind NOT IN ('stock', 'quality_hold', 'damaged', 'transit')
    FROM (SELECT product_id, to_location_id AS location_id, qty FROM stock_moves WHERE state = 'done'
          UNION ALL SELECT product_id, from_location_id, -qty FROM stock_moves WHERE state = 'done') m
    JOIN locations l ON l.id = m.location_id
    GROUP BY 1, 2, l.kind
    ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = excluded.on_hand`);
  await db.execute(sql`
    INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, scheduled_date)
    SELECT p.id, 50, v.id, s.id, 'confirmed', 'purchase_order', p.id, current_date + (p.id % 30)
    FROM products p CROSS JOIN unnest(${ids}) AS w(wid)
    JOIN locations s ON s.warehouse_id = w.wid AND s.kind = 'stock'
    JOIN locations v ON v.warehouse_id = w.wid AND v.kind = 'supplier'
    WHERE p.sku LIKE 'B-%' AND p.id % 4 = 0`);
  await db.execute(sql`ANALYZE`);
  progress('network ready', 1);
  return { warehouseIds, productIds, customerIds };
}
