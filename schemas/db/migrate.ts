import path from 'node:path';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

/** Where drizzle-kit writes the core's SQL migrations (relative to the project root). */
export const POSTGRES_MIGRATIONS = path.resolve(process.cwd(), 'schemas/db/migrations');

/**
 * Applies pending Drizzle migrations. Several app nodes may start at once, so the
 * run is serialised by an advisory lock held on the migrating connection itself.
 */
export async function migratePostgres(url: string, migrationsFolder = POSTGRES_MIGRATIONS): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('opstower.migrate'))");
    await migrate(drizzle(client), { migrationsFolder });
  } finally {
    await client.end().catch(() => undefined);
  }
}
