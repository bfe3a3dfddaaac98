import type { ClickHouseClient } from '@clickhouse/client';
import type { KpiAsOf } from '../../schemas/api/kpi';
import { formatLsn } from '../../ingest/lsn';
import { queryRows } from './clickhouse-query';

/**
 * The newest change landed in the warehouse: the change log's last line (its sort
 * key, so this reads one granule). The landing tables are at least this fresh.
 */
export async function readLanded(ch: ClickHouseClient): Promise<KpiAsOf> {
  const [row] = await queryRows<{ lsn: string; commit_time: string }>(
    ch,
    `SELECT toString(commit_lsn) AS lsn, formatDateTime(commit_time, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS commit_time
     FROM change_log ORDER BY commit_lsn DESC, position DESC LIMIT 1`
  );
  if (!row) return { lsn: null, commitTime: null };
  return { lsn: formatLsn(BigInt(row.lsn)), commitTime: row.commit_time };
}

/**
 * The watermark the facts refresher of this process last wrote through a client (it is the only
 * writer while its ingest is active): a KPI on the same client takes it from here instead of a
 * round trip to fact_refresh. Noted after the write, so a query sent later sees facts at least
 * this fresh. Forgotten when the ingest stops being the slot's consumer (another may write then).
 */
const noted = new WeakMap<ClickHouseClient, KpiAsOf>();

/** The refresher wrote this watermark (lsn > 0), or `null`: forget it. */
export function noteFactsMark(ch: ClickHouseClient, mark: { lsn: bigint; commitTime: string } | null): void {
  if (mark === null || mark.lsn === 0n) noted.delete(ch);
  else noted.set(ch, { lsn: formatLsn(mark.lsn), commitTime: asStored(mark.commitTime) });
}

/** A commit time as fact_refresh gives it back (DateTime64(6): six fractional digits, 'Z'). */
function asStored(time: string): string {
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?Z?$/.exec(time);
  return m ? `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(6, '0').slice(0, 6)}Z` : time;
}

/**
 * What a KPI reflects: the LSN and commit time the materialized facts were
 * refreshed to (warehouse/model/fact-refresh.ts), else the landed one. Read before
 * the KPI's query, so that its data is at least this fresh.
 */
export async function readAsOf(ch: ClickHouseClient): Promise<KpiAsOf> {
  const mine = noted.get(ch);
  if (mine) return mine;
  const [mark] = await queryRows<{ lsn: string; commit_time: string }>(
    ch,
    `SELECT toString(lsn) AS lsn, formatDateTime(commit_time, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS commit_time
     FROM fact_refresh FINAL WHERE model = 'facts'`
  );
  if (!mark || mark.lsn === '0') return readLanded(ch);
  return { lsn: formatLsn(BigInt(mark.lsn)), commitTime: mark.commit_time };
}
