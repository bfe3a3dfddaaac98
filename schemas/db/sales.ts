import { sql } from 'drizzle-orm';
import { bigint, check, date, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { businessNow } from './business-clock';
import { customers, products, warehouses } from './master-data';
import { users } from './auth';

export const salesOrderState = pgEnum('sales_order_state', ['draft', 'awaiting_approval', 'confirmed', 'done', 'cancelled']);

export const salesOrders = pgTable(
  'sales_orders',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    customerId: integer('customer_id').notNull().references(() => customers.id),
    warehouseId: integer('warehouse_id').notNull().references(() => warehouses.id),
    state: salesOrderState('state').notNull().default('draft'),
    /** Higher first when stock is short. */
    priority: integer('priority').notNull().default(0),
    /** Order-level discount in basis points (1250 = 12.5 %). */
    discountBp: integer('discount_bp').notNull().default(0),
    requestedDate: date('requested_date', { mode: 'string' }),
    promisedDate: date('promised_date', { mode: 'string' }),
    approvalReason: text('approval_reason'),
    approvedBy: integer('approved_by').references(() => users.id),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(businessNow),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true })
  },
  (t) => [
    check('sales_orders_discount', sql`${t.discountBp} BETWEEN 0 AND 10000`),
    // The credit check sums a customer's confirmed orders.
    index('sales_orders_customer_idx').on(t.customerId, t.state),
    index('sales_orders_state_idx').on(t.warehouseId, t.state)
  ]
);

/**
 * Invariant 3 is a constraint: shipped + backordered + cancelled = ordered, and
 * reserved <= ordered - shipped. backordered is what is still to ship.
 */
export const salesOrderLines = pgTable(
  'sales_order_lines',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => salesOrders.id),
    lineNo: integer('line_no').notNull(),
    productId: integer('product_id').notNull().references(() => products.id),
    orderedQty: integer('ordered_qty').notNull(),
    unitPriceMinor: bigint('unit_price_minor', { mode: 'number' }).notNull(),
    reservedQty: integer('reserved_qty').notNull().default(0),
    shippedQty: integer('shipped_qty').notNull().default(0),
    backorderedQty: integer('backordered_qty').notNull(),
    cancelledQty: integer('cancelled_qty').notNull().default(0),
    promisedDate: date('promised_date', { mode: 'string' }),
    /** Set when a shipment leaves part of the line behind. */
    backorderedSince: timestamp('backordered_since', { withTimezone: true })
  },
  (t) => [
    uniqueIndex('sales_order_lines_order_line_key').on(t.orderId, t.lineNo),
    check('sales_order_lines_qty', sql`${t.orderedQty} > 0 AND ${t.reservedQty} >= 0 AND ${t.shippedQty} >= 0 AND ${t.backorderedQty} >= 0 AND ${t.cancelledQty} >= 0`),
    check('sales_order_lines_balance', sql`${t.shippedQty} + ${t.backorderedQty} + ${t.cancelledQty} = ${t.orderedQty}`),
    check('sales_order_lines_reserved', sql`${t.reservedQty} <= ${t.orderedQty} - ${t.shippedQty} - ${t.cancelledQty}`),
    index('sales_order_lines_product_idx').on(t.productId),
    // Reservation queues and ATP demand read only lines still waiting for stock.
    index('sales_order_lines_waiting_idx').on(t.productId).where(sql`${t.backorderedQty} > ${t.reservedQty}`)
  ]
);

export const shipmentState = pgEnum('shipment_state', ['picking', 'packed', 'shipped', 'cancelled']);

export const shipments = pgTable(
  'shipments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => salesOrders.id),
    state: shipmentState('state').notNull().default('picking'),
    pickedAt: timestamp('picked_at', { withTimezone: true }).notNull().default(businessNow),
    packedAt: timestamp('packed_at', { withTimezone: true }),
    shippedAt: timestamp('shipped_at', { withTimezone: true }),
    actorId: integer('actor_id').references(() => users.id)
  },
  (t) => [index('shipments_order_idx').on(t.orderId)]
);

export const shipmentLines = pgTable(
  'shipment_lines',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    shipmentId: bigint('shipment_id', { mode: 'number' })
      .notNull()
      .references(() => shipments.id),
    orderLineId: bigint('order_line_id', { mode: 'number' })
      .notNull()
      .references(() => salesOrderLines.id),
    qty: integer('qty').notNull()
  },
  (t) => [check('shipment_lines_qty', sql`${t.qty} > 0`)]
);

export const invoiceState = pgEnum('invoice_state', ['open', 'paid']);

export const invoices = pgTable(
  'invoices',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    orderId: bigint('order_id', { mode: 'number' })
      .notNull()
      .references(() => salesOrders.id),
    shipmentId: bigint('shipment_id', { mode: 'number' })
      .notNull()
      .references(() => shipments.id)
      .unique(),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    paidMinor: bigint('paid_minor', { mode: 'number' }).notNull().default(0),
    state: invoiceState('state').notNull().default('open'),
    issuedAt: timestamp('issued_at', { withTimezone: true }).notNull().default(businessNow),
    dueDate: date('due_date', { mode: 'string' }).notNull()
  },
  (t) => [check('invoices_paid', sql`${t.paidMinor} >= 0 AND ${t.paidMinor} <= ${t.amountMinor}`), index('invoices_order_idx').on(t.orderId)]
);

export const payments = pgTable(
  'payments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    invoiceId: bigint('invoice_id', { mode: 'number' })
      .notNull()
      .references(() => invoices.id),
    amountMinor: bigint('amount_minor', { mode: 'number' }).notNull(),
    paidAt: timestamp('paid_at', { withTimezone: true }).notNull().default(businessNow),
    actorId: integer('actor_id').references(() => users.id)
  },
  (t) => [check('payments_amount', sql`${t.amountMinor} > 0`)]
);
