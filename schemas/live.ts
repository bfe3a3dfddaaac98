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

/** Event names. `ingest` carries schemas/ingest.ts ingestProgress, `landed` its landedEvent. */
export const LIVE_EVENTS = { hello: 'hello', ingest: 'ingest', landed: 'landed' } as const;

/** Rooms; joining one requires a signed-in session (the ingest room: any role). */
export const LIVE_ROOMS = { ingest: 'ingest' } as const;
