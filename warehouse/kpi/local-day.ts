import type { ClickHouseClient } from '@clickhouse/client';

/**
 * Day buckets use each warehouse's own time zone (DESIGN.md). ClickHouse takes a
 * time zone only as a constant, so the bucket is a multiIf over the zones the
 * warehouses use, read from the landed warehouses table.
 */
const ZONE = /^[A-Za-z0-9_+\-/]+$/;

export async function warehouseZones(ch: ClickHouseClient): Promise<string[]> {
  const rs = await ch.query({ query: 'SELECT DISTINCT time_zone FROM warehouses FINAL ORDER BY time_zone', format: 'JSONEachRow' });
  return (await rs.json<{ time_zone: string }>()).map((r) => r.time_zone).filter((z) => ZONE.test(z));
}

/** The local date of timestamp expression `ts` in the zone held by expression `zone`. */
export function localDayExpr(ts: string, zone: string, zones: string[]): string {
  const branches = zones.filter((z) => z !== 'UTC').flatMap((z) => [`${zone} = '${z}'`, `toDate(${ts}, '${z}')`]);
  return branches.length ? `multiIf(${branches.join(', ')}, toDate(${ts}, 'UTC'))` : `toDate(${ts}, 'UTC')`;
}
