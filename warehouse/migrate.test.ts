import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbeddedClickHouse, type ClickHouseEngine } from '../platform/clickhouse';
import { listMigrations, migrateClickHouse, splitStatements } from './migrate';

describe('splitStatements', () => {
  it('splits on line-ending semicolons and drops comment lines', () => {
    expect(splitStatements('-- a table\nCREATE TABLE a (x UInt8) ENGINE = Memory;\n\nSELECT 1;')).toEqual([
      'CREATE TABLE a (x UInt8) ENGINE = Memory',
      'SELECT 1'
    ]);
  });
  it('keeps a semicolon inside a line', () => {
    expect(splitStatements("SELECT ';' AS s;\n")).toEqual(["SELECT ';' AS s"]);
  });
});

describe('migrateClickHouse (chDB)', () => {
  let ch: ClickHouseEngine;
  beforeAll(async () => {
    ch = await openEmbeddedClickHouse(await mkdtemp(path.join(tmpdir(), 'opstower-ch-')));
  });
  afterAll(async () => ch?.close());

  it('applies every shipped migration once, and a second run applies none', async () => {
    const shipped = await listMigrations();
    const first = await migrateClickHouse(ch.client);
    expect(first.map((m) => m.version)).toEqual(shipped.map((m) => m.version));
    expect(await migrateClickHouse(ch.client)).toEqual([]);
    const tables = await (await ch.client.query({ query: 'SHOW TABLES', format: 'JSONEachRow' })).json<{ name: string }>();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['schema_migrations', 'change_log', 'ingest_backfill']));
  });

  it('applies a new migration added later, and refuses a badly named file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'opstower-chmig-'));
    await writeFile(path.join(dir, '0900_extra.sql'), 'CREATE TABLE IF NOT EXISTS extra_t (x UInt8) ENGINE = MergeTree ORDER BY x;\n');
    expect(await migrateClickHouse(ch.client, dir)).toEqual([{ version: 900, name: 'extra' }]);
    expect(await migrateClickHouse(ch.client, dir)).toEqual([]);
    await writeFile(path.join(dir, 'oops.sql'), 'SELECT 1;');
    await expect(migrateClickHouse(ch.client, dir)).rejects.toThrow(/oops.sql: name must be NNNN_description.sql/);
  });
});
