import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';

/** The ClickHouse the process talks to: one @clickhouse/client for chDB and server alike. */
export interface ClickHouseEngine {
  client: ClickHouseClient;
  embedded: boolean;
  close(): Promise<void>;
}

/** A ClickHouse server reached over HTTP (CLICKHOUSE_URL, credentials and database in the URL). */
export function connectClickHouse(url: string): ClickHouseEngine {
  const client = createClient({
    url,
    request_timeout: 30_000,
    clickhouse_settings: { date_time_input_format: 'best_effort' }
  });
  return { client, embedded: false, close: () => client.close() };
}

/**
 * chDB in-process, through @clickhouse/client's connection hook so that every
 * query is the same code as against a server. chDB binds one data directory
 * per process: open it once and share the engine.
 */
export async function openEmbeddedClickHouse(dataDir: string): Promise<ClickHouseEngine> {
  const dir = path.resolve(dataDir, 'clickhouse');
  await mkdir(dir, { recursive: true });
  const { createChdbConnection } = await import('chdb/connection');
  const connection = createChdbConnection({ path: dir });
  // chdb ships its own copy of the Connection type (duplicated private class): cast once here.
  const client = createClient({ connection: connection as unknown as ClickHouseClientConfigOptions['connection'] });
  return {
    client,
    embedded: true,
    async close() {
      await client.close();
      const { drainPending } = await import('chdb');
      await drainPending();
    }
  };
}
