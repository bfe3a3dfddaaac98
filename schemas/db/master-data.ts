import { sql } from 'drizzle-orm';
import { check, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const warehouseKind = pgEnum('warehouse_kind', ['central_dc', 'branch', 'depot']);

export const regions = pgTable('regions', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  code: text('code').notNull().unique(),
  name: text('name').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
});

export const warehouses = pgTable(
  'warehouses',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    kind: warehouseKind('kind').notNull(),
    regionId: integer('region_id')
      .notNull()
      .references(() => regions.id),
    // Day buckets (fill rate by day, picking "today") use the warehouse's own zone.
    timeZone: text('time_zone').notNull().default('UTC'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
  },
  (t) => [
    uniqueIndex('warehouses_code_key').on(t.code),
    check('warehouses_code_not_blank', sql`length(trim(${t.code})) > 0`)
  ]
);
