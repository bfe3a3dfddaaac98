import { hostname } from 'node:os';
import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import { helloEvent, LIVE_EVENTS } from '../../../../schemas/live';

/**
 * The live hub: binds the process's Socket.IO server. Today it greets each
 * connection (the home page's connection indicator); boards and rooms build on it.
 */
export class LiveHub {
  readonly node = `${hostname()}:${process.pid}`;
  #io: Server | undefined;

  constructor(
    private readonly log: Logger,
    private readonly startedAt: Date
  ) {}

  bind(io: Server): void {
    if (this.#io === io) return;
    this.#io = io;
    io.on('connection', (socket) => {
      const hello = helloEvent.parse({
        node: this.node,
        startedAt: this.startedAt.toISOString(),
        serverTime: new Date().toISOString()
      });
      socket.emit(LIVE_EVENTS.hello, hello);
      this.log.debug({ socket: socket.id }, 'live client connected');
    });
    this.log.info('live hub bound to Socket.IO');
  }

  get connections(): number {
    return this.#io?.engine.clientsCount ?? 0;
  }
}
