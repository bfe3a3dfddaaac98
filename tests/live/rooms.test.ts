import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Server, type Socket as ServerSocket } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { LiveRooms } from '../../app/lib/server/live/rooms';
import type { BoardDefinition, TileDefinition } from '../../app/lib/server/live/boards/board';
import type { BoardName, TileEvent } from '../../schemas/live';
import type { LandedEvent } from '../../schemas/ingest';

/**
 * The room engine on a real Socket.IO server, with boards of counting tiles: which
 * tiles a landed batch recomputes, how often, what a (re)joining screen gets, and
 * what a failing tile shows. (The role checks are in hub.test.ts.)
 */
const INTERVAL = 150;
/** Computations per tile and warehouse (rooms of other tests recompute too). */
const calls: Record<string, number> = {};
const count = (tile: string, wh: number) => calls[`${tile}@${wh}`] ?? 0;
let failFlaky = false;

const tile = (name: string, tables: string[], extra: Partial<TileDefinition> = {}): TileDefinition => ({
  name,
  tables,
  async compute(_ctx, scope) {
    const key = `${name}@${scope.warehouseId}`;
    calls[key] = (calls[key] ?? 0) + 1;
    if (name === 'flaky' && failFlaky) throw new Error('ClickHouse went away');
    return { data: { n: calls[key], scope }, asOf: { lsn: `0/${calls[key]}`, commitTime: new Date().toISOString() } };
  },
  ...extra
});

const SLOW_MS = 700;
const board: BoardDefinition = {
  name: 'executive',
  tiles: [
    tile('orders', ['sales_orders']),
    tile('stock', ['stock_moves']),
    tile('local', ['stock_moves'], { ownWarehouseOnly: true }),
    tile('flaky', ['alerts']),
    tile('slow', ['invoices'], { minIntervalMs: SLOW_MS })
  ]
};
const boards = { executive: board, planner: board, wall: board, alerts: board } as Record<BoardName, BoardDefinition>;

let io: Server;
let rooms: LiveRooms;
let url: string;
const clients: Socket[] = [];

