import type { ClickHouseClient } from '@clickhouse/client';

/**
 * Day buckets use each warehouse's own time zone (DESIGN.md). ClickHouse takes a
 * time zone only as a constant, so the bucket is a multiIf over the zones the
 * warehouses use, read from the landed warehouses table.
 */
const ZONE = /^[A-Za-z0-9_+\-/]+$/;

/**
 * Read at most every ZONES_TTL_MS per client: every KPI needs them and they hardly
 * ever change (a warehouse in a zone new to the network buckets by UTC until then).
 */
const ZONES_TTL_MS = 10_000;
const zoneCache = new WeakMap<ClickHouseClient, { at: number; zones: Promise<string[]> }>();

export function warehouseZones(ch: ClickHouseClient): Promise<string[]> {
  const hit = zoneCache.get(ch);
  if (hit && Date.now() - hit.at < ZONES_TTL_MS) return hit.zones;
  const zones = readWarehouseZones(ch);
  zoneCache.set(ch, { at: Date.now(), zones });
  zones.catch(() => zoneCache.delete(ch));
  return zones;
}

/** The zones the landed warehouses use, read now (warehouseZones caches them). */
export async function readWarehouseZones(ch: ClickHouseClient): Promise<string[]> {
  const rs = await ch.query({ query: 'SELECT DISTINCT time_zone FROM warehouses FINAL ORDER BY time_zone', format: 'JSONEachRow' });
  return (await rs.json<{ time_zone: string }>()).map((r) => r.time_zone).filter((z) => ZONE.test(z));
}

/** The local date of timestamp expression `ts` in the zone held by expression `zone`. */
export function localDayExpr(ts: string, zone: string, zones: readonly string[]): string {
  const branches = zones.filter((z) => z !== 'UTC').flatMap((z) => [`${zone} = '${z}'`, `toDate(${ts}, '${z}')`]);
  return branches.length ? `multiIf(${branches.join(', ')}, toDate(${ts}, 'UTC'))` : `toDate(${ts}, 'UTC')`;
}
