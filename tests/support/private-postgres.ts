import { rm } from 'node:fs/promises';
import pg from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres, type PostgresEngine } from '../../platform/postgres';
import { migratePostgres } from '../../schemas/db/migrate';
import { tempDir } from './databases';

/**
 * A PostgreSQL cluster of one test's own, for tests that stop and restart it
 * (the run's shared cluster must not be disturbed). It comes back on the same
 * port with the same data, so clients reconnect to the URL they already have.
 */
export interface PrivatePostgres {
  /** The migrated database `opstower` in this cluster. */
  url: string;
  /** Stops the cluster (fast shutdown: open sessions are terminated) and starts it again. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its data directory. */
  destroy(): Promise<void>;
}

const log = pino({ level: 'warn' });
const FLAGS = ['-c', 'fsync=off', '-c', 'full_page_writes=off'];

export async function privatePostgres(): Promise<PrivatePostgres> {
  const dir = await tempDir('pg-private');
  let engine: PostgresEngine = await startEmbeddedPostgres({ dataDir: dir, log, extraFlags: FLAGS });
  const port = Number(new URL(engine.url).port);
  const admin = new pg.Client({ connectionString: engine.url });
  await admin.connect();
  await admin.query('CREATE DATABASE opstower');
  await admin.end();
  const url = new URL(engine.url);
  url.pathname = '/opstower';
  await migratePostgres(url.toString());
  let running = true;
  return {
    url: url.toString(),
    async restart(downMs = 1_000) {
      await engine.stop();
      running = false;
      await new Promise((r) => setTimeout(r, downMs));
      engine = await startEmbeddedPostgres({ dataDir: dir, log, extraFlags: FLAGS, port });
      running = true;
    },
    async stop() {
      if (running) await engine.stop();
      running = false;
    },
    async destroy() {
      if (running) await engine.stop();
      running = false;
      await rm(dir, { recursive: true, force: true });
    }
  };
}
