import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';
import type { ClickHouseClient } from '@clickhouse/client';
import { coreTables, CatalogError, type CoreTable } from './catalog';
import { ensurePublication, slotExists, createSlot, slotLagBytes } from './replication-setup';
import { ConsumerLock } from './consumer-lock';
import { backfillTables, planRefresh, resetBackfill, type BackfillProgress } from './backfill';
import { ClickHouseSink, ToastResolutionError } from './clickhouse-sink';
import { StreamSession } from './stream-session';
import { tableStream, RelationMismatchError, type TableStream } from './table-stream';
import { TypeMappingError } from './type-mapping';
import { LocationDirectory } from './location-directory';
import { publishLanded, publishProgress } from './landed-events';
import { ProgressTracker } from './progress-tracker';
import { formatLsn, parseLsn, type Lsn } from './lsn';
import type { Batch } from './batcher';
import type { Relation } from './pgoutput-decoder';
import { ensureAnalyticalModel } from '../warehouse/model/analytical-model';
import { FactRefresher } from '../warehouse/model/fact-refresh';
import { FactsStage } from './facts-stage';
import { ensureLandingTable, landingTable, SchemaEvolutionError, type LandingTable } from '../warehouse/landing-tables';
import type { IngestProgress, LandedEvent } from '../schemas/ingest';

/**
 * The CDC ingest: waits for the slot's consumer lock (standby), prepares the
 * publication, slot and landing tables, backfills what is new, then streams.
 * Any failure of PostgreSQL or ClickHouse is retried with backoff from the last
 * acknowledged LSN; a schema or type it cannot land safely stops it, named.
 */

export interface IngestOptions {
  databaseUrl: string;
  /** The ClickHouse to land in, or how to open it once this process becomes the active consumer
   *  (a standby must not open an embedded chDB directory that the active one holds). */
  clickhouse: ClickHouseClient | (() => Promise<ClickHouseClient>);
  log: Logger;
  slot?: string;
  publication?: string;
  maxBatchRows?: number;
  maxBatchWaitMs?: number;
  queueHighWater?: number;
  lockPollMs?: number;
  /** NOTIFY landed events for app nodes in other processes (default true). */
  notify?: boolean;
  onBackfillProgress?: (p: BackfillProgress) => void;
}

type State = IngestProgress['state'];
const FATAL = [SchemaEvolutionError, TypeMappingError, CatalogError, ToastResolutionError, RelationMismatchError];
const isFatal = (err: unknown) => FATAL.some((E) => err instanceof E);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A batch visible in ClickHouse's landing tables and change log (its facts may still be refreshing). */
export interface VisibleEvent {
  /** The LSN acknowledged with the batch (at or past its last commit). */
  lsn: string;
  landedAt: number;
  transactions: number;
  rows: number;
}

export interface IngestPipelineEvents {
  /** Each batch as soon as it has landed: what ClickHouse queries over the landing tables see. */
  visible: [VisibleEvent];
  /** Landed batches once the materialized facts reflect them too: what the boards are told. */
  landed: [LandedEvent];
  state: [State];
}

export class IngestPipeline extends EventEmitter<IngestPipelineEvents> {
  readonly slot: string;
  readonly #o: Required<Omit<IngestOptions, 'onBackfillProgress'>> & Pick<IngestOptions, 'onBackfillProgress'>;
  readonly #db: pg.Pool;
  #ch: ClickHouseClient | null = null;
  #sink: ClickHouseSink | null = null;
  #facts: FactsStage | null = null;
  #refresher: FactRefresher | null = null;
  #locations: LocationDirectory | null = null;
  readonly #landing = new Map<string, LandingTable>();
  /** The catalog's columns behind each landing table, to tell a relation message that changed. */
  readonly #catalog = new Map<string, CoreTable>();
  #state: State = 'starting';
  #stopping = false;
  #loop: Promise<void> | undefined;
  #session: StreamSession | null = null;
  #lock: ConsumerLock;
  readonly #progress: ProgressTracker;

