import pg from 'pg';

/**
 * One active consumer per slot: the active ingest holds a session advisory lock
 * on its own connection. A standby polls for it and takes over as soon as the
 * holder's connection goes (the process died or its session was terminated).
 */
export class ConsumerLock {
  #client: pg.Client | null = null;
  #lost: ((err: Error) => void) | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly slot: string
  ) {}

  /** Tries once; true when this process now holds the lock. */
  async tryAcquire(onLost: (err: Error) => void): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: `opstower-ingest-lock:${this.slot}` });
    client.on('error', (err) => this.#lost?.(err));
    await client.connect();
    try {
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtext('opstower.ingest:' || $1)) AS ok", [this.slot]);
      if (!rows[0]?.ok) {
        await client.end();
        return false;
      }
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    client.on('end', () => this.#lost?.(new Error('the consumer lock connection closed')));
    this.#client = client;
    this.#lost = onLost;
    return true;
  }

  async release(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    this.#lost = null;
    await client?.end().catch(() => undefined);
  }
}
