/**
 * Simulated time. Instants are epoch milliseconds (UTC) on the simulated
 * timeline; the wall clock is the real one (and the database's now()).
 *
 * A live clock runs `compression` simulated milliseconds per wall millisecond
 * (a simulated day in N real minutes: compression = 1440 / N; 1 is real time).
 * A manual clock stands still until it is moved (tests, and runs that should
 * go as fast as the database allows): waiting for an instant jumps to it.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Simulated milliseconds per wall millisecond when a simulated day lasts `minutes` real minutes. */
export function compressionFor(simDayMinutes: number): number {
  if (!(simDayMinutes > 0) || !Number.isFinite(simDayMinutes)) throw new Error(`a simulated day lasts a positive number of minutes, not ${simDayMinutes}`);
  return (24 * 60) / simDayMinutes;
}

/** Wall milliseconds that `simMs` of simulated time take at a compression. */
export const wallDuration = (simMs: number, compression: number) => simMs / compression;

export interface SimClock {
  /** The simulated instant now. */
  now(): number;
  /**
   * The simulated instant of a wall-clock instant (a timestamp the database
   * wrote). Before the clock started, time counts back 1:1 from its start, so a
   * document from the history before the run is as old as it really is.
   */
  simAt(wall: Date | number): number;
  /** Resolves once simulated time has reached `at` (a manual clock jumps there), or at once when aborted. */
  waitUntil(at: number, signal?: AbortSignal): Promise<void>;
  /** Simulated ms per wall ms; Infinity for a manual clock (no wall time passes between its instants). */
  readonly compression: number;
}

export interface LiveClockOptions {
  /** The simulated instant at which the clock starts (default: the wall time at start). */
  start?: number;
  /** A simulated day lasts this many real minutes (default 1440: real time). */
  simDayMinutes?: number;
  /** The wall clock (tests may pass their own). */
  wallNow?: () => number;
}

/** A clock that runs by itself, `compression` times faster than the wall clock. */
export function liveClock(options: LiveClockOptions = {}): SimClock {
  const wallNow = options.wallNow ?? Date.now;
  const compression = compressionFor(options.simDayMinutes ?? 24 * 60);
  const wallStart = wallNow();
  const simStart = options.start ?? wallStart;
  const simAt = (wall: Date | number) => {
    const w = typeof wall === 'number' ? wall : wall.getTime();
    return w < wallStart ? simStart - (wallStart - w) : simStart + (w - wallStart) * compression;
  };
  const now = () => simAt(wallNow());
  return {
    compression,
    now,
    simAt,
    async waitUntil(at, signal) {
      // Re-check after each timer: timers fire early or late, and the machine may sleep.
      while (!signal?.aborted && now() < at) {
        const wait = Math.min(2 ** 30, Math.max(1, Math.ceil(wallDuration(at - now(), compression))));
        await sleep(wait, signal);
      }
    }
  };
}

export interface ManualClock extends SimClock {
  /** Moves the clock to `at` (never backwards). */
  set(at: number): void;
  advance(ms: number): void;
}

/** A clock that moves only when told to (or when waited on): deterministic. */
export function manualClock(start: number, wallNow: () => number = Date.now): ManualClock {
  let current = start;
  const wallStart = wallNow();
  const set = (at: number) => {
    if (!Number.isFinite(at)) throw new Error(`a clock cannot move to ${at}`);
    current = Math.max(current, at);
  };
  return {
    compression: Infinity,
    now: () => current,
    // Wall instants after the start have no simulated counterpart but "now".
    simAt: (wall) => {
      const w = typeof wall === 'number' ? wall : wall.getTime();
      return w < wallStart ? start - (wallStart - w) : current;
    },
    set,
    advance: (ms) => set(current + ms),
    async waitUntil(at, signal) {
      if (!signal?.aborted) set(at);
    }
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The local weekday (0 = Sunday) and minute of the day of an instant in a time zone. */
export interface LocalTime {
  weekday: number;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

export function localTime(at: number, timeZone: string): LocalTime {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(at)) {
    if (p.type === 'weekday') weekday = WEEKDAYS[p.value]!;
    else if (p.type === 'hour') hour = Number(p.value);
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { weekday, minuteOfDay: hour * 60 + minute };
}
