import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { otif } from '../../warehouse/kpi/otif';
import { kpiBench, type KpiBench } from './support';
import { EMPTY_WINDOW, salesFixture, WINDOW, type SalesFixture } from './kpi-sales-fixture';

/** Expected numbers are worked out by hand from the fixture (see kpi-sales-fixture.ts). */
let bench: KpiBench;
let f: SalesFixture;

beforeAll(async () => {
  bench = await kpiBench();
  f = await salesFixture(bench);
});

function measure(judged: number, onTime: number, inFull: number, otifCount: number) {
  const r = (n: number) => (judged ? n / judged : null);
  return { judged, onTime, inFull, otif: otifCount, onTimeRatio: r(onTime), inFullRatio: r(inFull), otifRatio: r(otifCount) };
}

describe('OTIF', () => {
  it('judges complete and due lines and orders; local dates decide lateness', async () => {
    const { data, asOf } = await otif(bench.clickhouse.client, WINDOW);
    expect(asOf.commitTime).not.toBeNull();
    // Judged lines: O1L1 (on time), O1L2 (complete 03-05 > promise 03-04: late), O3L1 (due 03-02, nothing shipped),
    // O7L1 and O7L2 (on time), O8L1 (shipped 03-02 23:30 UTC = 03-03 local in Berlin > promise 03-02: late).
    // O2L2 (promise 03-03, not before the local date of `to`, 03-03) is not due yet and not complete: not judged.
    expect(data.lines).toEqual(measure(6, 3, 5, 3));
    // Orders judged: O1 (in full, late), O3 (neither), O7 (OTIF), O8 (in full, late); not O2.
    expect(data.orders).toEqual(measure(4, 1, 3, 1));
    expect(data.unpromisedLines).toBe(0);
  });

  it('judges a line once its promised day has ended by the window end', async () => {
    // To 03-04: O2L2's promise (03-03) has passed, it is short: judged, neither on time nor in full; O2 becomes judged.
    const { data } = await otif(bench.clickhouse.client, { from: WINDOW.from, to: '2025-03-04T00:00:00Z' });
    expect(data.lines).toEqual(measure(7, 3, 5, 3));
    expect(data.orders).toEqual(measure(5, 1, 3, 1));
  });

  it('answers zeros and null ratios for a window without orders', async () => {
    const { data } = await otif(bench.clickhouse.client, EMPTY_WINDOW);
    expect(data).toEqual({ lines: measure(0, 0, 0, 0), orders: measure(0, 0, 0, 0), unpromisedLines: 0 });
    expect(data.lines.otifRatio).toBeNull();
  });

  it('filters by warehouse, region, category and customer', async () => {
    const ch = bench.clickhouse.client;
    // LON: O3L1 (short), O7L1 and O7L2 (OTIF).
    const lon = await otif(ch, { ...WINDOW, warehouseIds: [f.wh.LON] });
    expect(lon.data.lines).toEqual(measure(3, 2, 2, 2));
    expect(lon.data.orders).toEqual(measure(2, 1, 1, 1));
    // Region N = BER: O1L1 (OTIF), O1L2 (late), O8L1 (late across midnight).
    const north = await otif(ch, { ...WINDOW, regionIds: [f.regions.N] });
    expect(north.data.lines).toEqual(measure(3, 1, 3, 1));
    expect(north.data.orders).toEqual(measure(2, 0, 2, 0));
    // Paint: O1L2 (late), O3L1 (short), O7L1 (OTIF); orders O1, O3, O7 judged on their paint lines.
    const paint = await otif(ch, { ...WINDOW, categories: ['paint'] });
    expect(paint.data.lines).toEqual(measure(3, 1, 2, 1));
    expect(paint.data.orders).toEqual(measure(3, 1, 2, 1));
    // C2: O2 not judged, O3 short.
    const c2 = await otif(ch, { ...WINDOW, customerIds: [f.customers.C2] });
    expect(c2.data.lines).toEqual(measure(1, 0, 0, 0));
    expect(c2.data.orders).toEqual(measure(1, 0, 0, 0));
  });

  it('refuses bad input: to before from, unknown filters', async () => {
    const ch = bench.clickhouse.client;
    await expect(otif(ch, { from: WINDOW.to, to: WINDOW.from })).rejects.toThrow(/to must be after from/);
    await expect(otif(ch, { ...WINDOW, supplierIds: [1] })).rejects.toThrow(ZodError);
    await expect(otif(ch, { ...WINDOW, categories: [''] })).rejects.toThrow(ZodError);
  });
});
