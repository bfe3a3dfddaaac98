import type { Batch } from './batcher';
import type { BackfillProgress } from './backfill';
import { batchesLanded, commitToLanded, rowsLanded } from './ingest-metrics';
import { formatLsn, type Lsn } from './lsn';
import type { IngestProgress, LandedEvent } from '../schemas/ingest';

const RATE_WINDOW_MS = 5_000;
const iso = (micros: bigint) => new Date(Number(micros / 1000n)).toISOString();

/** What the ingest has landed and how far behind it is: counters, lag, rate, and the landed event of a batch. */
export class ProgressTracker {
  landedLsn: Lsn | null = null;
  lagBytes: number | null = null;
  lastError: string | null = null;
  backfill: BackfillProgress | null = null;
  #lastCommitTime: bigint | null = null;
  #lastLagMs: number | null = null;
  #rowsLanded = 0;
  #rate: { t: number; rows: number }[] = [];

  constructor(private readonly slot: string) {}

  /** Counts a landed batch (metrics included). */
  batchLanded(batch: Batch, landedAt: number): void {
    const rows = batch.changeLog.length;
    rowsLanded.inc(rows);
    batchesLanded.inc();
    this.#rowsLanded += rows;
    this.#rate.push({ t: landedAt, rows });
    while (this.#rate.length && landedAt - this.#rate[0]!.t > RATE_WINDOW_MS) this.#rate.shift();
    if (batch.firstCommitTime !== null && batch.lastCommitTime !== null) {
      commitToLanded.observe((landedAt - Number(batch.firstCommitTime / 1000n)) / 1000);
      this.#lastLagMs = landedAt - Number(batch.lastCommitTime / 1000n);
      this.#lastCommitTime = batch.lastCommitTime;
    }
    if (batch.ackLsn !== null) this.landedLsn = batch.ackLsn;
    this.lastError = null;
  }

  /** The event the live hub gets for a batch with transactions; undefined for a batch without. */
  landedEvent(batch: Batch, rows: number, warehouseIds: Iterable<number>, landedAt: number): LandedEvent | undefined {
    if (batch.transactions === 0 || batch.lastCommitLsn === null || batch.firstCommitTime === null || batch.lastCommitTime === null) return undefined;
    const t = batch.touched;
    return {
      slot: this.slot,
      lsn: formatLsn(batch.ackLsn ?? batch.lastCommitLsn),
      commitTimeFrom: iso(batch.firstCommitTime),
      commitTimeTo: iso(batch.lastCommitTime),
      landedAt: new Date(landedAt).toISOString(),
      transactions: batch.transactions,
      rows,
      tables: [...t.tables],
      warehouseIds: [...new Set([...t.warehouseIds, ...warehouseIds])],
      productIds: [...t.productIds],
      orderIds: [...t.orderIds],
      keysTruncated: false,
      deletedTables: [...t.deletedTables]
    };
  }

  /** `pendingCommit`: commit time of the oldest transaction received but not landed (lag grows while it waits). */
  snapshot(state: IngestProgress['state'], pendingCommit: bigint | null | undefined): IngestProgress {
    const now = Date.now();
    const window = this.#rate.filter((r) => now - r.t <= RATE_WINDOW_MS);
    const rows = window.reduce((n, r) => n + r.rows, 0);
    const lagMs = pendingCommit != null ? Math.max(0, now - Number(pendingCommit / 1000n)) : this.#lastLagMs;
    const b = this.backfill;
    return {
      slot: this.slot,
      state,
      landedLsn: this.landedLsn === null ? null : formatLsn(this.landedLsn),
      lastCommitTime: this.#lastCommitTime === null ? null : iso(this.#lastCommitTime),
      lagBytes: this.lagBytes,
      lagMs,
      rowsPerSecond: Math.round(rows / (RATE_WINDOW_MS / 1000)),
      rowsLanded: this.#rowsLanded,
      backfill: b && !b.done ? { table: b.table, copied: b.copied, total: b.total } : null,
      lastError: this.lastError,
      updatedAt: new Date(now).toISOString()
    };
  }
}
