import type { ClickHouseClient } from '@clickhouse/client';

/** Which warehouse a location belongs to (locations never move), learned from ClickHouse once. */
export class LocationDirectory {
  readonly #warehouseOf = new Map<number, number>();

  constructor(private readonly ch: ClickHouseClient) {}

  async warehouses(locationIds: Iterable<number>): Promise<number[]> {
    const unknown = [...locationIds].filter((id) => !this.#warehouseOf.has(id));
    if (unknown.length > 0) {
      const rs = await this.ch.query({
        query: `SELECT id, warehouse_id FROM locations FINAL WHERE id IN (${unknown.map((id) => Math.trunc(id)).join(',')})`,
        format: 'JSONEachRow'
      });
      for (const r of await rs.json<{ id: number; warehouse_id: number }>()) this.#warehouseOf.set(Number(r.id), Number(r.warehouse_id));
    }
    const out = new Set<number>();
    for (const id of locationIds) {
      const w = this.#warehouseOf.get(id);
      if (w !== undefined) out.add(w);
    }
    return [...out];
  }
}
