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
 * What a KPI reflects: the LSN and commit time the materialized facts were
 * refreshed to (warehouse/model/fact-refresh.ts), else the landed one. Read before
 * the KPI's query, so that its data is at least this fresh.
 */
export async function readAsOf(ch: ClickHouseClient): Promise<KpiAsOf> {
  const [mark] = await queryRows<{ lsn: string; commit_time: string }>(
    ch,
    `SELECT toString(lsn) AS lsn, formatDateTime(commit_time, '%Y-%m-%dT%H:%i:%S.%fZ', 'UTC') AS commit_time
     FROM fact_refresh FINAL WHERE model = 'facts'`
  );
  if (!mark || mark.lsn === '0') return readLanded(ch);
  return { lsn: formatLsn(BigInt(mark.lsn)), commitTime: mark.commit_time };
}
