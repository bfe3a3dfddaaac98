/**
 * Time for the history simulation: instants are epoch milliseconds, calendar
 * dates are whole days since 1970-01-01 (day numbers compare and add cheaply;
 * they become 'YYYY-MM-DD' only when written). A warehouse's "today" is the date
 * in its own time zone, as the core's warehouseDate() computes it.
 */

import { DAY_MS, HOUR_MS, MINUTE_MS } from './clock';

export const MINUTE = MINUTE_MS;
export const HOUR = HOUR_MS;
export const DAY = DAY_MS;

/** A calendar date as a day number ('2026-01-05' -> 20458). */
export const dayOf = (iso: string): number => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY);

const isoCache = new Map<number, string>();
/** A day number as 'YYYY-MM-DD'. */
export function isoDay(day: number): string {
  let s = isoCache.get(day);
  if (s === undefined) {
    s = new Date(day * DAY).toISOString().slice(0, 10);
    isoCache.set(day, s);
  }
  return s;
}

/** 0 = Sunday ... 6 = Saturday. */
export const weekday = (day: number): number => (((day + 4) % 7) + 7) % 7;

/**
 * UTC offsets of IANA time zones, cached per zone and hour (offsets change
 * only at DST switches, on the hour).
 */
export class Zones {
  private readonly formats = new Map<string, Intl.DateTimeFormat>();
  /** Per zone: the offset per UTC day when it holds all day, else per hour (keys: day, or -(hour + 1)). */
  private readonly offsets = new Map<string, Map<number, number>>();

  /** Local time minus UTC, in ms, in zone tz at instant t. */
  offset(tz: string, t: number): number {
    let cache = this.offsets.get(tz);
    if (!cache) {
      cache = new Map();
      this.offsets.set(tz, cache);
    }
    const day = Math.floor(t / DAY);
    let off = cache.get(day);
    if (off === undefined) {
      // Offsets change only at DST switches: one lookup per day unless the day holds one.
      const first = this.compute(tz, day * DAY);
      off = first === this.compute(tz, (day + 1) * DAY - 1) ? first : NaN;
      cache.set(day, off);
    }
    if (!Number.isNaN(off)) return off;
    const hour = Math.floor(t / HOUR);
    let hourly = cache.get(-(hour + 1));
    if (hourly === undefined) {
      hourly = this.compute(tz, hour * HOUR);
      cache.set(-(hour + 1), hourly);
    }
    return hourly;
  }

  /** The date in zone tz at instant t. */
  localDay(tz: string, t: number): number {
    return Math.floor((t + this.offset(tz, t)) / DAY);
  }

  /** The instant (whole ms) of local time `hours` (fractional) on `day` in zone tz. */
  at(tz: string, day: number, hours: number): number {
    const wall = Math.round(day * DAY + hours * HOUR);
    const first = wall - this.offset(tz, wall);
    return wall - this.offset(tz, first);
  }

  private compute(tz: string, t: number): number {
    let f = this.formats.get(tz);
    if (!f) {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: tz,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric'
      });
      this.formats.set(tz, f);
    }
    const p: Record<string, number> = {};
    for (const part of f.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
    return Math.round((wall - t) / MINUTE) * MINUTE;
  }
}
