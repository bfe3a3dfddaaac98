// CDC ingest throughput: a backlog of 1M row changes (stock moves, 1,000 per transaction,
// each transaction with the core's audit message) decoded and landed in chDB, beside
// pg_recvlogical (pgoutput, to a file) reading the same backlog from a second slot on
// the same publication, in the same run.
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { createCoreDb } from '../app/lib/server/core/db';
import { parseLsn } from '../ingest/lsn';
import { createPool } from '../platform/pool';
import type { Benchmark } from './harness';
import { auditStatement, benchTempDir, IngestChild, stockedNetwork, walsenderCpu, type FromChild } from './ingest-support';
import { benchPostgres, run } from './support';

const ROWS = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
const PER_TRANSACTION = 1_000;
const SLOT = 'bench_ingest';
const RECVLOGICAL_SLOT = 'bench_recvlogical';

const bench: Benchmark = {
  name: 'ingest-throughput',
  description: `row changes/s decoded and landed in chDB from a backlog of ${ROWS.toLocaleString('en')}, beside pg_recvlogical (pgoutput, to a file) on the same backlog`,
  async run(ctx) {
    const engine = await benchPostgres();
    const pool = createPool(engine.url, 4);
    const children: IngestChild[] = [];
    const chDir = await benchTempDir('opstower-bench-ch-');
    const launch = async () => {
      const c = await IngestChild.launch({ url: engine.url, slot: SLOT, dataDir: chDir });
      children.push(c);
      return c;
    };
    try {
      const pairs = await stockedNetwork(createCoreDb(pool), 2_000, (l, f) => ctx.progress(l, f));

      // The ingest's publication and slot (and the backfill of the master data), then a
      // second slot on the same publication for pg_recvlogical: both before the backlog.
      ctx.progress('ingest slot, publication and backfill', 0);
      const first = await launch();
      await first.start();
      await first.next((m) => m.t === 'state' && m.state === 'streaming', 120_000, 'the first ingest run to stream');
      await first.stop();
      await pool.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [RECVLOGICAL_SLOT]);
      ctx.progress('ingest slot, publication and backfill', 1);

      // The backlog: outbound stock moves, 1,000 per transaction, two writers.
      const transactions = Math.ceil(ROWS / PER_TRANSACTION);
      let next = 0;
      await Promise.all(
        [0, 1].map(async () => {
          const client = await pool.connect();
          try {
            for (let t = next++; t < transactions; t = next++) {
              if (t % 20 === 0) ctx.progress(`backlog (${ROWS.toLocaleString('en')} row changes)`, t / transactions);
              const n = Math.min(PER_TRANSACTION, ROWS - t * PER_TRANSACTION);
              const picked = Array.from({ length: n }, (_, i) => pairs[(t * 7919 + i * 31) % pairs.length]!);
              await client.query(`BEGIN; ${auditStatement('bench.backlog')}`);
              await client.query(
                `INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, document_line_id, done_at)
                 SELECT p, 1 + (l % 5), f, c, 'done', 'sales_order', $4, l, now() FROM unnest($1::int[], $2::int[], $3::int[]) WITH ORDINALITY AS u(p, f, c, l)`,
                [picked.map((p) => p.productId), picked.map((p) => p.stock), picked.map((p) => p.customer), t + 1]
              );
              await client.query('COMMIT');
            }
          } finally {
            client.release();
          }
        })
      );
      ctx.progress(`backlog (${ROWS.toLocaleString('en')} row changes)`, 1);
      // The end of the backlog: a marker transaction for the ingest, the WAL position after it for pg_recvlogical.
      const marker = parseLsn((await pool.query<{ lsn: string }>("SELECT pg_logical_emit_message(true, 'opstower.bench', 'end')::text AS lsn")).rows[0]!.lsn);
      const endLsn = (await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
      const walMb = Number((await pool.query<{ b: string }>("SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS b FROM pg_replication_slots WHERE slot_name = $1", [RECVLOGICAL_SLOT])).rows[0]!.b) / 2 ** 20;
      ctx.log(`backlog written: ${transactions} transactions, ${walMb.toFixed(0)} MB of WAL, ends at ${endLsn}`);

      // (a) pg_recvlogical from its slot to --endpos.
      ctx.progress('pg_recvlogical to a file', 0);
      const out = path.join(await benchTempDir('opstower-bench-recvlogical-'), 'changes.pgoutput');
      let walsender = walsenderCpu(pool, RECVLOGICAL_SLOT);
      const t = performance.now();
      await run('pg_recvlogical', [
        '-d', engine.url, '--slot', RECVLOGICAL_SLOT, '--start', '--no-loop', '--plugin=pgoutput',
        '-o', 'proto_version=1', '-o', `publication_names=${SLOT}`, '-o', 'messages=true', '--endpos', endLsn, '-f', out
      ]);
      const recvSeconds = (performance.now() - t) / 1000;
      const recvWalsenderCpu = await walsender();
      const outMb = (await stat(out)).size / 2 ** 20;
      await rm(path.dirname(out), { recursive: true, force: true });
      ctx.progress('pg_recvlogical to a file', 1);
      ctx.log(`pg_recvlogical: ${recvSeconds.toFixed(2)} s, ${outMb.toFixed(0)} MB written; its walsender used ${recvWalsenderCpu.toFixed(1)} s CPU`);

      // (b) the ingest from start() until the marker transaction has landed.
      const ingest = await launch();
      let streamingAt = 0;
      let landedRows = 0;
      let batches = 0;
      const stopProgress = ingest.on((m: FromChild) => {
        if (m.t === 'state' && m.state === 'streaming' && !streamingAt) streamingAt = m.at;
        // Each batch as it lands (landed events follow the facts and may cover several batches).
        if (m.t === 'visible') {
          batches++;
          landedRows += m.rows;
          ctx.progress('ingest: decode and land in chDB', Math.min(1, landedRows / ROWS));
        }
      });
      ctx.progress('ingest: decode and land in chDB', 0);
      walsender = walsenderCpu(pool, SLOT);
      const started = await ingest.start();
      const factsCaughtUp = ingest.next(
        (m): m is Extract<FromChild, { t: 'landed' }> => m.t === 'landed' && parseLsn(m.lsn) > marker,
        30 * 60_000,
        'the facts to reflect the backlog'
      );
      // Landed: the marker's batch is in ClickHouse (visible); the facts (issue 5) follow.
      const caughtUp = await ingest.next(
        (m): m is Extract<FromChild, { t: 'visible' }> => m.t === 'visible' && parseLsn(m.lsn) > marker,
        30 * 60_000,
        'the ingest to land the backlog'
      );
      const factsAt = (await factsCaughtUp).at;
      stopProgress();
      const ingestWalsenderCpu = await walsender();
      ctx.progress('ingest: decode and land in chDB', 1);
      const { maxRssMb, rowsLanded, cpuSeconds, breakdown } = await ingest.stop();
      if (breakdown) ctx.log(`ingest breakdown: ${breakdown}`);
      if (rowsLanded < ROWS) throw new Error(`the ingest landed ${rowsLanded} row changes, expected ${ROWS}`);
      const ingestSeconds = (caughtUp.at - started.at) / 1000;
      const ingestCpu = cpuSeconds - started.cpuSeconds;
      const streamSeconds = (caughtUp.at - streamingAt) / 1000;
      ctx.log(`ingest: ${ingestSeconds.toFixed(2)} s from start() (${streamSeconds.toFixed(2)} s from streaming), ${rowsLanded} change-log lines in ${batches} batches, ${ingestCpu.toFixed(1)} s CPU (its walsender: ${ingestWalsenderCpu.toFixed(1)} s)`);

      const ingestRate = ROWS / ingestSeconds;
      const recvRate = ROWS / recvSeconds;
      return [
        { name: `ingest: ${ROWS.toLocaleString('en')} row changes decoded + landed (chDB)`, value: ingestRate, unit: 'rows/s', note: `${ingestSeconds.toFixed(1)} s from start(), slot to ClickHouse-visible` },
        { name: 'ingest: rate once streaming', value: ROWS / streamSeconds, unit: 'rows/s', note: 'prepare (landing tables, checkpoint) excluded' },
        { name: 'facts refreshed up to the backlog', value: (factsAt - started.at) / 1000, unit: 's from start()', note: 'materialized facts (issue 5), beside the landing' },
        { name: 'pg_recvlogical (pgoutput) to a file, same backlog', value: recvRate, unit: 'rows/s', note: `${recvSeconds.toFixed(1)} s; reference (STACK.md: ~100k)` },
        { name: "ingest rate as a share of pg_recvlogical's", value: (100 * ingestRate) / recvRate, unit: '%', target: { op: '>=', value: 50 } },
        { name: 'ingest CPU time (all threads, chDB included)', value: (ingestCpu * 1e6) / ROWS, unit: 's per 1M rows', note: 'user + system over the run, all threads' },
        { name: 'ingest process peak RSS (pipeline + chDB)', value: maxRssMb, unit: 'MB' }
      ];
    } finally {
      for (const c of children) await c.kill();
      await pool.end();
      await engine.stop();
      await rm(engine.dir, { recursive: true, force: true });
      await rm(chDir, { recursive: true, force: true });
    }
  }
};
export default bench;
