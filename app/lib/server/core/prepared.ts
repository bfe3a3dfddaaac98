import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Db } from './db';

const dialect = new PgDialect();

/**
 * Runs raw SQL as a named prepared statement: PostgreSQL parses and plans it once
 * per connection instead of on every call. The text for a name must never
 * change: pass lists as array parameters (sql.param(array)), not spread values.
 */
export async function execPrepared<T>(db: Db, name: string, query: SQL): Promise<T[]> {
  const result = (await db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false).execute()) as { rows: T[] };
  return result.rows;
}
