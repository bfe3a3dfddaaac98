// The backfill's two ways of writing a chunk, on the same table in the same run: PostgreSQL
// formats the fields (sqlChunks, what every table without arrays uses) against the rows
// read as text and formatted here (rowChunks). Then the two-tables-side-by-side copy of
// backfillTables against one table after the other. The copy runs in a child process:
// chDB binds one data directory per process (`npm run bench` runs every benchmark in one).
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { BackfillOptions, BackfillProgress } from '../ingest/backfill';
import { benchTempDir } from './ingest-support';
import type { Benchmark, Figure } from './harness';
import { benchPostgres } from './support';

const ROWS = Number(process.env.BENCH_BACKFILL_ROWS ?? 400_000);

interface Timings {
  sqlMs: number;
  rowMs: number;
  sequentialMs: number;
  sideBySideMs: number;
}

const bench: Benchmark = {
  name: 'backfill',
  description: `backfill of a ${ROWS.toLocaleString('en')}-row ledger-shaped table: fields formatted by PostgreSQL vs here; two tables side by side vs one after the other`,
  async run(ctx) {
    const engine = await benchPostgres();
    const db = new pg.Client({ connectionString: engine.url });
    await db.connect();
    try {
      for (const name of ['ledger_a', 'ledger_b']) {
        await db.query(`CREATE TABLE ${name} (id bigint PRIMARY KEY, product_id int NOT NULL, qty int NOT NULL, from_location_id int NOT NULL,
          to_location_id int NOT NULL, state text NOT NULL, created_at timestamptz NOT NULL, done_at timestamptz, scheduled_date date, note text, done bool)`);
        for (let done = 0; done < ROWS; done += 50_000) {
          await db.query(
            `INSERT INTO ${name} SELECT g, g % 5000, 1 + g % 40, g % 97, 97 + g % 89, CASE WHEN g % 3 = 0 THEN 'done' ELSE 'reserved' END,
               now() - g * interval '1 second', CASE WHEN g % 3 = 0 THEN now() END, current_date + (g % 30)::int,
               CASE WHEN g % 10 = 0 THEN E'tab\\there' END, g % 2 = 0
             FROM generate_series($1::bigint, $2::bigint) g`,
            [done + 1, Math.min(ROWS, done + 50_000)]
          );
          ctx.progress(`writing ${name}`, (done + 50_000) / ROWS);
        }
      }
      await db.query('ANALYZE');
      const child = fork(fileURLToPath(import.meta.url), [], {
        execArgv: process.execArgv,
        env: { ...process.env, BENCH_BACKFILL_CHILD: '1', BENCH_BACKFILL_URL: engine.url, BENCH_BACKFILL_DIR: await benchTempDir('opstower-bench-backfill-') },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc']
      });
      const t = await new Promise<Timings>((resolve, reject) => {
        child.on('message', (m: { t: 'progress'; label: string; fraction: number } | { t: 'done'; timings: Timings } | { t: 'error'; message: string }) => {
          if (m.t === 'progress') ctx.progress(m.label, m.fraction);
          else if (m.t === 'done') resolve(m.timings);
          else reject(new Error(m.message));
        });
        child.on('exit', (code) => reject(new Error(`the backfill child exited with ${code}`)));
      });
      const rate = (ms: number, rows = ROWS) => Math.round(rows / (ms / 1000));
      const figures: Figure[] = [
        { name: 'fields formatted by PostgreSQL (sqlChunks)', value: rate(t.sqlMs), unit: 'rows/s' },
        { name: 'fields formatted here (rowChunks)', value: rate(t.rowMs), unit: 'rows/s' },
        { name: 'sqlChunks / rowChunks', value: Math.round((t.rowMs / t.sqlMs) * 100) / 100, unit: 'x', target: { op: '>=', value: 1 } },
        { name: 'two tables one after the other', value: rate(t.sequentialMs, 2 * ROWS), unit: 'rows/s' },
        { name: 'two tables side by side (backfillTables)', value: rate(t.sideBySideMs, 2 * ROWS), unit: 'rows/s' },
        { name: 'side by side / one after the other', value: Math.round((t.sequentialMs / t.sideBySideMs) * 100) / 100, unit: 'x', target: { op: '>=', value: 1 } }
      ];
      return figures;
    } finally {
      await db.end();
      await engine.stop();
    }
  }
};
export default bench;

async function childMain(): Promise<void> {
  const { openEmbeddedClickHouse } = await import('../platform/clickhouse');
  const { migrateClickHouse } = await import('../warehouse/migrate');
  const { backfillTable, backfillTables } = await import('../ingest/backfill');
  const { coreTables } = await import('../ingest/catalog');
  const { ensureLandingTable, landingTable } = await import('../warehouse/landing-tables');
  const url = process.env.BENCH_BACKFILL_URL!;
  const ch = await openEmbeddedClickHouse(process.env.BENCH_BACKFILL_DIR!);
  await migrateClickHouse(ch.client);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const tables = (await coreTables(pool)).filter((t) => t.name === 'ledger_a' || t.name === 'ledger_b');
  const landing = new Map(tables.map((t) => [t.name, landingTable(t)]));
  for (const l of landing.values()) await ensureLandingTable(ch.client, l);
  const [a, b] = [tables.find((t) => t.name === 'ledger_a')!, tables.find((t) => t.name === 'ledger_b')!];
  let slots = 0;
  /** One copy under a slot name of its own (a fresh record: the copy starts from an emptied table). */
  const copy = async (label: string, run: (opts: BackfillOptions) => Promise<unknown>) => {
    const onProgress = (p: BackfillProgress) => process.send!({ t: 'progress', label: `${label}: ${p.table}`, fraction: p.total ? p.copied / p.total : 1 });
    const started = performance.now();
    await run({ databaseUrl: url, ch: ch.client, slot: `bench_${++slots}`, onProgress });
    return performance.now() - started;
  };
  const rowLanding = { ...landing.get('ledger_a')!, columns: landing.get('ledger_a')!.columns.map(({ sqlField: _s, sqlRefused: _r, ...c }) => c) };
  const rowMs = await copy('rows formatted here', (o) => backfillTable(o, a, rowLanding));
  const sqlMs = await copy('fields formatted by PostgreSQL', (o) => backfillTable(o, a, landing.get('ledger_a')!));
  const sequentialMs = await copy('one after the other', async (o) => {
    await backfillTable(o, a, landing.get('ledger_a')!);
    await backfillTable(o, b, landing.get('ledger_b')!);
  });
  const sideBySideMs = await copy('side by side', (o) => backfillTables(o, pool, [a, b], (n) => landing.get(n)!, () => undefined));
  await pool.end();
  await ch.close();
  process.send!({ t: 'done', timings: { sqlMs, rowMs, sequentialMs, sideBySideMs } }, () => process.exit(0));
}

if (process.env.BENCH_BACKFILL_CHILD === '1' && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  childMain().catch((err: Error) => {
    process.send?.({ t: 'error', message: err.stack ?? err.message });
    process.exitCode = 1;
  });
}
