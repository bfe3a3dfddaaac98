import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Server } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { coreFixture, type CoreFixture } from '../support/core';
import { ingestBench, type IngestBench } from '../ingest/support';
import { parseLsn } from '../../ingest/lsn';
import type { TileEvent } from '../../schemas/live';
import { LiveHub } from '../../app/lib/server/live/hub';
import { LiveRooms } from '../../app/lib/server/live/rooms';
import { BOARD_DEFINITIONS } from '../../app/lib/server/live/boards';
import { useClusterAdapter } from '../../app/lib/server/live/adapter';
import { login } from '../../app/lib/server/auth/sessions';
import { createKioskToken, revokeKioskToken } from '../../app/lib/server/auth/kiosk';
import type { BoardJoinAck } from '../../schemas/live';
import type { Role } from '../../schemas/api/roles';

/**
 * The live hub on real Socket.IO servers over a real core database streaming into
 * chDB through the ingest: who may join which board room (sessions by role,
 * warehouse leads, kiosk tokens by auth field and by cookie, revocation), two app
 * nodes sharing rooms through the PostgreSQL adapter, and a sale reaching a screen.
 */
let f: CoreFixture;
let ingest: IngestBench;
const nodes: { url: string; hub: LiveHub; io: Server; rooms: LiveRooms }[] = [];
const sockets: Socket[] = [];
const log = pino({ level: 'silent' });

async function node(): Promise<(typeof nodes)[number]> {
  const http = createServer();
  const io = new Server(http);
  await useClusterAdapter(io, f.pool, log);
  const rooms = new LiveRooms({ boards: BOARD_DEFINITIONS, context: () => ({ ch: ingest.clickhouse.client, db: f.db }), log, minIntervalMs: 100, refreshMs: 3_600_000 });
  const hub = new LiveHub(log, new Date(), f.db, rooms);
  hub.bind(io);
  ingest.pipeline.on('landed', (e) => hub.landed(e));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const n = { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, hub, io, rooms };
  nodes.push(n);
  return n;
}

beforeAll(async () => {
  f = await coreFixture();
  ingest = await ingestBench({ url: f.url });
  ingest.startPipeline();
  await ingest.settle(60_000);
  await node();
  await node();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  for (const n of nodes) {
    n.rooms.stop();
    await new Promise((r) => n.io.close(r));
  }
  await ingest?.close();
});

async function open(options: { token?: string; kiosk?: string; cookie?: string } = {}, at = nodes[0]!): Promise<Socket> {
  const socket = connect(at.url, {
    transports: ['websocket'],
    auth: options.kiosk ? { kiosk: options.kiosk } : options.token ? { token: options.token } : {},
    extraHeaders: options.cookie ? { cookie: options.cookie } : {}
  });
  sockets.push(socket);
  await new Promise((resolve, reject) => {
    socket.on('connect', () => resolve(undefined));
    socket.on('connect_error', reject);
  });
  return socket;
}
const as = async (role: Role) => open({ token: (await login(f.db, { email: `${role}@test.local`, password: 'correct horse battery' })).token });
const join = (s: Socket, payload: unknown) => s.timeout(10_000).emitWithAck('board:join', payload) as Promise<BoardJoinAck>;

