import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseError } from '@clickhouse/client';
import { connectClickHouse, type ClickHouseEngine } from '../../platform/clickhouse';
import { migrateClickHouse } from '../../warehouse/migrate';
import { tempDir } from './databases';
import { startChdbHttpServer, type ChdbHttpServer } from './chdb-http-server';

// The test ClickHouse server must behave as @clickhouse/client expects of a real one,
// or the outage and standby tests would prove nothing about the real client path.
let server: ChdbHttpServer;
let ch: ClickHouseEngine;
beforeAll(async () => {
  server = await startChdbHttpServer(await tempDir('chhttp'));
  ch = connectClickHouse(server.url);
});
afterAll(async () => {
  await ch?.close();
  await server?.stop();
});

describe('chDB over ClickHouse HTTP (test support)', () => {
  it('pings, runs DDL, inserts TSV streams and reads JSON back, with query parameters', async () => {
    expect((await ch.client.ping()).success).toBe(true);
    await ch.client.command({ query: 'CREATE TABLE t (id UInt32, name String, at DateTime64(6, \'UTC\')) ENGINE = MergeTree ORDER BY id' });
    const summary = await ch.client.insert({ table: 't', columns: ['id', 'name', 'at'], values: Readable.from(['1\tone;\t2024-01-02 03:04:05.123456\n2\ttwo\\ttab\t2024-01-02T03:04:05Z\n'], { objectMode: false }), format: 'TabSeparated' });
    expect(summary.summary?.written_rows).toBe('2');
    await ch.client.insert({ table: 't', values: [{ id: 3, name: "it's", at: '2024-01-01 00:00:00' }], format: 'JSONEachRow' });
    const rs = await ch.client.query({ query: 'SELECT id, name, toString(at) AS at FROM t WHERE name != {skip:String} ORDER BY id', query_params: { skip: "it's\t" }, format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([
      { id: 1, name: 'one;', at: '2024-01-02 03:04:05.123456' },
      { id: 2, name: 'two\ttab', at: '2024-01-02 03:04:05.000000' },
      { id: 3, name: "it's", at: '2024-01-01 00:00:00.000000' }
    ]);
  });

  it('raises engine errors as ClickHouseError with code and type', async () => {
    const err = await ch.client.query({ query: 'SELECT * FROM no_such_table', format: 'JSONEachRow' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClickHouseError);
    expect((err as ClickHouseError).type).toBe('UNKNOWN_TABLE');
    expect((err as ClickHouseError).code).toBe('60');
  });

  it('applies settings to their own request only', async () => {
    const read = async (settings?: Record<string, 0 | 1>) =>
      (await (await ch.client.query({ query: 'SELECT toDecimal64(1.5, 3) AS d', format: 'TabSeparated', clickhouse_settings: settings })).text()).trim();
    expect(await read({ output_format_decimal_trailing_zeros: 1 })).toBe('1.500');
    expect(await read()).toBe('1.5');
  });

  it('runs the warehouse migrations, and keeps the data across a SIGKILL and a restart on the same port', async () => {
    await migrateClickHouse(ch.client);
    await server.kill();
    expect((await ch.client.ping()).success).toBe(false);
    server = await startChdbHttpServer(server.dataDir, { port: server.port });
    const rs = await ch.client.query({ query: 'SELECT count() AS n FROM t', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ n: 3 }]); // ClickHouse 25.9+ no longer quotes 64-bit integers in JSON
    expect(await migrateClickHouse(ch.client)).toEqual([]);
  });
});
