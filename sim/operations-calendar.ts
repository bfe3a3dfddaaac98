import { HOUR_MS, localTime, MINUTE_MS, type LocalTime } from './clock';
import type { OperationKind } from './operations-types';

/**
 * When things happen in a warehouse's own time zone: the daily and weekly shape
 * of demand, and the fixed times of the periodic work.
 */

/** Order intake on a weekday by local hour (relative): quiet nights, a morning peak, a dip at lunch. */
const WEEKDAY_HOURS = [0.05, 0.04, 0.04, 0.04, 0.05, 0.1, 0.25, 0.6, 1.2, 1.7, 1.8, 1.7, 1.3, 1.5, 1.7, 1.6, 1.3, 0.9, 0.5, 0.3, 0.2, 0.15, 0.1, 0.07];
/** Weekends are quieter: Saturday about a third of a weekday, Sunday an eighth. */
const DAY_FACTOR = [0.12, 1, 1, 1, 1, 1, 0.3];
/** Normalised so that the mean over the 168 hours of a week is 1: rates per day stay rates per day. */
const WEEK_MEAN = (DAY_FACTOR.reduce((a, b) => a + b, 0) * WEEKDAY_HOURS.reduce((a, b) => a + b, 0)) / 168;

/** Relative order intake in the local hour that `local` falls in (weekly mean 1). */
export function demandWeight(local: LocalTime): number {
  return (DAY_FACTOR[local.weekday]! * WEEKDAY_HOURS[Math.floor(local.minuteOfDay / 60)]!) / WEEK_MEAN;
}

const WEEKDAYS = [1, 2, 3, 4, 5];
/** Cycle counts happen in working hours on weekdays (08:00-17:00). */
export const COUNT_HOURS = { from: 8, to: 17, weekdays: WEEKDAYS };

export function countWeight(local: LocalTime): number {
  const hour = Math.floor(local.minuteOfDay / 60);
  return COUNT_HOURS.weekdays.includes(local.weekday) && hour >= COUNT_HOURS.from && hour < COUNT_HOURS.to ? 1 / (COUNT_HOURS.to - COUNT_HOURS.from) : 0;
}

export interface ScheduleEntry {
  weekdays: number[];
  /** Local minute of the day (09:30 = 570). */
  minute: number;
}

const at = (hh: number, mm: number, weekdays = WEEKDAYS): ScheduleEntry => ({ weekdays, minute: hh * 60 + mm });

/** Fixed times of the periodic work, local to the warehouse (finance: local to the central DC). */
export const SCHEDULES: Partial<Record<OperationKind, ScheduleEntry[]>> = {
  'reorder-run': [at(6, 0)],
  'po-receiving': [at(7, 0), at(13, 0)],
  'transfer-receiving': [at(7, 30), at(13, 30)],
  'transfer-dispatch': [at(8, 0), at(14, 0)],
  'ship-wave': [at(9, 0), at(11, 0), at(13, 0), at(15, 0), at(17, 0), at(11, 0, [6])],
  'order-approvals': [at(9, 30), at(11, 30), at(14, 30), at(16, 30)],
  payments: [at(10, 0)]
};

/** How many times an entry list fires in a week. */
export const perWeek = (entries: ScheduleEntry[]) => entries.reduce((n, e) => n + e.weekdays.length, 0);

/**
 * The instants of a schedule inside the UTC hour that starts at `hourStart`,
 * in the given time zone. The hour covers local minutes [m, m + 60) from the
 * local time at its start, possibly running past midnight into the next day.
 */
export function scheduledInHour(hourStart: number, timeZone: string, entries: ScheduleEntry[], local = localTime(hourStart, timeZone)): number[] {
  const out: number[] = [];
  const end = local.minuteOfDay + 60;
  for (const e of entries) {
    if (e.weekdays.includes(local.weekday) && e.minute >= local.minuteOfDay && e.minute < end) {
      out.push(hourStart + (e.minute - local.minuteOfDay) * MINUTE_MS);
    } else if (end > 1440 && e.weekdays.includes((local.weekday + 1) % 7) && e.minute < end - 1440) {
      out.push(hourStart + (1440 - local.minuteOfDay + e.minute) * MINUTE_MS);
    }
  }
  return out.sort((a, b) => a - b);
}

/** The UTC hour buckets that overlap [from, to). */
export function hourBuckets(from: number, to: number): number[] {
  const out: number[] = [];
  for (let h = Math.floor(from / HOUR_MS); h * HOUR_MS < to; h++) out.push(h);
  return out;
}
