import type pg from 'pg';
import { publicationTableList, type CoreTable } from './catalog';
import { parseLsn, type Lsn } from './lsn';

/**
 * The PostgreSQL side of the stream: a publication over the core tables and a
 * named logical replication slot (pgoutput), both created when missing.
 */

export interface PublicationChange {
  /** Tables that were not in the publication before: they need a backfill. */
  added: string[];
}

function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`"${name}" is not a plain lower-case identifier`);
  return name;
}

export async function ensurePublication(db: pg.ClientBase | pg.Pool, publication: string, tables: CoreTable[]): Promise<PublicationChange> {
  const name = ident(publication);
  const exists = (await db.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name])).rowCount === 1;
  const before = exists
    ? new Set((await db.query<{ tablename: string }>('SELECT tablename FROM pg_publication_tables WHERE pubname = $1', [name])).rows.map((r) => r.tablename))
    : new Set<string>();
  const list = publicationTableList(tables);
  if (!exists) await db.query(`CREATE PUBLICATION ${name} FOR TABLE ${list}`);
  else await db.query(`ALTER PUBLICATION ${name} SET TABLE ${list}`);
  return { added: tables.map((t) => t.name).filter((t) => !before.has(t)) };
}

export async function slotExists(db: pg.ClientBase | pg.Pool, slot: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [ident(slot)])).rowCount === 1;
}

/** Creates the logical slot; returns its consistent point (the stream starts after it). */
export async function createSlot(db: pg.ClientBase | pg.Pool, slot: string): Promise<Lsn> {
  const { rows } = await db.query<{ lsn: string }>("SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')", [ident(slot)]);
  return parseLsn(rows[0]!.lsn);
}

/** Bytes of WAL the slot still holds for the ingest (current WAL position minus confirmed flush). */
export async function slotLagBytes(db: pg.ClientBase | pg.Pool, slot: string): Promise<number | null> {
  const { rows } = await db.query<{ lag: string | null }>(
    'SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS lag FROM pg_replication_slots WHERE slot_name = $1',
    [slot]
  );
  return rows[0]?.lag == null ? null : Number(rows[0].lag);
}
