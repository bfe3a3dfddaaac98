import pg from 'pg';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import { PgoutputDecoder, type PgoutputMessage } from './pgoutput-decoder';
import { formatLsn, parseLsn, type Lsn } from './lsn';

/**
 * The replication connection: pg-logical-replication runs the protocol (START_REPLICATION,
 * CopyBoth framing, keepalives, standby status updates); the ingest's own decoder reads
 * pgoutput. Acknowledgement is manual and only ever for what has landed.
 */

/** Session settings that fix how PostgreSQL writes values as text (the type mapping relies on them). */
export const TEXT_OUTPUT_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres -c extra_float_digits=1';

/** Query option: column values exactly as PostgreSQL's output functions wrote them (no pg-types parsing). */
export const RAW_TEXT = { getTypeParser: () => (v: string) => v };

/** A plain connection with the stream's text settings (backfill, reconciliation read rows as pgoutput sends them). */
export async function connectTextSession(databaseUrl: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: databaseUrl, options: TEXT_OUTPUT_OPTIONS });
  client.on('error', () => undefined); // a lost connection fails the next query instead of the process
  await client.connect();
  return client;
}

class RawPgoutputPlugin extends PgoutputPlugin {
  readonly decoder = new PgoutputDecoder();
  // The service hands whatever parse returns to its 'data' listeners, which expect ours.
  override parse(buffer: Buffer): ReturnType<PgoutputPlugin['parse']> {
    return this.decoder.decode(buffer) as unknown as ReturnType<PgoutputPlugin['parse']>;
  }
}

export interface StreamHandlers {
  message(msg: PgoutputMessage): void;
  /** A keepalive: the server has sent everything before `walEnd`. */
  keepalive(walEnd: Lsn, replyRequested: boolean): void;
}

export class ReplicationStream {
  readonly #service: LogicalReplicationService;
  #paused = false;
  #stopped = false;
  #endRun: (() => void) | null = null;

  constructor(
    databaseUrl: string,
    private readonly slot: string,
    private readonly publication: string
  ) {
    this.#service = new LogicalReplicationService(
      { connectionString: databaseUrl, options: TEXT_OUTPUT_OPTIONS, application_name: `opstower-ingest:${slot}` },
      // The library's own acknowledgement would confirm what was received, not what landed.
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: false } }
    );
  }

  /** Streams from `startLsn` until the connection ends; rejects on a replication error. */
  async run(startLsn: Lsn, handlers: StreamHandlers): Promise<void> {
    const service = this.#service;
    service.removeAllListeners();
    service.on('data', (_lsn: string, msg: PgoutputMessage) => handlers.message(msg));
    service.on('heartbeat', (lsn: string, _ts: number, reply: boolean) => handlers.keepalive(parseLsn(lsn), reply));
    let failure: unknown;
    service.on('error', (err: unknown) => (failure ??= err));
    // A stop() while the connection is being opened: pg's Client.end() during connect() leaves
    // connect() pending for ever, and a client created just after stop() would stream on.
    service.on('start', () => void (this.#stopped && service.stop()));
    const plugin = new RawPgoutputPlugin({ protoVersion: 1, publicationNames: [this.publication], messages: true });
    this.#paused = false;
    const stopped = new Promise<void>((r) => (this.#endRun = r));
    await Promise.race([service.subscribe(plugin, this.slot, formatLsn(startLsn)), stopped]);
    if (failure) throw failure;
  }

  /** Stops reading from the socket: PostgreSQL's send buffer fills and the walsender waits. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#socket()?.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#socket()?.resume();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Standby status update: everything up to `lsn` is flushed (landed in ClickHouse). */
  acknowledge(lsn: Lsn): void {
    if (lsn <= 0n) return;
    // The library reports lsn + 1 as the flushed position: pass one byte less.
    void this.#service.acknowledge(formatLsn(lsn - 1n));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#endRun?.();
    await this.#service.stop().catch(() => undefined);
  }

  #socket(): { pause(): void; resume(): void } | undefined {
    // pg-logical-replication emits data events regardless of consumers (STACK.md trap 10):
    // pausing the connection's socket is the only brake it offers.
    return (this.#service as unknown as { _connection?: { stream?: { pause(): void; resume(): void } } })._connection?.stream;
  }
}
