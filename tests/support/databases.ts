import { randomBytes } from 'node:crypto';
import { mkdtemp, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { migratePostgres } from '../../schemas/db/migrate';

/** A new, migrated database in the run's embedded PostgreSQL; returns its URL. */
export async function freshDatabase(prefix = 't'): Promise<string> {
  const base = inject('postgresUrl');
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  await migratePostgres(url.toString());
  return url.toString();
}

/** A temporary directory readable by the postgres OS user (embedded Postgres as root). */
export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `opstower-${prefix}-`));
  await chmod(dir, 0o755);
  return dir;
}
