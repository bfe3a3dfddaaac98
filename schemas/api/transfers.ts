import { z } from 'zod';
import { MAX_DOCUMENT_LINES } from './document-lines';

/** Inputs and outputs of the transfers API: requested → approved → shipped → received (or cancelled). */
const id = z.number().int().positive();
const qty = z.number().int('must be a whole number of base units');

const noDuplicates = (key: 'productId' | 'lineId') => (items: Record<string, unknown>[]) => new Set(items.map((i) => i[key])).size === items.length;

export const requestTransferInput = z
  .object({
    fromWarehouseId: id,
    toWarehouseId: id,
    lines: z
      .array(z.object({ productId: id, qty: qty.positive('must be at least 1') }))
      .min(1, 'a transfer needs at least one line')
      .max(MAX_DOCUMENT_LINES)
      .refine(noDuplicates('productId'), 'a product may appear on one line only')
  })
  .refine((t) => t.fromWarehouseId !== t.toWarehouseId, { message: 'must differ from the source warehouse', path: ['toWarehouseId'] });

export const transferRef = z.object({ transferId: id });

export const shipTransferInput = z.object({
  transferId: id,
  /** Omitted: every line ships its full quantity. Given: listed lines ship these quantities, the others nothing. */
  lines: z
    .array(z.object({ lineId: id, qty: qty.min(0, 'cannot be negative') }))
    .min(1)
    .refine(noDuplicates('lineId'), 'a line may appear once')
    .optional()
});

export const receiveTransferInput = z.object({
  transferId: id,
  /**
   * Omitted: everything shipped arrived. Given: every shipped line must be listed and
   * received + short + damaged must equal its shipped quantity.
   */
  lines: z
    .array(
      z.object({
        lineId: id,
        receivedQty: qty.min(0, 'cannot be negative'),
        shortQty: qty.min(0, 'cannot be negative').default(0),
        damagedQty: qty.min(0, 'cannot be negative').default(0)
      })
    )
    .min(1)
    .refine(noDuplicates('lineId'), 'a line may appear once')
    .optional()
});

export const TRANSFER_STATES = ['requested', 'approved', 'shipped', 'received', 'cancelled'] as const;
export const transferState = z.enum(TRANSFER_STATES);

export const listTransfersInput = z.object({
  /** Transfers from or to this warehouse. */
  warehouseId: id.optional(),
  state: transferState.optional(),
  limit: z.number().int().min(1).max(500).default(100)
});

export const transferLineOutput = z.object({
  id: z.number(),
  productId: z.number(),
  sku: z.string(),
  qty: z.number(),
  shippedQty: z.number(),
  receivedQty: z.number(),
  shortQty: z.number(),
  damagedQty: z.number()
});

export const transferOutput = z.object({
  id: z.number(),
  fromWarehouseId: z.number(),
  toWarehouseId: z.number(),
  state: transferState,
  expectedArrival: z.string(),
  requestedAt: z.string(),
  approvedAt: z.string().nullable(),
  shippedAt: z.string().nullable(),
  receivedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  lines: z.array(transferLineOutput)
});

export const transferSummary = transferOutput.omit({ lines: true }).extend({ lineCount: z.number() });

export type RequestTransferInput = z.input<typeof requestTransferInput>;
export type TransferRef = z.input<typeof transferRef>;
export type ShipTransferInput = z.input<typeof shipTransferInput>;
export type ReceiveTransferInput = z.input<typeof receiveTransferInput>;
export type ListTransfersInput = z.input<typeof listTransfersInput>;
export type TransferOutput = z.infer<typeof transferOutput>;
export type TransferSummary = z.infer<typeof transferSummary>;
