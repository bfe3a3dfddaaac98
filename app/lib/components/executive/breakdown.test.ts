import { describe, expect, it } from 'vitest';
import type { BackordersTile, FillRateTile } from '../../../../schemas/boards/executive';
import { breakdownRows } from './breakdown';

const empty = { lines: 0, units: 0, valueMinor: 0 };
const buckets = { '0-3': empty, '4-7': empty, '8-14': empty, '15-30': empty, '31+': empty };
const backorders: BackordersTile = {
  asOfTime: '2026-03-10T10:00:00.000Z',
  total: { lines: 3, units: 9, valueMinor: 900, buckets },
  byWarehouse: [
    { warehouseId: 1, lines: 1, units: 2, valueMinor: 200 },
    { warehouseId: 2, lines: 1, units: 3, valueMinor: 300 },
    { warehouseId: 3, lines: 1, units: 4, valueMinor: 400 }
  ]
};
const fill = {
  byRegion: [{ id: 10, orders: 5, lines: 8, lineFill: 0.75, unitFill: 0.8 }],
  byWarehouse: [{ id: 3, orders: 2, lines: 2, lineFill: 0.5, unitFill: 0.6 }]
} as FillRateTile;
const warehouses = [
  { id: 1, regionId: 10 },
  { id: 2, regionId: 10 },
  { id: 3, regionId: 20 }
];

describe('the executive breakdown', () => {
  it('sums a region’s backorders over its warehouses and keeps regions without orders', () => {
    const rows = breakdownRows('region', [{ id: 10, name: 'North', href: '?region=10' }, { id: 20, name: 'South', href: '?region=20' }], fill, backorders, warehouses);
    expect(rows).toEqual([
      { id: 10, name: 'North', href: '?region=10', orders: 5, lines: 8, lineFill: 0.75, unitFill: 0.8, backorderLines: 2, backorderUnits: 5, backorderValueMinor: 500 },
      { id: 20, name: 'South', href: '?region=20', orders: 0, lines: 0, lineFill: null, unitFill: null, backorderLines: 1, backorderUnits: 4, backorderValueMinor: 400 }
    ]);
  });

  it('reads warehouses one by one at region scope', () => {
    const rows = breakdownRows('warehouse', [{ id: 3, name: 'Branch C', href: '?warehouse=3' }], fill, backorders, warehouses);
    expect(rows[0]).toMatchObject({ orders: 2, lineFill: 0.5, backorderUnits: 4 });
    expect(breakdownRows('warehouse', [{ id: 3, name: 'C', href: '' }], null, null, warehouses)[0]).toMatchObject({ lineFill: null, backorderLines: 0 });
  });
});
