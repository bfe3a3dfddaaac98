import { asc, inArray } from 'drizzle-orm';
import { listWarehouses } from '$lib/server/core/catalog';
import { tables, type Db } from '$lib/server/core/db';

/**
 * Labels the order screens show instead of ids: customers and products by the ids
 * on the page (lists can be long, so never the whole catalogue), warehouses all.
 */
export type Names = Record<number, { code: string; name: string }>;

export async function customerNames(db: Db, ids: number[]): Promise<Names> {
  if (ids.length === 0) return {};
  const { customers } = tables;
  const rows = await db.select({ id: customers.id, code: customers.code, name: customers.name }).from(customers).where(inArray(customers.id, [...new Set(ids)]));
  return Object.fromEntries(rows.map((r) => [r.id, { code: r.code, name: r.name }]));
}

export async function productNames(db: Db, ids: number[]): Promise<Names> {
  if (ids.length === 0) return {};
  const { products } = tables;
  const rows = await db.select({ id: products.id, code: products.sku, name: products.name }).from(products).where(inArray(products.id, [...new Set(ids)]));
  return Object.fromEntries(rows.map((r) => [r.id, { code: r.code, name: r.name }]));
}

export async function warehouseOptions(db: Db): Promise<{ id: number; code: string; name: string }[]> {
  return (await listWarehouses(db)).map((w) => ({ id: w.id, code: w.code, name: w.name }));
}

/** Names of the people on an order (created, approved, shipped by). */
export async function userNames(db: Db, ids: (number | null)[]): Promise<Record<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => id !== null))];
  if (wanted.length === 0) return {};
  const { users } = tables;
  const rows = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, wanted)).orderBy(asc(users.id));
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}
