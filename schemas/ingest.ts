import { z } from 'zod';

/**
 * What the CDC ingest tells the rest of the house: after each landed batch, the
 * LSN and commit times it reflects and the keys it touched; and its progress
 * (state, lag, rate). Both travel in-process, over PostgreSQL NOTIFY between
 * processes, and to browsers; every receiver parses them with these schemas.
 */
const lsn = z.string().regex(/^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/, { message: 'is not an LSN (X/Y hex)' });
const ids = z.array(z.number().int().nonnegative());

export const landedEvent = z.object({
  slot: z.string().min(1),
  lsn,
  commitTimeFrom: z.iso.datetime(),
  commitTimeTo: z.iso.datetime(),
  landedAt: z.iso.datetime(),
  transactions: z.number().int().nonnegative(),
  rows: z.number().int().nonnegative(),
  tables: z.array(z.string()),
  warehouseIds: ids,
  productIds: ids,
  orderIds: ids,
  /** The id lists were too long to carry: treat every row of `tables` as touched. */
  keysTruncated: z.boolean(),
  /** Tables the batches deleted rows from or truncated; absent: not known, assume any of `tables`. */
  deletedTables: z.array(z.string()).optional()
});
export type LandedEvent = z.infer<typeof landedEvent>;

export const ingestStates = ['starting', 'standby', 'backfilling', 'streaming', 'retrying', 'failed', 'stopped'] as const;

export const ingestProgress = z.object({
  slot: z.string().min(1),
  state: z.enum(ingestStates),
  landedLsn: lsn.nullable(),
  lastCommitTime: z.iso.datetime().nullable(),
  lagBytes: z.number().nonnegative().nullable(),
  lagMs: z.number().nonnegative().nullable(),
  rowsPerSecond: z.number().nonnegative(),
  rowsLanded: z.number().int().nonnegative(),
  backfill: z.object({ table: z.string(), copied: z.number().int(), total: z.number().int() }).nullable(),
  lastError: z.string().nullable(),
  updatedAt: z.iso.datetime()
});
export type IngestProgress = z.infer<typeof ingestProgress>;

export const LANDED_CHANNEL = 'opstower_landed';
export const PROGRESS_CHANNEL = 'opstower_ingest_progress';
