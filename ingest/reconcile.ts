import { createHash } from 'node:crypto';
import pg from 'pg';
import type { ClickHouseClient } from '@clickhouse/client';
import { coreTables, CORE_SCHEMA, quoteIdent } from './catalog';
import { TEXT_OUTPUT_OPTIONS } from './replication-stream';
import { chIdent, landingTable } from '../warehouse/landing-tables';

/**
 * Invariant 5: every current-state row in ClickHouse equals the PostgreSQL row.
 * Both sides are brought to ClickHouse's text form (PostgreSQL's through the same
 * type mapping the ingest uses), then compared row by row and summed up as a
 * checksum per table. Meant for tests and for an operator's spot check: it reads
 * whole tables.
 */

export interface TableReconciliation {
  table: string;
  postgresRows: number;
  clickhouseRows: number;
  postgresChecksum: string;
  clickhouseChecksum: string;
  missing: string[];
  extra: string[];
  different: string[];
}

const SAMPLE = 5;

export async function reconcile(databaseUrl: string, ch: ClickHouseClient, only?: string[]): Promise<TableReconciliation[]> {
  // Raw text only for the table rows: the catalog query needs real booleans (is_key, not_null).
  const client = new pg.Client({ connectionString: databaseUrl, options: TEXT_OUTPUT_OPTIONS });
  client.on('error', () => undefined); // a lost connection fails the next query instead of the process
  await client.connect();
  try {
    const out: TableReconciliation[] = [];
    for (const table of await coreTables(client)) {
      if (only && !only.includes(table.name)) continue;
      const landing = landingTable(table);
      const keyIdx = table.keyColumns.map((k) => table.columns.findIndex((c) => c.name === k));
      const names = table.columns.map((c) => c.name);
      const { rows } = await client.query<(string | null)[]>({
        text: `SELECT ${names.map(quoteIdent).join(', ')} FROM ${quoteIdent(CORE_SCHEMA)}.${quoteIdent(table.name)}`,
        rowMode: 'array',
        types: { getTypeParser: () => (v: string) => v }
      });
      const pgRows = new Map<string, string[]>();
      for (const r of rows) {
        const fields = r.map((v, i) => (v === null ? landing.columns[i]!.nullField : landing.columns[i]!.toField(v)));
        pgRows.set(keyIdx.map((i) => fields[i]).join('\t'), fields);
      }
      const rs = await ch.query({
        query: `SELECT ${names.map(chIdent).join(', ')} FROM ${chIdent(table.name)} FINAL`,
        format: 'TabSeparated',
        clickhouse_settings: { output_format_decimal_trailing_zeros: 1 }
      });
      const chRows = new Map<string, string[]>();
      for (const line of (await rs.text()).split('\n')) {
        if (!line) continue;
        const fields = line.split('\t').map((f, i) => (landing.columns[i]!.type.startsWith('Array(') ? f : unescapeQuote(f)));
        chRows.set(keyIdx.map((i) => fields[i]).join('\t'), fields);
      }
      const missing = [...pgRows.keys()].filter((k) => !chRows.has(k));
      const extra = [...chRows.keys()].filter((k) => !pgRows.has(k));
      const different = [...pgRows].filter(([k, f]) => {
        const c = chRows.get(k);
        return c !== undefined && f.some((v, i) => !landing.columns[i]!.sameValue(v, c[i]!));
      });
      out.push({
        table: table.name,
        postgresRows: pgRows.size,
        clickhouseRows: chRows.size,
        postgresChecksum: checksum(pgRows),
        clickhouseChecksum: checksum(chRows),
        missing: missing.slice(0, SAMPLE),
        extra: extra.slice(0, SAMPLE),
        different: different.slice(0, SAMPLE).map(([k, f]) => `${k}: postgres ${f.join('|')} / clickhouse ${chRows.get(k)!.join('|')}`)
      });
    }
    return out;
  } finally {
    await client.end();
  }
}

/** ClickHouse's TSV output escapes ', backspace and form feed in a String; the ingest's TSV fields do not (both read back the same). */
function unescapeQuote(field: string): string {
  return /\\['bf]/.test(field) ? field.replace(/\\(.)/g, (m, c: string) => (c === "'" ? "'" : c === 'b' ? '\b' : c === 'f' ? '\f' : m)) : field;
}

function checksum(rows: Map<string, string[]>): string {
  const hash = createHash('sha256');
  for (const line of [...rows.values()].map((f) => f.join('\t')).sort()) hash.update(line).update('\n');
  return hash.digest('hex').slice(0, 16);
}

/** Tables where the two sides differ (an empty list means invariant 5 holds). */
export function mismatches(results: TableReconciliation[]): TableReconciliation[] {
  return results.filter((r) => r.missing.length || r.extra.length || r.different.length);
}
