import { Readable } from 'node:stream';
import type pg from 'pg';
import type { ClickHouseClient } from '@clickhouse/client';
import { CORE_SCHEMA, quoteIdent, type CoreTable } from './catalog';
import { connectTextSession } from './replication-stream';
import { formatsInSql, rowChunks, sqlChunks, type BackfillChunk } from './backfill-chunks';
import { microsToField } from './batcher';
import type { Lsn } from './lsn';
import { chIdent, type LandingTable } from '../warehouse/landing-tables';

/**
 * Copies a table's rows into its landing table in key order, in chunks, noting
 * progress after each chunk so that an interrupted copy resumes where it stopped.
 *
 * Consistency with the stream: the copy runs after the slot (or the table's
 * membership in the publication) exists, and its rows carry a version lower than
 * any change the stream brings for the table afterwards. Whatever the copy read,
 * a later change wins; a row deleted before the copy reached it is simply absent.
 * A first copy writes version 0 into an emptied table; a refresh after a schema
 * change writes the version just below the transaction that changed the schema.
 */

export interface BackfillProgress {
  table: string;
  copied: number;
  total: number;
  done: boolean;
}

interface BackfillRecord {
  last_key: string;
  rows_copied: string;
  rows_total: string;
  done: boolean;
  row_version: string;
}

export interface BackfillOptions {
  databaseUrl: string;
  ch: ClickHouseClient;
  slot: string;
  chunkRows?: number;
  onProgress?: (p: BackfillProgress) => void;
  /** Checked between chunks: a stopping process leaves the copy to resume later. */
  shouldStop?: () => boolean;
}

export class BackfillInterrupted extends Error {
  override name = 'BackfillInterrupted';
}

export async function backfillRecord(ch: ClickHouseClient, slot: string, table: string): Promise<BackfillRecord | undefined> {
  const rs = await ch.query({
    query: 'SELECT last_key, rows_copied, rows_total, done, row_version FROM ingest_backfill FINAL WHERE slot_name = {slot:String} AND table_name = {table:String}',
    query_params: { slot, table },
    format: 'JSONEachRow'
  });
  return (await rs.json<BackfillRecord>())[0];
}

let lastStamp = 0n;
/** Record versions: microseconds, strictly increasing within the process. */
function stamp(): string {
  const now = BigInt(Date.now()) * 1000n;
  lastStamp = now > lastStamp ? now : lastStamp + 1n;
  return microsToField(lastStamp);
}

async function saveRecord(ch: ClickHouseClient, slot: string, table: string, r: { lastKey: string; copied: number; total: number; done: boolean; version: Lsn }): Promise<void> {
  await ch.insert({
    table: 'ingest_backfill',
    values: [{ slot_name: slot, table_name: table, last_key: r.lastKey, rows_copied: r.copied, rows_total: r.total, done: r.done, row_version: r.version.toString(), updated_at: stamp() }],
    format: 'JSONEachRow'
  });
}

/** Marks every table's copy as not started (a new slot: nothing in ClickHouse can be trusted). */
export async function resetBackfill(ch: ClickHouseClient, slot: string, tables: string[]): Promise<void> {
  for (const table of tables) {
    await ch.command({ query: `TRUNCATE TABLE IF EXISTS ${chIdent(table)}` });
    await saveRecord(ch, slot, table, { lastKey: '', copied: 0, total: 0, done: false, version: 0n });
  }
}

/** Plans a refresh of a table at `version` (after a schema change); run it with backfillTable. */
export async function planRefresh(ch: ClickHouseClient, slot: string, table: string, version: Lsn): Promise<void> {
  await saveRecord(ch, slot, table, { lastKey: '', copied: 0, total: 0, done: false, version });
}

