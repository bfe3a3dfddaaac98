import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBench, waitFor, type IngestBench } from './support';
import { Workload } from './workload';

/**
 * Exactly once, in process: thousands of random transactions (some rolled back,
 * some failing, some with rolled-back savepoints) while the pipeline streams in
 * small batches. Afterwards every table equals PostgreSQL, and the change log
 * holds each committed row change once: no lost change, no replayed one.
 */

let b: IngestBench;
beforeAll(async () => {
  b = await ingestBench();
  // Merges would collapse duplicate (commit_lsn, position) lines and hide a replay.
  await b.clickhouse.client.command({ query: 'SYSTEM STOP MERGES change_log' });
  // Small batches: many landings, many checkpoints, transactions split across batches.
  b.startPipeline({ maxBatchRows: 50, maxBatchWaitMs: 5 });
  await waitFor(() => b.pipeline.state === 'streaming', 30_000, 'the pipeline to stream');
});
afterAll(() => b?.close());

describe('CDC exactness under a random workload', () => {
  it('lands every committed change exactly once and nothing else', async () => {
    const workload = new Workload(b.pool, { seed: 20_261_122, concurrency: 3 });
    const stats = await workload.run(3_000);
    // The workload must have exercised every ending, or the test proves less than it says.
    expect(stats.committed).toBeGreaterThan(2_000);
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
    const duplicates = await b.chRows('SELECT commit_lsn, position, count() AS n FROM change_log GROUP BY commit_lsn, position HAVING n > 1 LIMIT 5');
    expect(duplicates).toEqual([]);
  });
});
