import { Counter, Gauge, Histogram } from 'prom-client';
import { metrics } from '../platform/metrics';
import type { IngestProgress } from '../schemas/ingest';

/** The ingest's Prometheus metrics (served by /metrics of the process that runs it). */
let current: (() => IngestProgress) | undefined;

export function reportProgressFrom(source: (() => IngestProgress) | undefined): void {
  current = source;
}

export const rowsLanded = new Counter({ name: 'opstower_ingest_rows_total', help: 'Row changes landed in ClickHouse', registers: [metrics] });
export const batchesLanded = new Counter({ name: 'opstower_ingest_batches_total', help: 'Batches landed in ClickHouse', registers: [metrics] });
export const factsRefresh = new Histogram({
  name: 'opstower_facts_refresh_seconds',
  help: 'Time to refresh the materialized warehouse facts after landed batches (their landed event waits for it)',
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metrics]
});
export const commitToLanded = new Histogram({
  name: 'opstower_ingest_commit_to_landed_seconds',
  help: 'Time from a transaction commit in PostgreSQL to its batch landing in ClickHouse',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metrics]
});

new Gauge({
  name: 'opstower_ingest_lag_bytes',
  help: 'WAL bytes not yet landed (current WAL position minus the slot confirmed LSN)',
  registers: [metrics],
  collect() {
    const p = current?.();
    if (p?.lagBytes != null) this.set(p.lagBytes);
  }
});
new Gauge({
  name: 'opstower_ingest_lag_milliseconds',
  help: 'Milliseconds from the oldest commit not yet landed (or the last landed one) to now or its landing',
  registers: [metrics],
  collect() {
    const p = current?.();
    if (p?.lagMs != null) this.set(p.lagMs);
  }
});
new Gauge({
  name: 'opstower_ingest_rows_per_second',
  help: 'Row changes landed per second over the last few seconds',
  registers: [metrics],
  collect() {
    const p = current?.();
    if (p) this.set(p.rowsPerSecond);
  }
});
new Gauge({
  name: 'opstower_ingest_landed_lsn',
  help: 'Last landed and acknowledged LSN, as a byte position',
  registers: [metrics],
  collect() {
    const lsn = current?.()?.landedLsn;
    if (lsn) {
      const [hi, lo] = lsn.split('/');
      this.set(parseInt(hi!, 16) * 2 ** 32 + parseInt(lo!, 16));
    }
  }
});
new Gauge({
  name: 'opstower_ingest_active',
  help: '1 when this process is the active consumer of the slot and streaming',
  registers: [metrics],
  collect() {
    this.set(current?.()?.state === 'streaming' ? 1 : 0);
  }
});
