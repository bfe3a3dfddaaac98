import type pg from 'pg';
import { createPool } from './pool';
import type { Logger } from 'pino';
import type { Config } from '../schemas/config';
import { migratePostgres } from '../schemas/db/migrate';
import { migrateClickHouse } from '../warehouse/migrate';
import { assertLogicalWal, startEmbeddedPostgres, type PostgresEngine } from './postgres';
import { connectClickHouse, openEmbeddedClickHouse, type ClickHouseEngine } from './clickhouse';

/**
 * The databases of one process, opened in one place: PostgreSQL (DATABASE_URL or
 * embedded) and ClickHouse (CLICKHOUSE_URL or chDB in-process), migrated.
 */
export interface Engines {
  postgres: PostgresEngine;
  pool: pg.Pool;
  clickhouse: ClickHouseEngine;
  close(): Promise<void>;
}

export async function openEngines(config: Config, log: Logger): Promise<Engines> {
  let postgres: PostgresEngine;
  if (config.DATABASE_URL) {
    await assertLogicalWal(config.DATABASE_URL);
    postgres = { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  } else {
    postgres = await startEmbeddedPostgres({ dataDir: config.DATA_DIR, log });
    log.info({ embedded: true }, 'PostgreSQL started');
  }
  let pool: pg.Pool | undefined;
  let clickhouse: ClickHouseEngine | undefined;
  try {
    await migratePostgres(postgres.url);
    pool = createPool(postgres.url);
    pool.on('error', (err: Error & { code?: string }) => {
      if (err.code !== '57P01') log.warn({ err }, 'idle PostgreSQL connection failed'); // 57P01: server shutting down
    });
    clickhouse = config.CLICKHOUSE_URL ? connectClickHouse(config.CLICKHOUSE_URL) : await openEmbeddedClickHouse(config.DATA_DIR);
    const applied = await migrateClickHouse(clickhouse.client);
    log.info({ embedded: clickhouse.embedded, applied: applied.length }, 'ClickHouse ready');
  } catch (err) {
    await clickhouse?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await postgres.stop().catch(() => undefined);
    throw err;
  }
  const ready = { postgres, pool, clickhouse };
  return {
    ...ready,
    async close() {
      // Reverse order of opening; each step runs even if an earlier one fails.
      await ready.clickhouse.close().catch((err) => log.warn({ err }, 'closing ClickHouse failed'));
      await ready.pool.end().catch((err) => log.warn({ err }, 'closing PostgreSQL pool failed'));
      await ready.postgres.stop().catch((err) => log.warn({ err }, 'stopping PostgreSQL failed'));
    }
  };
}
