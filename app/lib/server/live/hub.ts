import { hostname } from 'node:os';
import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { boardJoin, helloEvent, LIVE_EVENTS, LIVE_ROOMS, type BoardJoinAck } from '../../../../schemas/live';
import { ingestProgress, landedEvent, type IngestProgress, type LandedEvent } from '../../../../schemas/ingest';
import { SESSION_COOKIE, sessionUser } from '../auth/sessions';
import { KIOSK_COOKIE, kioskOf } from '../auth/kiosk';
import type { CoreDb } from '../core/db';
import type { Viewer } from './boards/board';
import { authorizeBoard } from './boards/access';
import type { LiveRooms } from './rooms';

/** The room every socket of one kiosk token is in, so that revoking it disconnects them on every node. */
export const kioskRoom = (id: number) => `kiosk:${id}`;
const REVOKE_GRACE_MS = 1_000;

/**
 * The live hub: binds the process's Socket.IO server, greets each connection,
 * and for signed-in users and kiosk screens pushes what the CDC ingest lands and
 * the board tiles they joined (each join checked against the viewer's role).
 */
export class LiveHub {
  readonly node = `${hostname()}:${process.pid}`;
  #io: Server | undefined;
  #progress: IngestProgress | null = null;

  constructor(
    private readonly log: Logger,
    private readonly startedAt: Date,
    private readonly db: CoreDb,
    private readonly rooms: LiveRooms
  ) {}

  bind(io: Server): void {
    if (this.#io === io) return;
    this.#io = io;
    this.rooms.bind(io);
    io.on('connection', (socket) => void this.#welcome(socket));
    this.log.info('live hub bound to Socket.IO');
  }

  async #welcome(socket: Socket): Promise<void> {
    // Handlers first: a join sent right after connecting waits for the viewer, not lost.
    const viewer = this.#viewerOf(socket).catch((err) => {
      this.log.warn({ err }, 'could not identify a live client');
      return null;
    });
    socket.on(LIVE_EVENTS.join, (payload: unknown, ack: unknown) => void this.#join(socket, viewer, payload, ack));
    socket.on(LIVE_EVENTS.leave, (payload: unknown) => {
      const parsed = boardJoin.safeParse(payload);
      if (parsed.success) void this.rooms.leave(socket, parsed.data.board, parsed.data.scope);
    });
    const hello = helloEvent.parse({ node: this.node, startedAt: this.startedAt.toISOString(), serverTime: new Date().toISOString() });
    socket.emit(LIVE_EVENTS.hello, hello);
    const who = await viewer;
    if (!who) return; // anonymous sockets get the greeting only
    socket.data.viewer = who;
    if (who.kind === 'kiosk') await socket.join(kioskRoom(who.kiosk.id));
    await socket.join(LIVE_ROOMS.ingest);
    // A (re)connecting screen gets the current freshness at once, never a blank.
    if (this.#progress) socket.emit(LIVE_EVENTS.ingest, this.#progress);
  }

  async #join(socket: Socket, viewerP: Promise<Viewer | null>, payload: unknown, ack: unknown): Promise<void> {
    const reply = (answer: BoardJoinAck) => (typeof ack === 'function' ? ack(answer) : undefined);
    const parsed = boardJoin.safeParse(payload);
    if (!parsed.success) return reply({ ok: false, error: `invalid join: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'request'} ${i.message}`).join('; ')}` });
    const viewer = await viewerP;
    if (!viewer) {
      const kiosk = typeof (socket.handshake.auth as { kiosk?: unknown } | undefined)?.kiosk === 'string' || (socket.handshake.headers.cookie ?? '').includes(`${KIOSK_COOKIE}=`);
      return reply({ ok: false, error: kiosk ? 'this kiosk token is unknown or revoked' : 'sign in first (or open the screen with a kiosk token)' });
    }
    const allowed = authorizeBoard(viewer, parsed.data.board, parsed.data.scope);
    if ('error' in allowed) return reply({ ok: false, error: allowed.error });
    const scopeError = this.rooms.scopeError(parsed.data.board, allowed.scope);
    if (scopeError) return reply({ ok: false, error: scopeError });
    try {
      const joined = await this.rooms.join(socket, parsed.data.board, allowed.scope);
      reply({ ok: true, room: joined.room, tiles: joined.tiles });
    } catch (err) {
      this.log.error({ err }, 'board join failed');
      reply({ ok: false, error: 'the board could not be opened; try again' });
    }
  }

  /** A session (auth token or cookie) first; else a kiosk token (auth field or the wall screen's cookie). */
  async #viewerOf(socket: Socket): Promise<Viewer | null> {
    const auth = socket.handshake.auth as { token?: unknown; kiosk?: unknown } | undefined;
    const cookies = new Map(
      (socket.handshake.headers.cookie ?? '')
        .split(';')
        .map((c) => c.trim().split('='))
        .filter((kv): kv is [string, string] => kv.length === 2)
        .map(([k, v]) => [k, decodeURIComponent(v)])
    );
    if (typeof auth?.kiosk === 'string') return this.#kiosk(auth.kiosk);
    const session = typeof auth?.token === 'string' ? auth.token : (cookies.get(SESSION_COOKIE) ?? null);
    const user = await sessionUser(this.db, session);
    if (user) return { kind: 'user', user };
    const kiosk = cookies.get(KIOSK_COOKIE);
    return kiosk ? this.#kiosk(kiosk) : null;
  }

  async #kiosk(token: string): Promise<Viewer | null> {
    const kiosk = await kioskOf(this.db, token);
    return kiosk ? { kind: 'kiosk', kiosk } : null;
  }

  /** A batch landed in ClickHouse: tell the screens which keys moved, and recompute the tiles it touched. */
  landed(event: LandedEvent): void {
    const parsed = landedEvent.parse(event);
    this.#io?.to(LIVE_ROOMS.ingest).emit(LIVE_EVENTS.landed, parsed);
    this.rooms.landed(parsed);
  }

  ingestProgress(progress: IngestProgress): void {
    this.#progress = ingestProgress.parse(progress);
    this.#io?.to(LIVE_ROOMS.ingest).emit(LIVE_EVENTS.ingest, this.#progress);
  }

  /** A revoked kiosk token: its screens are told and disconnected, on every node (through the adapter). */
  kioskRevoked(id: number): void {
    const io = this.#io;
    io?.to(kioskRoom(id)).emit(LIVE_EVENTS.revoked, { id });
    // Through the PostgreSQL adapter the notice and the disconnect are two NOTIFYs that may
    // travel on different connections, so their order is not guaranteed: the cut follows a
    // moment later. The token is already refused, so a screen cannot rejoin meanwhile.
    setTimeout(() => io?.in(kioskRoom(id)).disconnectSockets(false), REVOKE_GRACE_MS).unref();
  }

  get connections(): number {
    return this.#io?.engine.clientsCount ?? 0;
  }
}
