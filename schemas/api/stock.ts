import { z } from 'zod';

const id = z.number().int().positive();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

export const stockLevelsInput = z.object({
  warehouseId: id.optional(),
  productIds: z.array(id).max(1000).optional(),
  horizon: isoDate.optional()
});

export const atpInput = z.object({
  productId: id,
  qty: z.number().int().positive('must be at least 1'),
  warehouseId: id
});

export const movesInput = z.object({
  productId: id.optional(),
  warehouseId: id.optional(),
  documentType: z.enum(['sales_order', 'purchase_order', 'transfer', 'return', 'cycle_count', 'quality_release', 'opening_balance']).optional(),
  documentId: id.optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  beforeId: id.optional()
});

export const warehouseAtp = z.object({
  warehouseId: z.number(),
  code: z.string(),
  available: z.number(),
  /** Already promised to confirmed orders but not yet reserved. */
  unreservedDemand: z.number(),
  canShipNow: z.boolean(),
  /** Earliest date the whole quantity can be promised, or null when nothing scheduled covers it. */
  earliestDate: isoDate.nullable()
});

export const atpResult = z.object({
  productId: z.number(),
  qty: z.number(),
  home: warehouseAtp,
  /** Other warehouses in the same region, best first. */
  network: z.array(warehouseAtp)
});

export type StockLevelsInput = z.infer<typeof stockLevelsInput>;
export type AtpInput = z.infer<typeof atpInput>;
export type MovesInput = z.input<typeof movesInput>;
export type WarehouseAtp = z.infer<typeof warehouseAtp>;
export type AtpResult = z.infer<typeof atpResult>;
