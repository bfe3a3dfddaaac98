/** Numbers and times as people read them, through Intl (the browser's locale). */
const int = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const dec1 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const pct = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1, minimumFractionDigits: 1 });
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

const dash = '–';
const ok = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

export const fmtInt = (n: number | null | undefined) => (ok(n) ? int.format(n) : dash);
export const fmtDec = (n: number | null | undefined) => (ok(n) ? dec1.format(n) : dash);
/** A ratio 0..1 as a percentage. */
export const fmtPct = (r: number | null | undefined) => (ok(r) ? pct.format(r) : dash);
export const fmtMoney = (n: number | null | undefined, currency = 'EUR') =>
  ok(n) ? new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 0 }).format(n) : dash;
const parse = (d: string | Date | null | undefined) => (d === null || d === undefined ? null : typeof d === 'string' ? new Date(d) : d);
export const fmtTime = (d: string | Date | null | undefined) => (parse(d) ? time.format(parse(d)!) : dash);
export const fmtDateTime = (d: string | Date | null | undefined) => (parse(d) ? dateTime.format(parse(d)!) : dash);
export const fmtDate = (d: string | Date | null | undefined) => (parse(d) ? date.format(parse(d)!) : dash);

/** "12 s ago", "3 min ago", "2 h ago". */
export function fmtAgo(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${dec1.format(s / 3600)} h ago`;
}
