import { z } from 'zod';

const id = z.number().int().positive();

/** A cycle count of one product at a warehouse's stock location. */
export const countStockInput = z.object({
  warehouseId: id,
  productId: id,
  countedQty: z.number().int('must be whole base units').min(0, 'cannot be negative').max(1_000_000_000)
});

export const countIdInput = z.object({ id });

export const listCountsInput = z.object({
  warehouseId: id.optional(),
  productId: id.optional(),
  state: z.enum(['awaiting_approval', 'posted', 'rejected']).optional(),
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0)
});

export const cycleCount = z.object({
  id: z.number(),
  warehouseId: z.number(),
  locationId: z.number(),
  productId: z.number(),
  /** On hand when counted. */
  systemQty: z.number(),
  countedQty: z.number(),
  /** countedQty - systemQty. */
  variance: z.number(),
  state: z.enum(['awaiting_approval', 'posted', 'rejected']),
  /** What was posted to the ledger (+ gain, - loss); on approval counted - on hand at that moment. 0 until posted. */
  adjustment: z.number(),
  countedBy: z.number().nullable(),
  countedAt: z.date(),
  /** Set when a person approved or rejected the count; null for counts posted at once. */
  decidedBy: z.number().nullable(),
  decidedAt: z.date().nullable()
});

export type CountStockInput = z.infer<typeof countStockInput>;
export type CountIdInput = z.infer<typeof countIdInput>;
export type ListCountsInput = z.input<typeof listCountsInput>;
export type CycleCount = z.infer<typeof cycleCount>;
