import { describe, expect, it } from 'vitest';
import { projectStock } from './projection';

describe('projectStock', () => {
  it('starts from available less owed and adds inbound on its expected day', () => {
    const p = projectStock({
      today: '2025-03-30',
      horizonDays: 4,
      available: 10,
      owed: 3,
      inbound: [
        { date: '2025-04-01', qty: 20 },
        { date: '2025-04-01', qty: 5 }
      ],
      demandRate: 2
    });
    expect(p.start).toBe(7);
    expect(p.days.map((d) => d.date)).toEqual(['2025-03-30', '2025-03-31', '2025-04-01', '2025-04-02', '2025-04-03']);
    expect(p.days.map((d) => d.inbound)).toEqual([0, 0, 25, 0, 0]);
    expect(p.days.map((d) => d.demand)).toEqual([0, 2, 2, 2, 2]);
    expect(p.days.map((d) => d.projected)).toEqual([7, 5, 28, 26, 24]);
    expect(p.stockoutDate).toBeNull();
  });

  it('counts overdue and undated inbound today, and leaves out what comes after the horizon', () => {
    const p = projectStock({
      today: '2025-01-10',
      horizonDays: 2,
      available: 0,
      owed: 0,
      inbound: [
        { date: '2025-01-02', qty: 4 },
        { date: null, qty: 1 },
        { date: '2025-01-13', qty: 100 }
      ],
      demandRate: 0
    });
    expect(p.days.map((d) => d.inbound)).toEqual([5, 0, 0]);
    expect(p.days.at(-1)!.projected).toBe(5);
  });

  it('dates the stockout as the last day ending with stock, as the stock-at-risk KPI does', () => {
    // 2 units at 18/28 a day: floor(2 / 0.642857) = 3 days of cover.
    const p = projectStock({ today: '2025-06-01', horizonDays: 5, available: 2, owed: 0, inbound: [], demandRate: 18 / 28 });
    expect(p.stockoutDate).toBe('2025-06-04');
    expect(p.days[3]!.projected).toBeGreaterThanOrEqual(0);
    expect(p.days[4]!.projected).toBeLessThan(0);
  });

  it('is out today when customers already wait for more than there is', () => {
    const p = projectStock({ today: '2025-06-01', horizonDays: 3, available: 1, owed: 4, inbound: [], demandRate: 0 });
    expect(p.stockoutDate).toBe('2025-06-01');
    expect(p.days[0]!.projected).toBe(-3);
  });

  it('an inbound that arrives in time prevents the stockout', () => {
    const p = projectStock({ today: '2025-06-01', horizonDays: 4, available: 2, owed: 0, inbound: [{ date: '2025-06-02', qty: 10 }], demandRate: 1.5 });
    expect(p.stockoutDate).toBeNull();
    expect(p.days.at(-1)!.projected).toBe(6);
  });

  it('crosses month and year ends', () => {
    const p = projectStock({ today: '2024-12-30', horizonDays: 3, available: 5, owed: 0, inbound: [{ date: '2025-01-01', qty: 1 }], demandRate: 0 });
    expect(p.days.map((d) => d.date)).toEqual(['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02']);
    expect(p.days[2]!.inbound).toBe(1);
  });
});
