import type { ClickHouseClient } from '@clickhouse/client';
import { mapColumn, type ClickHouseColumn } from '../ingest/type-mapping';
import type { CoreTable } from '../ingest/catalog';

/**
 * The current-state ("landing") tables: one per core table, same name and columns,
 * plus the version (commit LSN) and a tombstone flag. ReplacingMergeTree keeps the
 * highest version of each key and drops tombstones under FINAL, so landing the same
 * change twice changes nothing.
 */
export const VERSION_COLUMN = '_version';
export const DELETED_COLUMN = '_deleted';
export const COMMIT_TIME_COLUMN = '_commit_time';

export interface LandingTable {
  name: string;
  columns: ClickHouseColumn[];
  keyColumns: string[];
}

export class SchemaEvolutionError extends Error {
  override name = 'SchemaEvolutionError';
}

export function chIdent(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

export function landingTable(table: CoreTable): LandingTable {
  return { name: table.name, columns: table.columns.map((c) => mapColumn(table.name, c)), keyColumns: table.keyColumns };
}

export function createLandingTableSql(t: LandingTable): string {
  const columns = t.columns.map((c) => `${chIdent(c.name)} ${c.type}`);
  return `CREATE TABLE IF NOT EXISTS ${chIdent(t.name)} (
  ${[...columns, `${VERSION_COLUMN} UInt64`, `${DELETED_COLUMN} UInt8`, `${COMMIT_TIME_COLUMN} DateTime64(6, 'UTC')`].join(',\n  ')}
) ENGINE = ReplacingMergeTree(${VERSION_COLUMN}, ${DELETED_COLUMN})
ORDER BY (${t.keyColumns.map(chIdent).join(', ')})`;
}

/** ClickHouse's columns of a table (name -> type), empty when the table does not exist. */
export async function existingColumns(ch: ClickHouseClient, table: string): Promise<Map<string, string>> {
  const rs = await ch.query({
    query: 'SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = {table:String} ORDER BY position',
    query_params: { table },
    format: 'JSONEachRow'
  });
  return new Map((await rs.json<{ name: string; type: string }>()).map((r) => [r.name, r.type]));
}

/** Normalises the spacing ClickHouse puts in type names so DDL and system.columns compare. */
const normType = (t: string) => t.replace(/\s+/g, '');

/**
 * Creates the landing table, or brings an existing one up to the core table:
 * a new column is added; a column whose type changed stops the ingest with the
 * table and column named (landing it would lose or garble data). A column that
 * left PostgreSQL stays in ClickHouse with the values it had.
 * Returns the names of the columns added.
 */
export async function ensureLandingTable(ch: ClickHouseClient, t: LandingTable): Promise<string[]> {
  const existing = await existingColumns(ch, t.name);
  if (existing.size === 0) {
    await ch.command({ query: createLandingTableSql(t) });
    return [];
  }
  const added: string[] = [];
  for (const c of t.columns) {
    const type = existing.get(c.name);
    if (type === undefined) {
      // A key column cannot join an existing sorting key; refuse rather than land rows under a wrong key.
      if (t.keyColumns.includes(c.name)) throw new SchemaEvolutionError(`${t.name}.${c.name}: a new primary key column cannot be added to the ClickHouse table; rebuild it`);
      await ch.command({ query: `ALTER TABLE ${chIdent(t.name)} ADD COLUMN IF NOT EXISTS ${chIdent(c.name)} ${c.type}` });
      added.push(c.name);
    } else if (normType(type) !== normType(c.type)) {
      throw new SchemaEvolutionError(
        `${t.name}.${c.name}: the column's type changed (ClickHouse has ${type}, PostgreSQL now maps to ${c.type}); the ingest stopped so that no value is lost — migrate the ClickHouse column, then restart`
      );
    }
  }
  return added;
}
