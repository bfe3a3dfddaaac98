import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from './auth';
import { products, warehouses } from './master-data';
import { ALERT_KINDS, ALERT_SEVERITIES, ALERT_STATES } from '../api/alerts';

/** What a detector watches, how bad, and where a person is with it: the lists the API validates against. */
export const alertKind = pgEnum('alert_kind', ALERT_KINDS);
export const alertSeverity = pgEnum('alert_severity', ALERT_SEVERITIES);
export const alertState = pgEnum('alert_state', ALERT_STATES);

/**
 * Alerts raised by the detectors: open -> acknowledged -> resolved. They live in the
 * core so they flow through CDC like everything else. Resolved with resolved_by null
 * means the detector saw the condition clear.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    kind: alertKind('kind').notNull(),
    /** Stable key of what the alert is about, e.g. 'product:12/warehouse:3'. */
    subject: text('subject').notNull(),
    severity: alertSeverity('severity').notNull(),
    state: alertState('state').notNull().default('open'),
    message: text('message').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    warehouseId: integer('warehouse_id').references(() => warehouses.id),
    productId: integer('product_id').references(() => products.id),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
    acknowledgedBy: integer('acknowledged_by').references(() => users.id),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    resolvedBy: integer('resolved_by').references(() => users.id),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolution: text('resolution')
  },
  (t) => [
    // One open or acknowledged alert per kind and subject; detectors upsert against it.
    uniqueIndex('alerts_unresolved_key').on(t.kind, t.subject).where(sql`${t.state} <> 'resolved'`),
    index('alerts_state_raised_idx').on(t.state, t.raisedAt.desc().nullsFirst()),
    index('alerts_warehouse_state_idx').on(t.warehouseId, t.state),
    check('alerts_subject_not_blank', sql`length(trim(${t.subject})) > 0`),
    check('alerts_resolved_when', sql`(${t.state} = 'resolved') = (${t.resolvedAt} IS NOT NULL)`),
    check('alerts_acknowledged_when', sql`${t.state} <> 'acknowledged' OR ${t.acknowledgedAt} IS NOT NULL`)
  ]
);
