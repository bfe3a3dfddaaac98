import type { Engines } from '../../../platform/engines';
import type { IngestProgress } from '../../../schemas/ingest';
import type { IngestLink } from './ingest/ingest-link';

export interface DependencyHealth {
  ok: boolean;
  embedded: boolean;
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  postgres: DependencyHealth;
  clickhouse: DependencyHealth;
  /** The CDC ingest's state, lag and rate (null: an external ingest has not reported yet). */
  ingest: (IngestProgress & { mode: IngestLink['mode'] }) | { mode: IngestLink['mode']; state: 'unknown' };
  uptimeSeconds: number;
}

const TIMEOUT_MS = 2_000;

async function probe(embedded: boolean, check: () => Promise<unknown>): Promise<DependencyHealth> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref())
    ]);
    return { ok: true, embedded, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return { ok: false, embedded, latencyMs: Math.round(performance.now() - started), error: (err as Error).message || String(err) };
  }
}

/** What /healthz reports: each dependency answered a trivial query in time, or why not. */
export async function checkHealth(engines: Engines, startedAt: Date, ingest: IngestLink): Promise<HealthReport> {
  const [postgres, clickhouse] = await Promise.all([
    probe(engines.postgres.embedded, () => engines.pool.query('SELECT 1')),
    probe(engines.clickhouse.embedded, async () => {
      const r = await engines.clickhouse.client.ping();
      if (!r.success) throw r.error;
    })
  ]);
  const progress = ingest.progress();
  // A failed ingest means every board is frozen: that is an outage, not a detail.
  const ingestOk = progress?.state !== 'failed';
  return {
    status: postgres.ok && clickhouse.ok && ingestOk ? 'ok' : 'unavailable',
    postgres,
    clickhouse,
    ingest: progress ? { mode: ingest.mode, ...progress } : { mode: ingest.mode, state: 'unknown' },
    uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000)
  };
}
