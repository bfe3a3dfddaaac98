import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClickHouse, type ClickHouseEngine } from '../../platform/clickhouse';
import { migrateClickHouse } from '../../warehouse/migrate';
import { mismatches, reconcile } from '../../ingest/reconcile';
import { parseLsn } from '../../ingest/lsn';
import { freshDatabase, tempDir } from '../support/databases';
import { startChdbHttpServer, type ChdbHttpServer } from '../support/chdb-http-server';
import { startIngestProcess, type IngestProcess } from '../support/ingest-process';
import { DUPLICATE_CHANGES, dropSlot, waitFor } from './support';
import { Workload } from './workload';

/**
 * One active consumer per slot, and a standby that takes over: two standalone
 * ingest processes on one slot, one ClickHouse (chDB served over HTTP). The active
 * one is SIGKILLed under load; the standby must stream within 5 s (the issue's
 * deadline), and nothing may be lost or landed twice across the handover.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TAKEOVER_DEADLINE_MS = 5_000;

let url: string;
let pool: pg.Pool;
let server: ChdbHttpServer;
let ch: ClickHouseEngine;
const slot = `t_${randomBytes(5).toString('hex')}`;
const children: IngestProcess[] = [];

beforeAll(async () => {
  url = await freshDatabase('standby');
  pool = new pg.Pool({ connectionString: url, max: 8 });
  server = await startChdbHttpServer(await tempDir('ch-standby'));
  ch = connectClickHouse(server.url);
  await migrateClickHouse(ch.client);
  // Merges would collapse duplicate (commit_lsn, position) lines and hide a replay.
  await ch.client.command({ query: 'SYSTEM STOP MERGES change_log' });
});

afterAll(async () => {
  for (const c of children) await c.stop().catch(() => c.kill());
  if (pool) await dropSlot(pool, slot).catch(() => undefined);
  await pool?.end();
  await ch?.close();
  await server?.stop();
});


async function states(): Promise<(string | undefined)[]> {
  return Promise.all(children.map(async (c) => (await c.health())?.state));
}

/** Waits until the given ingest has landed everything committed so far. */
async function settle(active: IngestProcess): Promise<void> {
  const { rows } = await pool.query<{ lsn: string }>("SELECT pg_logical_emit_message(true, 'opstower.settle', '')::text AS lsn");
  const target = parseLsn(rows[0]!.lsn);
  await waitFor(
    async () => {
      const p = await active.health();
      if (p?.state === 'failed') throw new Error(`ingest ${active.pid} failed: ${p.lastError}`);
      return p?.landedLsn != null && parseLsn(p.landedLsn) > target;
    },
    60_000,
    `ingest ${active.pid} to land LSN ${rows[0]!.lsn}`
  );
}

describe('standby ingest', () => {
  it('keeps one active consumer per slot; the standby takes over within 5 s of a SIGKILL and nothing is lost or doubled', async () => {
    const start = async () => startIngestProcess({ databaseUrl: url, dataDir: await tempDir('standby'), slot, clickhouseUrl: server.url });
    children.push(...(await Promise.all([start(), start()])));
    await waitFor(async () => (await states()).includes('streaming'), 60_000, 'one ingest to stream');
    await sleep(1_500); // both have had time to try for the lock
    expect((await states()).sort()).toEqual(['standby', 'streaming']);

    const workload = new Workload(pool, { seed: 4_242, concurrency: 3, pauseMs: 4 });
    workload.start();
    await sleep(2_000);
    const before = await states();
    expect(before.sort()).toEqual(['standby', 'streaming']);
    const [active, standby] = (await children[0]!.health())?.state === 'streaming' ? [children[0]!, children[1]!] : [children[1]!, children[0]!];
    expect((await standby.health())?.state).toBe('standby');

    await active.kill();
    const killedAt = Date.now();
    await waitFor(async () => (await standby.health())?.state === 'streaming', TAKEOVER_DEADLINE_MS, 'the standby to stream');
    const tookOverInMs = Date.now() - killedAt;
    expect(tookOverInMs, `took over in ${tookOverInMs} ms`).toBeLessThan(TAKEOVER_DEADLINE_MS);

    await sleep(2_000); // the load goes on under the new active consumer
    const stats = await workload.stop();
    expect(stats.committed).toBeGreaterThan(100);
    await settle(standby);

    const bad = mismatches(await reconcile(url, ch.client));
    expect(bad, JSON.stringify(bad, null, 2)).toEqual([]);
    const rows = async <T>(query: string) => (await ch.client.query({ query, format: 'JSONEachRow' })).json<T>();
    const [total] = await rows<{ n: number }>('SELECT count() AS n FROM change_log');
    expect(Number(total!.n)).toBe(stats.changes);
    expect(await rows(DUPLICATE_CHANGES)).toEqual([]);
  }, 90_000);
});
