import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { coreTables, CORE_SCHEMA, quoteIdent } from './catalog';
import { connectTextSession, RAW_TEXT } from './replication-stream';
import { fieldOf } from './type-mapping';
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
  const client = await connectTextSession(databaseUrl);
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
        types: RAW_TEXT // raw text for the rows only: the catalog query needs real booleans
      });
      const pgRows = new Map<string, string[]>();
      for (const r of rows) {
        const fields = r.map((v, i) => fieldOf(landing.columns[i]!, v));
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
        const fields = line.split('\t');
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

function checksum(rows: Map<string, string[]>): string {
  const hash = createHash('sha256');
  for (const line of [...rows.values()].map((f) => f.join('\t')).sort()) hash.update(line).update('\n');
  return hash.digest('hex').slice(0, 16);
}

/** Tables where the two sides differ (an empty list means invariant 5 holds). */
export function mismatches(results: TableReconciliation[]): TableReconciliation[] {
  return results.filter((r) => r.missing.length || r.extra.length || r.different.length);
}
