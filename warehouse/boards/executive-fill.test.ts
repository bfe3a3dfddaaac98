import { describe, expect, it } from 'vitest';
import type { FillRateOutput, FillRow } from '../../schemas/api/kpi-sales';
import { fillRateTile } from '../../schemas/boards/executive';
import { addDays, fillRateTileOf, localDate, sumFillRows, todayDates } from './executive-fill';

/** A fill row of `orders` orders with `lines` lines, `filled` of them filled; 10 units a line, shipped in full when filled. */
function row(orders: number, lines: number, filled: number): FillRow {
  const measure = { ordersFilled: filled === lines ? orders : 0, linesFilled: filled, unitsShipped: filled * 10, orderFill: null, lineFill: lines ? filled / lines : null, unitFill: lines ? filled / lines : null };
  return { orders, lines, unitsDemanded: lines * 10, firstShipment: measure, final: measure };
}

describe('the executive fill-rate tile', () => {
  it('takes local dates in the warehouse zone, across midnight', () => {
    const now = new Date('2026-03-09T23:30:00Z'); // 00:30 on the 10th in Berlin
    expect(localDate(now, 'Europe/Berlin')).toBe('2026-03-10');
    expect(localDate(now, 'UTC')).toBe('2026-03-09');
    expect(localDate(now, 'Not/AZone')).toBe('2026-03-09');
    expect(todayDates(now, ['Europe/Berlin', 'UTC', 'Europe/Berlin'])).toEqual(['2026-03-09', '2026-03-10']);
    expect(todayDates(now, [])).toEqual(['2026-03-09']);
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });

  it('sums counts and recomputes the ratios rather than averaging daily ratios', () => {
    const sum = sumFillRows([row(1, 1, 0), row(3, 9, 9)]);
    expect(sum).toMatchObject({ orders: 4, lines: 10, unitsDemanded: 100 });
    expect(sum.final).toMatchObject({ linesFilled: 9, unitsShipped: 90, lineFill: 0.9, unitFill: 0.9, ordersFilled: 3, orderFill: 0.75 });
    expect(sumFillRows([]).final.lineFill).toBeNull();
  });

  it('splits one 30-day read into today, 7 days, 30 days and a gap-aware trend', () => {
    const fill: FillRateOutput = {
      total: row(9, 20, 15),
      byDay: [
        { day: '2026-03-01', ...row(2, 4, 1) }, // partial first day of the rolling window: total only
        { day: '2026-03-03', ...row(2, 4, 4) }, // 8 days before today: in 30 days, not in 7
        { day: '2026-03-04', ...row(1, 2, 2) }, // the 7th day back
        { day: '2026-03-10', ...row(4, 10, 8) }
      ],
      byWarehouse: [{ warehouseId: 7, ...row(9, 20, 15) }],
      byRegion: [{ regionId: 3, ...row(9, 20, 15) }]
    };
    const tile = fillRateTileOf(fill, ['2026-03-10'], 30);
    expect(fillRateTile.parse(tile)).toEqual(tile);
    expect(tile.today).toMatchObject({ orders: 4, lines: 10 });
    expect(tile.today.final.lineFill).toBe(0.8);
    expect(tile.last7Days).toMatchObject({ orders: 5, lines: 12 });
    expect(tile.last7Days.final.linesFilled).toBe(10);
    expect(tile.last30Days).toBe(fill.total);
    expect(tile.trend).toHaveLength(30);
    expect(tile.trend[0]!.day).toBe('2026-02-09');
    expect(tile.trend.at(-1)).toEqual({ day: '2026-03-10', orders: 4, lines: 10, lineFill: 0.8, unitFill: 0.8 });
    expect(tile.trend.find((p) => p.day === '2026-03-05')).toEqual({ day: '2026-03-05', orders: 0, lines: 0, lineFill: null, unitFill: null });
    expect(tile.byRegion).toEqual([{ id: 3, orders: 9, lines: 20, lineFill: 0.75, unitFill: 0.75 }]);
    expect(tile.byWarehouse[0]!.id).toBe(7);
  });

  it('counts both local dates as today while zones disagree around midnight', () => {
    const fill: FillRateOutput = {
      total: row(3, 3, 3),
      byDay: [{ day: '2026-03-09', ...row(1, 1, 1) }, { day: '2026-03-10', ...row(2, 2, 2) }],
      byWarehouse: [],
      byRegion: []
    };
    const tile = fillRateTileOf(fill, ['2026-03-09', '2026-03-10']);
    expect(tile.today.lines).toBe(3);
    expect(tile.trend.at(-1)!.day).toBe('2026-03-10');
  });
});
