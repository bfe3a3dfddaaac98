import { stat, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { Benchmark, Figure } from './harness';
import { benchPostgres, run } from './support';

/**
 * Does pgoutput's binary mode pay? The same backlog read twice by pg_recvlogical,
 * once with text values (what the ingest asks for) and once with binary ones.
 * The table has the shape of the ledger (integers, timestamps, a date, numeric, text).
 */
const ROWS = Number(process.env.BENCH_BINARY_ROWS ?? 500_000);
const TXN_ROWS = 500;

const bench: Benchmark = {
  name: 'pgoutput-binary',
  description: `pg_recvlogical over a ${ROWS.toLocaleString('en')}-row backlog: text vs binary pgoutput`,
  async run(ctx) {
    const engine = await benchPostgres();
    const db = new pg.Client({ connectionString: engine.url });
    await db.connect();
    try {
      await db.query(`CREATE TABLE ledger_shape (id bigint PRIMARY KEY, product_id int NOT NULL, qty int NOT NULL, from_location_id int NOT NULL,
        to_location_id int NOT NULL, state text NOT NULL, created_at timestamptz NOT NULL, done_at timestamptz, scheduled_date date, cost numeric(12,2))`);
      await db.query('CREATE PUBLICATION binary_bench FOR TABLE ledger_shape');
      await db.query("SELECT pg_create_logical_replication_slot('bench_text', 'pgoutput'), pg_create_logical_replication_slot('bench_binary', 'pgoutput')");
      for (let done = 0; done < ROWS; done += TXN_ROWS) {
        await db.query(
          `INSERT INTO ledger_shape SELECT g, g % 5000, 1 + g % 40, g % 97, 97 + g % 89, CASE WHEN g % 3 = 0 THEN 'done' ELSE 'reserved' END,
             now() - g * interval '1 second', CASE WHEN g % 3 = 0 THEN now() END, current_date + (g % 30)::int, (g % 100000) / 100.0
           FROM generate_series($1::bigint, $2::bigint) g`,
          [done + 1, done + TXN_ROWS]
        );
        if (done % 50_000 === 0) ctx.progress('writing the backlog', done / ROWS);
      }
      ctx.progress('writing the backlog', 1);
      const end = (await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
      const u = new URL(engine.url);
      const env = { PGPASSWORD: decodeURIComponent(u.password) };
      const read = async (slot: string, binary: boolean) => {
        const file = path.join(engine.dir, `${slot}.out`);
        const started = performance.now();
        await run('pg_recvlogical', ['-h', u.hostname, '-p', u.port, '-U', decodeURIComponent(u.username), '-d', u.pathname.slice(1), '--slot', slot, '--start',
          '--endpos', end, '--no-loop', '-o', 'proto_version=1', '-o', 'publication_names=binary_bench', ...(binary ? ['-o', 'binary=true'] : []), '-f', file], env);
        const seconds = (performance.now() - started) / 1000;
        const bytes = (await stat(file)).size;
        await rm(file);
        return { rate: ROWS / seconds, bytes };
      };
      ctx.log('reading with text values');
      const text = await read('bench_text', false);
      ctx.log('reading with binary values');
      const binary = await read('bench_binary', true);
      const figures: Figure[] = [
        { name: 'text pgoutput', value: Math.round(text.rate), unit: 'rows/s', note: `${(text.bytes / 1e6).toFixed(1)} MB` },
        { name: 'binary pgoutput', value: Math.round(binary.rate), unit: 'rows/s', note: `${(binary.bytes / 1e6).toFixed(1)} MB` },
        { name: 'binary / text', value: Math.round((binary.rate / text.rate) * 100), unit: '%' }
      ];
      return figures;
    } finally {
      await db.end();
      await engine.stop();
    }
  }
};
export default bench;
