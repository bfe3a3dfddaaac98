import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { backorderAging } from '../../warehouse/kpi/backorder-aging';
import { kpiBench, type KpiBench } from './support';
import { salesFixture, type SalesFixture } from './kpi-sales-fixture';

/** Expected numbers are worked out by hand from the fixture (see kpi-sales-fixture.ts). */
let bench: KpiBench;
let f: SalesFixture;

beforeAll(async () => {
  bench = await kpiBench();
  f = await salesFixture(bench);
});

const CLOCK = '2025-03-10T12:00:00.000Z';
const cell = (lines: number, units: number, valueMinor: number) => ({ lines, units, valueMinor });
const zero = cell(0, 0, 0);

/** A row: its totals, then the five buckets 0-3, 4-7, 8-14, 15-30, 31+. */
function row(total: ReturnType<typeof cell>, b: ReturnType<typeof cell>[]) {
  return { ...total, buckets: { '0-3': b[0], '4-7': b[1], '8-14': b[2], '15-30': b[3], '31+': b[4] } };
}

describe('backorder aging', () => {
  // Open backordered lines at 03-10 12:00 UTC:
  //   B1L1 3 x 1000, since 03-08 12:00:01 -> 1 day 23:59:59 -> 1 day  -> 0-3,   3000
  //   B1L2 3 x 2000, since 03-03 11:00    -> 7 days                  -> 4-7,   6000
  //   O2L2 2 x 1000 less 10 %, since 03-02 12:00 -> 8 days           -> 8-14,  1800
  //   B2L2 1 x 1001 less 25 %, since 02-20 12:00 -> 18 days          -> 15-30, 750.75 -> 751
  //   B2L1 4 x  333 less 25 %, since 01-15 00:00 -> 54 days          -> 31+,   999
  // Not: O1L2 (since set, nothing left), O3L1 (never shipped), B3 (order cancelled), B4 (backordered after the clock).
  // Total value: (18,000,000 + 30,000,000 + 60,000,000 + 9,990,000 + 7,507,500) / 10000 = 12549.75 -> 12550.
  const TOTAL = row(cell(5, 13, 12550), [cell(1, 3, 3000), cell(1, 3, 6000), cell(1, 2, 1800), cell(1, 1, 751), cell(1, 4, 999)]);

  it('buckets lines, units and value by age at the given clock', async () => {
    const { data, asOf } = await backorderAging(bench.clickhouse.client, { asOfTime: CLOCK });
    expect(asOf.lsn).not.toBeNull();
    expect(data).toEqual({ asOfTime: CLOCK, total: TOTAL });
  });

  it('groups by warehouse, customer and product', async () => {
    const ch = bench.clickhouse.client;
    const byWarehouse = await backorderAging(ch, { asOfTime: CLOCK, groupBy: 'warehouse' });
    expect(byWarehouse.data.total).toEqual(TOTAL);
    expect(byWarehouse.data.groups).toEqual([
      { key: f.wh.BER, ...row(cell(3, 8, 10800), [cell(1, 3, 3000), cell(1, 3, 6000), cell(1, 2, 1800), zero, zero]) },
      // (9,990,000 + 7,507,500) / 10000 = 1749.75 -> 1750
      { key: f.wh.LON, ...row(cell(2, 5, 1750), [zero, zero, zero, cell(1, 1, 751), cell(1, 4, 999)]) }
    ]);
    const byCustomer = await backorderAging(ch, { asOfTime: CLOCK, groupBy: 'customer' });
    expect(byCustomer.data.groups).toEqual([
      { key: f.customers.C1, ...row(cell(2, 6, 9000), [cell(1, 3, 3000), cell(1, 3, 6000), zero, zero, zero]) },
      // (18,000,000 + 9,990,000 + 7,507,500) / 10000 = 3549.75 -> 3550
      { key: f.customers.C2, ...row(cell(3, 7, 3550), [zero, zero, cell(1, 2, 1800), cell(1, 1, 751), cell(1, 4, 999)]) }
    ]);
    const byProduct = await backorderAging(ch, { asOfTime: CLOCK, groupBy: 'product' });
    expect(byProduct.data.groups).toEqual([
      // 3000 + 750.75 -> 3751
      { key: f.products.P1, ...row(cell(2, 4, 3751), [cell(1, 3, 3000), zero, zero, cell(1, 1, 751), zero]) },
      { key: f.products.P2, ...row(cell(1, 3, 6000), [zero, cell(1, 3, 6000), zero, zero, zero]) },
      { key: f.products.P3, ...row(cell(2, 6, 2799), [zero, zero, cell(1, 2, 1800), zero, cell(1, 4, 999)]) }
    ]);
  });

  it('filters by warehouse, region, category and customer', async () => {
    const ch = bench.clickhouse.client;
    const total = async (scope: object) => (await backorderAging(ch, { asOfTime: CLOCK, ...scope })).data.total;
    expect(await total({ warehouseIds: [f.wh.LON] })).toEqual(row(cell(2, 5, 1750), [zero, zero, zero, cell(1, 1, 751), cell(1, 4, 999)]));
    expect(await total({ regionIds: [f.regions.N] })).toEqual(row(cell(3, 8, 10800), [cell(1, 3, 3000), cell(1, 3, 6000), cell(1, 2, 1800), zero, zero]));
    expect(await total({ categories: ['paint'] })).toEqual(row(cell(1, 3, 6000), [zero, cell(1, 3, 6000), zero, zero, zero]));
    expect(await total({ customerIds: [f.customers.C1] })).toEqual(row(cell(2, 6, 9000), [cell(1, 3, 3000), cell(1, 3, 6000), zero, zero, zero]));
    // Nothing matches: zeros, and an empty group list.
    const none = await backorderAging(ch, { asOfTime: CLOCK, customerIds: [999_999], groupBy: 'product' });
    expect(none.data).toEqual({ asOfTime: CLOCK, total: row(zero, [zero, zero, zero, zero, zero]), groups: [] });
  });

  it('ages against now by default: B4 (backordered 03-11) joins and everything is over 31 days old', async () => {
    const { data } = await backorderAging(bench.clickhouse.client, {});
    expect(Date.parse(data.asOfTime)).toBeGreaterThan(Date.parse('2025-04-12T00:00:00Z'));
    // (125,497,500 + B4's 1 x 2000 x 10000 = 20,000,000) / 10000 = 14549.75 -> 14550
    expect(data.total).toEqual(row(cell(6, 14, 14550), [zero, zero, zero, zero, cell(6, 14, 14550)]));
  });

  it('refuses bad input', async () => {
    const ch = bench.clickhouse.client;
    await expect(backorderAging(ch, { asOfTime: 'yesterday' })).rejects.toThrow(ZodError);
    await expect(backorderAging(ch, { groupBy: 'region' })).rejects.toThrow(ZodError);
    await expect(backorderAging(ch, { from: '2025-03-01T00:00:00Z' })).rejects.toThrow(ZodError);
    await expect(backorderAging(ch, { warehouseIds: [0] })).rejects.toThrow(ZodError);
  });
});
