import { z } from 'zod';

/**
 * Events pushed over Socket.IO. The server builds them through these schemas and
 * the browser parses them on arrival, so a malformed event is rejected, not drawn.
 */
export const helloEvent = z.object({
  node: z.string().min(1),
  startedAt: z.iso.datetime(),
  serverTime: z.iso.datetime()
});
export type HelloEvent = z.infer<typeof helloEvent>;

export const LIVE_EVENTS = { hello: 'hello' } as const;
