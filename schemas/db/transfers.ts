import { sql } from 'drizzle-orm';
import { bigint, check, date, integer, pgEnum, pgTable, timestamp } from 'drizzle-orm/pg-core';
import { businessNow } from './business-clock';
import { products, warehouses } from './master-data';
import { users } from './auth';

export const transferState = pgEnum('transfer_state', ['requested', 'approved', 'shipped', 'received', 'cancelled']);

export const transfers = pgTable(
  'transfers',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    fromWarehouseId: integer('from_warehouse_id').notNull().references(() => warehouses.id),
    toWarehouseId: integer('to_warehouse_id').notNull().references(() => warehouses.id),
    state: transferState('state').notNull().default('requested'),
    expectedArrival: date('expected_arrival', { mode: 'string' }).notNull(),
    requestedBy: integer('requested_by').references(() => users.id),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().default(businessNow),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    shippedAt: timestamp('shipped_at', { withTimezone: true }),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true })
  },
  (t) => [check('transfers_distinct', sql`${t.fromWarehouseId} <> ${t.toWarehouseId}`)]
);

/** Invariant 4: in transit = shipped - received - short - damaged. */
export const transferLines = pgTable(
  'transfer_lines',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    transferId: bigint('transfer_id', { mode: 'number' })
      .notNull()
      .references(() => transfers.id),
    productId: integer('product_id').notNull().references(() => products.id),
    qty: integer('qty').notNull(),
    shippedQty: integer('shipped_qty').notNull().default(0),
    receivedQty: integer('received_qty').notNull().default(0),
    shortQty: integer('short_qty').notNull().default(0),
    damagedQty: integer('damaged_qty').notNull().default(0)
  },
  (t) => [
    check('transfer_lines_qty', sql`${t.qty} > 0 AND ${t.shippedQty} BETWEEN 0 AND ${t.qty}`),
    check('transfer_lines_received', sql`${t.receivedQty} >= 0 AND ${t.shortQty} >= 0 AND ${t.damagedQty} >= 0 AND ${t.receivedQty} + ${t.shortQty} + ${t.damagedQty} <= ${t.shippedQty}`)
  ]
);