describe('board rooms: who may join', () => {
  it('refuses anonymous sockets and malformed joins with a reason', async () => {
    const anon = await open();
    expect(await join(anon, { board: 'alerts' })).toEqual({ ok: false, error: 'sign in first (or open the screen with a kiosk token)' });
    const planner = await as('planner');
    const bad = await join(planner, { board: 'payroll', scope: { warehouseId: -1 } });
    expect(bad.ok).toBe(false);
    expect(bad.ok === false && bad.error).toMatch(/^invalid join: board .*; scope\.warehouseId/);
  });

  it('lets a role join the boards of its pages and refuses the others', async () => {
    const sales = await as('sales');
    expect(await join(sales, { board: 'executive' })).toEqual({ ok: false, error: 'the executive board is not open to the sales role' });
    expect(await join(sales, { board: 'planner' })).toMatchObject({ ok: false });
    expect(await join(sales, { board: 'alerts' })).toMatchObject({ ok: true, room: 'board:alerts:w*:r*' });
    const executive = await as('executive');
    expect(await join(executive, { board: 'executive', scope: { regionId: f.region.id } })).toMatchObject({ ok: true, room: `board:executive:w*:r${f.region.id}` });
  });

  it('refuses a board at a scope it cannot show: a wall screen names its warehouse', async () => {
    const executive = await as('executive');
    expect(await join(executive, { board: 'wall' })).toEqual({ ok: false, error: 'the wall screen shows one warehouse: name it' });
  });

  it('keeps a warehouse lead to its own warehouse', async () => {
    const lead = await as('warehouse');
    expect(await join(lead, { board: 'wall', scope: { warehouseId: f.whB.id } })).toEqual({ ok: false, error: `you watch warehouse ${f.whA.id} only` });
    expect(await join(lead, { board: 'wall' })).toMatchObject({ ok: true, room: `board:wall:w${f.whA.id}:r*` });
  });

  it('opens one warehouse wall screen with a kiosk token, by auth field or cookie, and nothing else', async () => {
    const { token } = await createKioskToken(f.db, f.actorFor('admin'), { warehouseId: f.whA.id, label: 'Dock door 1' });
    const kiosk = await open({ kiosk: token });
    expect(await join(kiosk, { board: 'wall', scope: { warehouseId: f.whA.id } })).toMatchObject({ ok: true });
    expect(await join(kiosk, { board: 'wall', scope: { warehouseId: f.whB.id } })).toEqual({ ok: false, error: `this kiosk token is for warehouse ${f.whA.id}` });
    expect(await join(kiosk, { board: 'executive' })).toMatchObject({ ok: false, error: 'a kiosk token opens the wall screen only, not the executive board' });
    const byCookie = await open({ cookie: `opstower_kiosk=${encodeURIComponent(token)}` });
    expect(await join(byCookie, { board: 'wall', scope: { warehouseId: f.whA.id } })).toMatchObject({ ok: true });
    const forged = await open({ kiosk: `${token}x` });
    expect(await join(forged, { board: 'wall', scope: { warehouseId: f.whA.id } })).toEqual({ ok: false, error: 'this kiosk token is unknown or revoked' });
  });

  it('revoking a token on one node disconnects its screens on every node, and the token no longer opens anything', async () => {
    const { token, kiosk } = await createKioskToken(f.db, f.actorFor('warehouse'), { warehouseId: f.whA.id, label: 'Wall by packing' });
    const onOther = await open({ kiosk: token }, nodes[1]);
    expect(await join(onOther, { board: 'wall', scope: { warehouseId: f.whA.id } })).toMatchObject({ ok: true });
    const told = new Promise((r) => onOther.on('kiosk:revoked', r));
    const dropped = new Promise((r) => onOther.on('disconnect', (reason) => r(reason)));
    await revokeKioskToken(f.db, f.actorFor('warehouse'), { id: kiosk.id });
    nodes[0]!.hub.kioskRevoked(kiosk.id); // what the kiosk.revoke procedure does, here on the other node
    await told;
    expect(await dropped).toBe('io server disconnect');
    const again = await open({ kiosk: token });
    expect(await join(again, { board: 'wall', scope: { warehouseId: f.whA.id } })).toEqual({ ok: false, error: 'this kiosk token is unknown or revoked' });
  });

  it('a warehouse lead cannot make a kiosk token for another warehouse', async () => {
    await expect(createKioskToken(f.db, f.actorFor('warehouse'), { warehouseId: f.whB.id, label: 'B' })).rejects.toThrow(/warehouse .* only/);
  });

  it('pushes a sale to a joined executive screen once it has landed: a tile at or beyond the commit LSN', async () => {
    const executive = await as('executive');
    const tiles: TileEvent[] = [];
    executive.on('tile', (t: TileEvent) => tiles.push(t));
    expect(await join(executive, { board: 'executive' })).toMatchObject({ ok: true });
    expect(tiles.length).toBeGreaterThan(0); // the current state at once
    await f.stockUp(f.locA, f.products[0]!.id, 50);
    const order = await f.as('sales').orders.create({ customerId: f.customer.id, warehouseId: f.whA.id, lines: [{ productId: f.products[0]!.id, qty: 4 }] });
    await f.as('sales').orders.confirm({ orderId: order.id });
    await f.as('warehouse').orders.ship({ orderId: order.id });
    const { rows } = await f.pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    const committed = parseLsn(rows[0]!.lsn);
    const shown = () => tiles.find((t) => t.asOf.lsn !== null && parseLsn(t.asOf.lsn) >= committed && BOARD_DEFINITIONS.executive.tiles.find((d) => d.name === t.tile)!.tables.includes('shipments'));
    const deadline = Date.now() + 30_000;
    while (!shown() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(shown(), `tiles seen: ${tiles.map((t) => `${t.tile}@${t.asOf.lsn}${t.error ? ' (' + t.error + ')' : ''}`).join(', ')}`).toBeDefined();
    expect(shown()!.error).toBeNull();
  });
});