beforeAll(async () => {
  const http = createServer();
  io = new Server(http);
  rooms = new LiveRooms({ boards, context: () => ({}) as never, log: pino({ level: 'silent' }), minIntervalMs: INTERVAL, refreshMs: 3_600_000 });
  rooms.bind(io);
  io.on('connection', (socket: ServerSocket) => {
    socket.on('join', async (scope: { warehouseId?: number }, ack: (r: unknown) => void) => ack(await rooms.join(socket, 'executive', scope)));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const c of clients) c.close();
  rooms.stop();
  await new Promise((r) => io.close(r));
});

async function screen(scope: { warehouseId?: number } = {}) {
  const socket = connect(url, { transports: ['websocket'] });
  clients.push(socket);
  const tiles: TileEvent[] = [];
  socket.on('tile', (t: TileEvent) => tiles.push(t));
  await new Promise((r) => socket.on('connect', () => r(undefined)));
  const joined = (await socket.emitWithAck('join', scope)) as { room: string; tiles: string[] };
  return { socket, tiles, joined };
}

const landed = (tables: string[], warehouseIds: number[] = []): LandedEvent => ({
  slot: 's',
  lsn: '0/1',
  commitTimeFrom: new Date().toISOString(),
  commitTimeTo: new Date().toISOString(),
  landedAt: new Date().toISOString(),
  transactions: 1,
  rows: 1,
  tables,
  warehouseIds,
  productIds: [],
  orderIds: [],
  keysTruncated: false
});
const settle = (ms = INTERVAL * 3) => new Promise((r) => setTimeout(r, ms));
const reset = () => Object.keys(calls).forEach((k) => delete calls[k]);

describe('board rooms', () => {
  it('sends a joining screen every tile at once, and a second screen the cached ones without recomputing', async () => {
    reset();
    const first = await screen({ warehouseId: 1 });
    expect(first.joined.tiles).toEqual(['orders', 'stock', 'local', 'flaky', 'slow']);
    expect(first.tiles.map((t) => t.tile).sort()).toEqual(['flaky', 'local', 'orders', 'slow', 'stock']);
    const second = await screen({ warehouseId: 1 });
    expect(second.tiles).toHaveLength(5);
    expect(count('orders', 1)).toBe(1); // served from the room's cache
    expect(second.tiles.find((t) => t.tile === 'orders')!.data).toEqual({ n: 1, scope: { warehouseId: 1 } });
  });

  it('recomputes only the tiles whose tables a landed batch touched', async () => {
    const s = await screen({ warehouseId: 1 });
    reset();
    s.tiles.length = 0;
    rooms.landed(landed(['sales_orders']));
    await settle();
    expect([count('orders', 1), count('stock', 1), count('local', 1), count('flaky', 1)]).toEqual([1, 0, 0, 0]);
    expect(s.tiles.map((t) => t.tile)).toEqual(['orders']);
  });

  it('leaves a warehouse-only tile alone when the batch was about other warehouses', async () => {
    await screen({ warehouseId: 1 });
    reset();
    rooms.landed(landed(['stock_moves'], [2]));
    await settle();
    expect(count('stock', 1)).toBe(1);
    expect(count('local', 1)).toBe(0);
    rooms.landed(landed(['stock_moves'], [1, 2]));
    await settle();
    expect(count('local', 1)).toBe(1);
  });

  it('bounds the rate per room: a burst of batches costs a few recomputations, and the last state is pushed', async () => {
    const s = await screen({ warehouseId: 7 });
    reset();
    s.tiles.length = 0;
    const started = Date.now();
    while (Date.now() - started < INTERVAL * 4) {
      rooms.landed(landed(['sales_orders']));
      await new Promise((r) => setTimeout(r, 5));
    }
    await settle();
    const elapsed = Date.now() - started;
    // Around 100 batches landed; at most one pass per interval (plus the first at once and the trailing one).
    expect(count('orders', 7)).toBeGreaterThanOrEqual(2);
    expect(count('orders', 7)).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL) + 1);
    const pushed = s.tiles.filter((t) => t.tile === 'orders' && t.room === s.joined.room);
    expect(pushed.at(-1)!.data).toMatchObject({ n: count('orders', 7) });
  });

  it('holds a costly tile to its own interval while the others follow every pass, and catches it up after the burst', async () => {
    const s = await screen({ warehouseId: 11 });
    reset();
    s.tiles.length = 0;
    const started = Date.now();
    while (Date.now() - started < SLOW_MS * 2) {
      rooms.landed(landed(['sales_orders', 'invoices']));
      await new Promise((r) => setTimeout(r, 5));
    }
    const during = count('slow', 11);
    await settle(SLOW_MS + INTERVAL * 2);
    const elapsed = Date.now() - started;
    expect(count('orders', 11)).toBeGreaterThanOrEqual(Math.floor((SLOW_MS * 2) / INTERVAL) - 1);
    expect(during).toBeLessThanOrEqual(Math.ceil((SLOW_MS * 2) / SLOW_MS) + 1);
    expect(count('slow', 11)).toBeLessThanOrEqual(Math.ceil(elapsed / SLOW_MS) + 1);
    // The last batch's change reached the costly tile too, once its interval passed.
    const last = s.tiles.filter((t) => t.tile === 'slow').at(-1)!;
    expect(last.data).toMatchObject({ n: count('slow', 11) });
    expect(Date.parse(last.computedAt)).toBeGreaterThan(started + SLOW_MS);
  });

  it('keeps the last good data of a tile that fails, marked with the error', async () => {
    const s = await screen({ warehouseId: 3 });
    const good = s.tiles.find((t) => t.tile === 'flaky')!;
    expect(good.error).toBeNull();
    failFlaky = true;
    s.tiles.length = 0;
    rooms.landed(landed(['alerts']));
    await settle();
    failFlaky = false;
    const failed = s.tiles.find((t) => t.tile === 'flaky')!;
    expect(failed.error).toMatch(/could not be recomputed/);
    expect(failed.data).toEqual(good.data);
    expect(failed.asOf).toEqual(good.asOf);
  });

  it('forgets a room when its last screen leaves', async () => {
    const s = await screen({ warehouseId: 9 });
    expect(rooms.rooms.map((r) => r.room)).toContain(s.joined.room);
    s.socket.close();
    await settle(200);
    expect(rooms.rooms.map((r) => r.room)).not.toContain(s.joined.room);
  });
});
