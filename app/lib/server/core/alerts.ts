import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import {
  alertFindings,
  alertKind,
  alertRef,
  alertSyncScope,
  listAlertsInput,
  resolveAlertInput,
  type AlertFinding,
  type AlertKind,
  type AlertRef,
  type AlertSyncResult,
  type AlertView,
  type ListAlertsInput,
  type ResolveAlertInput
} from '../../../../schemas/api/alerts';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Db, Tx } from './db';
import { tables } from './db';
import { conflict, notFound } from './errors';
import { transact } from './transaction';

const { alerts } = tables;
type AlertRow = typeof alerts.$inferSelect;

/** Matches the partial unique index alerts_unresolved_key, so ON CONFLICT can infer it. */
const UNRESOLVED = sql`state <> 'resolved'`;
export const AUTO_RESOLUTION = 'condition cleared';
/** Rows per INSERT: 7 parameters each stay well under PostgreSQL's 65,535 per statement. */
const INSERT_CHUNK = 1000;

/** One array parameter however many subjects (an IN list would bind one parameter each). */
const subjectIn = (subjects: string[]) => sql`${alerts.subject} = ANY(${sql.param(subjects)}::text[])`;

/**
 * The one call a detector makes per run. Every finding raises a new open alert or
 * refreshes the unresolved one of its kind and subject (an acknowledged alert stays
 * acknowledged). Then every unresolved alert of the kind whose subject is in scope
 * ('all': every subject) but not among the findings is resolved automatically
 * (resolved_by null). Findings outside the scope are still raised; the scope only
 * bounds what may be resolved. A subject twice in one call is refused (a detector bug).
 * The upsert runs against the partial unique index, so concurrent runs on several
 * app nodes never raise the same alert twice.
 */
export async function syncAlerts(
  db: CoreDb,
  actor: Actor,
  kind: AlertKind,
  findings: AlertFinding[],
  scope: { subjects: string[] } | 'all'
): Promise<AlertSyncResult> {
  const k = alertKind.parse(kind);
  // Sorted so that concurrent runs lock rows in the same order.
  const found = alertFindings.parse(findings).sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  const within = alertSyncScope.parse(scope);
  const subjects = found.map((f) => f.subject);
  const inScope = within === 'all' ? undefined : subjectIn(within.subjects);
  return transact(db, actor, `alerts.sync.${k}`, async (tx) => {
    // Lock every existing alert this run may touch, in subject order, so two runs with
    // crossing subjects wait for each other instead of deadlocking (a rarer deadlock
    // among three runs is retried by transact).
    const touched = within === 'all' ? undefined : subjectIn([...new Set([...within.subjects, ...subjects])]);
    await tx
      .select({ id: alerts.id })
      .from(alerts)
      .where(and(eq(alerts.kind, k), UNRESOLVED, touched))
      .orderBy(asc(alerts.subject))
      .for('update');
    let raised = 0;
    let updated = 0;
    for (let i = 0; i < found.length; i += INSERT_CHUNK) {
      const rows = await tx
        .insert(alerts)
        .values(
          found.slice(i, i + INSERT_CHUNK).map((f) => ({
            kind: k,
            subject: f.subject,
            severity: f.severity,
            message: f.message,
            details: f.details,
            warehouseId: f.warehouseId ?? null,
            productId: f.productId ?? null
          }))
        )
        .onConflictDoUpdate({
          target: [alerts.kind, alerts.subject],
          targetWhere: UNRESOLVED,
          set: { severity: sql`excluded.severity`, message: sql`excluded.message`, details: sql`excluded.details`, lastSeenAt: sql`now()` },
          // Every rewrite flows through the CDC: refresh only what changed, and last_seen_at every few minutes.
          setWhere: sql`${alerts.severity} IS DISTINCT FROM excluded.severity OR ${alerts.message} IS DISTINCT FROM excluded.message
            OR ${alerts.details} IS DISTINCT FROM excluded.details OR ${alerts.lastSeenAt} < now() - interval '5 minutes'`
        })
        // xmax is 0 on a freshly inserted row version, set on one ON CONFLICT updated; an unchanged one is not returned.
        .returning({ inserted: sql<boolean>`(xmax = 0)` });
      const fresh = rows.filter((r) => r.inserted).length;
      raised += fresh;
      updated += rows.length - fresh;
    }
    const cleared = await tx
      .update(alerts)
      .set({ state: 'resolved', resolvedBy: null, resolvedAt: sql`now()`, resolution: AUTO_RESOLUTION })
      .where(and(eq(alerts.kind, k), UNRESOLVED, inScope, subjects.length ? sql`NOT ${subjectIn(subjects)}` : undefined))
      .returning({ id: alerts.id });
    return { raised, updated, resolved: cleared.length };
  });
}

