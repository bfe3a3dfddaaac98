/**
 * Simulated time. Instants are epoch milliseconds (UTC) on the simulated
 * timeline; the wall clock is the real one. The runner makes the core's business
 * clock follow this one (app/lib/server/core/business-clock.ts), so the database
 * dates documents on the simulated timeline: a timestamp it wrote is a simulated
 * instant as it stands.
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
  const now = () => simStart + (wallNow() - wallStart) * compression;
  return {
    compression,
    now,
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
export function manualClock(start: number): ManualClock {
  let current = start;
  const set = (at: number) => {
    if (!Number.isFinite(at)) throw new Error(`a clock cannot move to ${at}`);
    current = Math.max(current, at);
  };
  return {
    compression: Infinity,
    now: () => current,
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
