import pg from 'pg';
import type { Logger } from 'pino';
import { LANDED_CHANNEL, landedEvent, type LandedEvent } from '../schemas/ingest';

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

/** Listens for landed events from an ingest in another process; reconnects after PostgreSQL restarts. */
export class LandedEventListener {
  #client: pg.Client | null = null;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly onEvent: (e: LandedEvent) => void,
    private readonly log: Logger
  ) {}

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'opstower-landed-listener' });
    client.on('notification', (n) => {
      if (n.channel !== LANDED_CHANNEL || !n.payload) return;
      const parsed = landedEvent.safeParse(JSON.parse(n.payload));
      if (parsed.success) this.onEvent(parsed.data);
      else this.log.warn({ issues: parsed.error.issues }, 'ignored a malformed landed event');
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
    await client.query(`LISTEN ${LANDED_CHANNEL}`);
    this.#client = client;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    await this.#client?.end().catch(() => undefined);
  }
}
