import pg from 'pg';
import type { Logger } from 'pino';
import { ingestProgress, LANDED_CHANNEL, landedEvent, PROGRESS_CHANNEL, type IngestProgress, type LandedEvent } from '../schemas/ingest';

/**
 * Landed events between processes: the ingest NOTIFYs, any app node LISTENs.
 * PostgreSQL caps a payload under 8000 bytes; an event whose key lists do not
 * fit goes without them and says so (keysTruncated), never cut mid-JSON.
 */
const MAX_PAYLOAD = 7_900;

export function notifyPayload(event: LandedEvent): string {
  const full = JSON.stringify(event);
  if (Buffer.byteLength(full) <= MAX_PAYLOAD) return full;
  return JSON.stringify({ ...event, warehouseIds: [], productIds: [], orderIds: [], keysTruncated: true });
}

export async function publishLanded(db: pg.Pool, event: LandedEvent): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [LANDED_CHANNEL, notifyPayload(event)]);
}

export async function publishProgress(db: pg.Pool, progress: IngestProgress): Promise<void> {
  await db.query('SELECT pg_notify($1, $2)', [PROGRESS_CHANNEL, JSON.stringify(progress)]);
}

export interface IngestEventHandlers {
  landed(e: LandedEvent): void;
  progress(p: IngestProgress): void;
}

/** Listens for an ingest in another process (landed events, progress); reconnects after PostgreSQL restarts. */
export class IngestEventListener {
  #client: pg.Client | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly log: Logger,
    private readonly handlers: IngestEventHandlers
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'opstower-ingest-listener' });
    client.on('notification', (n) => {
      if (!n.payload) return;
      let payload: unknown;
      try {
        payload = JSON.parse(n.payload);
      } catch {
        return this.log.warn({ channel: n.channel }, 'ignored an ingest notification that is not JSON');
      }
      if (n.channel === LANDED_CHANNEL) {
        const parsed = landedEvent.safeParse(payload);
        if (parsed.success) this.handlers.landed(parsed.data);
        else this.log.warn({ issues: parsed.error.issues }, 'ignored a malformed landed event');
      } else if (n.channel === PROGRESS_CHANNEL) {
        const parsed = ingestProgress.safeParse(payload);
        if (parsed.success) this.handlers.progress(parsed.data);
        else this.log.warn({ issues: parsed.error.issues }, 'ignored a malformed ingest progress event');
      }
    });
    const again = () => {
      if (this.#stopped || this.#retry) return;
      this.#client = null;
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.start().catch((err) => {
          this.log.warn({ err }, 'landed event listener: reconnect failed');
          again();
        });
      }, 1_000);
    };
    client.on('error', again);
    client.on('end', again);
    await client.connect();
    await client.query(`LISTEN ${LANDED_CHANNEL}; LISTEN ${PROGRESS_CHANNEL}`);
    this.#client = client;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    await this.#client?.end().catch(() => undefined);
  }
}
