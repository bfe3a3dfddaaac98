import { z } from 'zod';
import { kpiScope, kpiWindow } from './kpi';

/**
 * Inputs and outputs of the sales KPIs (fill rate, OTIF, backorder aging, order
 * cycle time, invoice lag). Counts travel beside every ratio so that a board or a
 * test can check them; a ratio is null when its denominator is 0.
 */
const count = z.number().int().min(0);
const ratio = z.number().min(0).max(1).nullable();
const hours = z.number().nullable();
const localDay = z.iso.date();
// Strict: an unknown filter (say productIds) is an error, never silently ignored.
const strictWindow = kpiWindow.strict();

// ---- fill rate ----

export const fillRateInput = strictWindow;
export type FillRateInput = z.input<typeof fillRateInput>;

/** Filled counts and ratios under one reading (first shipment only, or everything shipped so far). */
export const fillMeasure = z.object({
  ordersFilled: count,
  linesFilled: count,
  unitsShipped: count,
  orderFill: ratio,
  lineFill: ratio,
  unitFill: ratio
});
export type FillMeasure = z.infer<typeof fillMeasure>;

export const fillRow = z.object({
  orders: count,
  lines: count,
  unitsDemanded: count,
  firstShipment: fillMeasure,
  final: fillMeasure
});
export type FillRow = z.infer<typeof fillRow>;

export const fillRateOutput = z.object({
  total: fillRow,
  byDay: z.array(fillRow.extend({ day: localDay })),
  byWarehouse: z.array(fillRow.extend({ warehouseId: z.number().int() })),
  byRegion: z.array(fillRow.extend({ regionId: z.number().int() }))
});
export type FillRateOutput = z.infer<typeof fillRateOutput>;

// ---- OTIF ----

export const otifInput = strictWindow;
export type OtifInput = z.input<typeof otifInput>;

export const otifMeasure = z.object({
  judged: count,
  onTime: count,
  inFull: count,
  otif: count,
  onTimeRatio: ratio,
  inFullRatio: ratio,
  otifRatio: ratio
});
export type OtifMeasure = z.infer<typeof otifMeasure>;

export const otifOutput = z.object({
  lines: otifMeasure,
  orders: otifMeasure,
  /** Lines of the window with no promised date (neither line nor order): outside OTIF. */
  unpromisedLines: count
});
export type OtifOutput = z.infer<typeof otifOutput>;

// ---- backorder aging ----

export const BACKORDER_BUCKETS = ['0-3', '4-7', '8-14', '15-30', '31+'] as const;
export type BackorderBucket = (typeof BACKORDER_BUCKETS)[number];

export const backorderAgingInput = kpiScope.extend({
  /** The clock the ages are measured against (default: now); lines backordered after it are left out. */
  asOfTime: z.iso.datetime({ offset: true }).optional(),
  groupBy: z.enum(['warehouse', 'customer', 'product']).optional()
}).strict();
export type BackorderAgingInput = z.input<typeof backorderAgingInput>;

export const backorderCell = z.object({ lines: count, units: count, valueMinor: count });
export type BackorderCell = z.infer<typeof backorderCell>;

export const backorderRow = backorderCell.extend({
  buckets: z.object(Object.fromEntries(BACKORDER_BUCKETS.map((b) => [b, backorderCell])) as Record<BackorderBucket, typeof backorderCell>)
});
export type BackorderRow = z.infer<typeof backorderRow>;

export const backorderAgingOutput = z.object({
  asOfTime: z.iso.datetime(),
  total: backorderRow,
  /** Present when groupBy was given: one row per warehouse, customer or product id. */
  groups: z.array(backorderRow.extend({ key: z.number().int() })).optional()
});
export type BackorderAgingOutput = z.infer<typeof backorderAgingOutput>;

// ---- order cycle time and invoice lag ----

export const orderCycleInput = strictWindow;
export type OrderCycleInput = z.input<typeof orderCycleInput>;

export const durationStats = z.object({ count, meanHours: hours, p50Hours: hours, p90Hours: hours });
export type DurationStats = z.infer<typeof durationStats>;

export const orderCycleOutput = durationStats;
export type OrderCycleOutput = z.infer<typeof orderCycleOutput>;

export const invoiceLagInput = strictWindow;
export type InvoiceLagInput = z.input<typeof invoiceLagInput>;

export const invoiceLagOutput = durationStats.extend({
  /** Shipments of the window with no invoice yet: outside the lag statistics. */
  uninvoiced: count
});
export type InvoiceLagOutput = z.infer<typeof invoiceLagOutput>;
