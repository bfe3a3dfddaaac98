import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { invoiceLag, orderCycleTime } from '../../warehouse/kpi/order-cycle';
import { UnsupportedFilterError } from '../../warehouse/kpi/scope-filter';
import { kpiBench, type KpiBench } from './support';
import { EMPTY_WINDOW, salesFixture, WINDOW, type SalesFixture } from './kpi-sales-fixture';

/** Expected numbers are worked out by hand from the fixture (see kpi-sales-fixture.ts). */
let bench: KpiBench;
let f: SalesFixture;

beforeAll(async () => {
  bench = await kpiBench();
  f = await salesFixture(bench);
});

function expectStats(actual: { count: number; meanHours: number | null; p50Hours: number | null; p90Hours: number | null }, n: number, mean: number, p50: number, p90: number) {
  expect(actual.count).toBe(n);
  expect(actual.meanHours).toBeCloseTo(mean, 9);
  expect(actual.p50Hours).toBeCloseTo(p50, 9);
  expect(actual.p90Hours).toBeCloseTo(p90, 9);
}

describe('order cycle time', () => {
  const MARCH_1_TO_6 = { from: '2025-03-01T00:00:00Z', to: '2025-03-06T00:00:00Z' };

  it('measures created -> last shipment for orders completed in the window', async () => {
    // O5 10.5 h (created before the window, completed in it), O7 12 h, O8 17.5 h, O1 95 h (03-01 10:00 -> 03-05 09:00).
    // Not O2 and O3 (short), O4 (nothing left to ship), B orders (short).
    // mean 135 / 4 = 33.75; p50 (12 + 17.5) / 2 = 14.75; p90 at rank 2.7: 17.5 + 0.7 x 77.5 = 71.75.
    const { data, asOf } = await orderCycleTime(bench.clickhouse.client, MARCH_1_TO_6);
    expect(asOf.lsn).not.toBeNull();
    expectStats(data, 4, 33.75, 14.75, 71.75);
    // Up to 03-05 00:00, O1 is not complete yet: 10.5, 12, 17.5 -> mean 40 / 3, p50 12, p90 at rank 1.8: 12 + 0.8 x 5.5 = 16.4.
    expectStats((await orderCycleTime(bench.clickhouse.client, { ...MARCH_1_TO_6, to: '2025-03-05T00:00:00Z' })).data, 3, 40 / 3, 12, 16.4);
  });

  it('filters by warehouse, region and customer, and refuses a category filter', async () => {
    const ch = bench.clickhouse.client;
    // BER: O5 10.5, O8 17.5, O1 95 -> mean 41, p50 17.5, p90 at rank 1.8: 17.5 + 0.8 x 77.5 = 79.5.
    expectStats((await orderCycleTime(ch, { ...MARCH_1_TO_6, warehouseIds: [f.wh.BER] })).data, 3, 41, 17.5, 79.5);
    expectStats((await orderCycleTime(ch, { ...MARCH_1_TO_6, regionIds: [f.regions.S] })).data, 1, 12, 12, 12);
    expect((await orderCycleTime(ch, { ...MARCH_1_TO_6, customerIds: [f.customers.C2] })).data).toEqual({
      count: 0,
      meanHours: null,
      p50Hours: null,
      p90Hours: null
    });
    await expect(orderCycleTime(ch, { ...MARCH_1_TO_6, categories: ['tools'] })).rejects.toThrow(UnsupportedFilterError);
  });

  it('answers count 0 and nulls for an empty window, and refuses bad input', async () => {
    const ch = bench.clickhouse.client;
    expect((await orderCycleTime(ch, EMPTY_WINDOW)).data).toEqual({ count: 0, meanHours: null, p50Hours: null, p90Hours: null });
    await expect(orderCycleTime(ch, { from: WINDOW.to, to: WINDOW.from })).rejects.toThrow(/to must be after from/);
    await expect(orderCycleTime(ch, { ...WINDOW, productIds: [1] })).rejects.toThrow(ZodError);
  });
});

describe('invoice lag', () => {
  it('measures shipped -> invoiced for shipments of the window and counts the uninvoiced apart', async () => {
    // Shipped in [03-01, 03-03): S6 +3 h, S4 +0.5 h, S1 +1 h, S3 (no invoice), S5 +24 h; not S2 (03-05), not S7 (picking).
    // mean 28.5 / 4 = 7.125; p50 (1 + 3) / 2 = 2; p90 at rank 2.7: 3 + 0.7 x 21 = 17.7.
    const { data, asOf } = await invoiceLag(bench.clickhouse.client, WINDOW);
    expect(asOf.commitTime).not.toBeNull();
    expectStats(data, 4, 7.125, 2, 17.7);
    expect(data.uninvoiced).toBe(1);
  });

  it('filters by warehouse and customer, refuses category, and answers nulls when nothing is invoiced', async () => {
    const ch = bench.clickhouse.client;
    const lon = await invoiceLag(ch, { ...WINDOW, warehouseIds: [f.wh.LON] });
    expectStats(lon.data, 1, 0.5, 0.5, 0.5);
    expect(lon.data.uninvoiced).toBe(0);
    expect((await invoiceLag(ch, { ...WINDOW, customerIds: [f.customers.C2] })).data).toEqual({
      count: 0,
      meanHours: null,
      p50Hours: null,
      p90Hours: null,
      uninvoiced: 1
    });
    expect((await invoiceLag(ch, EMPTY_WINDOW)).data).toEqual({ count: 0, meanHours: null, p50Hours: null, p90Hours: null, uninvoiced: 0 });
    await expect(invoiceLag(ch, { ...WINDOW, categories: ['paint'] })).rejects.toThrow(UnsupportedFilterError);
    await expect(invoiceLag(ch, { ...WINDOW, to: 'tomorrow' })).rejects.toThrow(ZodError);
  });
});
