import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBench, type IngestBench } from './support';
import { backfillRecord, backfillTable, backfillTables, type BackfillProgress } from '../../ingest/backfill';
import { coreTables } from '../../ingest/catalog';
import { ensureLandingTable, landingTable } from '../../warehouse/landing-tables';

/**
 * Tables that hold rows when the ingest starts are copied in key-ordered chunks,
 * with progress; an interrupted copy resumes after the last chunk it noted.
 */

const BULK_ROWS = 45_000; // more than two of the pipeline's 20,000-row chunks

let b: IngestBench;
beforeAll(async () => {
  b = await ingestBench();
  await b.pool.query('CREATE TABLE bulk_items (id int PRIMARY KEY, label text NOT NULL, qty int)');
  await b.pool.query(`INSERT INTO bulk_items SELECT g, 'item ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE g % 100 END FROM generate_series(1, ${BULK_ROWS}) g`);
});
afterAll(() => b?.close());

describe('backfill', () => {
  it('copies the rows present at start, reporting increasing progress up to the total', async () => {
    const progress: BackfillProgress[] = [];
    b.startPipeline({ onBackfillProgress: (p) => p.table === 'bulk_items' && progress.push(p) });
    await b.settle(60_000);

    const copied = progress.map((p) => p.copied);
    expect(copied.length).toBeGreaterThanOrEqual(4); // start, three chunks, done
    for (let i = 1; i < copied.length; i++) expect(copied[i]).toBeGreaterThanOrEqual(copied[i - 1]!);
    expect(new Set(copied).size).toBeGreaterThanOrEqual(4); // 0, 20000, 40000, 45000
    expect(progress.every((p) => p.total === BULK_ROWS)).toBe(true);
    expect(progress.at(-1)).toEqual({ table: 'bulk_items', copied: BULK_ROWS, total: BULK_ROWS, done: true });
    expect(progress.filter((p) => p.done)).toHaveLength(1);

    const [count] = await b.chRows<{ n: number }>('SELECT toUInt32(count()) AS n FROM bulk_items FINAL');
    expect(count!.n).toBe(BULK_ROWS);
    const record = await backfillRecord(b.clickhouse.client, b.slot, 'bulk_items');
    expect(record).toMatchObject({ done: true, last_key: JSON.stringify([String(BULK_ROWS)]) });
    expect(Number(record!.rows_copied)).toBe(BULK_ROWS);

    // The stream takes over where the copy ended.
    await b.pool.query("UPDATE bulk_items SET label = 'changed' WHERE id IN (1, 45000)");
    await b.pool.query('DELETE FROM bulk_items WHERE id = 2');
    await b.settle();
    await b.expectEqual();
  });

  it('resumes an interrupted copy after the last chunk it noted', async () => {
    // A composite key: the copy pages on (batch, seq) row comparison.
    await b.pool.query('CREATE TABLE resume_items (batch int, seq int, note text, PRIMARY KEY (batch, seq))');
    await b.pool.query("INSERT INTO resume_items SELECT g / 100, g % 100, 'n' || g FROM generate_series(0, 2499) g");
    const total = 2_500;
    const chunkRows = 300;
    const table = (await coreTables(b.pool)).find((t) => t.name === 'resume_items')!;
    const landing = landingTable(table);
    await ensureLandingTable(b.clickhouse.client, landing);
    // A slot name of its own: the running pipeline's records stay apart.
    const opts = { databaseUrl: b.url, ch: b.clickhouse.client, slot: `${b.slot}_manual`, chunkRows };

    const first: BackfillProgress[] = [];
    const interrupted = backfillTable(
      {
        ...opts,
        onProgress: (p) => {
          first.push(p);
          if (p.copied >= 2 * chunkRows) throw new Error('interrupted after the second chunk');
        }
      },
      table,
      landing
    );
    await expect(interrupted).rejects.toThrow('interrupted after the second chunk');
    expect(first.map((p) => p.copied)).toEqual([0, chunkRows, 2 * chunkRows]);

    const record = await backfillRecord(b.clickhouse.client, opts.slot, 'resume_items');
    expect(record).toMatchObject({ done: false, last_key: JSON.stringify(['5', '99']) }); // row 600 of (batch, seq) order
    expect(Number(record!.rows_copied)).toBe(2 * chunkRows);
    const [landed] = await b.chRows<{ n: number }>('SELECT toUInt32(count()) AS n FROM resume_items FINAL');
    expect(landed!.n).toBe(2 * chunkRows);

    const second: BackfillProgress[] = [];
    const added = await backfillTable({ ...opts, onProgress: (p) => second.push(p) }, table, landing);
    expect(added).toBe(total - 2 * chunkRows);
    expect(added).toBeLessThan(total);
    expect(second[0]).toEqual({ table: 'resume_items', copied: 2 * chunkRows, total, done: false });
    expect(second.at(-1)).toEqual({ table: 'resume_items', copied: total, total, done: true });

    const done = await backfillRecord(b.clickhouse.client, opts.slot, 'resume_items');
    expect(done).toMatchObject({ done: true, last_key: JSON.stringify(['24', '99']) });
    expect(Number(done!.rows_copied)).toBe(total);
    await b.expectEqual(['resume_items']);

    // A finished copy is not repeated.
    expect(await backfillTable(opts, table, landing)).toBe(0);
  });

  it('names a value ClickHouse cannot hold, and stops the copy running beside it', async () => {
    await b.pool.query('CREATE TABLE old_dates (id int PRIMARY KEY, day date NOT NULL)');
    await b.pool.query("INSERT INTO old_dates SELECT g, CASE WHEN g = 1500 THEN date '1850-06-01' ELSE date '2026-01-01' END FROM generate_series(1, 3000) g");
    await b.pool.query('ANALYZE bulk_items, old_dates');
    const tables = (await coreTables(b.pool)).filter((t) => t.name === 'bulk_items' || t.name === 'old_dates');
    const landings = new Map(tables.map((t) => [t.name, landingTable(t)]));
    for (const l of landings.values()) await ensureLandingTable(b.clickhouse.client, l);
    const opts = { databaseUrl: b.url, ch: b.clickhouse.client, slot: `${b.slot}_dates`, chunkRows: 300 };

    const copied: string[] = [];
    const run = backfillTables(opts, b.pool, tables, (name) => landings.get(name)!, (name) => copied.push(name));
    // PostgreSQL formats the chunk, sees the refused value, and the row path names it.
    await expect(run).rejects.toThrow(/date value "1850-06-01" is outside ClickHouse's range/);
    expect(copied).toEqual([]);
    expect(await backfillRecord(b.clickhouse.client, opts.slot, 'old_dates')).toMatchObject({ done: false, last_key: JSON.stringify(['1200']) });
    // 150 chunks of bulk_items were not all copied: the failure stopped that copy too.
    const bulk = await backfillRecord(b.clickhouse.client, opts.slot, 'bulk_items');
    expect(bulk?.done).toBe(false);
  });
});
