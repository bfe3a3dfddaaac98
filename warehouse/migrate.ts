import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';

/** ClickHouse DDL, versioned: NNNN_name.sql, applied in order, each once. */
export const CLICKHOUSE_MIGRATIONS = path.resolve(process.cwd(), 'warehouse/migrations');

export interface AppliedMigration {
  version: number;
  name: string;
}

/** Splits a migration file into statements (semicolon at the end of a line). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) =>
      s
        .split('\n')
        .filter((line) => !line.trim().startsWith('--'))
        .join('\n')
        .trim()
    )
    .filter((s) => s.length > 0);
}

export async function listMigrations(dir = CLICKHOUSE_MIGRATIONS): Promise<(AppliedMigration & { file: string })[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return files.map((file) => {
    const m = /^(\d+)_(.+)\.sql$/.exec(file);
    if (!m) throw new Error(`warehouse migration ${file}: name must be NNNN_description.sql`);
    return { version: Number(m[1]), name: m[2]!, file: path.join(dir, file) };
  });
}

/**
 * Applies the migrations not yet recorded in schema_migrations. Every statement is
 * written to be idempotent (IF NOT EXISTS), so a run interrupted between a
 * statement and its record is simply repeated.
 */
export async function migrateClickHouse(client: ClickHouseClient, dir = CLICKHOUSE_MIGRATIONS): Promise<AppliedMigration[]> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS schema_migrations
            (version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
            ENGINE = ReplacingMergeTree ORDER BY version`
  });
  const done = new Set(
    (await (await client.query({ query: 'SELECT version FROM schema_migrations FINAL', format: 'JSONEachRow' })).json<{ version: number }>()).map(
      (r) => Number(r.version)
    )
  );
  const applied: AppliedMigration[] = [];
  for (const m of await listMigrations(dir)) {
    if (done.has(m.version)) continue;
    for (const statement of splitStatements(await readFile(m.file, 'utf8'))) {
      await client.command({ query: statement });
    }
    await client.insert({ table: 'schema_migrations', values: [{ version: m.version, name: m.name }], format: 'JSONEachRow' });
    applied.push({ version: m.version, name: m.name });
  }
  return applied;
}
