import { afterAll } from 'vitest';
import { createCoreDb, type CoreDb } from '../../app/lib/server/core/db';
import { ingestBench, type IngestBench } from '../ingest/support';
import { queryRows } from '../../warehouse/kpi/clickhouse-query';
import { readLanded } from '../../warehouse/kpi/as-of';
import { readWatermark } from '../../warehouse/model/fact-refresh';
import { parseLsn } from '../../ingest/lsn';
import { waitFor } from '../ingest/support';

/**
 * A KPI test bench: a fresh migrated core database streaming into chDB through
 * the real ingest (landing tables and the analytical model in place), the core
 * services over it, and `landed()` to wait until everything committed has landed.
 * Fixtures write documents with explicit times by SQL through `bench.pool`, or
 * through the core services with `db`. `landed()` also waits for the materialized facts.
 */
export interface KpiBench extends IngestBench {
  db: CoreDb;
  landed(): Promise<void>;
  ch<T>(query: string, params?: Record<string, unknown>): Promise<T[]>;
}

export async function kpiBench(): Promise<KpiBench> {
  const bench = await ingestBench();
  afterAll(() => bench.close());
  bench.startPipeline();
  await bench.settle(60_000);
  return Object.assign(bench, {
    db: createCoreDb(bench.pool),
    // Landed, and the materialized facts refreshed up to it (the ingest does that right after landing).
    async landed() {
      await bench.settle(30_000);
      const landed = await readLanded(bench.clickhouse.client);
      const target = landed.lsn === null ? 0n : parseLsn(landed.lsn);
      await waitFor(async () => ((await readWatermark(bench.clickhouse.client))?.lsn ?? -1n) >= target, 30_000, 'the warehouse facts to catch up');
    },
    ch: <T>(query: string, params: Record<string, unknown> = {}) => queryRows<T>(bench.clickhouse.client, query, params)
  });
}