/** Subjects of the kind's open or acknowledged alerts (a detector narrows an 'all' scope with it). */
export async function unresolvedSubjects(db: Db, kind: AlertKind): Promise<string[]> {
  const k = alertKind.parse(kind);
  const rows = await db.select({ subject: alerts.subject }).from(alerts).where(and(eq(alerts.kind, k), UNRESOLVED)).orderBy(asc(alerts.subject));
  return rows.map((r) => r.subject);
}

async function lockAlert(tx: Tx, actor: Actor, alertId: number): Promise<AlertRow> {
  const [row] = await tx.select().from(alerts).where(eq(alerts.id, alertId)).for('update');
  if (!row) throw notFound('alert', alertId);
  // Network-wide alerts (no warehouse) are not a warehouse lead's to handle.
  if (actor.warehouseId !== null) assertWarehouseScope(actor, row.warehouseId ?? -1);
  return row;
}

/** open -> acknowledged; acknowledging it again changes nothing; a resolved alert cannot be acknowledged. */
export async function acknowledgeAlert(db: CoreDb, actor: Actor, input: AlertRef): Promise<AlertView> {
  const { alertId } = alertRef.parse(input);
  return transact(db, actor, 'alerts.acknowledge', async (tx) => {
    const row = await lockAlert(tx, actor, alertId);
    if (row.state === 'resolved') throw conflict(`alert ${alertId} is already resolved; only an open alert can be acknowledged`);
    if (row.state === 'acknowledged') return view(row);
    const [done] = await tx
      .update(alerts)
      .set({ state: 'acknowledged', acknowledgedBy: actor.userId, acknowledgedAt: sql`now()` })
      .where(eq(alerts.id, alertId))
      .returning();
    return view(done!);
  });
}

/** open or acknowledged -> resolved by a person. If the condition persists, the detector raises a new alert. */
export async function resolveAlert(db: CoreDb, actor: Actor, input: ResolveAlertInput): Promise<AlertView> {
  const data = resolveAlertInput.parse(input);
  return transact(db, actor, 'alerts.resolve', async (tx) => {
    const row = await lockAlert(tx, actor, data.alertId);
    if (row.state === 'resolved') throw conflict(`alert ${data.alertId} is already resolved`);
    const [done] = await tx
      .update(alerts)
      .set({ state: 'resolved', resolvedBy: actor.userId, resolvedAt: sql`now()`, resolution: data.resolution ?? null })
      .where(eq(alerts.id, data.alertId))
      .returning();
    return view(done!);
  });
}

/** What a warehouse-scoped actor may see: its warehouse's alerts and the network-wide ones. */
function visibleTo(actor: Actor): SQL | undefined {
  return actor.warehouseId === null ? undefined : or(eq(alerts.warehouseId, actor.warehouseId), isNull(alerts.warehouseId));
}

export async function getAlert(db: Db, actor: Actor, input: AlertRef): Promise<AlertView> {
  const { alertId } = alertRef.parse(input);
  const [row] = await db.select().from(alerts).where(eq(alerts.id, alertId));
  if (!row) throw notFound('alert', alertId);
  if (row.warehouseId !== null) assertWarehouseScope(actor, row.warehouseId);
  return view(row);
}

/** Newest first (raised_at, then id); `before` continues after the given alert. */
export async function listAlerts(db: Db, actor: Actor, input: ListAlertsInput = {}): Promise<AlertView[]> {
  const filter = listAlertsInput.parse(input);
  if (filter.warehouseId !== undefined) assertWarehouseScope(actor, filter.warehouseId);
  const where: (SQL | undefined)[] = [visibleTo(actor)];
  if (filter.state) where.push(inArray(alerts.state, filter.state));
  if (filter.kind) where.push(inArray(alerts.kind, filter.kind));
  if (filter.warehouseId !== undefined) where.push(eq(alerts.warehouseId, filter.warehouseId));
  if (filter.before !== undefined) {
    where.push(sql`(${alerts.raisedAt}, ${alerts.id}) < (SELECT b.raised_at, b.id FROM alerts b WHERE b.id = ${filter.before})`);
  }
  const rows = await db
    .select()
    .from(alerts)
    .where(and(...where))
    .orderBy(desc(alerts.raisedAt), desc(alerts.id))
    .limit(filter.limit);
  return rows.map(view);
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function view(a: AlertRow): AlertView {
  return {
    id: a.id,
    kind: a.kind,
    subject: a.subject,
    severity: a.severity,
    state: a.state,
    message: a.message,
    details: a.details,
    warehouseId: a.warehouseId,
    productId: a.productId,
    raisedAt: a.raisedAt.toISOString(),
    lastSeenAt: a.lastSeenAt.toISOString(),
    acknowledgedBy: a.acknowledgedBy,
    acknowledgedAt: iso(a.acknowledgedAt),
    resolvedBy: a.resolvedBy,
    resolvedAt: iso(a.resolvedAt),
    resolution: a.resolution
  };
}
