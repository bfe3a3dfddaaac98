import { z } from 'zod';

/** Inputs and outputs of the alerts API and of the detectors' sync call: open -> acknowledged -> resolved. */
const id = z.number().int().positive();

export const ALERT_KINDS = [
  'demand_spike',
  'demand_drop',
  'order_quantity_outlier',
  'stockout_risk',
  'backorder_aging',
  'transfer_late',
  'supplier_late',
  'ingest_lag',
  'ledger_drift',
  'shipping_stalled'
] as const;
export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;

export const alertKind = z.enum(ALERT_KINDS);
export const alertSeverity = z.enum(ALERT_SEVERITIES);
export const alertState = z.enum(ALERT_STATES);

/** Stable key of what an alert is about, e.g. 'product:12/warehouse:3'. */
export const alertSubject = z.string().trim().min(1, 'must not be empty').max(200);

/** Details are stored as jsonb and shown to people: keep them small. */
const details = z
  .record(z.string(), z.unknown())
  .refine((d) => JSON.stringify(d).length <= 16_000, 'must be at most 16,000 characters as JSON');

/** One condition a detector sees now; syncAlerts raises or refreshes its alert. */
export const alertFinding = z.object({
  subject: alertSubject,
  severity: alertSeverity,
  /** A sentence a person understands, e.g. 'SKU-1 at Central DC runs out in 3 days, before the next receipt'. */
  message: z.string().trim().min(1, 'must not be empty').max(1000),
  details: details.default({}),
  warehouseId: id.nullish(),
  productId: id.nullish()
});

/** Which unresolved alerts of the kind a run may resolve: the subjects it looked at, or all of them. */
export const alertSyncScope = z.union([z.literal('all'), z.object({ subjects: z.array(alertSubject).max(100_000) })]);

export const alertFindings = z
  .array(alertFinding)
  .max(100_000)
  .superRefine((findings, ctx) => {
    const seen = new Set<string>();
    findings.forEach((f, i) => {
      if (seen.has(f.subject)) ctx.addIssue({ code: 'custom', path: [i, 'subject'], message: `${f.subject} appears more than once in one sync` });
      seen.add(f.subject);
    });
  });

export const listAlertsInput = z.object({
  state: z.array(alertState).min(1).optional(),
  kind: z.array(alertKind).min(1).optional(),
  warehouseId: id.optional(),
  limit: z.number().int().min(1).max(500).default(100),
  /** Cursor: the id of the last alert of the previous page; the page continues after it. */
  before: id.optional()
});

export const alertRef = z.object({ alertId: id });

export const resolveAlertInput = z.object({
  alertId: id,
  resolution: z.string().trim().min(1, 'must not be empty').max(500).optional()
});

export const alertView = z.object({
  id: z.number(),
  kind: alertKind,
  subject: z.string(),
  severity: alertSeverity,
  state: alertState,
  message: z.string(),
  details: z.record(z.string(), z.unknown()),
  warehouseId: z.number().nullable(),
  productId: z.number().nullable(),
  raisedAt: z.string(),
  lastSeenAt: z.string(),
  acknowledgedBy: z.number().nullable(),
  acknowledgedAt: z.string().nullable(),
  /** Null with resolvedAt set: resolved automatically when the condition cleared. */
  resolvedBy: z.number().nullable(),
  resolvedAt: z.string().nullable(),
  resolution: z.string().nullable()
});

export type AlertKind = z.infer<typeof alertKind>;
export type AlertSeverity = z.infer<typeof alertSeverity>;
export type AlertState = z.infer<typeof alertState>;
export type AlertFinding = z.input<typeof alertFinding>;
export type AlertSyncScope = z.input<typeof alertSyncScope>;
export type ListAlertsInput = z.input<typeof listAlertsInput>;
export type AlertRef = z.input<typeof alertRef>;
export type ResolveAlertInput = z.input<typeof resolveAlertInput>;
export type AlertView = z.infer<typeof alertView>;
export interface AlertSyncResult {
  raised: number;
  updated: number;
  resolved: number;
}