  constructor(options: IngestOptions) {
    super();
    this.#o = {
      slot: 'opstower_ingest',
      publication: 'opstower_ingest',
      maxBatchRows: 20_000,
      maxBatchWaitMs: 50,
      queueHighWater: 20_000,
      lockPollMs: 1_000,
      notify: true,
      ...options
    };
    this.slot = this.#o.slot;
    this.#progress = new ProgressTracker(this.slot);
    this.#db = new pg.Pool({ connectionString: options.databaseUrl, max: 2, application_name: 'opstower-ingest' });
    this.#db.on('error', () => undefined); // a dropped idle connection is replaced on next use
    this.#lock = new ConsumerLock(options.databaseUrl, this.slot);
  }

  get state(): State {
    return this.#state;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** Resolves when the pipeline has stopped (a fatal error also ends it). */
  get done(): Promise<void> {
    return this.#loop ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#session?.stop();
    await this.#loop;
    // Facts of what landed are refreshed and its events published before the pool closes.
    await this.#facts?.stop();
    await this.#db.end().catch(() => undefined);
    this.#setState('stopped');
  }

  progress(): IngestProgress {
    return this.#progress.snapshot(this.#state, this.#session?.oldestPendingCommit);
  }

  #setState(state: State): void {
    if (this.#state === state) return;
    this.#state = state;
    this.emit('state', state);
  }

  async #run(): Promise<void> {
    let backoff = 250;
    const lagTimer = setInterval(() => void this.#measureLag(), 2_000);
    // App nodes in other processes show the active ingest's progress (a standby stays quiet).
    const progressTimer = setInterval(() => {
      if (this.#o.notify && this.#state !== 'standby') publishProgress(this.#db, this.progress()).catch(() => undefined);
    }, 1_000);
    try {
      while (!this.#stopping) {
        try {
          let lost: Error | undefined;
          const onLost = (err: Error) => ((lost = err), void this.#session?.stop());
          // Standby only while another consumer holds the slot (a retry that gets the lock at once stays 'retrying').
          while (!this.#stopping && !(await this.#lock.tryAcquire(onLost))) {
            this.#setState('standby');
            await sleep(this.#o.lockPollMs);
          }
          if (this.#stopping) break;
          this.#o.log.info({ slot: this.slot }, 'ingest: active consumer of the slot');
          await this.#openClickHouse();
          const start = await this.#prepare();
          // Stopped while preparing: stop() found no session to end, so none may start.
          if (this.#stopping) break;
          this.#setState('streaming');
          this.#progress.lastError = null;
          backoff = 250;
          this.#session = new StreamSession(
            {
              databaseUrl: this.#o.databaseUrl,
              slot: this.slot,
              publication: this.#o.publication,
              maxBatchRows: this.#o.maxBatchRows,
              maxBatchWaitMs: this.#o.maxBatchWaitMs,
              queueHighWater: this.#o.queueHighWater,
              log: this.#o.log,
              sink: this.#sink!,
              relation: (r, lsn, flush) => this.#relation(r, lsn, flush),
              landed: (b, rows) => this.#landed(b, rows),
              retrying: (err) => {
                this.#progress.lastError = `ClickHouse: ${(err as Error).message ?? String(err)}`;
                this.#setState('retrying');
              },
              isFatal,
              stopping: () => this.#stopping
            },
            start
          );
          await this.#session.run();
          if (lost) throw lost;
          if (!this.#stopping) throw new Error('the replication stream ended');
        } catch (err) {
          if (this.#stopping) break;
          this.#progress.lastError = (err as Error).message ?? String(err);
          if (isFatal(err)) {
            this.#setState('failed');
            this.#o.log.error({ err }, `ingest stopped: ${this.#progress.lastError}`);
            break;
          }
          this.#setState('retrying');
          this.#o.log.warn({ err, retryInMs: backoff }, 'ingest: stream interrupted; resuming from the last acknowledged LSN');
          await sleep(backoff);
          backoff = Math.min(backoff * 2, 10_000);
        } finally {
          this.#session = null;
          this.#refresher?.release();
          await this.#lock.release();
        }
      }
    } finally {
      clearInterval(lagTimer);
      clearInterval(progressTimer);
    }
  }

  async #openClickHouse(): Promise<void> {
    if (this.#ch) return;
    const c = this.#o.clickhouse;
    const ch = typeof c === 'function' ? await c() : c;
    this.#ch = ch;
    this.#sink = new ClickHouseSink(ch);
    this.#refresher = new FactRefresher(ch, this.#o.log);
    this.#facts = new FactsStage(this.#refresher, (e) => this.#publish(e), this.#o.log);
    this.#locations = new LocationDirectory(ch);
  }

  /** Publication, slot and landing tables; backfills. Returns the LSN to stream from. */
  async #prepare(): Promise<Lsn> {
    const tables = await coreTables(this.#db);
    const widened: string[] = [];
    for (const t of tables) {
      const landing = landingTable(t);
      if ((await ensureLandingTable(this.#ch!, landing)).length > 0) widened.push(t.name);
      this.#landing.set(t.name, landing);
      this.#catalog.set(t.name, t);
    }
    await ensureAnalyticalModel(this.#ch!);
    const { added } = await ensurePublication(this.#db, this.#o.publication, tables);
    if (!(await slotExists(this.#db, this.slot))) {
      // A new slot: nothing in ClickHouse is known to match it. Empty the landing tables first,
      // then create the slot, so that a crash in between repeats both.
      await resetBackfill(this.#ch!, this.slot, tables.map((t) => t.name));
      const at = await createSlot(this.#db, this.slot);
      this.#o.log.info({ slot: this.slot, lsn: formatLsn(at) }, 'ingest: replication slot created');
    } else {
      // Tables new to the publication are copied afresh.
      if (added.length > 0) await resetBackfill(this.#ch!, this.slot, added);
      // Columns added while the ingest was away: existing rows may hold a default that no WAL
      // carried. Refresh them at the slot's confirmed LSN: above every landed version, below
      // every change still to come.
      const confirmed = await this.#confirmedLsn();
      for (const name of widened.filter((n) => !added.includes(n))) await planRefresh(this.#ch!, this.slot, name, confirmed);
    }
    const copied = await this.#backfillAll(tables);
    await this.#sink!.readCheckpoint();
    // Backfilled rows carry no stream version: the facts are rebuilt when any were copied.
    await this.#refresher!.prepare(copied > 0 || widened.length > 0);
    const start = await this.#confirmedLsn();
    this.#progress.landedLsn ??= start;
    return start;
  }

  async #confirmedLsn(): Promise<Lsn> {
    const { rows } = await this.#db.query<{ lsn: string | null }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [this.slot]);
    return rows[0]?.lsn ? parseLsn(rows[0].lsn) : 0n;
  }

  /** Copies what each table still needs; returns the rows copied. */
  async #backfillAll(tables: CoreTable[]): Promise<number> {
    const opts = {
      databaseUrl: this.#o.databaseUrl,
      ch: this.#ch!,
      slot: this.slot,
      shouldStop: () => this.#stopping,
      onProgress: (p: BackfillProgress) => {
        if (!p.done) this.#setState('backfilling'); // only tables that still need copying report progress
        this.#progress.backfill = p;
        this.#o.onBackfillProgress?.(p);
      }
    };
    const wasState = this.#state;
    const total = await backfillTables(opts, this.#db, tables, (name) => this.#landing.get(name)!, (table, rows) =>
      this.#o.log.info({ table, rows }, 'ingest: backfilled')
    );
    this.#setState(wasState);
    this.#progress.backfill = null;
    return total;
  }

  /**
   * A relation message: map it to its landing table. New columns are added to
   * ClickHouse and the table is refreshed from PostgreSQL (existing rows may have
   * been given a default without any WAL), at the version just below this transaction.
   */
  async #relation(relation: Relation, txnLsn: Lsn | null, flush: () => Promise<void>): Promise<TableStream> {
    let landing = this.#landing.get(relation.name);
    const catalog = this.#catalog.get(relation.name);
    // Same columns with the same types as when the landing table was last checked: nothing to do.
    const known =
      landing !== undefined &&
      relation.columns.every((c) => catalog?.columns.some((p) => p.name === c.name && p.typeOid === c.typeOid && p.typeMod === c.typeMod));
    if (!landing || !known) {
      await flush();
      const table = (await coreTables(this.#db)).find((t) => t.name === relation.name);
      if (!table) throw new RelationMismatchError(`${relation.name}: in the stream but no longer in the catalog`);
      landing = landingTable(table);
      const added = await ensureLandingTable(this.#ch!, landing);
      this.#landing.set(table.name, landing);
      this.#catalog.set(table.name, table);
      if (added.length > 0) {
        this.#o.log.info({ table: table.name, columns: added }, 'ingest: columns added to ClickHouse; refreshing the table');
        await planRefresh(this.#ch!, this.slot, table.name, (txnLsn ?? 1n) - 1n);
        await this.#backfillAll([table]);
        this.#facts!.requestRebuild();
      }
    }
    return tableStream(relation, landing);
  }

  async #landed(batch: Batch, rows: number): Promise<void> {
    const landedAt = Date.now();
    this.#progress.batchLanded(batch, landedAt);
    const lsn = batch.ackLsn ?? batch.lastCommitLsn;
    if (lsn !== null) this.emit('visible', { lsn: formatLsn(lsn), landedAt, transactions: batch.transactions, rows });
    if (this.#state === 'retrying') this.#setState('streaming');
    const fromLocations = batch.touched.locationIds.size ? await this.#locations!.warehouses(batch.touched.locationIds).catch(() => []) : [];
    const event = this.#progress.landedEvent(batch, rows, fromLocations, landedAt);
    // The event goes out once the materialized facts reflect the batch (FactsStage).
    if (event) this.#facts!.landed(event);
  }

  async #publish(event: LandedEvent): Promise<void> {
    this.emit('landed', event);
    if (this.#o.notify) await publishLanded(this.#db, event).catch((err) => this.#o.log.warn({ err }, 'landed event NOTIFY failed'));
  }

  async #measureLag(): Promise<void> {
    try {
      const lag = await slotLagBytes(this.#db, this.slot);
      this.#progress.lagBytes = lag === null ? null : Math.max(0, lag);
    } catch {
      // PostgreSQL unreachable: keep the last figure; the state says what is wrong.
    }
  }
}

