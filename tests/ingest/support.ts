import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { freshDatabase, tempDir } from '../support/databases';
import { openEmbeddedClickHouse, type ClickHouseEngine } from '../../platform/clickhouse';
import { migrateClickHouse } from '../../warehouse/migrate';
import { IngestPipeline, type IngestOptions } from '../../ingest/pipeline';
import { parseLsn } from '../../ingest/lsn';
import { mismatches, reconcile } from '../../ingest/reconcile';

/**
 * An ingest test bench: a fresh migrated database in the run's PostgreSQL, chDB in
 * a temporary directory, and a pipeline on a slot of its own (slots are cluster-wide).
 */
export interface IngestBench {
  url: string;
  pool: pg.Pool;
  clickhouse: ClickHouseEngine;
  slot: string;
  pipeline: IngestPipeline;
  startPipeline(options?: Partial<IngestOptions>): IngestPipeline;
  /** Waits until everything committed so far has landed. */
  settle(timeoutMs?: number): Promise<void>;
  chRows<T>(query: string): Promise<T[]>;
  expectEqual(tables?: string[]): Promise<void>;
  close(): Promise<void>;
}

/** The query that lists change-log lines landed more than once (read without FINAL: merges must not hide them). */
export const DUPLICATE_CHANGES = 'SELECT commit_lsn, position, count() AS n FROM change_log GROUP BY commit_lsn, position HAVING n > 1 LIMIT 5';

/** Slots are cluster-wide: drop ours, once its walsender has gone (55006: still in use). */
export async function dropSlot(pool: pg.Pool, slot: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await pool.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '55006') throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export const quietLog = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function ingestBench(options: { url?: string } = {}): Promise<IngestBench> {
  const url = options.url ?? (await freshDatabase('ing'));
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  const clickhouse = await openEmbeddedClickHouse(await tempDir('ch'));
  await migrateClickHouse(clickhouse.client);
  const slot = `t_${randomBytes(5).toString('hex')}`;
  const bench: IngestBench = {
    url,
    pool,
    clickhouse,
    slot,
    pipeline: undefined as unknown as IngestPipeline,
    startPipeline(extra = {}) {
      const p = new IngestPipeline({ databaseUrl: url, clickhouse: clickhouse.client, log: quietLog, slot, publication: slot, lockPollMs: 100, ...extra });
      p.start();
      bench.pipeline = p;
      return p;
    },
    async settle(timeoutMs = 20_000) {
      const { rows } = await pool.query<{ lsn: string }>("SELECT pg_logical_emit_message(true, 'opstower.settle', '')::text AS lsn");
      const target = parseLsn(rows[0]!.lsn);
      await waitFor(
        () => {
          const landed = bench.pipeline.progress().landedLsn;
          if (bench.pipeline.state === 'failed') throw new Error(`ingest failed: ${bench.pipeline.progress().lastError}`);
          return landed !== null && parseLsn(landed) > target;
        },
        timeoutMs,
        `the ingest to land LSN ${rows[0]!.lsn}`
      );
    },
    async chRows<T>(query: string) {
      return (await clickhouse.client.query({ query, format: 'JSONEachRow' })).json<T>();
    },
    async expectEqual(tables) {
      const bad = mismatches(await reconcile(url, clickhouse.client, tables));
      if (bad.length) throw new Error(`ClickHouse differs from PostgreSQL: ${JSON.stringify(bad, null, 2)}`);
    },
    async close() {
      await bench.pipeline?.stop();
      await dropSlot(pool, slot).catch(() => undefined);
      await pool.end();
      await clickhouse.close();
    }
  };
  return bench;
}
