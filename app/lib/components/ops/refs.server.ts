import { listSuppliers, listTransferLanes, listWarehouses } from '../../server/core/catalog';
import type { Db } from '../../server/core/db';
import { DomainError } from '../../server/core/errors';
import { error } from '@sveltejs/kit';
import type { WarehouseRef } from './refs';

/** The master data the operations screens label documents with (catalog.*.list through the core). */
export async function warehouseRefs(db: Db): Promise<WarehouseRef[]> {
  return (await listWarehouses(db)).map((w) => ({ id: w.id, code: w.code, name: w.name, regionId: w.regionId }));
}

export async function supplierRefs(db: Db): Promise<{ id: number; code: string; name: string }[]> {
  return (await listSuppliers(db)).map((s) => ({ id: s.id, code: s.code, name: s.name }));
}

export async function laneRefs(db: Db): Promise<{ fromWarehouseId: number; toWarehouseId: number; leadTimeDays: number }[]> {
  return (await listTransferLanes(db)).map((l) => ({ fromWarehouseId: l.fromWarehouseId, toWarehouseId: l.toWarehouseId, leadTimeDays: l.leadTimeDays }));
}

/** A positive integer from the query string (a filter or an id in the path), else undefined. */
export function idParam(value: string | null | undefined): number | undefined {
  return value && /^[1-9]\d{0,9}$/.test(value) && Number(value) <= 2_147_483_647 ? Number(value) : undefined;
}

/** A document read for a page: a missing one is the page's 404, not an internal error. */
export async function orNotFound<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof DomainError && err.code === 'NOT_FOUND') error(404, err.message);
    throw err;
  }
}
