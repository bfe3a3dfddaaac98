import { z } from 'zod';
import { MAX_DOCUMENT_LINES } from './document-lines';

/** Inputs and outputs of the sales-order API (orders, shipments, invoices, payments). */
const id = z.number().int().positive();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const qty = z.number().int('must be a whole number').positive('must be at least 1').max(1_000_000_000);

export const orderLineInput = z.object({
  productId: id,
  /** In base units, or in packs when `pack` names one of the product's pack sizes. */
  qty,
  pack: z.string().trim().min(1).max(40).optional()
});

export const createOrderInput = z.object({
  customerId: id,
  warehouseId: id,
  priority: z.number().int().min(0).max(1000).default(0),
  discountBp: z.number().int().min(0, 'cannot be negative').max(10_000, 'cannot exceed 100 %').default(0),
  requestedDate: isoDate.nullable().optional(),
  lines: z.array(orderLineInput).min(1, 'an order needs at least one line').max(MAX_DOCUMENT_LINES)
});

export const orderIdInput = z.object({ orderId: id });

export const rejectOrderInput = z.object({ orderId: id, reason: z.string().trim().max(500).optional() });

/** An order line is named by its id or by its line number (1..n). */
export const lineQtyInput = z
  .object({ lineId: id.optional(), lineNo: id.optional(), qty })
  .refine((l) => (l.lineId === undefined) !== (l.lineNo === undefined), { message: 'name the line by lineId or lineNo', path: ['lineId'] });

export const cancelLineInput = z
  .object({ orderId: id, lineId: id.optional(), lineNo: id.optional() })
  .refine((l) => (l.lineId === undefined) !== (l.lineNo === undefined), { message: 'name the line by lineId or lineNo', path: ['lineId'] });

/** Pick: lines default to everything reserved and not yet on another shipment. */
export const pickInput = z.object({ orderId: id, lines: z.array(lineQtyInput).min(1).max(MAX_DOCUMENT_LINES).optional() });

export const packInput = z.object({ shipmentId: id });

/** Ship a picked/packed shipment, or (convenience) pick, pack and ship an order's lines in one call. */
export const shipInput = z
  .object({ shipmentId: id.optional(), orderId: id.optional(), lines: z.array(lineQtyInput).min(1).max(MAX_DOCUMENT_LINES).optional() })
  .refine((s) => (s.shipmentId === undefined) !== (s.orderId === undefined), { message: 'name a shipmentId or an orderId', path: ['orderId'] })
  .refine((s) => s.shipmentId === undefined || s.lines === undefined, { message: 'lines go with orderId, not shipmentId', path: ['lines'] });

export const payInput = z.object({
  invoiceId: id,
  amountMinor: z.number().int('must be whole minor units (cents)').positive('must be more than zero')
});

export const listOrdersInput = z.object({
  state: z.enum(['draft', 'awaiting_approval', 'confirmed', 'done', 'cancelled']).optional(),
  customerId: id.optional(),
  warehouseId: id.optional(),
  limit: z.number().int().min(1).max(500).default(50),
  /** Paging: orders older than this id (pass the last id of the previous page). */
  beforeId: id.optional()
});

// Outputs. Timestamps are ISO strings, dates YYYY-MM-DD, money integer minor units.
const ts = z.string();

export const orderLine = z.object({
  id: z.number(),
  lineNo: z.number(),
  productId: z.number(),
  orderedQty: z.number(),
  unitPriceMinor: z.number(),
  reservedQty: z.number(),
  shippedQty: z.number(),
  /** Still to ship. */
  backorderedQty: z.number(),
  cancelledQty: z.number(),
  promisedDate: isoDate.nullable(),
  backorderedSince: ts.nullable()
});

export const orderState = z.enum(['draft', 'awaiting_approval', 'confirmed', 'done', 'cancelled']);

export const orderSummary = z.object({
  id: z.number(),
  customerId: z.number(),
  warehouseId: z.number(),
  state: orderState,
  priority: z.number(),
  discountBp: z.number(),
  requestedDate: isoDate.nullable(),
  promisedDate: isoDate.nullable(),
  approvalReason: z.string().nullable(),
  approvedBy: z.number().nullable(),
  approvedAt: ts.nullable(),
  createdBy: z.number().nullable(),
  createdAt: ts,
  confirmedAt: ts.nullable(),
  cancelledAt: ts.nullable()
});

export const shipmentLine = z.object({ id: z.number(), orderLineId: z.number(), qty: z.number() });

export const shipment = z.object({
  id: z.number(),
  orderId: z.number(),
  state: z.enum(['picking', 'packed', 'shipped', 'cancelled']),
  pickedAt: ts,
  packedAt: ts.nullable(),
  shippedAt: ts.nullable(),
  actorId: z.number().nullable(),
  lines: z.array(shipmentLine)
});

export const invoice = z.object({
  id: z.number(),
  orderId: z.number(),
  shipmentId: z.number(),
  amountMinor: z.number(),
  paidMinor: z.number(),
  state: z.enum(['open', 'paid']),
  issuedAt: ts,
  dueDate: isoDate
});

export const orderDetail = orderSummary.extend({
  lines: z.array(orderLine),
  shipments: z.array(shipment),
  invoices: z.array(invoice)
});

export const orderListItem = orderSummary.extend({
  lineCount: z.number(),
  /** Σ ordered qty × unit price, before the order discount. */
  grossMinor: z.number()
});

export const shipmentResult = z.object({ order: orderDetail, shipment, invoice: invoice.nullable() });

export const payment = z.object({ id: z.number(), invoiceId: z.number(), amountMinor: z.number(), paidAt: ts, actorId: z.number().nullable() });
export const payResult = z.object({ invoice, payment });

export type CreateOrderInput = z.input<typeof createOrderInput>;
export type OrderIdInput = z.infer<typeof orderIdInput>;
export type RejectOrderInput = z.input<typeof rejectOrderInput>;
export type CancelLineInput = z.infer<typeof cancelLineInput>;
export type LineQtyInput = z.infer<typeof lineQtyInput>;
export type PickInput = z.infer<typeof pickInput>;
export type PackInput = z.infer<typeof packInput>;
export type ShipInput = z.infer<typeof shipInput>;
export type PayInput = z.infer<typeof payInput>;
export type ListOrdersInput = z.input<typeof listOrdersInput>;
export type OrderLine = z.infer<typeof orderLine>;
export type OrderSummary = z.infer<typeof orderSummary>;
export type OrderDetail = z.infer<typeof orderDetail>;
export type OrderListItem = z.infer<typeof orderListItem>;
export type Shipment = z.infer<typeof shipment>;
export type Invoice = z.infer<typeof invoice>;
export type ShipmentResult = z.infer<typeof shipmentResult>;
export type PayResult = z.infer<typeof payResult>;
