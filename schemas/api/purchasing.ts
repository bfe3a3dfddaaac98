import { z } from 'zod';
import { MAX_DOCUMENT_LINES } from './document-lines';

/** Inputs and outputs of the purchasing API (purchase orders, receipts, reorder runs). */
const id = z.number().int().positive();
const qty = z.number().int('must be a whole number of base units');
const money = z.number().int('must be whole minor units (cents)').min(0, 'cannot be negative');
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'is not a calendar date');

const noDuplicates = (key: 'productId' | 'lineId') => (items: Record<string, unknown>[]) => new Set(items.map((i) => i[key])).size === items.length;

export const purchaseOrderLineInput = z.object({
  productId: id,
  qty: qty.positive('must be at least 1'),
  /** Defaults to the supplier's cost for the product (supplier_products). */
  unitCostMinor: money.optional()
});

export const createPurchaseOrderInput = z.object({
  supplierId: id,
  warehouseId: id,
  /** Defaults to today (warehouse time zone) + the longest supplier lead time of the lines. */
  expectedDate: isoDate.optional(),
  lines: z
    .array(purchaseOrderLineInput)
    .min(1, 'a purchase order needs at least one line')
    .max(MAX_DOCUMENT_LINES)
    .refine(noDuplicates('productId'), 'a product may appear on one line only')
});

export const purchaseOrderRef = z.object({ purchaseOrderId: id });

export const receiptLineInput = z
  .object({
    lineId: id,
    acceptedQty: qty.min(0, 'cannot be negative'),
    /** Goes into quality hold. */
    rejectedQty: qty.min(0, 'cannot be negative').default(0)
  })
  .refine((l) => l.acceptedQty + l.rejectedQty > 0, { message: 'receive at least one unit', path: ['acceptedQty'] });

export const receivePurchaseOrderInput = z.object({
  purchaseOrderId: id,
  lines: z
    .array(receiptLineInput)
    .min(1, 'a receipt needs at least one line')
    .refine(noDuplicates('lineId'), 'a line may appear once per receipt')
});

export const PURCHASE_ORDER_STATES = ['draft', 'sent', 'partially_received', 'received', 'closed', 'cancelled'] as const;
export const purchaseOrderState = z.enum(PURCHASE_ORDER_STATES);

export const listPurchaseOrdersInput = z.object({
  warehouseId: id.optional(),
  supplierId: id.optional(),
  state: purchaseOrderState.optional(),
  limit: z.number().int().min(1).max(500).default(100)
});

export const reorderInput = z.object({ warehouseId: id });

export const purchaseOrderLineOutput = z.object({
  id: z.number(),
  productId: z.number(),
  sku: z.string(),
  orderedQty: z.number(),
  receivedQty: z.number(),
  rejectedQty: z.number(),
  /** Still expected: ordered − received − rejected (0 once delivered, or over-delivered). */
  openQty: z.number(),
  unitCostMinor: z.number()
});

export const receiptOutput = z.object({
  id: z.number(),
  receivedAt: z.string(),
  onTime: z.boolean(),
  inFull: z.boolean(),
  lines: z.array(z.object({ purchaseOrderLineId: z.number(), acceptedQty: z.number(), rejectedQty: z.number() }))
});

export const purchaseOrderOutput = z.object({
  id: z.number(),
  supplierId: z.number(),
  warehouseId: z.number(),
  state: purchaseOrderState,
  expectedDate: z.string(),
  fromReorder: z.boolean(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  totalMinor: z.number(),
  lines: z.array(purchaseOrderLineOutput),
  receipts: z.array(receiptOutput)
});

export const receiveResult = z.object({ receipt: receiptOutput, purchaseOrder: purchaseOrderOutput });

export const purchaseOrderSummary = purchaseOrderOutput.omit({ lines: true, receipts: true }).extend({ lineCount: z.number() });

export const reorderSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('supplier'), supplierId: z.number() }),
  z.object({ kind: z.literal('warehouse'), warehouseId: z.number() })
]);

export const reorderSuggestion = z.object({
  ruleId: z.number(),
  productId: z.number(),
  sku: z.string(),
  /** today + the rule's lead time: the date the forecast looks at. */
  horizon: z.string(),
  forecast: z.number(),
  /** Already proposed and not yet scheduled: draft PO lines and requested transfers. */
  covered: z.number(),
  min: z.number(),
  max: z.number(),
  proposedQty: z.number(),
  source: reorderSource,
  /** Why the proposal cannot be turned into a document (no supplier price, no lane); null when it can. */
  blocked: z.string().nullable()
});

export const reorderRunOutput = z.object({
  suggestions: z.array(reorderSuggestion),
  purchaseOrderIds: z.array(z.number()),
  transferIds: z.array(z.number())
});

export type CreatePurchaseOrderInput = z.input<typeof createPurchaseOrderInput>;
export type PurchaseOrderRef = z.input<typeof purchaseOrderRef>;
export type ReceivePurchaseOrderInput = z.input<typeof receivePurchaseOrderInput>;
export type ListPurchaseOrdersInput = z.input<typeof listPurchaseOrdersInput>;
export type ReorderInput = z.input<typeof reorderInput>;
export type PurchaseOrderOutput = z.infer<typeof purchaseOrderOutput>;
export type PurchaseOrderSummary = z.infer<typeof purchaseOrderSummary>;
export type ReceiptOutput = z.infer<typeof receiptOutput>;
export type ReceiveResult = z.infer<typeof receiveResult>;
export type ReorderSuggestion = z.infer<typeof reorderSuggestion>;
export type ReorderRunOutput = z.infer<typeof reorderRunOutput>;
