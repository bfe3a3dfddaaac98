import type pg from 'pg';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { warehouseLocations, type WarehouseLocations } from '../../app/lib/server/core/locations';
import type { KpiBench } from './support';

/**
 * The supply-side KPI fixture network, built through the catalog service:
 * region N with warehouses A (Europe/Berlin), B and C (UTC), region S with D (UTC);
 * lanes A->B 2 days, B->A 3 days, C->A 2 days; products P1 and P2 (tools, cost 500
 * and 300) and P3 (food, cost 200); supplier S1 (P1 5 days, P2 10 days) and S2
 * (P1 3 days); a reorder rule for P2 at A with a 5-day lead time. P3 has no supplier.
 */
export async function supplyNetwork(bench: KpiBench) {
  const { db } = bench;
  const a = SYSTEM_ACTOR;
  const north = await catalog.createRegion(db, a, { code: 'N', name: 'North' });
  const south = await catalog.createRegion(db, a, { code: 'S', name: 'South' });
  const wh = async (code: string, regionId: number, timeZone: string) =>
    catalog.createWarehouse(db, a, { code, name: `Warehouse ${code}`, kind: 'branch', regionId, timeZone });
  const A = await wh('A', north.id, 'Europe/Berlin');
  const B = await wh('B', north.id, 'UTC');
  const C = await wh('C', north.id, 'UTC');
  const D = await wh('D', south.id, 'UTC');
  await catalog.upsertTransferLane(db, a, { fromWarehouseId: A.id, toWarehouseId: B.id, leadTimeDays: 2 });
  await catalog.upsertTransferLane(db, a, { fromWarehouseId: B.id, toWarehouseId: A.id, leadTimeDays: 3 });
  await catalog.upsertTransferLane(db, a, { fromWarehouseId: C.id, toWarehouseId: A.id, leadTimeDays: 2 });
  const product = (sku: string, category: string, costMinor: number) =>
    catalog.createProduct(db, a, { sku, name: sku, costMinor, priceMinor: costMinor * 2, category });
  const P1 = await product('P1', 'tools', 500);
  const P2 = await product('P2', 'tools', 300);
  const P3 = await product('P3', 'food', 200);
  const S1 = await catalog.createSupplier(db, a, { code: 'S1', name: 'Supplier 1' });
  const S2 = await catalog.createSupplier(db, a, { code: 'S2', name: 'Supplier 2' });
  await catalog.upsertSupplierProduct(db, a, { supplierId: S1.id, productId: P1.id, costMinor: 500, leadTimeDays: 5 });
  await catalog.upsertSupplierProduct(db, a, { supplierId: S1.id, productId: P2.id, costMinor: 300, leadTimeDays: 10 });
  await catalog.upsertSupplierProduct(db, a, { supplierId: S2.id, productId: P1.id, costMinor: 480, leadTimeDays: 3 });
  await catalog.upsertReorderRule(db, a, { productId: P2.id, warehouseId: A.id, minQty: 0, maxQty: 10, leadTimeDays: 5, sourceSupplierId: S1.id });
  const loc: Record<'A' | 'B' | 'C' | 'D', WarehouseLocations> = {
    A: await warehouseLocations(db, A.id),
    B: await warehouseLocations(db, B.id),
    C: await warehouseLocations(db, C.id),
    D: await warehouseLocations(db, D.id)
  };
  return { north, south, A, B, C, D, P1, P2, P3, S1, S2, loc };
}
export type SupplyNetwork = Awaited<ReturnType<typeof supplyNetwork>>;

export interface MoveRow {
  productId: number;
  qty: number;
  from: number;
  to: number;
  /** Done (the default) needs doneAt; open moves carry a scheduled date. */
  state?: 'draft' | 'confirmed' | 'reserved' | 'done' | 'cancelled';
  doneAt?: string;
  scheduled?: string;
  documentType?: string;
  documentId?: number;
}

/** Inserts stock moves with explicit times (created at the done time, or at a fixed early time for open moves). */
export async function insertMoves(pool: pg.Pool, moves: MoveRow[]): Promise<void> {
  for (const m of moves) {
    const state = m.state ?? 'done';
    const doneAt = state === 'done' ? m.doneAt : null;
    if (state === 'done' && !doneAt) throw new Error('a done move needs doneAt');
    await pool.query(
      `INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, scheduled_date, created_at, done_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, coalesce($9::timestamptz, '2026-01-01T00:00:00Z'), $9::timestamptz)`,
      [m.productId, m.qty, m.from, m.to, state, m.documentType ?? 'opening_balance', m.documentId ?? 0, m.scheduled ?? null, doneAt]
    );
  }
}

/** Sets every balance to the sum of its done moves (invariant 1), keeping reservations; then applies the given ones. */
export async function rebuildBalances(pool: pg.Pool, reserved: { productId: number; locationId: number; qty: number }[] = []): Promise<void> {
  await pool.query(`
    INSERT INTO stock_balances (product_id, location_id, on_hand, reserved, is_virtual)
    SELECT m.product_id, x.loc, sum(x.d)::int, 0, l.kind NOT IN ('stock', 'quality_hold', 'damaged', 'transit')
    FROM stock_moves m
    CROSS JOIN LATERAL (VALUES (m.to_location_id, m.qty), (m.from_location_id, -m.qty)) AS x(loc, d)
    JOIN locations l ON l.id = x.loc
    WHERE m.state = 'done'
    GROUP BY m.product_id, x.loc, l.kind
    ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = EXCLUDED.on_hand`);
  for (const r of reserved) {
    await pool.query('UPDATE stock_balances SET reserved = $3 WHERE product_id = $1 AND location_id = $2', [r.productId, r.locationId, r.qty]);
  }
}
