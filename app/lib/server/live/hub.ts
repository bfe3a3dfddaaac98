import { hostname } from 'node:os';
import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { helloEvent, LIVE_EVENTS, LIVE_ROOMS } from '../../../../schemas/live';
import { ingestProgress, landedEvent, type IngestProgress, type LandedEvent } from '../../../../schemas/ingest';
import { SESSION_COOKIE, sessionUser } from '../auth/sessions';
import type { SessionUser } from '../../../../schemas/api/auth';
import type { CoreDb } from '../core/db';

/**
 * The live hub: binds the process's Socket.IO server, greets each connection (the
 * home page's connection indicator) and, for signed-in users only, pushes what the
 * CDC ingest lands and how fresh it is. Boards build their rooms on the same pattern.
 */
export class LiveHub {
  readonly node = `${hostname()}:${process.pid}`;
  #io: Server | undefined;
  #progress: IngestProgress | null = null;

  constructor(
    private readonly log: Logger,
    private readonly startedAt: Date,
    private readonly db: CoreDb
  ) {}

  bind(io: Server): void {
    if (this.#io === io) return;
    this.#io = io;
    io.on('connection', (socket) => void this.#welcome(socket));
    this.log.info('live hub bound to Socket.IO');
  }

  async #welcome(socket: Socket): Promise<void> {
    const hello = helloEvent.parse({ node: this.node, startedAt: this.startedAt.toISOString(), serverTime: new Date().toISOString() });
    socket.emit(LIVE_EVENTS.hello, hello);
    const user = await this.#userOf(socket).catch(() => null);
    if (!user) return; // anonymous sockets get the greeting only
    socket.data.user = user;
    await socket.join(LIVE_ROOMS.ingest);
    // A (re)connecting screen gets the current freshness at once, never a blank.
    if (this.#progress) socket.emit(LIVE_EVENTS.ingest, this.#progress);
    this.log.debug({ socket: socket.id, user: user.id }, 'live client signed in');
  }

  async #userOf(socket: Socket): Promise<SessionUser | null> {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const fromAuth = typeof auth?.token === 'string' ? auth.token : null;
    const cookie = socket.handshake.headers.cookie ?? '';
    const fromCookie = cookie
      .split(';')
      .map((c) => c.trim().split('='))
      .find(([k]) => k === SESSION_COOKIE)?.[1];
    return sessionUser(this.db, fromAuth ?? (fromCookie ? decodeURIComponent(fromCookie) : null));
  }

  /** A batch landed in ClickHouse: tell the screens which keys moved, and up to which LSN. */
  landed(event: LandedEvent): void {
    this.#io?.to(LIVE_ROOMS.ingest).emit(LIVE_EVENTS.landed, landedEvent.parse(event));
  }

  ingestProgress(progress: IngestProgress): void {
    this.#progress = ingestProgress.parse(progress);
    this.#io?.to(LIVE_ROOMS.ingest).emit(LIVE_EVENTS.ingest, this.#progress);
  }

  get connections(): number {
    return this.#io?.engine.clientsCount ?? 0;
  }
}
