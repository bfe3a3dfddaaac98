import type { Logger } from 'pino';
import type { LandedEvent } from '../schemas/ingest';
import type { FactRefresher } from '../warehouse/model/fact-refresh';
import { parseLsn } from './lsn';
import { factsRefresh } from './ingest-metrics';

/**
 * The stage after landing: bring the materialized facts up to the landed batches,
 * then tell the house (landed events). It runs beside the stream, so landing never
 * waits for it; batches landed meanwhile are merged into one event, published once
 * the facts reflect them. A failed refresh is retried with the next batch (or the
 * next try) and the events wait: a board is never told of data its facts lack.
 */
const RETRY_MS = 1_000;
/**
 * At most one refresh per this many ms: under load the batches landed meanwhile
 * share one refresh, and the landing (same chDB) keeps more of the engine. Measured
 * with `npm run bench -- ingest-freshness` (1,000 tps): landing p99 1,958 ms with a
 * refresh after every batch, 1,282 ms at 250 ms, 3,090 ms at 1 s (bigger refreshes
 * block the landing longer); 616 ms before the facts existed.
 */
const MIN_INTERVAL_MS = 250;

export function mergeLanded(a: LandedEvent, b: LandedEvent): LandedEvent {
  const union = (x: number[], y: number[]) => [...new Set([...x, ...y])];
  return {
    ...b,
    commitTimeFrom: a.commitTimeFrom < b.commitTimeFrom ? a.commitTimeFrom : b.commitTimeFrom,
    transactions: a.transactions + b.transactions,
    rows: a.rows + b.rows,
    tables: [...new Set([...a.tables, ...b.tables])],
    warehouseIds: union(a.warehouseIds, b.warehouseIds),
    productIds: union(a.productIds, b.productIds),
    orderIds: union(a.orderIds, b.orderIds),
    keysTruncated: a.keysTruncated || b.keysTruncated,
    deletedTables: a.deletedTables && b.deletedTables ? [...new Set([...a.deletedTables, ...b.deletedTables])] : undefined
  };
}

export class FactsStage {
  readonly #refresher: FactRefresher;
  readonly #publish: (e: LandedEvent) => Promise<void>;
  readonly #log: Logger;
  #pending: LandedEvent | null = null;
  #rebuild = false;
  #running: Promise<void> | null = null;
  #stopped = false;
  #lastStart = 0;

  constructor(refresher: FactRefresher, publish: (e: LandedEvent) => Promise<void>, log: Logger) {
    this.#refresher = refresher;
    this.#publish = publish;
    this.#log = log;
  }

  landed(event: LandedEvent): void {
    if (this.#stopped) return;
    this.#pending = this.#pending ? mergeLanded(this.#pending, event) : event;
    this.#kick();
  }

  /** Rows were copied outside the stream's versions (a table refreshed mid-stream): rebuild the facts. */
  requestRebuild(): void {
    this.#rebuild = true;
    this.#kick();
  }

  /** Resolves when nothing is pending or running. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  /** Finishes what is pending (without retrying a failure) and takes no more. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#kick();
    await this.idle();
  }

  #kick(): void {
    if (this.#running || (!this.#pending && !this.#rebuild)) return;
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#pending || this.#rebuild) {
      const wait = this.#lastStart + MIN_INTERVAL_MS - Date.now();
      if (wait > 0 && !this.#stopped) await new Promise((r) => setTimeout(r, wait));
      this.#lastStart = Date.now();
      const event = this.#pending;
      const rebuild = this.#rebuild;
      this.#pending = null;
      this.#rebuild = false;
      const timer = factsRefresh.startTimer();
      try {
        if (rebuild) await this.#refresher.rebuild();
        // Up to the event's LSN, not the newest landed one: a batch landing meanwhile has its own event to come.
        else if (event) {
          const deletes = event.deletedTables === undefined || event.deletedTables.length > 0;
          await this.#refresher.refresh({ lsn: parseLsn(event.lsn), commitTime: event.commitTimeTo, tables: event.tables, deletes });
        }
        timer();
      } catch (err) {
        if (this.#stopped) return void this.#log.warn({ err }, 'refreshing the warehouse facts failed while stopping');
        this.#log.warn({ err, retryInMs: RETRY_MS }, 'refreshing the warehouse facts failed; retrying');
        if (event) this.#pending = this.#pending ? mergeLanded(event, this.#pending) : event;
        this.#rebuild ||= rebuild;
        await new Promise((r) => setTimeout(r, RETRY_MS));
        continue;
      }
      if (event) await this.#publish(event).catch((err) => this.#log.warn({ err }, 'publishing a landed event failed'));
    }
  }
}
