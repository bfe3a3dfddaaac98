import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { users } from './auth';
import { warehouses } from './master-data';

/**
 * Kiosk tokens: read-only access to one warehouse's wall screen, for a screen that
 * nobody signs in to. Only a hash of the token is stored (as for sessions); revoking
 * sets revoked_at, so who created and revoked what stays on record.
 */
export const kioskTokens = pgTable(
  'kiosk_tokens',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    tokenHash: text('token_hash').notNull().unique(),
    warehouseId: integer('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    label: text('label').notNull(),
    createdBy: integer('created_by')
      .notNull()
      .references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    revokedBy: integer('revoked_by').references(() => users.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true })
  },
  (t) => [
    index('kiosk_tokens_warehouse_idx').on(t.warehouseId),
    check('kiosk_tokens_label_not_blank', sql`length(trim(${t.label})) > 0`),
    check('kiosk_tokens_revoked_by_when', sql`(${t.revokedAt} IS NULL) = (${t.revokedBy} IS NULL)`)
  ]
);
