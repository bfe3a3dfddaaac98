import { z } from 'zod';
import { alertView } from '../api/alerts';

/** The alerts board's one tile: unresolved alerts of the scope, newest first, and their counts. */
export const unresolvedAlertsTile = z.object({
  alerts: z.array(alertView),
  counts: z.object({ critical: z.number().int(), warning: z.number().int(), info: z.number().int() })
});
export type UnresolvedAlertsTile = z.infer<typeof unresolvedAlertsTile>;
