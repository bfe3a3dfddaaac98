import { sql } from 'drizzle-orm';
import type { KpiAsOf } from '../../../../../schemas/api/kpi';
import type { CoreDb } from '../../core/db';

/**
 * What a tile read from the core (PostgreSQL) reflects: the WAL position and time
 * of the read. Operational tiles (alerts, queues) read the core directly, so they
 * are as fresh as the transaction that just committed.
 */
export async function coreAsOf(db: CoreDb): Promise<KpiAsOf> {
  const { rows } = await db.execute<{ lsn: string; now: string }>(
    sql`SELECT pg_current_wal_lsn()::text AS lsn, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now`
  );
  return { lsn: rows[0]!.lsn, commitTime: rows[0]!.now };
}
