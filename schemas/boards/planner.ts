import { z } from 'zod';
import { kpiAsOf } from '../api/kpi';
import { leadTimeSource, stockAtRiskRow } from '../api/kpi-supply';

/**
 * The planner's data, shared by the server (tile compute, drill-down load) and
 * the browser (which parses tiles on arrival): the stock-at-risk table and the
 * drill-down of one product across the network.
 */
export const abcClass = z.enum(['A', 'B', 'C']);
export type AbcClass = z.infer<typeof abcClass>;

export const warehouseRef = z.object({ id: z.number(), code: z.string(), name: z.string(), regionId: z.number() });
export type WarehouseRef = z.infer<typeof warehouseRef>;

/** A stock-at-risk row with what a person reads in the table: SKU, name, ABC class, warehouse code. */
export const plannerRiskRow = stockAtRiskRow.extend({
  sku: z.string(),
  productName: z.string(),
  abcClass: abcClass,
  warehouseCode: z.string(),
  bestElsewhereWarehouseCode: z.string().nullable()
});
export type PlannerRiskRow = z.infer<typeof plannerRiskRow>;

/** The planner board's `stockAtRisk` tile: every product x warehouse at risk in scope, most urgent first. */
export const stockAtRiskTile = z.object({
  rows: z.array(plannerRiskRow),
  /** The KPI stops at `limit` rows; true when it did (the table then says so). */
  truncated: z.boolean(),
  limit: z.number(),
  warehouses: z.array(warehouseRef)
});
export type StockAtRiskTile = z.infer<typeof stockAtRiskTile>;
export const STOCK_AT_RISK_TILE = 'stockAtRisk';

// ---- product drill-down ---------------------------------------------------

/** Stock of the product at one warehouse (core figures) with its demand and cover. */
export const warehousePosition = z.object({
  warehouseId: z.number(),
  code: z.string(),
  name: z.string(),
  regionId: z.number(),
  onHand: z.number(),
  reserved: z.number(),
  available: z.number(),
  qualityHold: z.number(),
  inTransit: z.number(),
  incoming: z.number(),
  /** Units confirmed orders still wait for (backordered, not reserved). */
  owed: z.number(),
  /** Units shipped to customers in the last 28 days / 28. */
  demandRate: z.number(),
  leadTimeDays: z.number(),
  leadTimeSource: leadTimeSource,
  today: z.string(),
  horizonDate: z.string(),
  /** Inbound due by the horizon (in transit included). */
  inboundByHorizon: z.number(),
  /** available + inbound by the horizon - owed. */
  supply: z.number(),
  daysOfCover: z.number().nullable(),
  atRisk: z.boolean(),
  hasReorderRule: z.boolean()
});
export type WarehousePosition = z.infer<typeof warehousePosition>;

export const inboundDocumentType = z.enum(['purchase_order', 'transfer', 'return', 'other']);

/** One scheduled delivery into the focused warehouse. */
export const inboundDelivery = z.object({
  /** Expected date; null when the document has none. */
  date: z.string().nullable(),
  documentType: inboundDocumentType,
  documentId: z.number(),
  qty: z.number(),
  /** Expected before today and not yet arrived. */
  overdue: z.boolean()
});
export type InboundDelivery = z.infer<typeof inboundDelivery>;

export const projectionDay = z.object({
  date: z.string(),
  inbound: z.number(),
  demand: z.number(),
  /** Projected available at the end of the day. */
  projected: z.number()
});
export type ProjectionDay = z.infer<typeof projectionDay>;

export const projection = z.object({
  /** Available - owed today: what the first day starts from. */
  start: z.number(),
  demandRate: z.number(),
  days: z.array(projectionDay),
  /** The last day with stock before the projection goes below zero (today when it starts there); null when it holds to the horizon. */
  stockoutDate: z.string().nullable()
});
export type Projection = z.infer<typeof projection>;

/** Daily units shipped to customers per warehouse, oldest first. */
export const demandHistory = z.object({
  dates: z.array(z.string()),
  series: z.array(z.object({ warehouseId: z.number(), code: z.string(), units: z.array(z.number()) }))
});
export type DemandHistory = z.infer<typeof demandHistory>;

/** A draft PO line or requested transfer already proposing units into the focused warehouse. */
export const pendingProposal = z.object({
  kind: z.enum(['purchase_order', 'transfer']),
  documentId: z.number(),
  qty: z.number()
});
export type PendingProposal = z.infer<typeof pendingProposal>;

export const suggestedAction = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('buy'),
    supplierId: z.number(),
    supplierCode: z.string(),
    supplierName: z.string(),
    warehouseId: z.number(),
    productId: z.number(),
    qty: z.number(),
    /** Units needed before rounding to multiples and the MOQ. */
    need: z.number(),
    unitCostMinor: z.number(),
    leadTimeDays: z.number(),
    reason: z.string()
  }),
  z.object({
    kind: z.literal('transfer'),
    fromWarehouseId: z.number(),
    fromCode: z.string(),
    toWarehouseId: z.number(),
    productId: z.number(),
    qty: z.number(),
    need: z.number(),
    /** What the source can give without putting itself at risk. */
    spare: z.number(),
    laneLeadTimeDays: z.number(),
    reason: z.string()
  }),
  z.object({ kind: z.literal('none'), reason: z.string() })
]);
export type SuggestedAction = z.infer<typeof suggestedAction>;

export const productDrilldown = z.object({
  product: z.object({ id: z.number(), sku: z.string(), name: z.string(), category: z.string(), abcClass: abcClass, baseUnit: z.string() }),
  focusWarehouseId: z.number().nullable(),
  positions: z.array(warehousePosition),
  inbound: z.array(inboundDelivery),
  projection: projection.nullable(),
  demandHistory: demandHistory,
  proposals: z.array(pendingProposal),
  suggestion: suggestedAction,
  /** The core (balances, inbound, suggestion) and the warehouse (demand) as of this load. */
  asOf: z.object({ core: kpiAsOf, warehouse: kpiAsOf }),
  computedAt: z.iso.datetime()
});
export type ProductDrilldown = z.infer<typeof productDrilldown>;
