import { sql } from 'drizzle-orm';
import { bigint, boolean, check, date, index, integer, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { businessNow } from './business-clock';
import { locations, products } from './master-data';
import { users } from './auth';

export const moveState = pgEnum('move_state', ['draft', 'confirmed', 'reserved', 'done', 'cancelled']);
/** The business document that caused a move. */
export const documentType = pgEnum('document_type', [
  'sales_order',
  'purchase_order',
  'transfer',
  'return',
  'cycle_count',
  'quality_release',
  'opening_balance'
]);

/**
 * The stock ledger. Done moves are immutable (a trigger refuses updates and
 * deletes); corrections are new moves. Open moves (confirmed/reserved) carry the
 * scheduled quantity still to happen: incoming and outgoing derive from them.
 */
export const stockMoves = pgTable(
  'stock_moves',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    productId: integer('product_id').notNull().references(() => products.id),
    qty: integer('qty').notNull(),
    fromLocationId: integer('from_location_id').notNull().references(() => locations.id),
    toLocationId: integer('to_location_id').notNull().references(() => locations.id),
    state: moveState('state').notNull(),
    documentType: documentType('document_type').notNull(),
    documentId: bigint('document_id', { mode: 'number' }).notNull(),
    documentLineId: bigint('document_line_id', { mode: 'number' }),
    /** When an open move is expected to happen (promised date, PO expected date, transfer arrival). */
    scheduledDate: date('scheduled_date', { mode: 'string' }),
    actorId: integer('actor_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().default(businessNow),
    doneAt: timestamp('done_at', { withTimezone: true })
  },
  (t) => [
    check('stock_moves_qty_positive', sql`${t.qty} > 0`),
    check('stock_moves_distinct_locations', sql`${t.fromLocationId} <> ${t.toLocationId}`),
    check('stock_moves_done_at', sql`(${t.state} = 'done') = (${t.doneAt} IS NOT NULL)`),
    index('stock_moves_product_idx').on(t.productId, t.state),
    index('stock_moves_document_idx').on(t.documentType, t.documentId),
    // A document line's open move is looked up on every reservation change.
    index('stock_moves_document_line_idx').on(t.documentLineId).where(sql`${t.state} IN ('confirmed', 'reserved')`),
    index('stock_moves_open_to_idx').on(t.toLocationId, t.productId).where(sql`${t.state} IN ('confirmed', 'reserved')`),
    index('stock_moves_open_from_idx').on(t.fromLocationId, t.productId).where(sql`${t.state} IN ('confirmed', 'reserved')`)
  ]
);

/**
 * Balances per product x location, maintained in the same transaction as the
 * moves: on_hand always equals done moves in minus done moves out. Virtual
 * locations (supplier, customer, adjustment, scrap) may go negative; real ones not.
 */
export const stockBalances = pgTable(
  'stock_balances',
  {
    productId: integer('product_id').notNull().references(() => products.id),
    locationId: integer('location_id').notNull().references(() => locations.id),
    onHand: integer('on_hand').notNull().default(0),
    reserved: integer('reserved').notNull().default(0),
    isVirtual: boolean('is_virtual').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
  },
  (t) => [
    primaryKey({ columns: [t.productId, t.locationId] }),
    check('stock_balances_on_hand', sql`${t.isVirtual} OR ${t.onHand} >= 0`),
    check('stock_balances_reserved', sql`${t.reserved} >= 0 AND (${t.isVirtual} OR ${t.reserved} <= ${t.onHand})`),
    index('stock_balances_location_idx').on(t.locationId)
  ]
);
