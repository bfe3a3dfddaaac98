import type { z } from 'zod';
import { boardJoinAck, LIVE_EVENTS, roomOf, tileEvent, type BoardName, type BoardScope, type TileEvent } from '../../../schemas/live';
import type { LiveConnection } from './connection.svelte';

/**
 * A board as a screen sees it: joins the board's room on every (re)connect, keeps
 * the latest event of each tile, and parses tile data with the tile's own schema.
 * Tiles start from the page's server-rendered snapshot, so nothing is ever blank.
 */
export class LiveBoard {
  tiles = $state<Record<string, TileEvent>>({});
  error = $state<string | null>(null);
  joined = $state(false);
  /** Tile events dropped because they did not match their schema. */
  rejected = $state(0);
  /** This board's room: tiles of another scope (still in flight after a drill-down) are not ours. */
  #room: string;
  #off: () => void;

  constructor(
    private readonly connection: LiveConnection,
    readonly board: BoardName,
    readonly scope: BoardScope,
    initial: Record<string, TileEvent> = {}
  ) {
    this.#room = roomOf(board, scope);
    this.tiles = initial;
    const socket = connection.socket;
    const onTile = (payload: unknown) => {
      const parsed = tileEvent.safeParse(payload);
      if (!parsed.success) return void (this.rejected += 1);
      if (parsed.data.room !== this.#room) return;
      this.tiles = { ...this.tiles, [parsed.data.tile]: parsed.data };
    };
    const onConnect = () => void this.#join();
    const onDisconnect = () => (this.joined = false);
    socket.on(LIVE_EVENTS.tile, onTile);
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    if (socket.connected) void this.#join();
    this.#off = () => {
      socket.off(LIVE_EVENTS.tile, onTile);
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      if (socket.connected) socket.emit(LIVE_EVENTS.leave, { board, scope });
    };
  }

  async #join() {
    try {
      const answer = boardJoinAck.parse(await this.connection.socket.timeout(15_000).emitWithAck(LIVE_EVENTS.join, { board: this.board, scope: this.scope }));
      if (answer.ok) {
        this.#room = answer.room; // the scope the server settled on (a warehouse lead's own warehouse)
        this.joined = true;
        this.error = null;
      } else this.error = answer.error;
    } catch {
      this.error = 'the server did not answer the board join';
    }
  }

  /** A tile's data parsed with its schema, or null when absent or malformed. */
  data<S extends z.ZodType>(tile: string, schema: S): z.output<S> | null {
    const event = this.tiles[tile];
    if (!event || event.data === null) return null;
    const parsed = schema.safeParse(event.data);
    return parsed.success ? parsed.data : null;
  }

  close() {
    this.#off();
  }
}
