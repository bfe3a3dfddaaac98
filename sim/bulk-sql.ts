import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../app/lib/server/core/db';

/** A column of an unnest() insert: one array parameter, whatever the row count (no 65,535-parameter limit). */
export const col = (values: readonly unknown[], type: string): SQL => sql`${sql.param(values)}::${sql.raw(type)}[]`;

/** INSERT ... SELECT FROM unnest(arrays): every row in one statement; `constants` are the same for all rows. */
export async function insertMany<R extends Record<string, unknown>>(
  tx: Tx,
  table: string,
  columns: Record<string, SQL>,
  { constants = {}, returning = '' }: { constants?: Record<string, SQL>; returning?: string } = {}
): Promise<R[]> {
  const names = sql.raw([...Object.keys(columns), ...Object.keys(constants)].join(', '));
  const arrays = sql.join(Object.values(columns), sql`, `);
  const fixed = Object.values(constants).map((c) => sql`, ${c}`);
  const tail = returning ? sql.raw(` RETURNING ${returning}`) : sql``;
  const result = await tx.execute<R>(sql`INSERT INTO ${sql.raw(table)} (${names}) SELECT u.*${sql.join(fixed)} FROM unnest(${arrays}) AS u${tail}`);
  return result.rows as R[];
}

/**
 * Runs a bulk load with the foreign keys of `tables` checked once per constraint
 * instead of once per row (PostgreSQL's advice for populating a database: the
 * per-row checks took about two thirds of the load). The constraints are dropped
 * and added back with the same names and definitions in the caller's
 * transaction; adding them back validates every row, and a failure anywhere
 * rolls the schema back with the data. A user who does not own every table
 * keeps the per-row checks.
 */
export async function withForeignKeysCheckedOnce<T>(tx: Tx, tables: string[], work: () => Promise<T>): Promise<T> {
  const names = sql.param(tables);
  const owned = await tx.execute<{ owned: boolean }>(sql`
    SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) AS owned FROM pg_class c WHERE c.oid = ANY(${names}::regclass[])`);
  if (!owned.rows[0]?.owned) return work();
  const keys = (
    await tx.execute<{ tbl: string; name: string; def: string }>(sql`
      SELECT conrelid::regclass::text AS tbl, quote_ident(conname) AS name, pg_get_constraintdef(oid) AS def
      FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(${names}::regclass[])
      ORDER BY conrelid::regclass::text, conname`)
  ).rows;
  for (const k of keys) await tx.execute(sql.raw(`ALTER TABLE ${k.tbl} DROP CONSTRAINT ${k.name}`));
  const result = await work();
  for (const k of keys) await tx.execute(sql.raw(`ALTER TABLE ${k.tbl} ADD CONSTRAINT ${k.name} ${k.def}`));
  return result;
}
