import { io, type Socket } from 'socket.io-client';
import { helloEvent, LIVE_EVENTS, type HelloEvent } from '../../../schemas/live';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export interface ConnectionOptions {
  url?: string;
  /** A wall screen's kiosk token, instead of the session cookie. */
  kiosk?: string;
}

/**
 * The browser's one Socket.IO connection and its state, as Svelte runes so that
 * any component can show it. Events are parsed with their Zod schema on arrival.
 */
export class LiveConnection {
  state = $state<ConnectionState>('connecting');
  hello = $state<HelloEvent | null>(null);
  lastChange = $state(new Date());
  rejected = $state(0);
  /** Set when the server ended this screen's access (a revoked kiosk token). */
  revoked = $state(false);
  readonly socket: Socket;

  constructor(options: ConnectionOptions | string = {}) {
    const { url, kiosk } = typeof options === 'string' ? { url: options, kiosk: undefined } : options;
    const settings = { transports: ['websocket'], auth: kiosk ? { kiosk } : {} };
    this.socket = url ? io(url, settings) : io(settings);
    this.socket.on('connect', () => this.#set('connected'));
    this.socket.on('disconnect', (reason) => {
      this.#set('disconnected');
      // The server cut us off on purpose (revoked token): Socket.IO does not retry that by itself.
      if (reason === 'io server disconnect' && !this.revoked) setTimeout(() => this.socket.connect(), 2000);
    });
    this.socket.io.on('reconnect_attempt', () => this.#set('connecting'));
    this.socket.on(LIVE_EVENTS.revoked, () => (this.revoked = true));
    this.socket.on(LIVE_EVENTS.hello, (payload: unknown) => {
      const parsed = helloEvent.safeParse(payload);
      if (parsed.success) this.hello = parsed.data;
      else this.rejected += 1;
    });
  }

  #set(state: ConnectionState) {
    this.state = state;
    this.lastChange = new Date();
  }

  close() {
    this.socket.close();
  }
}

let shared: LiveConnection | undefined;

/** The tab's one connection, shared by the header and every board of the page (browser only). */
export function sharedConnection(): LiveConnection {
  shared ??= new LiveConnection();
  return shared;
}
