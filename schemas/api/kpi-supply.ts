import { z } from 'zod';
import { kpiScope, kpiWindow } from './kpi';

/**
 * Inputs and outputs of the supply-side KPIs: transfer bottlenecks, stock at
 * risk, inventory health (turns, days of supply, stock aging) and supplier
 * performance. Windows are [from, to); `asOfTime` (default now) is the "today"
 * the KPI looks from, so that tests and replays are deterministic.
 */
const asOfTime = z.iso.datetime({ offset: true }).optional();
/** asOfTime as epoch milliseconds: now when not given. */
export const asOfMillis = (t: string | undefined): number => (t === undefined ? Date.now() : Date.parse(t));
const limit = (def: number) => z.number().int().min(1).max(5000).default(def);
const ids = z.array(z.number().int().positive()).max(1000);
const hours = z.number().nullable();

// ---- transfer bottlenecks -------------------------------------------------

export const transferBottlenecksInput = kpiWindow.extend({ asOfTime });
export type TransferBottlenecksInput = z.input<typeof transferBottlenecksInput>;

export const laneBottleneck = z.object({
  fromWarehouseId: z.number(),
  toWarehouseId: z.number(),
  /** The lane's planned lead time in days (NULL when the lane no longer exists). */
  plannedLeadTimeDays: z.number().nullable(),
  /** Shipped by asOfTime, not received by then, not cancelled. */
  inTransitCount: z.number(),
  inTransitUnits: z.number(),
  /** In transit and the destination's local date at asOfTime is after the expected arrival. */
  lateInTransitCount: z.number(),
  /** Received within the window. */
  receivedCount: z.number(),
  /** Shipped -> received of the transfers received in the window, in hours. */
  meanTransitHours: hours,
  p90TransitHours: hours,
  /** Received in the window on a local date (destination zone) after the expected arrival. */
  lateReceivedCount: z.number(),
  cancelledCount: z.number(),
  /** Mean hours per stage over the transfers whose stage ended in the window, and how many did. */
  dwellHours: z.object({ requestedToApproved: hours, approvedToShipped: hours, shippedToReceived: hours }),
  stageCounts: z.object({ approved: z.number(), shipped: z.number(), received: z.number() })
});
export type LaneBottleneck = z.infer<typeof laneBottleneck>;

// ---- stock at risk --------------------------------------------------------

export const stockAtRiskSort = z.enum(['daysOfCover', 'demandRate', 'shortfall']);

export const stockAtRiskInput = kpiScope.extend({
  asOfTime,
  onlyAtRisk: z.boolean().default(true),
  sort: stockAtRiskSort.default('daysOfCover'),
  limit: limit(200)
});
export type StockAtRiskInput = z.input<typeof stockAtRiskInput>;

export const stockAtRiskCountInput = kpiScope.extend({ asOfTime });
export type StockAtRiskCountInput = z.input<typeof stockAtRiskCountInput>;

export const leadTimeSource = z.enum(['reorder_rule', 'supplier', 'default']);

export const stockAtRiskRow = z.object({
  productId: z.number(),
  warehouseId: z.number(),
  regionId: z.number(),
  category: z.string(),
  /** On hand - reserved in the stock location, now. */
  available: z.number(),
  /** In transit to the warehouse + open moves into it from outside due by the horizon. */
  inbound: z.number(),
  /** Units confirmed orders still wait for, now: sum of (backordered - reserved) over their lines; the inbound goes to them first. */
  owed: z.number(),
  leadTimeDays: z.number(),
  leadTimeSource: leadTimeSource,
  /** The warehouse's local date at asOfTime, and that date + lead time. */
  today: z.string(),
  horizonDate: z.string(),
  /** Units shipped to customers in the 28 days before asOfTime. */
  shipped28d: z.number(),
  /** Units per day: shipped28d / 28. */
  demandRate: z.number(),
  /** supply / demandRate with supply = available + inbound - owed (negative when supply is); without demand NULL, or 0 when supply < 0. */
  daysOfCover: z.number().nullable(),
  /** today + floor(max(0, daysOfCover)): today when supply <= 0; without demand today when supply < 0, else NULL. */
  projectedStockout: z.string().nullable(),
  /** daysOfCover < leadTimeDays (the stockout falls before the horizon), or supply < 0 without demand (short now). */
  atRisk: z.boolean(),
  /** Units missing to cover the lead time: max(0, ceil(demandRate * leadTimeDays) - (available + inbound - owed)). */
  shortfall: z.number(),
  /** Available in the region's other warehouses, and the one with the most. */
  elsewhereAvailable: z.number(),
  bestElsewhereWarehouseId: z.number().nullable(),
  bestElsewhereAvailable: z.number()
});
export type StockAtRiskRow = z.infer<typeof stockAtRiskRow>;

