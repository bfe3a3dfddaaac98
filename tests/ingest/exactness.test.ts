import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLsn } from '../../ingest/lsn';
import { DUPLICATE_CHANGES, ingestBench, waitFor, type IngestBench } from './support';
import { Workload } from './workload';

/**
 * Exactly once, in process: thousands of random transactions (some rolled back,
 * some failing, some with rolled-back savepoints) while the pipeline streams in
 * small batches. Afterwards every table equals PostgreSQL, and the change log
 * holds each committed row change once: no lost change, no replayed one.
 */

let b: IngestBench;
// Small batches: many landings, many checkpoints, transactions split across batches.
const BATCHES = { maxBatchRows: 50, maxBatchWaitMs: 5 };
beforeAll(async () => {
  b = await ingestBench();
  // Merges would collapse duplicate (commit_lsn, position) lines and hide a replay.
  await b.clickhouse.client.command({ query: 'SYSTEM STOP MERGES change_log' });
  b.startPipeline(BATCHES);
  await waitFor(() => b.pipeline.state === 'streaming', 30_000, 'the pipeline to stream');
});
afterAll(() => b?.close());

describe('CDC exactness under a random workload', () => {
  it('lands every committed change exactly once and nothing else', async () => {
    const workload = new Workload(b.pool, { seed: 20_261_122, concurrency: 3 });
    const stats = await workload.run(3_000);
    // The workload must have exercised every ending, or the test proves less than it says.
    expect(stats.committed).toBeGreaterThan(1_800);
    expect(stats.rolledBack).toBeGreaterThan(50);
    expect(stats.failed).toBeGreaterThan(50);
    await b.settle(60_000);

    await b.expectEqual();
    const perTable = await b.chRows<{ table_name: string; n: string }>('SELECT table_name, count() AS n FROM change_log GROUP BY table_name');
    const landed = Object.fromEntries(perTable.map((r) => [r.table_name, Number(r.n)]));
    const committed = Object.fromEntries(Object.entries(stats.changesByTable).filter(([, n]) => n > 0));
    expect(landed).toEqual(committed);
    const [total] = await b.chRows<{ n: string }>('SELECT count() AS n FROM change_log');
    expect(Number(total!.n)).toBe(stats.changes);
    const duplicates = await b.chRows(DUPLICATE_CHANGES);
    expect(duplicates).toEqual([]);
  });

  it('replays an update past a newer version that a crash left landed but unacknowledged', async () => {
    // A name too long and random to stay inline: an update of the price leaves it as an unchanged TOAST value.
    const { rows } = await b.pool.query<{ id: number }>(
      "INSERT INTO products (sku, name, cost_minor, price_minor, category) VALUES ('REPLAY-1', $1, 1, 1, 'tools') RETURNING id",
      [randomBytes(6_000).toString('base64')]
    );
    const id = rows[0]!.id;
    await b.settle();
    await b.pipeline.stop();
    await b.pool.query('UPDATE products SET price_minor = 2 WHERE id = $1', [id]);
    await b.pool.query('DELETE FROM products WHERE id = $1', [id]);
    const { rows: wal } = await b.pool.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
    // What an ingest killed mid-batch leaves: the delete's tombstone landed, not acknowledged, and
    // the older versions possibly merged away. The replayed update must not need them.
    await b.clickhouse.client.command({ query: `INSERT INTO products (id, _version, _deleted, _commit_time) VALUES (${id}, ${parseLsn(wal[0]!.lsn)}, 1, now64(6))` });
    // One transaction per batch, as the replay may cut them: the update lands without the delete.
    b.startPipeline({ maxBatchRows: 1, maxBatchWaitMs: 5 });
    await b.settle(30_000);
    expect(b.pipeline.state).toBe('streaming');
    await b.expectEqual(['products']);
  });
});
