import type pg from 'pg';
import { CORE_SCHEMA, quoteIdent, type CoreTable } from './catalog';
import { RAW_TEXT } from './replication-stream';
import { fieldOf } from './type-mapping';
import type { LandingTable } from '../warehouse/landing-tables';

/** Rows of a table after a key, in key order, as the TabSeparated body of one ClickHouse insert. */
export interface BackfillChunk {
  tsv: string;
  rows: number;
  /** The key of the chunk's last row (null when the chunk is empty). */
  lastKey: string[] | null;
}

export type ChunkReader = (after: string[] | null) => Promise<BackfillChunk>;

export interface ChunkSpec {
  client: pg.Client;
  table: CoreTable;
  landing: LandingTable;
  chunkRows: number;
  /** The fields every row ends with: _version, _deleted, _commit_time. */
  trailer: string;
}

function keyset(table: CoreTable, after: string[] | null): { keys: string[]; where: string } {
  const keys = table.keyColumns.map(quoteIdent);
  const where = after ? ` WHERE (${keys.join(', ')}) > (${keys.map((_, i) => `$${i + 1}`).join(', ')})` : '';
  return { keys, where };
}

/** Rows read as text and written as fields here (fieldOf): every mapped type, arrays included. */
export function rowChunks({ client, table, landing, chunkRows, trailer }: ChunkSpec): ChunkReader {
  const qualified = `${quoteIdent(CORE_SCHEMA)}.${quoteIdent(table.name)}`;
  const select = `SELECT ${table.columns.map((c) => quoteIdent(c.name)).join(', ')} FROM ${qualified}`;
  const keyIndex = table.keyColumns.map((k) => table.columns.findIndex((c) => c.name === k));
  return async (after) => {
    const { keys, where } = keyset(table, after);
    const { rows } = await client.query<string[]>({ text: `${select}${where} ORDER BY ${keys.join(', ')} LIMIT ${chunkRows}`, values: after ?? [], rowMode: 'array', types: RAW_TEXT });
    let tsv = '';
    for (const row of rows) {
      for (let i = 0; i < row.length; i++) tsv += `${fieldOf(landing.columns[i]!, row[i])}\t`;
      tsv += `${trailer}\n`;
    }
    const last = rows.at(-1);
    return { tsv, rows: rows.length, lastKey: last ? keyIndex.map((i) => last[i]!) : null };
  };
}

/** True when PostgreSQL can write every column's field itself (sqlChunks applies). */
export function formatsInSql(landing: LandingTable): boolean {
  return landing.columns.every((c) => c.sqlField !== undefined);
}

/**
 * PostgreSQL writes the fields (values ClickHouse reads as it reads fieldOf's, see
 * ClickHouseColumn.sqlField) and joins a chunk into one value: this process only hands it on. On a 2-core machine
 * this moved the demo's 2.6 million row backfill off the event loop, which row parsing
 * and formatting saturated. A chunk holding a value fieldOf would refuse is read again
 * by rows, so the refusal names the value.
 */
export function sqlChunks(spec: ChunkSpec): ChunkReader {
  const { client, table, landing, chunkRows, trailer } = spec;
  const qualified = `${quoteIdent(CORE_SCHEMA)}.${quoteIdent(table.name)}`;
  const fields = landing.columns.map((c) => c.sqlField!(quoteIdent(c.name)));
  const refusals = landing.columns.filter((c) => c.sqlRefused).map((c) => c.sqlRefused!(quoteIdent(c.name)));
  const refused = refusals.length > 0 ? `(${refusals.join(' OR ')}) IS TRUE` : 'false';
  const byRows = rowChunks(spec);
  return async (after) => {
    const { keys, where } = keyset(table, after);
    const text = `WITH chunk AS MATERIALIZED (
        SELECT ${keys.join(', ')}, concat_ws(E'\\t', ${fields.join(', ')}, '${trailer.replaceAll('\t', "', '")}') AS _ops_line, ${refused} AS _ops_refused
        FROM ${qualified}${where} ORDER BY ${keys.join(', ')} LIMIT ${chunkRows})
      SELECT string_agg(_ops_line, E'\\n' ORDER BY ${keys.join(', ')}) AS tsv, count(*) AS n, bool_or(_ops_refused) AS refused,
        (SELECT json_build_array(${keys.map((k) => `${k}::text`).join(', ')})::text FROM chunk ORDER BY ${keys.map((k) => `${k} DESC`).join(', ')} LIMIT 1) AS last_key
      FROM chunk`;
    const { rows } = await client.query<{ tsv: string | null; n: string; refused: string | null; last_key: string | null }>({ text, values: after ?? [], types: RAW_TEXT });
    const r = rows[0]!;
    if (r.refused === 't') return byRows(after);
    return { tsv: r.tsv === null ? '' : `${r.tsv}\n`, rows: Number(r.n), lastKey: r.last_key === null ? null : (JSON.parse(r.last_key) as string[]) };
  };
}
