import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, index, integer, pgEnum, pgTable, timestamp } from 'drizzle-orm/pg-core';
import { businessNow } from './business-clock';
import { products, suppliers, warehouses } from './master-data';
import { users } from './auth';

export const purchaseOrderState = pgEnum('purchase_order_state', ['draft', 'sent', 'partially_received', 'received', 'closed', 'cancelled']);

export const purchaseOrders = pgTable(
  'purchase_orders',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    supplierId: integer('supplier_id').notNull().references(() => suppliers.id),
    warehouseId: integer('warehouse_id').notNull().references(() => warehouses.id),
    state: purchaseOrderState('state').notNull().default('draft'),
    expectedDate: date('expected_date', { mode: 'string' }).notNull(),
    fromReorder: boolean('from_reorder').notNull().default(false),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(businessNow),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true })
  },
  (t) => [index('purchase_orders_state_idx').on(t.warehouseId, t.state)]
);

export const purchaseOrderLines = pgTable(
  'purchase_order_lines',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    purchaseOrderId: bigint('purchase_order_id', { mode: 'number' })
      .notNull()
      .references(() => purchaseOrders.id),
    productId: integer('product_id').notNull().references(() => products.id),
    orderedQty: integer('ordered_qty').notNull(),
    receivedQty: integer('received_qty').notNull().default(0),
    rejectedQty: integer('rejected_qty').notNull().default(0),
    unitCostMinor: bigint('unit_cost_minor', { mode: 'number' }).notNull()
  },
  (t) => [check('purchase_order_lines_qty', sql`${t.orderedQty} > 0 AND ${t.receivedQty} >= 0 AND ${t.rejectedQty} >= 0`)]
);

/** One receipt per delivery: what came, what was rejected into quality hold, on time and in full. */
export const receipts = pgTable('receipts', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  purchaseOrderId: bigint('purchase_order_id', { mode: 'number' })
    .notNull()
    .references(() => purchaseOrders.id),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().default(businessNow),
  onTime: boolean('on_time').notNull(),
  inFull: boolean('in_full').notNull(),
  actorId: integer('actor_id').references(() => users.id)
});

export const receiptLines = pgTable(
  'receipt_lines',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    receiptId: bigint('receipt_id', { mode: 'number' })
      .notNull()
      .references(() => receipts.id),
    purchaseOrderLineId: bigint('purchase_order_line_id', { mode: 'number' })
      .notNull()
      .references(() => purchaseOrderLines.id),
    acceptedQty: integer('accepted_qty').notNull(),
    rejectedQty: integer('rejected_qty').notNull()
  },
  (t) => [check('receipt_lines_qty', sql`${t.acceptedQty} >= 0 AND ${t.rejectedQty} >= 0 AND ${t.acceptedQty} + ${t.rejectedQty} > 0`)]
);
