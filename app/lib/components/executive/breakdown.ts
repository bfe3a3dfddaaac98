import type { BackordersTile, FillRateTile } from '../../../../schemas/boards/executive';

/**
 * The rows of the executive board's breakdown: one per region (network scope) or
 * per warehouse (region scope), with its 30-day fill rate and open backorders.
 * Backorders come per warehouse; a region's are the sum of its warehouses'. Every
 * region or warehouse gets a row, also one without orders (dashes, zero backorders).
 */
export interface BreakdownEntry {
  id: number;
  name: string;
  href: string;
}

export interface BreakdownRow extends BreakdownEntry {
  orders: number;
  lines: number;
  lineFill: number | null;
  unitFill: number | null;
  backorderLines: number;
  backorderUnits: number;
  backorderValueMinor: number;
}

export function breakdownRows(
  level: 'region' | 'warehouse',
  entries: readonly BreakdownEntry[],
  fill: FillRateTile | null,
  backorders: BackordersTile | null,
  warehouses: readonly { id: number; regionId: number }[]
): BreakdownRow[] {
  const fills = new Map((level === 'region' ? fill?.byRegion : fill?.byWarehouse)?.map((f) => [f.id, f]) ?? []);
  const regionOf = new Map(warehouses.map((w) => [w.id, w.regionId]));
  const owed = new Map<number, { lines: number; units: number; valueMinor: number }>();
  for (const b of backorders?.byWarehouse ?? []) {
    const key = level === 'region' ? regionOf.get(b.warehouseId) : b.warehouseId;
    if (key === undefined) continue;
    const sum = owed.get(key) ?? { lines: 0, units: 0, valueMinor: 0 };
    owed.set(key, { lines: sum.lines + b.lines, units: sum.units + b.units, valueMinor: sum.valueMinor + b.valueMinor });
  }
  return entries.map((e) => {
    const f = fills.get(e.id);
    const o = owed.get(e.id);
    return {
      ...e,
      orders: f?.orders ?? 0,
      lines: f?.lines ?? 0,
      lineFill: f?.lineFill ?? null,
      unitFill: f?.unitFill ?? null,
      backorderLines: o?.lines ?? 0,
      backorderUnits: o?.units ?? 0,
      backorderValueMinor: o?.valueMinor ?? 0
    };
  });
}