/** Copies (or resumes copying) one table unless its copy is done. Returns the rows copied in this call. */
export async function backfillTable(opts: BackfillOptions, table: CoreTable, landing: LandingTable): Promise<number> {
  const { ch, slot } = opts;
  const record = await backfillRecord(ch, slot, table.name);
  if (record?.done) return 0;
  const version = BigInt(record?.row_version ?? '0');
  let lastKey: string[] | null = record?.last_key ? (JSON.parse(record.last_key) as string[]) : null;
  let copied = lastKey ? Number(record!.rows_copied) : 0;
  // A first copy starts from an empty table (rows from before the slot cannot be trusted).
  if (!record || (version === 0n && !lastKey)) await ch.command({ query: `TRUNCATE TABLE IF EXISTS ${chIdent(landing.name)}` });

  const client = await connectTextSession(opts.databaseUrl);
  try {
    const qualified = `${quoteIdent(CORE_SCHEMA)}.${quoteIdent(table.name)}`;
    const total = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${qualified}`)).rows[0]!.n);
    const chunkRows = opts.chunkRows ?? 20_000;
    const columns = [...landing.columns.map((c) => chIdent(c.name)), '_version', '_deleted', '_commit_time'] as string[] as [string, ...string[]];
    const trailer = `${version}\t0\t${microsToField(BigInt(Date.now()) * 1000n)}`;
    const spec = { client, table, landing, chunkRows, trailer };
    const read = formatsInSql(landing) ? sqlChunks(spec) : rowChunks(spec);
    let added = 0;
    opts.onProgress?.({ table: table.name, copied, total, done: false });
    const land = async (chunk: BackfillChunk) => {
      await ch.insert({ table: chIdent(landing.name), columns, values: Readable.from([chunk.tsv], { objectMode: false }), format: 'TabSeparated' });
      // Progress is saved only once the chunk is in ClickHouse: a resume never skips rows.
      copied += chunk.rows;
      added += chunk.rows;
      await saveRecord(ch, slot, table.name, { lastKey: JSON.stringify(chunk.lastKey), copied, total: Math.max(total, copied), done: false, version });
      opts.onProgress?.({ table: table.name, copied, total: Math.max(total, copied), done: false });
    };
    // PostgreSQL reads the next chunk while ClickHouse writes this one.
    let next = read(lastKey);
    for (;;) {
      const chunk = await next; // nothing is in flight from here on: a stop leaves no query behind
      if (chunk.rows === 0) break;
      if (opts.shouldStop?.()) throw new BackfillInterrupted(`backfill of ${table.name} interrupted at ${copied} rows; it resumes at the next start`);
      lastKey = chunk.lastKey;
      const full = chunk.rows === chunkRows;
      if (full) next = read(lastKey);
      // Both settle before a failure propagates: no write goes on after the copy reported it.
      const [landed, fetched] = await Promise.allSettled([land(chunk), full ? next : undefined]);
      if (landed.status === 'rejected') throw landed.reason;
      if (fetched.status === 'rejected') throw fetched.reason;
      if (!full) break;
    }
    await saveRecord(ch, slot, table.name, { lastKey: JSON.stringify(lastKey ?? []), copied, total: Math.max(total, copied), done: true, version });
    opts.onProgress?.({ table: table.name, copied, total: Math.max(total, copied), done: true });
    return added;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Copies what each table still needs, two tables side by side, largest first (by the
 * planner's estimate): one copy keeps one PostgreSQL backend busy formatting rows while
 * ClickHouse mostly waits, and the largest table alone sets the floor. Returns the rows
 * copied. A failure stops the other copy and is thrown; so is a stop (BackfillInterrupted).
 */
export async function backfillTables(
  opts: BackfillOptions,
  db: pg.Pool,
  tables: CoreTable[],
  landingOf: (table: string) => LandingTable,
  copiedTable: (table: string, rows: number) => void
): Promise<number> {
  const { rows } = await db.query<{ name: string; estimate: number }>(
    `SELECT relname AS name, reltuples::float8 AS estimate FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind IN ('r', 'p')`,
    [CORE_SCHEMA]
  );
  const estimate = new Map(rows.map((r) => [r.name, Number(r.estimate)]));
  const queue = [...tables].sort((a, b) => (estimate.get(b.name) ?? 0) - (estimate.get(a.name) ?? 0));
  let failure: unknown = null;
  let total = 0;
  const copyNext = async (): Promise<void> => {
    for (let t = queue.shift(); t && !failure; t = queue.shift()) {
      const copied = await backfillTable({ ...opts, shouldStop: () => failure !== null || (opts.shouldStop?.() ?? false) }, t, landingOf(t.name)).catch((err: unknown) => {
        failure ??= err; // the first failure is the cause; the other copy stops because of it
        throw err;
      });
      if (copied > 0) copiedTable(t.name, copied);
      total += copied;
    }
  };
  await Promise.allSettled([copyNext(), copyNext()]);
  if (failure !== null) throw failure;
  return total;
}
