import { z } from 'zod';

/** The fastest a business clock may run: a simulated day in under a second is no longer a demo. */
export const MAX_CLOCK_RATE = 100_000;

/**
 * Setting the business clock: the business instant it shows from now on (default:
 * the business now), and how many business milliseconds pass per wall millisecond
 * (1: real time; 144: a day in 10 minutes; 0: stands still until set again). It
 * never goes backwards.
 */
export const setBusinessClockInput = z
  .object({
    at: z.coerce.date({ error: 'at must be an instant (ISO 8601)' }).optional(),
    rate: z.number().min(0, 'the rate is at least 0 (0 stands still)').max(MAX_CLOCK_RATE, `the rate is at most ${MAX_CLOCK_RATE}`)
  })
  .strict();
export type SetBusinessClockInput = z.input<typeof setBusinessClockInput>;

export const businessClockOutput = z.object({
  /** The business instant now. */
  now: z.string(),
  /** Business ms per wall ms. */
  rate: z.number(),
  /** False when the business runs on the wall clock (no clock was set). */
  set: z.boolean()
});
export type BusinessClockOutput = z.infer<typeof businessClockOutput>;
