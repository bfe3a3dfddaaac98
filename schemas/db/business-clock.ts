import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, integer, pgTable, timestamp } from 'drizzle-orm/pg-core';
import { users } from './auth';

/**
 * The business clock: the instant documents are dated at. It is the wall clock
 * (no row, the default) unless someone runs the business on another timeline: a
 * time-compressed demo (a simulated day in N real minutes) or a simulation on a
 * manual clock. One row at most; `business_now()` (migration 0005) reads it:
 * anchor_business + (now() - anchor_wall) x rate. A rate of 0 stands still.
 * Stock moves, orders, shipments, receipts and transfers are dated with it, and
 * so are "today" in ATP and promised or expected dates. Sign-in sessions, kiosk
 * tokens and alerts keep the wall clock: they are about people, not the business.
 */
export const businessClock = pgTable(
  'business_clock',
  {
    id: boolean('id').primaryKey().default(true),
    anchorWall: timestamp('anchor_wall', { withTimezone: true }).notNull(),
    anchorBusiness: timestamp('anchor_business', { withTimezone: true }).notNull(),
    rate: doublePrecision('rate').notNull(),
    setBy: integer('set_by').references(() => users.id),
    setAt: timestamp('set_at', { withTimezone: true }).notNull().defaultNow()
  },
  (t) => [check('business_clock_one_row', sql`${t.id}`), check('business_clock_rate', sql`${t.rate} >= 0 AND ${t.rate} <= 100000`)]
);

/** The SQL of the business clock's instant (a column default and what core services date with). */
export const businessNow = sql`business_now()`;
