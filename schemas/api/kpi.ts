import { z } from 'zod';

/**
 * What the boards ask the KPI library: a time window and optional scope filters.
 * Every KPI answers with its data and the point of the ledger it reflects.
 */
const MAX_WINDOW_DAYS = 400;
const ids = z.array(z.number().int().positive()).max(1000);

// Strict: a misspelled filter is an error, never unfiltered numbers under a filtered title.
export const kpiScope = z.strictObject({
  warehouseIds: ids.optional(),
  regionIds: ids.optional(),
  categories: z.array(z.string().min(1).max(100)).max(200).optional(),
  customerIds: ids.optional()
});
export type KpiScope = z.infer<typeof kpiScope>;

export const kpiWindow = kpiScope
  .extend({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true })
  })
  .refine((w) => Date.parse(w.to) > Date.parse(w.from), { message: 'to must be after from', path: ['to'] })
  .refine((w) => Date.parse(w.to) - Date.parse(w.from) <= MAX_WINDOW_DAYS * 86_400_000, {
    message: `the window may span at most ${MAX_WINDOW_DAYS} days`,
    path: ['from']
  });
export type KpiWindow = z.infer<typeof kpiWindow>;

/** The newest change the warehouse had landed when the KPI was read: the data is at least this fresh. */
export const kpiAsOf = z.object({
  lsn: z.string().nullable(),
  commitTime: z.iso.datetime().nullable()
});
export type KpiAsOf = z.infer<typeof kpiAsOf>;

export interface KpiResult<T> {
  data: T;
  asOf: KpiAsOf;
}
