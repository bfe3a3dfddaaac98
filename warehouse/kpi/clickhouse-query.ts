import type { ClickHouseClient } from '@clickhouse/client';

/**
 * One typed read against ClickHouse: parameters travel as ClickHouse query
 * parameters ({name:Type} in the SQL), never spliced into the text.
 */
export async function queryRows<T>(ch: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await ch.query({
    query,
    query_params: params,
    format: 'JSONEachRow',
    // 64-bit integers as JSON numbers: our quantities and minor units stay far below 2^53.
    clickhouse_settings: { output_format_json_quote_64bit_integers: 0 }
  });
  return rs.json<T>();
}

/** An instant (Date or ISO string with any offset) as a DateTime64(6, 'UTC') query parameter value. */
export function chTime(t: Date | string): string {
  return new Date(t).toISOString().replace('T', ' ').replace('Z', '');
}
