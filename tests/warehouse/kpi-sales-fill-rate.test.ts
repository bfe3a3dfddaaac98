import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { fillRate } from '../../warehouse/kpi/fill-rate';
import { kpiBench, type KpiBench } from './support';
import { EMPTY_WINDOW, salesFixture, WINDOW, type SalesFixture } from './kpi-sales-fixture';

/** Expected numbers are worked out by hand from the fixture (see kpi-sales-fixture.ts). */
let bench: KpiBench;
let f: SalesFixture;

beforeAll(async () => {
  bench = await kpiBench();
  f = await salesFixture(bench);
});

/** A fill row from its counts: orders, lines, units; then [orders, lines, units] filled at first shipment and final. */
function row(orders: number, lines: number, units: number, first: [number, number, number], final: [number, number, number]) {
  const m = ([o, l, u]: [number, number, number]) => ({
    ordersFilled: o,
    linesFilled: l,
    unitsShipped: u,
    orderFill: orders ? o / orders : null,
    lineFill: lines ? l / lines : null,
    unitFill: units ? u / units : null
  });
  return { orders, lines, unitsDemanded: units, firstShipment: m(first), final: m(final) };
}

describe('fact_order_lines', () => {
  it('carries first/last shipment, first-shipment quantity and first invoice per line; picking shipments do not count', async () => {
    const rows = await bench.ch<Record<string, unknown>>(
      `SELECT line_id, demand_qty, first_shipment_qty, shipment_count, toString(first_shipped_at) AS first, toString(last_shipped_at) AS last,
              toString(first_invoiced_at) AS invoiced, toString(promised_date) AS promised, warehouse_time_zone
       FROM fact_order_lines WHERE line_id IN {ids:Array(Int64)} ORDER BY line_id`,
      { ids: [f.lines.O1L2, f.lines.O2L2, f.lines.O3L1] }
    );
    expect(rows).toEqual([
      { line_id: f.lines.O1L2, demand_qty: 5, first_shipment_qty: 3, shipment_count: 2, first: '2025-03-02 08:00:00.000000', last: '2025-03-05 09:00:00.000000', invoiced: '2025-03-02 09:00:00.000000', promised: '2025-03-04', warehouse_time_zone: 'Europe/Berlin' },
      { line_id: f.lines.O2L2, demand_qty: 8, first_shipment_qty: 6, shipment_count: 1, first: '2025-03-02 12:00:00.000000', last: '2025-03-02 12:00:00.000000', invoiced: null, promised: '2025-03-03', warehouse_time_zone: 'Europe/Berlin' },
      { line_id: f.lines.O3L1, demand_qty: 3, first_shipment_qty: 0, shipment_count: 0, first: null, last: null, invoiced: null, promised: '2025-03-02', warehouse_time_zone: 'UTC' }
    ]);
    // The draft order O6 is not a fact.
    expect(await bench.ch(`SELECT count() AS n FROM fact_order_lines WHERE order_id = {id:Int64}`, { id: f.orders.O6 })).toEqual([{ n: 0 }]);
  });
});

describe('fill rate', () => {
  it('counts line, order and unit fill, first-shipment and final, in total and by local day, warehouse and region', async () => {
    const { data, asOf } = await fillRate(bench.clickhouse.client, WINDOW);
    expect(asOf.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    // O1, O2 (line 1 fully cancelled), O3, O7 (line 2 partly cancelled), O8; not O4 (all cancelled), O5 (before), O6 (draft).
    expect(data.total).toEqual(row(5, 7, 33, [2, 4, 26], [3, 5, 28]));
    expect(data.total.final.unitFill).toBeCloseTo(28 / 33, 12);
    // O2 was created 03-01 23:30 UTC = 03-02 00:30 in Berlin: it belongs to 03-02.
    expect(data.byDay).toEqual([
      { day: '2025-03-01', ...row(2, 4, 21, [1, 3, 19], [2, 4, 21]) },
      { day: '2025-03-02', ...row(3, 3, 12, [1, 1, 7], [1, 1, 7]) }
    ]);
    expect(data.byWarehouse).toEqual([
      { warehouseId: f.wh.BER, ...row(3, 4, 24, [1, 2, 20], [2, 3, 22]) },
      { warehouseId: f.wh.LON, ...row(2, 3, 9, [1, 2, 6], [1, 2, 6]) }
    ]);
    expect(data.byRegion).toEqual([
      { regionId: f.regions.N, ...row(3, 4, 24, [1, 2, 20], [2, 3, 22]) },
      { regionId: f.regions.S, ...row(2, 3, 9, [1, 2, 6], [1, 2, 6]) }
    ]);
  });

  it('answers zeros and null ratios for a window without orders', async () => {
    const { data } = await fillRate(bench.clickhouse.client, EMPTY_WINDOW);
    expect(data).toEqual({ total: row(0, 0, 0, [0, 0, 0], [0, 0, 0]), byDay: [], byWarehouse: [], byRegion: [] });
    expect(data.total.final.orderFill).toBeNull();
  });

  it('filters by warehouse, region, category and customer', async () => {
    const ch = bench.clickhouse.client;
    expect((await fillRate(ch, { ...WINDOW, warehouseIds: [f.wh.LON] })).data.total).toEqual(row(2, 3, 9, [1, 2, 6], [1, 2, 6]));
    const north = await fillRate(ch, { ...WINDOW, regionIds: [f.regions.N] });
    expect(north.data.total).toEqual(row(3, 4, 24, [1, 2, 20], [2, 3, 22]));
    expect(north.data.byWarehouse.map((r) => r.warehouseId)).toEqual([f.wh.BER]);
    // Paint (P2): O1 line 2 (5; 3 first, 5 final), O3 (3; nothing), O7 line 1 (2; 2).
    expect((await fillRate(ch, { ...WINDOW, categories: ['paint'] })).data.total).toEqual(row(3, 3, 10, [1, 1, 5], [2, 2, 7]));
    // C2: O2 (8 demanded, 6 shipped) and O3 (3, nothing).
    expect((await fillRate(ch, { ...WINDOW, customerIds: [f.customers.C2] })).data.total).toEqual(row(2, 2, 11, [0, 0, 6], [0, 0, 6]));
    expect((await fillRate(ch, { ...WINDOW, customerIds: [f.customers.C2], warehouseIds: [f.wh.LON] })).data.total).toEqual(
      row(1, 1, 3, [0, 0, 0], [0, 0, 0])
    );
  });

  it('refuses bad input: to before from, unknown filters, malformed ids', async () => {
    const ch = bench.clickhouse.client;
    await expect(fillRate(ch, { from: WINDOW.to, to: WINDOW.from })).rejects.toThrow(/to must be after from/);
    await expect(fillRate(ch, { ...WINDOW, productIds: [1] })).rejects.toThrow(ZodError);
    await expect(fillRate(ch, { ...WINDOW, warehouseIds: ['x'] })).rejects.toThrow(ZodError);
    await expect(fillRate(ch, { from: 'yesterday', to: WINDOW.to })).rejects.toThrow(ZodError);
    await expect(fillRate(ch, undefined)).rejects.toThrow(ZodError);
  });
});
