import type { Logger } from 'pino';
import { Batcher, type Batch } from './batcher';
import type { ClickHouseSink } from './clickhouse-sink';
import type { PgoutputMessage, Relation } from './pgoutput-decoder';
import { ReplicationStream } from './replication-stream';
import type { TableStream } from './table-stream';
import type { Lsn } from './lsn';

/**
 * One streaming session on the replication connection: decoded messages queue up,
 * a single worker turns them into batches and lands them, and only then
 * acknowledges. The queue is bounded: above the high-water mark the socket is
 * paused, so a slow or absent ClickHouse stops the reading, not the memory.
 */

export interface SessionOptions {
  databaseUrl: string;
  slot: string;
  publication: string;
  maxBatchRows: number;
  maxBatchWaitMs: number;
  queueHighWater: number;
  log: Logger;
  sink: ClickHouseSink;
  /** Resolves a relation to its table stream, checking (and evolving) its landing table first. */
  relation(relation: Relation, txnLsn: Lsn | null, flush: () => Promise<void>): Promise<TableStream>;
  /** Called after each landed batch (metrics, events); the batch is acknowledged already. */
  landed(batch: Batch, rows: number): Promise<void>;
  /** Landing keeps failing (ClickHouse down): reported while it retries. */
  retrying(err: unknown): void;
  isFatal(err: unknown): boolean;
  stopping(): boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class StreamSession {
  readonly #o: SessionOptions;
  readonly #stream: ReplicationStream;
  readonly #batcher = new Batcher();
  readonly #streams = new Map<number, TableStream>();
  #queue: PgoutputMessage[] = [];
  #wake: (() => void) | null = null;
  #ended = false;
  #busy = false;
  #batchStarted = 0;
  #txnLsn: Lsn | null = null;
  /** Highest LSN confirmed to PostgreSQL. */
  confirmed: Lsn;
  /** Server WAL position seen in the last keepalive. */
  serverWalEnd: Lsn = 0n;
  oldestPendingCommit: bigint | null = null;

  constructor(options: SessionOptions, startLsn: Lsn) {
    this.#o = options;
    this.confirmed = startLsn;
    this.#stream = new ReplicationStream(options.databaseUrl, options.slot, options.publication);
  }

  get queued(): number {
    return this.#queue.length;
  }
  get paused(): boolean {
    return this.#stream.paused;
  }

  async run(): Promise<void> {
    let streamError: unknown;
    const streaming = this.#stream
      .run(this.confirmed, {
        message: (m) => {
          this.#queue.push(m);
          if (this.#queue.length >= this.#o.queueHighWater) this.#stream.pause();
          this.#wake?.();
        },
        keepalive: (walEnd, reply) => {
          if (walEnd > this.serverWalEnd) this.serverWalEnd = walEnd;
          // Nothing received is unlanded: everything before walEnd is landed or not ours.
          if (this.#idle() && walEnd > this.confirmed) this.confirmed = walEnd;
          if (reply) this.#stream.acknowledge(this.confirmed);
        }
      })
      .catch((err) => (streamError = err ?? new Error('replication stream failed')))
      .finally(() => {
        this.#ended = true;
        this.#wake?.();
      });
    // Status updates even while paused, so the walsender never times the session out.
    const status = setInterval(() => this.#stream.acknowledge(this.confirmed), 5_000);
    try {
      await this.#work();
    } finally {
      clearInterval(status);
      await this.#stream.stop();
      await streaming;
      this.#batcher.reset();
    }
    if (streamError && !this.#o.stopping()) throw streamError;
  }

  async stop(): Promise<void> {
    this.#ended = true;
    this.#wake?.();
    await this.#stream.stop();
  }

  #idle(): boolean {
    return this.#queue.length === 0 && !this.#busy && this.#batcher.size === 0 && !this.#batcher.inTransaction;
  }

  async #work(): Promise<void> {
    for (;;) {
      if (this.#queue.length === 0) {
        if (this.#ended || this.#o.stopping()) return;
        // Nothing more waiting: land what is complete now (freshness over batch size).
        if (this.#batcher.hasCompleteTransactions) {
          await this.#flush();
          continue;
        }
        this.#busy = false;
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = null;
        continue;
      }
      this.#busy = true;
      const chunk = this.#queue.length <= 4096 ? this.#queue.splice(0) : this.#queue.splice(0, 4096);
      if (this.#stream.paused && this.#queue.length < this.#o.queueHighWater / 2) this.#stream.resume();
      for (const msg of chunk) {
        if (this.#o.stopping()) return;
        await this.#handle(msg);
      }
    }
  }

  async #handle(msg: PgoutputMessage): Promise<void> {
    const b = this.#batcher;
    switch (msg.tag) {
      case 'begin':
        if (b.size === 0) this.#batchStarted = Date.now();
        this.#txnLsn = msg.finalLsn;
        this.oldestPendingCommit ??= msg.commitTime;
        b.begin(msg.finalLsn, msg.commitTime, msg.xid);
        return;
      case 'message':
        if (msg.transactional && msg.prefix === 'opstower.audit' && b.inTransaction) b.audit(msg.content);
        return;
      case 'relation': {
        const stream = await this.#o.relation(msg.relation, this.#txnLsn, () => this.#flush());
        this.#streams.set(msg.relation.oid, stream);
        return;
      }
      case 'insert':
        b.change(this.#streamOf(msg.relation), 'insert', msg.newTuple, null, false);
        break;
      case 'update':
        b.change(this.#streamOf(msg.relation), 'update', msg.newTuple, msg.oldTuple, msg.oldIsKeyOnly);
        break;
      case 'delete':
        b.change(this.#streamOf(msg.relation), 'delete', null, msg.oldTuple, msg.oldIsKeyOnly);
        break;
      case 'truncate':
        for (const r of msg.relations) b.truncate(this.#streamOf(r));
        break;
      case 'commit':
        b.commit(msg.endLsn);
        this.#txnLsn = null;
        // By time only while the stream keeps up: with a backlog already queued (catching up),
        // fuller batches land it sooner (ClickHouse inserts cost much per insert, little per row).
        if (b.size >= this.#o.maxBatchRows || (this.#queue.length === 0 && Date.now() - this.#batchStarted >= this.#o.maxBatchWaitMs)) await this.#flush();
        return;
      default:
        return;
    }
    // One transaction larger than a batch: land its rows so far (acknowledged with its commit later).
    if (b.size >= this.#o.maxBatchRows * 4) await this.#flush();
  }

  #streamOf(relation: Relation): TableStream {
    const s = this.#streams.get(relation.oid);
    if (!s) throw new Error(`no landing table resolved for relation ${relation.name}`);
    return s;
  }

  async #flush(): Promise<void> {
    const batch = this.#batcher.take();
    if (batch.changeLog.length === 0 && batch.ackLsn === null) return;
    let delay = 200;
    let rows = 0;
    for (let attempt = 1; ; attempt++) {
      try {
        rows = (await this.#o.sink.land(batch)).rows;
        break;
      } catch (err) {
        if (this.#o.isFatal(err)) throw err;
        this.#o.retrying(err);
        this.#o.log.warn({ err, attempt, retryInMs: delay }, 'landing in ClickHouse failed; retrying the same batch');
        this.#o.sink.invalidate();
        await sleep(delay);
        if (this.#o.stopping()) throw new Error('stopped while landing was retrying');
        delay = Math.min(delay * 2, 5_000);
      }
    }
    if (batch.ackLsn !== null) {
      if (batch.ackLsn > this.confirmed) this.confirmed = batch.ackLsn;
      this.#stream.acknowledge(this.confirmed);
      this.oldestPendingCommit = this.#batcher.inTransaction ? this.oldestPendingCommit : null;
    }
    this.#batchStarted = Date.now();
    await this.#o.landed(batch, rows);
  }
}
