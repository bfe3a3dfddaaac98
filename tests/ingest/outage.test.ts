import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { connectClickHouse, type ClickHouseEngine } from '../../platform/clickhouse';
import { migrateClickHouse } from '../../warehouse/migrate';
import { IngestPipeline } from '../../ingest/pipeline';
import { mismatches, reconcile } from '../../ingest/reconcile';
import { parseLsn } from '../../ingest/lsn';
import { freshDatabase, tempDir } from '../support/databases';
import { startChdbHttpServer, type ChdbHttpServer } from '../support/chdb-http-server';
import { privatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { DUPLICATE_CHANGES, dropSlot, ingestBench, quietLog, waitFor, type IngestBench } from './support';
import { Workload } from './workload';

/**
 * Outages during load: ClickHouse disappears (SIGKILL of the server) and comes
 * back; PostgreSQL restarts. The ingest must notice, hold its acknowledgement and
 * its memory, recover by itself, and end with every table equal to PostgreSQL and
 * no change landed twice.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STOP_MERGES = 'SYSTEM STOP MERGES change_log'; // merges would collapse duplicate lines and hide a replay
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function confirmedFlushLsn(pool: pg.Pool, slot: string): Promise<bigint> {
  const { rows } = await pool.query<{ lsn: string }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return parseLsn(rows[0]!.lsn);
}


async function expectNoDuplicates(ch: ClickHouseEngine): Promise<void> {
  const rs = await ch.client.query({ query: DUPLICATE_CHANGES, format: 'JSONEachRow' });
  expect(await rs.json()).toEqual([]);
}

describe('ingest outages', () => {
  it('ClickHouse down under load: retries without acknowledging, memory bounded, recovers by itself, nothing lost or doubled', async () => {
    const url = await freshDatabase('outage');
    const pool = new pg.Pool({ connectionString: url, max: 8 });
    cleanups.push(() => pool.end());
    let server = await startChdbHttpServer(await tempDir('ch-outage'));
    cleanups.push(() => server.stop());
    const ch = connectClickHouse(server.url);
    cleanups.push(() => ch.close());
    await migrateClickHouse(ch.client);
    await ch.client.command({ query: STOP_MERGES });

    const slot = `t_${randomBytes(5).toString('hex')}`;
    const ingestCh = connectClickHouse(server.url);
    // A small queue and batch: the backlog below is many times what the ingest may hold.
    const pipeline = new IngestPipeline({ databaseUrl: url, clickhouse: ingestCh.client, log: quietLog, slot, publication: slot, lockPollMs: 100, queueHighWater: 2_000, maxBatchRows: 2_000 });
    cleanups.push(() => dropSlot(pool, slot));
    cleanups.push(() => ingestCh.close());
    cleanups.push(() => pipeline.stop());
    pipeline.start();
    await waitFor(() => pipeline.state === 'streaming', 30_000, 'the pipeline to stream');

    /** Waits until everything committed so far has landed. */
    const settle = async () => {
      const { rows } = await pool.query<{ lsn: string }>("SELECT pg_logical_emit_message(true, 'opstower.settle', '')::text AS lsn");
      await waitFor(() => parseLsn(pipeline.progress().landedLsn ?? '0/0') > parseLsn(rows[0]!.lsn), 60_000, `the ingest to land ${rows[0]!.lsn}`);
    };

    // Bulk rows whose updates make a backlog of 100k row changes while ClickHouse is away.
    const BULK = 10_000;
    const BULK_UPDATES = 10;
    // Suppliers: the workload only inserts and references its own, so these rows are not contended.
    await pool.query("INSERT INTO suppliers (code, name) SELECT 'bulk-' || g, 'Bulk ' || g FROM generate_series(1, $1) g", [BULK]);
    const workload = new Workload(pool, { seed: 20_261_122, concurrency: 3, pauseMs: 4 });
    workload.start();
    cleanups.push(() => workload.stop());
    await settle();
    await sleep(1_000);
    const heapBefore = process.memoryUsage().heapUsed;

    const killedAt = Date.now();
    await server.kill();
    await waitFor(() => pipeline.state === 'retrying', 15_000, 'the pipeline to report retrying');
    expect(pipeline.progress().lastError).toMatch(/ClickHouse|ECONNREFUSED|ECONNRESET|socket hang up/);

    let heapPeak = 0;
    let acknowledgedMax = 0n;
    const watch = setInterval(() => {
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
      void confirmedFlushLsn(pool, slot).then((l) => (acknowledgedMax = l > acknowledgedMax ? l : acknowledgedMax));
    }, 100);
    let frozenAt: bigint;
    try {
      for (let i = 0; i < BULK_UPDATES; i++) await pool.query("UPDATE suppliers SET name = 'Bulk ' || id || ' v' || $1 WHERE code LIKE 'bulk-%'", [i]);
      // An LSN acknowledged before the kill may reach PostgreSQL with the next periodic status
      // update (every 5 s); from then on the slot must not move while ClickHouse is away.
      await sleep(Math.max(0, killedAt + 5_500 - Date.now()));
      frozenAt = await confirmedFlushLsn(pool, slot);
      await sleep(1_500);
    } finally {
      clearInterval(watch);
    }
    const last = await confirmedFlushLsn(pool, slot);
    if (last > acknowledgedMax) acknowledgedMax = last;
    expect(pipeline.state).toBe('retrying');
    expect(pipeline.progress().lastError).not.toBeNull();
    expect(last).toBe(frozenAt);
    const { rows } = await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    expect(parseLsn(rows[0]!.lsn) - acknowledgedMax).toBeGreaterThan(10_000_000); // a real backlog was held back
    // Reading paused: the walsender is held back by the full socket, not drained into the
    // ingest's memory (with an unbounded queue it sends everything and this lag is 0).
    const { rows: sender } = await pool.query<{ lag: string }>('SELECT pg_current_wal_lsn() - sent_lsn AS lag FROM pg_stat_replication WHERE application_name = $1', [`opstower-ingest:${slot}`]);
    expect(Number(sender[0]!.lag)).toBeGreaterThan(2_000_000);
    expect(heapPeak - heapBefore).toBeLessThan(64 * 1024 * 1024); // a generous cap; the queue holds 2,000 messages

    server = await startChdbHttpServer(server.dataDir, { port: server.port, initSql: [STOP_MERGES] });
    await waitFor(() => pipeline.state === 'streaming' && parseLsn(pipeline.progress().landedLsn ?? '0/0') > acknowledgedMax, 30_000, 'the ingest to land again');
    await sleep(1_500); // more load after the recovery
    const stats = await workload.stop();
    await settle();

    // Nothing acknowledged that had not landed: every change at or below the highest LSN the
    // slot confirmed during the outage was in ClickHouse before the kill.
    const late = await ch.client.query({
      query: 'SELECT count() AS n FROM change_log WHERE commit_lsn <= {acked:UInt64} AND landed_at >= fromUnixTimestamp64Milli({killed:Int64})',
      query_params: { acked: acknowledgedMax.toString(), killed: killedAt },
      format: 'JSONEachRow'
    });
    expect(Number((await late.json<{ n: number }>())[0]!.n)).toBe(0);
    const bad = mismatches(await reconcile(url, ch.client));
    expect(bad, JSON.stringify(bad, null, 2)).toEqual([]);
    const rs = await ch.client.query({ query: 'SELECT count() AS n FROM change_log', format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: number }>())[0]!.n)).toBe(stats.changes + BULK + BULK * BULK_UPDATES);
    await expectNoDuplicates(ch);
  }, 90_000);

  it('PostgreSQL restarts during the backfill and under load: the ingest resumes by itself and stays exact', async () => {
    const pg1: PrivatePostgres = await privatePostgres();
    cleanups.push(() => pg1.destroy());
    const b: IngestBench = await ingestBench({ url: pg1.url });
    b.pool.on('error', () => undefined); // idle connections die with the server; the pool replaces them
    cleanups.push(() => b.close());
    await b.clickhouse.client.command({ query: STOP_MERGES });
    // Rows from before the slot: a backfill of several chunks, interrupted by the first restart.
    const EXISTING = 200_000;
    await b.pool.query("INSERT INTO suppliers (code, name) SELECT 'old-' || g, 'Old ' || g FROM generate_series(1, $1) g", [EXISTING]);
    const states: string[] = [];
    const copies: { copied: number; total: number; restarted: boolean }[] = [];
    let restart: Promise<void> | undefined;
    const pipeline = b.startPipeline({
      onBackfillProgress: (p) => {
        if (p.table !== 'suppliers') return;
        copies.push({ copied: p.copied, total: p.total, restarted: restart !== undefined });
        if (p.copied > 0 && p.copied < p.total) restart ??= pg1.restart(1_000);
      }
    });
    pipeline.on('state', (s) => states.push(s));
    await waitFor(() => restart !== undefined, 60_000, 'the backfill of suppliers to be under way');
    await restart;
    await waitFor(() => pipeline.state === 'streaming', 60_000, 'the ingest to finish the backfill and stream');
    // It resumed where it was, not from the start, and finished.
    const resumed = copies.find((c) => c.restarted && c.copied < copies.at(-1)!.copied);
    expect(resumed?.copied, JSON.stringify(copies)).toBeGreaterThan(0);
    expect(copies.at(-1)!.copied).toBe(EXISTING);

    const load = resilientLoad(b.pool);
    await sleep(1_500);
    const before = { committed: load.committed, failed: load.failed, landed: parseLsn(pipeline.progress().landedLsn ?? '0/0') };
    states.length = 0;
    await pg1.restart(1_000);
    await waitFor(() => states.includes('retrying'), 15_000, 'the pipeline to notice the restart');
    await waitFor(() => pipeline.state === 'streaming' && load.committed > before.committed + 50, 30_000, 'the load and the ingest to resume');
    await sleep(1_500);
    await load.stop();
    expect(before.committed).toBeGreaterThan(20);
    expect(load.failed).toBeGreaterThan(before.failed); // the restart did hit transactions in flight
    await b.settle(60_000);
    expect(parseLsn(pipeline.progress().landedLsn!)).toBeGreaterThan(before.landed);
    await b.expectEqual();
    await expectNoDuplicates(b.clickhouse);
  }, 90_000);
});

