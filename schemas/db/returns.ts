import { sql } from 'drizzle-orm';
import { bigint, check, integer, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { businessNow } from './business-clock';
import { customers, locations, products, warehouses } from './master-data';
import { salesOrders } from './sales';
import { users } from './auth';

export const returnDisposition = pgEnum('return_disposition', ['restock', 'quality_hold', 'scrap']);

export const customerReturns = pgTable('customer_returns', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  customerId: integer('customer_id').notNull().references(() => customers.id),
  warehouseId: integer('warehouse_id').notNull().references(() => warehouses.id),
  orderId: bigint('order_id', { mode: 'number' }).references(() => salesOrders.id),
  reason: text('reason').notNull(),
  actorId: integer('actor_id').references(() => users.id),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(businessNow)
});

export const customerReturnLines = pgTable(
  'customer_return_lines',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    returnId: bigint('return_id', { mode: 'number' })
      .notNull()
      .references(() => customerReturns.id),
    productId: integer('product_id').notNull().references(() => products.id),
    qty: integer('qty').notNull(),
    disposition: returnDisposition('disposition').notNull()
  },
  (t) => [check('customer_return_lines_qty', sql`${t.qty} > 0`)]
);

export const cycleCountState = pgEnum('cycle_count_state', ['awaiting_approval', 'posted', 'rejected']);

/** A counted quantity against the system's; the variance posts as an adjustment move. */
export const cycleCounts = pgTable('cycle_counts', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  locationId: integer('location_id').notNull().references(() => locations.id),
  productId: integer('product_id').notNull().references(() => products.id),
  systemQty: integer('system_qty').notNull(),
  countedQty: integer('counted_qty').notNull(),
  state: cycleCountState('state').notNull(),
  countedBy: integer('counted_by').references(() => users.id),
  countedAt: timestamp('counted_at', { withTimezone: true }).notNull().default(businessNow),
  decidedBy: integer('decided_by').references(() => users.id),
  decidedAt: timestamp('decided_at', { withTimezone: true })
});
