import { z } from 'zod';
import { MAX_DOCUMENT_LINES } from './document-lines';

const id = z.number().int().positive();
const qty = z.number().int('must be whole base units').positive('must be at least 1').max(1_000_000_000);

export const RETURN_DISPOSITIONS = ['restock', 'quality_hold', 'scrap'] as const;
export const returnDisposition = z.enum(RETURN_DISPOSITIONS);

export const returnLineInput = z.object({ productId: id, qty, disposition: returnDisposition });

/** A customer return at a warehouse, optionally against the sales order it came from. */
export const createReturnInput = z.object({
  customerId: id,
  warehouseId: id,
  orderId: id.nullable().default(null),
  reason: z.string().trim().min(1, 'is required').max(500, 'is longer than 500 characters'),
  lines: z.array(returnLineInput).min(1, 'a return needs at least one line').max(MAX_DOCUMENT_LINES)
});

export const listReturnsInput = z.object({
  warehouseId: id.optional(),
  customerId: id.optional(),
  orderId: id.optional(),
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0)
});

export const returnIdInput = z.object({ id });

/** Stock leaves quality hold: back into stock (release) or out to scrap. */
export const releaseHoldInput = z.object({
  warehouseId: id,
  productId: id,
  qty,
  action: z.enum(['release', 'scrap'])
});

export const returnLine = z.object({ id: z.number(), productId: z.number(), qty: z.number(), disposition: returnDisposition });
export const customerReturn = z.object({
  id: z.number(),
  customerId: z.number(),
  warehouseId: z.number(),
  orderId: z.number().nullable(),
  reason: z.string(),
  actorId: z.number().nullable(),
  createdAt: z.date(),
  lines: z.array(returnLine)
});

export const holdRelease = z.object({
  /** Groups the moves of this release in the ledger (document type 'quality_release'). */
  documentId: z.number(),
  warehouseId: z.number(),
  productId: z.number(),
  qty: z.number(),
  action: z.enum(['release', 'scrap']),
  /** What stays in quality hold afterwards. */
  heldAfter: z.number()
});

export type CreateReturnInput = z.input<typeof createReturnInput>;
export type ListReturnsInput = z.input<typeof listReturnsInput>;
export type ReleaseHoldInput = z.input<typeof releaseHoldInput>;
export type CustomerReturn = z.infer<typeof customerReturn>;
export type HoldRelease = z.infer<typeof holdRelease>;
