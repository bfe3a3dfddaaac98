import { io, type Socket } from 'socket.io-client';
import { helloEvent, LIVE_EVENTS, type HelloEvent } from '../../../schemas/live';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/**
 * The browser's one Socket.IO connection and its state, as Svelte runes so that
 * any component can show it. Events are parsed with their Zod schema on arrival.
 */
export class LiveConnection {
  state = $state<ConnectionState>('connecting');
  hello = $state<HelloEvent | null>(null);
  lastChange = $state(new Date());
  rejected = $state(0);
  #socket: Socket;

  constructor(url?: string) {
    this.#socket = url ? io(url, { transports: ['websocket'] }) : io({ transports: ['websocket'] });
    this.#socket.on('connect', () => this.#set('connected'));
    this.#socket.on('disconnect', () => this.#set('disconnected'));
    this.#socket.io.on('reconnect_attempt', () => this.#set('connecting'));
    this.#socket.on(LIVE_EVENTS.hello, (payload: unknown) => {
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
    this.#socket.close();
  }
}
