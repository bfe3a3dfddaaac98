import type { Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { LIVE_EVENTS, tileEvent, type BoardName, type BoardScope, type TileEvent } from '../../../../schemas/live';
import type { LandedEvent } from '../../../../schemas/ingest';
import type { BoardDefinition, TileContext, TileDefinition } from './boards/board';
import { roomOf } from '../../../../schemas/live';
import { tileDuration, tilePushes } from '../../../../platform/metrics';

export interface RoomOptions {
  boards: Readonly<Record<BoardName, BoardDefinition>>;
  context: () => Omit<TileContext, 'now'>;
  /** The instant tiles are computed at ("today", ages): the business clock. Default: the wall clock. */
  now?: () => Promise<Date>;
  log: Logger;
  /** At most one recomputation per room in this interval (bounded rate per room). */
  minIntervalMs: number;
  /** Tiles that age with the clock (late, aging) are recomputed at least this often. */
  refreshMs: number;
}

interface Room {
  name: string;
  board: BoardDefinition;
  scope: BoardScope;
  /** The last value of each tile: a (re)joining screen gets it at once. */
  tiles: Map<string, TileEvent>;
  dirty: Set<string>;
  /** When each tile was last computed (a tile with minIntervalMs waits for its turn). */
  computedAt: Map<string, number>;
  running: Promise<void> | null;
  lastRun: number;
  timer: NodeJS.Timeout | null;
  /** When the pending timer fires. */
  timerAt: number;
}

/**
 * The board rooms of this process. Tiles are computed here for the rooms this
 * node's sockets are in, and emitted to those sockets (io.local): each node serves
 * its own screens, so a tile is never delivered twice. After a landed batch only
 * the tiles whose tables it touched are recomputed, at most once per interval.
 */
export class LiveRooms {
  #rooms = new Map<string, Room>();
  #io: Server | undefined;
  #clock: NodeJS.Timeout | undefined;

  constructor(private readonly options: RoomOptions) {}

  bind(io: Server): void {
    this.#io = io;
    io.of('/').adapter.on('delete-room', (name: string) => this.#drop(name));
    clearInterval(this.#clock);
    this.#clock = setInterval(() => this.#tick(), this.options.refreshMs);
    this.#clock.unref();
  }

  /** Why a board cannot be opened at a scope (e.g. a wall screen without a warehouse), or null. */
  scopeError(board: BoardName, scope: BoardScope): string | null {
    return this.options.boards[board].validateScope?.(scope) ?? null;
  }

  /** Puts a socket in a board's room and sends it the room's current tiles, computing them if the room is new. */
  async join(socket: Socket, board: BoardName, scope: BoardScope): Promise<{ room: string; tiles: string[] }> {
    const room = this.#roomFor(board, scope);
    if (room.tiles.size < room.board.tiles.length) await this.#complete(room);
    // Joined after the tiles exist, then sent the cache: every tile once, never a blank.
    await socket.join(room.name);
    for (const tile of room.tiles.values()) socket.emit(LIVE_EVENTS.tile, tile);
    return { room: room.name, tiles: room.board.tiles.map((t) => t.name) };
  }

  async leave(socket: Socket, board: BoardName, scope: BoardScope): Promise<void> {
    await socket.leave(roomOf(board, scope));
  }

  /**
   * The current tiles of a board for a page's first paint. The room is kept (with no
   * socket until the page's screen joins a moment later, then served from its cache);
   * a room nobody joins is dropped at the next refresh tick.
   */
  async snapshot(board: BoardName, scope: BoardScope): Promise<Record<string, TileEvent>> {
    const room = this.#roomFor(board, scope);
    if (room.tiles.size < room.board.tiles.length) await this.#complete(room);
    return Object.fromEntries(room.tiles);
  }

  landed(event: LandedEvent): void {
    const touched = new Set(event.tables);
    for (const room of this.#rooms.values()) {
      for (const tile of room.board.tiles) {
        if (!tile.tables.some((t) => touched.has(t))) continue;
        const wh = room.scope.warehouseId;
        if (tile.ownWarehouseOnly && wh !== undefined && !event.keysTruncated && event.warehouseIds.length > 0 && !event.warehouseIds.includes(wh)) continue;
        room.dirty.add(tile.name);
      }
      if (room.dirty.size > 0) this.#schedule(room);
    }
  }

  /** Rooms and their local socket counts (metrics, tests). */
  get rooms(): { room: string; sockets: number }[] {
    return [...this.#rooms.keys()].map((room) => ({ room, sockets: this.#io?.of('/').adapter.rooms.get(room)?.size ?? 0 }));
  }

  stop(): void {
    clearInterval(this.#clock);
    for (const room of this.#rooms.values()) if (room.timer) clearTimeout(room.timer);
    this.#rooms.clear();
  }

  #tick(): void {
    for (const room of this.#rooms.values()) {
      // A screen that disconnected while its room was first computed left it empty.
      if (!room.running && !this.#io?.of('/').adapter.rooms.get(room.name)?.size) {
        this.#drop(room.name);
        continue;
      }
      for (const tile of room.board.tiles) room.dirty.add(tile.name);
      this.#schedule(room);
    }
  }

  #roomFor(board: BoardName, scope: BoardScope): Room {
    const name = roomOf(board, scope);
    let room = this.#rooms.get(name);
    if (!room) {
      const definition = this.options.boards[board];
      room = { name, board: definition, scope, tiles: new Map(), dirty: new Set(definition.tiles.map((t) => t.name)), computedAt: new Map(), running: null, lastRun: 0, timer: null, timerAt: 0 };
      this.#rooms.set(name, room);
    }
    return room;
  }

  /** Waits until every tile of a new room has a value, computing now rather than after the rate limit. */
  async #complete(room: Room): Promise<void> {
    if (room.running) await room.running;
    if (room.tiles.size === room.board.tiles.length) return;
    if (room.timer) clearTimeout(room.timer);
    room.timer = null;
    for (const tile of room.board.tiles) if (!room.tiles.has(tile.name)) room.dirty.add(tile.name);
    this.#schedule(room, true);
    await room.running;
  }

  #drop(name: string): void {
    const room = this.#rooms.get(name);
    if (!room) return;
    if (room.timer) clearTimeout(room.timer);
    this.#rooms.delete(name);
  }

  /** When a dirty tile may next be computed: its own interval since it last was (0 for a tile never computed). */
  #dueAt(room: Room, name: string): number {
    const tile = room.board.tiles.find((t) => t.name === name);
    return (room.computedAt.get(name) ?? -Infinity) + (tile?.minIntervalMs ?? 0);
  }

  #schedule(room: Room, now = false): void {
    if (room.running) return; // the running pass reschedules what got dirty meanwhile
    const firstDue = Math.min(...[...room.dirty].map((name) => this.#dueAt(room, name)));
    const wait = now ? 0 : Math.max(0, room.lastRun + this.options.minIntervalMs - Date.now(), firstDue - Date.now());
    // A pass already planned as soon or sooner stands; a tile due earlier brings it forward.
    if (room.timer) {
      if (room.timerAt <= Date.now() + wait) return;
      clearTimeout(room.timer);
      room.timer = null;
    }
    const start = () => {
      room.timer = null;
      room.running = this.#run(room).finally(() => {
        room.running = null;
        if (room.dirty.size > 0 && this.#rooms.get(room.name) === room) this.#schedule(room);
      });
    };
    if (wait === 0) start();
    else {
      room.timerAt = Date.now() + wait;
      room.timer = setTimeout(start, wait);
    }
  }

  async #run(room: Room): Promise<void> {
    room.lastRun = Date.now();
    // Tiles whose own interval has not passed stay dirty for a later pass.
    const names = [...room.dirty].filter((name) => this.#dueAt(room, name) <= room.lastRun);
    for (const name of names) room.dirty.delete(name);
    const ctx = { ...this.options.context(), now: await this.#now() };
    for (const tile of room.board.tiles.filter((t) => names.includes(t.name))) {
      room.computedAt.set(tile.name, Date.now());
      const event = await this.#compute(room.name, room.board.name, tile, room.scope, ctx, room.tiles.get(tile.name));
      room.tiles.set(tile.name, event);
      this.#io?.local.to(room.name).emit(LIVE_EVENTS.tile, event);
      tilePushes.inc({ board: room.board.name });
    }
  }

  /** The business now; the wall clock when the core cannot say (its tiles then fail and keep their last data anyway). */
  async #now(): Promise<Date> {
    try {
      return this.options.now ? await this.options.now() : new Date();
    } catch (err) {
      this.options.log.warn({ err }, 'business clock unreadable; tiles use the wall clock');
      return new Date();
    }
  }

  /** A failed recomputation keeps the last good data and asOf, so the screen shows it as stale, not blank. */
  async #compute(room: string, board: BoardName, tile: TileDefinition, scope: BoardScope, ctx: TileContext, previous?: TileEvent): Promise<TileEvent> {
    const computedAt = new Date().toISOString();
    const timer = tileDuration.startTimer({ board, tile: tile.name });
    try {
      const value = await tile.compute(ctx, scope).finally(timer);
      return tileEvent.parse({ room, board, tile: tile.name, data: value.data, asOf: value.asOf, computedAt, error: null });
    } catch (err) {
      this.options.log.warn({ err, room, tile: tile.name }, 'tile computation failed');
      const error = 'could not be recomputed; showing the last data';
      return { room, board, tile: tile.name, data: previous?.data ?? null, asOf: previous?.asOf ?? { lsn: null, commitTime: null }, computedAt, error };
    }
  }
}
