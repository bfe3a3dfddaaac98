import { z } from 'zod';

/**
 * The warehouse wall screen's tiles (shared by the server, which builds them, and
 * the screen, which parses them on arrival). Dates are the warehouse's own
 * calendar days (YYYY-MM-DD); "late" is decided on the server against that day.
 */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const count = z.number().int().nonnegative();

/** Orders to pick and ship today: confirmed, with reserved stock not yet shipped. */
export const pickingOrder = z.object({
  orderId: z.number().int(),
  customer: z.string(),
  priority: z.number().int(),
  /** The order's promised date (or its earliest line's when the order has none yet). */
  promisedDate: isoDate.nullable(),
  late: z.boolean(),
  lines: count,
  /** Reserved units still to ship. */
  units: count,
  /** Some of it is already on a pick (shipment in picking or packed). */
  picking: z.boolean()
});
export const pickingQueueTile = z.object({
  today: isoDate,
  orders: z.array(pickingOrder),
  totals: z.object({ orders: count, lines: count, units: count, late: count })
});
export type PickingQueueTile = z.infer<typeof pickingQueueTile>;
export type PickingOrder = z.infer<typeof pickingOrder>;

/** Purchase orders to this warehouse expected today or overdue, not yet fully received. */
export const receiptDue = z.object({
  purchaseOrderId: z.number().int(),
  supplier: z.string(),
  expectedDate: isoDate,
  overdue: z.boolean(),
  partiallyReceived: z.boolean(),
  lines: count,
  openUnits: count
});
export const receiptsDueTile = z.object({
  today: isoDate,
  receipts: z.array(receiptDue),
  totals: z.object({ orders: count, openUnits: count, overdue: count })
});
export type ReceiptsDueTile = z.infer<typeof receiptsDueTile>;
export type ReceiptDue = z.infer<typeof receiptDue>;

/** A transfer not yet received, seen from this warehouse (the other end is named). */
export const wallTransfer = z.object({
  transferId: z.number().int(),
  direction: z.enum(['out', 'in']),
  otherWarehouse: z.string(),
  state: z.enum(['requested', 'approved', 'shipped']),
  expectedArrival: isoDate,
  late: z.boolean(),
  /** Units on the road when shipped, else units to ship. */
  units: count
});
export const transfersTile = z.object({
  today: isoDate,
  outbound: z.array(wallTransfer),
  inbound: z.array(wallTransfer),
  totals: z.object({ outbound: count, inbound: count, late: count })
});
export type TransfersTile = z.infer<typeof transfersTile>;
export type WallTransfer = z.infer<typeof wallTransfer>;

export { unresolvedAlertsTile as wallAlertsTile } from './alerts';

/** The wall screen's panels, in rotation order; each panel is one tile. */
export const WALL_PANELS = [
  { tile: 'picking', title: 'Picking queue' },
  { tile: 'receipts', title: 'Receipts due' },
  { tile: 'transfers', title: 'Transfers out and in' },
  { tile: 'alerts', title: 'Open alerts' }
] as const;
export type WallPanel = (typeof WALL_PANELS)[number];
