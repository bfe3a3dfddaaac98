import { z } from 'zod';
import { kpiAsOf } from './api/kpi';

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

/**
 * Event names. `ingest` carries schemas/ingest.ts ingestProgress, `landed` its
 * landedEvent; `tile` a board tile; `board:join` / `board:leave` are what a screen
 * asks (acknowledged with a boardJoinAck); `alert` a raised or changed alert.
 */
export const LIVE_EVENTS = {
  hello: 'hello',
  ingest: 'ingest',
  landed: 'landed',
  tile: 'tile',
  join: 'board:join',
  leave: 'board:leave',
  revoked: 'kiosk:revoked'
} as const;

/** Rooms; joining one requires a signed-in session (the ingest room: any role). */
export const LIVE_ROOMS = { ingest: 'ingest' } as const;

/** The boards a screen can join, each one room per scope. */
export const BOARDS = ['executive', 'planner', 'wall', 'alerts'] as const;
export const boardName = z.enum(BOARDS);
export type BoardName = z.infer<typeof boardName>;

/** Scope of a board room: the network, a region, or one warehouse. */
export const boardScope = z.strictObject({
  regionId: z.number().int().positive().optional(),
  warehouseId: z.number().int().positive().optional()
});
export type BoardScope = z.infer<typeof boardScope>;

/** One room per board and scope (the server names it; a screen knows which tiles are its own). */
export function roomOf(board: BoardName, scope: BoardScope): string {
  return `board:${board}:w${scope.warehouseId ?? '*'}:r${scope.regionId ?? '*'}`;
}

export const boardJoin = z.strictObject({ board: boardName, scope: boardScope.default({}) });
export type BoardJoin = z.infer<typeof boardJoin>;

export const boardJoinAck = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), room: z.string(), tiles: z.array(z.string()) }),
  z.object({ ok: z.literal(false), error: z.string() })
]);
export type BoardJoinAck = z.infer<typeof boardJoinAck>;

/**
 * One tile of a board: its data (parsed by the board's own tile schema on arrival),
 * the ledger point it reflects, and when it was computed. When a recomputation
 * fails, `error` says so and the data and asOf are the last good ones (or null).
 */
export const tileEvent = z.object({
  room: z.string(),
  board: boardName,
  tile: z.string(),
  data: z.unknown(),
  asOf: kpiAsOf,
  computedAt: z.iso.datetime(),
  error: z.string().nullable()
});
export type TileEvent = z.infer<typeof tileEvent>;