/**
 * A load that rides through a PostgreSQL restart (the shared Workload stops at the
 * first connection error): products and regions inserted, updated and deleted in
 * small transactions, each worker on rows of its own (no deadlocks: a failure means
 * the restart); a transaction that fails is counted and the next one tried.
 */
function resilientLoad(pool: pg.Pool) {
  let stopping = false;
  const state = { committed: 0, failed: 0 };
  const one = async (w: number, i: number) => {
    const client = await pool.connect();
    // The server's farewell (57P01) can arrive between two statements, when no query is
    // active: without a listener it would be an uncaught exception.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      await client.query('BEGIN');
      const sku = `load-${w}-${i}`;
      await client.query("INSERT INTO products (sku, name, cost_minor, price_minor, category) VALUES ($1, $1, 1, 2, 'load')", [sku]);
      await client.query('UPDATE products SET price_minor = price_minor + 1, active = NOT active WHERE sku LIKE $1 AND id % 7 = $2', [`load-${w}-%`, i % 7]);
      if (i % 3 === 0) await client.query('DELETE FROM products WHERE id = (SELECT min(id) FROM products WHERE sku LIKE $1)', [`load-${w}-%`]);
      await client.query('INSERT INTO regions (code, name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name', [`R${w}-${i % 20}`, `it's ${i}`]);
      const commit = i % 10 !== 0;
      await client.query(commit ? 'COMMIT' : 'ROLLBACK');
      client.removeListener('error', ignore);
      client.release();
      if (commit) state.committed++;
    } catch (err) {
      client.removeListener('error', ignore);
      client.release(err as Error); // a broken connection is not returned to the pool
      throw err;
    }
  };
  const worker = async (w: number) => {
    for (let i = 0; !stopping; i++) {
      await one(w, i).catch(async () => {
        state.failed++;
        await sleep(50);
      });
      await sleep(3);
    }
  };
  const running = Promise.all([0, 1, 2].map(worker));
  return {
    get committed() {
      return state.committed;
    },
    get failed() {
      return state.failed;
    },
    async stop() {
      stopping = true;
      await running;
    }
  };
}
