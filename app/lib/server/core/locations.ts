import { eq, sql } from 'drizzle-orm';
import type { Db } from './db';
import { tables } from './db';
import { notFound } from './errors';

export type LocationKind = (typeof tables.locationKind.enumValues)[number];
export type WarehouseLocations = Record<LocationKind, number>;

/** Real stock lives in these; the rest are the ledger's counterparts. */
export const INTERNAL_KINDS: readonly LocationKind[] = ['stock', 'quality_hold', 'damaged', 'transit'];

/** The location ids of a warehouse by kind (every warehouse has one of each). */
export async function warehouseLocations(db: Db, warehouseId: number): Promise<WarehouseLocations> {
  const rows = await db.select().from(tables.locations).where(eq(tables.locations.warehouseId, warehouseId));
  if (rows.length === 0) throw notFound('warehouse', warehouseId);
  return Object.fromEntries(rows.map((r) => [r.kind, r.id])) as WarehouseLocations;
}

/** Today (plus days) as YYYY-MM-DD in the warehouse's own time zone. */
export async function warehouseDate(db: Db, warehouseId: number, plusDays = 0): Promise<string> {
  const result = await db.execute<{ day: string }>(sql`
    SELECT to_char((business_now() AT TIME ZONE time_zone)::date + ${plusDays}::int, 'YYYY-MM-DD') AS day
    FROM warehouses WHERE id = ${warehouseId}`);
  const day = result.rows[0]?.day;
  if (!day) throw notFound('warehouse', warehouseId);
  return day;
}
