import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { withInlinedParams } from './clickhouse-params';

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
 * chDB connections kept for one process. One chDB connection runs one query at a
 * time, so a 20 ms board tile waited behind each step of a facts refresh; several
 * connections on one data directory run side by side and see the same tables
 * (measured: a quick query on a second connection returns in 2 ms while the first
 * runs a 300 ms one). Each in-flight query holds a libuv worker thread (4 by
 * default): three leave one for file and DNS work.
 */
const CHDB_CONNECTIONS = 3;

type AnyConnection = Record<string, unknown> & { close(): Promise<void> };
const CALLS = ['query', 'exec', 'command', 'insert', 'ping'] as const;

/**
 * ClickHouse's own query priority setting (1 is the highest; a running query pauses those of
 * lower priority). The landing's writes go first; background work (the facts refresh) yields.
 */
export const LANDING_PRIORITY = { priority: '1' };
export const BACKGROUND_PRIORITY = { priority: '8' };

const isBackground = (params: unknown) =>
  Number((params as { clickhouse_settings?: { priority?: string } } | undefined)?.clickhouse_settings?.priority ?? 0) >= Number(BACKGROUND_PRIORITY.priority);

/**
 * Connections behind one Connection: a call takes a free one, or waits (first come, first
 * served) for the first to free up, rather than queueing behind a long query on a busy one.
 * A background call never takes the last free connection: the landing and board queries
 * always find one (measured with `npm run bench -- ingest-freshness`: the refresh's three
 * inserts at once held every connection, and each landing insert waited behind them).
 */
function connectionPool(connections: AnyConnection[]): AnyConnection {
  const free = [...connections];
  const reserve = connections.length > 1 ? 1 : 0;
  const waiting: ((c: AnyConnection) => void)[] = [];
  const waitingBackground: ((c: AnyConnection) => void)[] = [];
  const take = (background: boolean) =>
    free.length > (background ? reserve : 0)
      ? free.pop()!
      : new Promise<AnyConnection>((resolve) => (background ? waitingBackground : waiting).push(resolve));
  const give = (c: AnyConnection) => {
    // A background call waits while the connection given back would be the last free one.
    const next = waiting.shift() ?? (free.length >= reserve ? waitingBackground.shift() : undefined);
    if (next) next(c);
    else free.push(c);
  };
  const pool: Record<string, unknown> = { connectionName: 'chdb-pool' };
  for (const method of CALLS) {
    pool[method] = async (params: unknown) => {
      const c = await take(isBackground(params));
      try {
        return await (c[method] as (p: unknown) => Promise<unknown>).call(c, params);
      } finally {
        give(c);
      }
    };
  }
  pool.close = async () => {
    await Promise.all(connections.map((c) => c.close()));
  };
  return pool as AnyConnection;
}

/**
 * chDB in-process, through @clickhouse/client's connection hook so that every
 * query is the same code as against a server. chDB binds one data directory
 * per process: open it once and share the engine. Query parameters are inlined
 * as typed literals (clickhouse-params.ts says why).
 */
export async function openEmbeddedClickHouse(dataDir: string): Promise<ClickHouseEngine> {
  const dir = path.resolve(dataDir, 'clickhouse');
  await mkdir(dir, { recursive: true });
  const { createChdbConnection } = await import('chdb/connection');
  const connections = Array.from({ length: CHDB_CONNECTIONS }, () => withInlinedParams(createChdbConnection({ path: dir })) as unknown as AnyConnection);
  // chdb ships its own copy of the Connection type (duplicated private class): cast once here.
  const client = createClient({ connection: connectionPool(connections) as unknown as ClickHouseClientConfigOptions['connection'] });
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
