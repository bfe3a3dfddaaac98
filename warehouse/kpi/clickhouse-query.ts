import type { ClickHouseClient } from '@clickhouse/client';

/**
 * One typed read against ClickHouse: parameters travel as ClickHouse query
 * parameters ({name:Type} in the SQL), never spliced into the text.
 */
export async function queryRows<T>(
  ch: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
  settings: { priority?: string } = {}
): Promise<T[]> {
  const rs = await ch.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    clickhouse_settings: {
      // 64-bit integers as JSON numbers: our quantities and minor units stay far below 2^53.
      output_format_json_quote_64bit_integers: 0,
      // FINAL merges within a partition only: every partitioned table of ours keeps a key's rows in
      // one partition (partitioned by a time that never changes for the row: materialized-facts.ts).
      do_not_merge_across_partitions_select_final: 1,
      ...settings
    }
  });
  return rs.json<T>();
}

/** An instant (Date or ISO string with any offset) as a DateTime64(6, 'UTC') query parameter value. */
export function chTime(t: Date | string): string {
  return new Date(t).toISOString().replace('T', ' ').replace('Z', '');
}
