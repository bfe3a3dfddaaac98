import type pg from 'pg';
import type { PgColumn } from './type-mapping';

/**
 * What the ingest carries: every table of the core schema, less what must never
 * leave PostgreSQL (session and kiosk tokens, password hashes, the Socket.IO
 * adapter's scratch table). A table added by a later
 * migration is picked up at the next start and backfilled.
 */
export const CORE_SCHEMA = 'public';
// business_clock: how documents are dated, not a business fact (the dates themselves land).
const EXCLUDED_TABLES = new Set(['sessions', 'kiosk_tokens', 'socket_io_attachments', 'business_clock']);
const EXCLUDED_COLUMNS: Record<string, Set<string>> = { users: new Set(['password_hash']) };

export interface CoreTable {
  name: string;
  /** Published columns, in table order. */
  columns: PgColumn[];
  /** Primary key columns (the replica identity): the ClickHouse sorting key. */
  keyColumns: string[];
}

export class CatalogError extends Error {
  override name = 'CatalogError';
}

const COLUMNS_SQL = `
SELECT c.relname AS table_name, a.attname AS column_name, a.attnotnull AS not_null, a.atttypmod AS type_mod, a.atttypid::int AS type_oid,
       coalesce(bt.typname, t.typname) AS type_name, coalesce(bt.typtype, t.typtype)::text AS type_kind,
       et.typname AS element_type_name, et.typtype::text AS element_type_kind,
       coalesce(a.attnum = ANY (i.indkey), false) AS is_key
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
LEFT JOIN pg_type et ON et.oid = coalesce(bt.typelem, t.typelem) AND coalesce(bt.typcategory, t.typcategory) = 'A'
LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
ORDER BY c.relname, a.attnum`;

interface ColumnRow {
  table_name: string;
  column_name: string;
  not_null: boolean;
  type_mod: number;
  type_oid: number;
  type_name: string;
  type_kind: string;
  element_type_name: string | null;
  element_type_kind: string | null;
  is_key: boolean;
}

/** The core tables as the catalog has them now (published columns only). */
export async function coreTables(db: pg.Pool | pg.Client): Promise<CoreTable[]> {
  const { rows } = await db.query<ColumnRow>(COLUMNS_SQL, [CORE_SCHEMA]);
  const tables = new Map<string, CoreTable>();
  for (const r of rows) {
    if (EXCLUDED_TABLES.has(r.table_name) || EXCLUDED_COLUMNS[r.table_name]?.has(r.column_name)) continue;
    let table = tables.get(r.table_name);
    if (!table) tables.set(r.table_name, (table = { name: r.table_name, columns: [], keyColumns: [] }));
    table.columns.push({
      name: r.column_name,
      typeName: r.type_name,
      typeKind: r.type_kind,
      elementTypeName: r.element_type_name,
      elementTypeKind: r.element_type_kind,
      typeMod: r.type_mod,
      typeOid: r.type_oid,
      notNull: r.not_null
    });
    if (r.is_key) table.keyColumns.push(r.column_name);
  }
  for (const t of tables.values()) {
    // Updates and deletes of a table without a key cannot be applied to one row in ClickHouse.
    if (t.keyColumns.length === 0) throw new CatalogError(`table ${t.name} has no primary key; the ingest needs one to land its updates and deletes`);
  }
  return [...tables.values()];
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The publication's table list: every core table, with a column list where columns are withheld. */
export function publicationTableList(tables: CoreTable[]): string {
  return tables
    .map((t) => (EXCLUDED_COLUMNS[t.name] ? `${quoteIdent(CORE_SCHEMA)}.${quoteIdent(t.name)} (${t.columns.map((c) => quoteIdent(c.name)).join(', ')})` : `${quoteIdent(CORE_SCHEMA)}.${quoteIdent(t.name)}`))
    .join(', ');
}
