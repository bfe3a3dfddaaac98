import type pg from 'pg';
import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import { createAdapter } from '@socket.io/postgres-adapter';

/** Where the adapter keeps payloads too big for NOTIFY; kept out of the CDC (ingest/catalog.ts). */
export const ADAPTER_TABLE = 'socket_io_attachments';

/**
 * Several app nodes share rooms through Socket.IO's official PostgreSQL adapter
 * (LISTEN/NOTIFY on the core database: no new infrastructure). One node alone
 * keeps the default in-memory adapter.
 */
export async function useClusterAdapter(io: Server, pool: pg.Pool, log: Logger): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS ${ADAPTER_TABLE} (id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea)`);
  io.adapter(createAdapter(pool, { tableName: ADAPTER_TABLE, errorHandler: (err) => log.warn({ err }, 'Socket.IO adapter error') }));
  log.info('Socket.IO rooms shared across app nodes through PostgreSQL');
}
