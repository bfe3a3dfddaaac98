import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from 'pino';
import type { CoreDb } from '../core/db';
import { SYSTEM_ACTOR } from '../core/actor';
import { readBusinessNow } from '../core/business-clock';
import { syncAlerts, unresolvedSubjects } from '../core/alerts';
import type { DetectorThresholds } from '../../../../schemas/detector-thresholds';
import type { IngestProgress, LandedEvent } from '../../../../schemas/ingest';
import type { Detector, DetectorScope, DetectorVerdict } from '../../../../warehouse/detectors/detector';
import { DETECTORS } from '../../../../warehouse/detectors/detectors';
import { ingestLagVerdict } from '../../../../warehouse/detectors/ingest-lag';

/**
 * Runs the detectors and hands their verdicts to the alerts service: after each
 * landed batch on the keys it touched, and on a short schedule over everything
 * (conditions that age: backorders, late documents, demand that stops). One run
 * at a time; batches landing meanwhile are merged into the next run.
 */
export interface DetectorRunnerOptions {
  ch: ClickHouseClient;
  db: CoreDb;
  thresholds: DetectorThresholds;
  intervalMs: number;
  log: Logger;
  /** The ingest's latest progress: the warehouse is judged only while it streams (not mid-backfill). */
  ingest: () => IngestProgress | null;
  detectors?: readonly Detector[];
  /** The instant detectors judge at (default: the business clock, so a time-compressed demo ages its documents at its own pace). */
  now?: () => Date | Promise<Date>;
}

export interface RunSummary {
  raised: number;
  updated: number;
  resolved: number;
  failed: string[];
}

type Pending = { productIds: Set<number>; orderIds: Set<number>; tables: Set<string>; all: boolean };
const emptyPending = (): Pending => ({ productIds: new Set(), orderIds: new Set(), tables: new Set(), all: false });

export class DetectorRunner {
  readonly #o: DetectorRunnerOptions;
  readonly #detectors: readonly Detector[];
  #pending: Pending = emptyPending();
  #running: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  #lagCondition: string | null = null;
  #lagSyncedAt = 0;

  constructor(options: DetectorRunnerOptions) {
    this.#o = options;
    this.#detectors = options.detectors ?? DETECTORS;
  }

  start(): void {
    this.#timer = setInterval(() => this.#schedule({ all: true }), this.#o.intervalMs);
    this.#timer.unref();
  }

  /** A batch landed: judge the keys it touched (every key of its tables when the lists were cut short). */
  landed(e: LandedEvent): void {
    if (e.keysTruncated) return this.#schedule({ all: true });
    this.#schedule({ productIds: e.productIds, orderIds: e.orderIds, tables: e.tables });
  }

  /** The ingest reported progress: raise, escalate or clear the lag alert when its condition changes (refreshed each minute). */
  async ingestProgress(p: IngestProgress): Promise<void> {
    if (this.#stopped) return; // the ingest reports while it stops, after us
    const verdict = ingestLagVerdict(p, this.#o.thresholds);
    const finding = verdict.findings[0];
    const condition = finding ? `${finding.severity}/${p.state}` : 'clear';
    const now = Date.now();
    if (condition === this.#lagCondition && (!finding || now - this.#lagSyncedAt < 60_000)) return;
    this.#lagCondition = condition;
    this.#lagSyncedAt = now;
    await this.#apply(verdict).catch((err) => this.#o.log.warn({ err }, 'ingest lag alert failed'));
  }

  /** Runs every detector over everything now (the schedule's run; tests call it with a fixed clock). */
  runAll(now?: Date): Promise<RunSummary> {
    return this.#exclusive(async () => this.#run('all', now ?? (await this.#now())));
  }

  /** Resolves once no run is in progress or pending. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running.catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#running;
  }

  /** Read at every run (no cache): a simulation's clock moves by steps, and a run costs far more than the read. */
  async #now(): Promise<Date> {
    return this.#o.now ? this.#o.now() : readBusinessNow(this.#o.db);
  }

  #schedule(add: { all?: boolean; productIds?: number[]; orderIds?: number[]; tables?: string[] }): void {
    if (this.#stopped) return;
    const p = this.#pending;
    p.all ||= add.all ?? false;
    add.productIds?.forEach((id) => p.productIds.add(id));
    add.orderIds?.forEach((id) => p.orderIds.add(id));
    add.tables?.forEach((t) => p.tables.add(t));
    this.#kick();
  }

  /** Starts draining what is pending, unless a run is in progress (which kicks again when it ends). */
  #kick(): void {
    if (this.#running || this.#stopped) return;
    if (!this.#pending.all && this.#pending.tables.size === 0) return;
    this.#running = this.#drain().finally(() => {
      this.#running = null;
      this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (!this.#stopped && (this.#pending.all || this.#pending.tables.size > 0)) {
      const p = this.#pending;
      this.#pending = emptyPending();
      const state = this.#o.ingest()?.state;
      if (p.all && state !== 'streaming') continue; // mid-backfill the warehouse is not yet the ledger
      const scope: DetectorScope = p.all ? 'all' : { productIds: [...p.productIds], orderIds: [...p.orderIds], tables: [...p.tables] };
      await this.#now()
        .then((now) => this.#run(scope, now))
        .catch((err) => this.#o.log.warn({ err }, 'detector run failed'));
    }
  }

  async #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#running) await this.#running;
    let result!: T;
    this.#running = fn()
      .then((r) => void (result = r))
      .finally(() => {
        this.#running = null;
        this.#kick();
      });
    await this.#running;
    return result;
  }

  async #run(scope: DetectorScope, now: Date): Promise<RunSummary> {
    const summary: RunSummary = { raised: 0, updated: 0, resolved: 0, failed: [] };
    for (const d of this.#detectors) {
      if (this.#stopped) break; // a stop waits for the detector in flight, not for the whole run
      if (scope !== 'all' && !d.tables.some((t) => scope.tables.includes(t))) continue;
      try {
        const verdicts = await d.run({ ch: this.#o.ch, scope, thresholds: this.#o.thresholds, now });
        for (const v of verdicts) {
          const r = await this.#apply(v);
          summary.raised += r.raised;
          summary.updated += r.updated;
          summary.resolved += r.resolved;
        }
      } catch (err) {
        summary.failed.push(d.name);
        this.#o.log.warn({ err, detector: d.name }, 'detector failed');
      }
    }
    return summary;
  }

  /** Findings to the alerts service; subjects the detector could not judge keep their alerts as they are. */
  async #apply(v: DetectorVerdict) {
    const unsettled = new Set(v.unsettled ?? []);
    let scope: { subjects: string[] } | 'all' = v.evaluated;
    if (unsettled.size > 0) {
      const judged = v.evaluated === 'all' ? await unresolvedSubjects(this.#o.db, v.kind) : v.evaluated.subjects;
      scope = { subjects: judged.filter((s) => !unsettled.has(s)) };
    }
    return syncAlerts(this.#o.db, SYSTEM_ACTOR, v.kind, v.findings, scope);
  }
}
