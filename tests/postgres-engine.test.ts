import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { assertLogicalWal, startEmbeddedPostgres, type PostgresEngine } from '../platform/postgres';
import { migratePostgres } from '../schemas/db/migrate';
import { freshDatabase, tempDir } from './support/databases';

const log = pino({ level: 'silent' });
const started: PostgresEngine[] = [];
afterAll(async () => {
  for (const e of started) await e.stop();
});

describe('embedded PostgreSQL', () => {
  it('runs with wal_level=logical, which assertLogicalWal accepts', async () => {
    const url = await freshDatabase();
    await expect(assertLogicalWal(url)).resolves.toBeUndefined();
  });

  it('refuses a server whose wal_level is not logical, saying how to fix it', async () => {
    const dir = await tempDir('replica');
    const replica = await startEmbeddedPostgres({ dataDir: dir, log, extraFlags: ['-c', 'wal_level=replica'] });
    started.push(replica);
    await expect(assertLogicalWal(replica.url)).rejects.toThrow(
      /^DATABASE_URL: server postgres:\/\/opstower:\*\*\*@127\.0\.0\.1:\d+\/postgres has wal_level=replica; the CDC ingest needs wal_level=logical \(set "wal_level = logical"/
    );
  });

  it('says which server it cannot reach', async () => {
    await expect(assertLogicalWal('postgres://x:y@127.0.0.1:1/db')).rejects.toThrow(/^DATABASE_URL: cannot connect to postgres:\/\/x:\*\*\*@127.0.0.1:1\/db/);
  });

  it('starts again on the same data directory after a stale postmaster.pid', async () => {
    const dir = await tempDir('stale');
    const first = await startEmbeddedPostgres({ dataDir: dir, log });
    await first.stop();
    const pidFile = path.join(dir, 'postgres', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(false);
    // A pid file naming a process that is not a postgres (our own pid): stale.
    await writeFile(pidFile, `${process.pid}\n${path.join(dir, 'postgres')}\n`);
    const second = await startEmbeddedPostgres({ dataDir: dir, log });
    started.push(second);
    const client = new pg.Client({ connectionString: second.url });
    await client.connect();
    const { rows } = await client.query('SELECT 1 AS one');
    await client.end();
    expect(rows[0].one).toBe(1);
    expect(Number((await readFile(pidFile, 'utf8')).split('\n')[0])).not.toBe(process.pid);
  });
});

describe('migratePostgres', () => {
  it('is idempotent and safe when several nodes migrate at once', async () => {
    const url = await freshDatabase();
    await Promise.all([migratePostgres(url), migratePostgres(url), migratePostgres(url)]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM drizzle.__drizzle_migrations');
    const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    await client.end();
    const shipped = JSON.parse(await readFile('schemas/db/migrations/meta/_journal.json', 'utf8')).entries.length;
    expect(Number(rows[0]!.n)).toBe(shipped);
    expect(tables.rows.map((r) => r.tablename)).toEqual(expect.arrayContaining(['regions', 'warehouses']));
  });
});
