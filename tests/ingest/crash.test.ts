import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedClickHouse, type ClickHouseEngine } from '../../platform/clickhouse';
import { mismatches, reconcile } from '../../ingest/reconcile';
import { parseLsn } from '../../ingest/lsn';
import { freshDatabase, tempDir } from '../support/databases';
import { keepEveryChangeLogPart, startIngestProcess, type IngestProcess } from '../support/ingest-process';
import { DUPLICATE_CHANGES, waitFor } from './support';
import { rng, Workload } from './workload';

/**
 * Crash safety of the standalone ingest: under continuous load it is SIGKILLed at
 * random moments (loading, starting up, catching up on the backlog, streaming) and
 * started again on the same slot and chDB directory. When the load stops and
 * everything has landed, ClickHouse equals PostgreSQL and the change log holds every
 * committed change exactly once: nothing lost at a kill, nothing landed twice by a replay.
 */

const KILLS = 10;
const MOMENTS = ['before serving', 'while starting', 'while catching up', 'while streaming'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let url: string;
let pool: pg.Pool | undefined;
let dataDir: string | undefined;
let child: IngestProcess | undefined;
let ch: ClickHouseEngine | undefined;
const slot = `t_${randomBytes(5).toString('hex')}`;

beforeAll(async () => {
  url = await freshDatabase('crash');
  pool = new pg.Pool({ connectionString: url, max: 6 });
  dataDir = await tempDir('ingest-crash');
  await keepEveryChangeLogPart(dataDir);
});

afterAll(async () => {
  await child?.kill();
  await ch?.close();
  if (pool) {
    const released = async () => (await pool!.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rowCount === 0;
    await waitFor(released, 10_000, 'the slot to be released').catch(() => undefined);
    await pool.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    await pool.end();
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const start = () => startIngestProcess({ databaseUrl: url, dataDir: dataDir!, slot });
const streaming = (c: IngestProcess) => c.waitUntil((p) => p.state === 'streaming', 60_000, 'the ingest to stream');

describe('standalone ingest killed with SIGKILL under load', () => {
  it('lands every committed change exactly once across repeated crashes', { timeout: 150_000 }, async () => {
    child = await start();
    await streaming(child);
    const workload = new Workload(pool!, { seed: 1_122, concurrency: 2, pauseMs: 20 });
    workload.start();

    const r = rng(99);
    for (let kill = 0; kill < KILLS; kill++) {
      const moment = MOMENTS[kill % MOMENTS.length]!;
      if (moment === 'before serving') {
        // Loading code and configuration, migrating PostgreSQL.
        await sleep(100 + r.int(1_500));
      } else if (moment === 'while starting') {
        // Lock, chDB open and migration, prepare, first batches: anywhere once /healthz answers.
        await child.waitUntil(() => true, 60_000, '/healthz to answer');
        await sleep(r.int(800));
      } else if (moment === 'while catching up') {
        // The backlog of the downtime is landing: kill as the first batch has landed, the next in flight.
        await streaming(child);
        await child.waitUntil((p) => p.rowsLanded > 0, 30_000, 'a first batch to land');
      } else {
        await streaming(child);
        await sleep(r.int(1_500));
      }
      await child.kill();
      child = await start();
    }
    await streaming(child);
    const stats = await workload.stop();

    // Everything committed so far has landed once the ingest is past a later marker.
    const { rows } = await pool!.query<{ lsn: string }>("SELECT pg_logical_emit_message(true, 'opstower.settle', '')::text AS lsn");
    const marker = parseLsn(rows[0]!.lsn);
    await child.waitUntil((p) => p.landedLsn !== null && parseLsn(p.landedLsn) > marker, 60_000, `the ingest to land ${rows[0]!.lsn}`);
    expect(await child.stop()).toEqual({ code: 0, signal: null });
    child = undefined;

    // The load must have been real, with every ending, or the test proves less than it says.
    expect(stats.committed).toBeGreaterThan(300);
    expect(stats.rolledBack).toBeGreaterThan(10);
    expect(stats.failed).toBeGreaterThan(10);

    ch = await openEmbeddedClickHouse(dataDir!);
    expect(mismatches(await reconcile(url, ch.client)), 'ClickHouse differs from PostgreSQL').toEqual([]);
    const rowsOf = async <T>(query: string) => (await ch!.client.query({ query, format: 'JSONEachRow' })).json<T>();
    const perTable = await rowsOf<{ table_name: string; n: string }>('SELECT table_name, count() AS n FROM change_log GROUP BY table_name');
    const committed = Object.fromEntries(Object.entries(stats.changesByTable).filter(([, n]) => n > 0));
    expect(Object.fromEntries(perTable.map((t) => [t.table_name, Number(t.n)]))).toEqual(committed);
    const [total] = await rowsOf<{ n: string }>('SELECT count() AS n FROM change_log');
    expect(Number(total!.n)).toBe(stats.changes);
    const duplicates = await rowsOf(DUPLICATE_CHANGES);
    expect(duplicates).toEqual([]);
  });
});