export const stockAtRiskCount = z.object({ atRisk: z.number(), evaluated: z.number() });
export type StockAtRiskCount = z.infer<typeof stockAtRiskCount>;

// ---- inventory health -----------------------------------------------------

export const inventoryTurnsInput = kpiWindow;
export type InventoryTurnsInput = z.input<typeof inventoryTurnsInput>;

export const inventoryTurnsRow = z.object({
  warehouseId: z.number().nullable(),
  /** Units shipped to customers in the window at the product's cost. */
  cogsMinor: z.number(),
  /** Inventory value (internal locations at current cost) at window start and end, reconstructed from the moves. */
  openingValueMinor: z.number(),
  closingValueMinor: z.number(),
  averageValueMinor: z.number(),
  turns: z.number().nullable(),
  annualizedTurns: z.number().nullable(),
  /** closing value / (COGS per day of the window). */
  daysOfSupply: z.number().nullable()
});
export type InventoryTurnsRow = z.infer<typeof inventoryTurnsRow>;
export const inventoryTurns = z.object({ warehouses: z.array(inventoryTurnsRow), total: inventoryTurnsRow });
export type InventoryTurns = z.infer<typeof inventoryTurns>;

export const daysOfSupplyInput = kpiWindow.extend({ limit: limit(200) });
export type DaysOfSupplyInput = z.input<typeof daysOfSupplyInput>;

export const daysOfSupplyRow = z.object({
  productId: z.number(),
  warehouseId: z.number(),
  onHand: z.number(),
  shippedUnits: z.number(),
  averageDailyDemand: z.number(),
  daysOfSupply: z.number().nullable()
});
export type DaysOfSupplyRow = z.infer<typeof daysOfSupplyRow>;

export const STOCK_AGE_BUCKETS = ['0-30', '31-60', '61-90', '91+', 'unknown'] as const;
export const stockAgeBucket = z.enum(STOCK_AGE_BUCKETS);

export const stockAgingInput = kpiScope.extend({ asOfTime });
export type StockAgingInput = z.input<typeof stockAgingInput>;

export const stockAgingRow = z.object({
  warehouseId: z.number(),
  onHand: z.number(),
  valueMinor: z.number(),
  buckets: z.array(z.object({ bucket: stockAgeBucket, units: z.number(), valueMinor: z.number() }))
});
export type StockAgingRow = z.infer<typeof stockAgingRow>;

// ---- supplier performance -------------------------------------------------

export const supplierPerformanceInput = kpiWindow.extend({ supplierIds: ids.optional() });
export type SupplierPerformanceInput = z.input<typeof supplierPerformanceInput>;

export const supplierPerformanceRow = z.object({
  supplierId: z.number(),
  receipts: z.number(),
  onTimeReceipts: z.number(),
  inFullReceipts: z.number(),
  onTimeInFullReceipts: z.number(),
  onTimeShare: z.number(),
  inFullShare: z.number(),
  otifShare: z.number(),
  /** Lines of the purchase orders that had a receipt in the window. */
  poLines: z.number(),
  orderedUnits: z.number(),
  receivedUnits: z.number(),
  rejectedUnits: z.number(),
  /** received / ordered over those lines. */
  unitFill: z.number(),
  /** Mean of min(1, received / ordered) per line. */
  meanLineFill: z.number()
});
export type SupplierPerformanceRow = z.infer<typeof supplierPerformanceRow>;

export const poLineFillInput = kpiWindow.extend({ supplierIds: ids.optional(), limit: limit(200) });
export type PoLineFillInput = z.input<typeof poLineFillInput>;

export const poLineFillRow = z.object({
  poLineId: z.number(),
  purchaseOrderId: z.number(),
  supplierId: z.number(),
  warehouseId: z.number(),
  productId: z.number(),
  orderedQty: z.number(),
  receivedQty: z.number(),
  rejectedQty: z.number(),
  /** received / ordered (accepted units only; over a tolerated over-receipt it exceeds 1). */
  fill: z.number()
});
export type PoLineFillRow = z.infer<typeof poLineFillRow>;
