import type { z } from 'zod';
import { boardJoinAck, LIVE_EVENTS, roomOf, tileEvent, type BoardName, type BoardScope, type TileEvent } from '../../../schemas/live';
import { untrack } from 'svelte';
import { sharedConnection, type LiveConnection } from './connection.svelte';

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

export interface BoardPageData {
  board: BoardName;
  scope: BoardScope;
  tiles: Record<string, TileEvent>;
}

/**
 * A board page's live tiles, for its component to call once at init: from mount,
 * a LiveBoard on the tab's shared connection for the page's board and scope (a new
 * one when the page moves to another scope, e.g. a drill-down), and until then the
 * server-rendered snapshot.
 */
export function followBoard(page: () => BoardPageData) {
  let live = $state<LiveBoard | null>(null);
  let connection = $state<LiveConnection | null>(null);
  const room = $derived(roomOf(page().board, page().scope));
  $effect(() => {
    room; // a new room (scope) is a new board; a reloaded snapshot of the same room is not
    const { board, scope, tiles } = untrack(page);
    connection = sharedConnection();
    const following = new LiveBoard(connection, board, scope, tiles);
    live = following;
    return () => following.close();
  });
  return {
    get live() {
      return live;
    },
    get connection() {
      return connection;
    },
    /** The live tiles of the page's room, or the page's snapshot. */
    get tiles(): Record<string, TileEvent> {
      return live && roomOf(live.board, live.scope) === room ? live.tiles : page().tiles;
    }
  };
}
