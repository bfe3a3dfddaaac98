import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { warehouses } from './master-data';

export const role = pgEnum('role', ['admin', 'executive', 'planner', 'buyer', 'sales', 'warehouse', 'finance', 'viewer']);

export const users = pgTable(
  'users',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    /** argon2id hash (@node-rs/argon2). */
    passwordHash: text('password_hash').notNull(),
    role: role('role').notNull(),
    /** Warehouse-scoped roles (a warehouse lead) act only on this warehouse. */
    warehouseId: integer('warehouse_id').references(() => warehouses.id),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow()
  },
  (t) => [uniqueIndex('users_email_key').on(sql`lower(${t.email})`), check('users_email_shape', sql`${t.email} LIKE '%@%'`)]
);

/** Sessions live in Postgres so app nodes stay stateless; only a hash of the token is stored. */
export const sessions = pgTable(
  'sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull()
  },
  (t) => [index('sessions_user_idx').on(t.userId)]
);
