import { fmtDate } from '../../format';

/**
 * A calendar day (YYYY-MM-DD, already in the warehouse's calendar) for people:
 * built as a local date so that no time zone moves it to the day before.
 */
export function fmtDay(day: string | null | undefined): string {
  const m = day ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(day) : null;
  return m ? fmtDate(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : fmtDate(null);
}

/**
 * Today as YYYY-MM-DD in the browser's calendar (to flag late documents), by the
 * business clock when the layout has one (a time-compressed demo runs days ahead).
 */
export function today(businessClock?: { now: string; set: boolean } | null): string {
  const d = businessClock?.set ? new Date(businessClock.now) : new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
