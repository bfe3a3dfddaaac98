import type { ClickHouseClient } from '@clickhouse/client';
import { chTime, queryRows } from '../kpi/clickhouse-query';
import { subjects, touchedOrders, type Detector, type DetectorVerdict } from './detector';

/**
 * A warehouse that stopped shipping (subject `warehouse:<id>`): it has orders
 * waiting to ship — confirmed, with reserved units not yet shipped — the oldest
 * ready for more than ALERT_SHIPPING_IDLE_MINUTES (T), it has shipped nothing for
 * more than T, and it usually ships at this time of the week. Critical once the
 * stall (since the later of the last shipment and the oldest order ready) reaches
 * 3 T. Clears when it ships again or nothing waits.
 *
 * Read from the landed sales_orders, sales_order_lines and shipments (FINAL), not
 * fact_open_order_lines / fact_shipments: an order is ready from the later of its
 * confirmation and its line's last landed change (`_commit_time`: the reservation,
 * so an old backorder that today's receipt filled is ready from today), which only
 * the landing table carries; and orders and shipments then come from one landed
 * point (the facts lag landing by a refresh). A backfill lands rows with its copy
 * time: after one, waiting orders count as ready from then.
 *
 * "Usually ships at this time": warehouses do not ship around the clock (the
 * simulated ones ship in waves at 09, 11, 13, 15 and 17 h on weekdays and 11 h
 * on Saturdays, sim/operations-calendar.ts), and nights and weekends leave orders
 * waiting with nothing shipped. So a stall also needs the warehouse's own rhythm:
 * on at least 2 of the 4 previous weeks, at the same local time, it shipped
 * between an hour after this stall began and half an hour before now. The hour:
 * the week before's wave may have run later (the simulated history ships a wave's
 * orders 45-60 min after it starts, live operations at its start); the half hour:
 * a first wave starting late by less is no stall. A warehouse with under two weeks
 * of shipments, or silent for three, has no rhythm and raises nothing; with T under
 * 90 min the rhythm's window is empty until the stall is 90 min old.
 *
 * Why T = 150 min by default: the simulated waves come every 2 hours, and the
 * history ships a wave's orders within 45-60 min of its start, so in working hours
 * a warehouse with orders waiting is silent for at most 2 h 15 min (2 h live):
 * 150 min keeps a quarter of an hour above that. A one-hour stop that skips a wave
 * leaves 4 h between shipments: the alert comes once the oldest order has waited
 * 150 min and clears with the next wave.
 *
 * After a landed batch it judges the warehouses of the orders the batch touched
 * (orders, their lines and shipments all carry the order); the schedule judges
 * every warehouse, which is how a stall is seen as time passes.
 */
const MINUTE = 60_000;
const RHYTHM_WEEKS = 4;
const RHYTHM_MIN_WEEKS = 2;
const RHYTHM_AFTER_STALL_MS = 60 * MINUTE;
const RHYTHM_GRACE_MS = 30 * MINUTE;
/** Shipments older than this are no evidence of anything here (the rhythm looks 4 weeks back). */
const LOOKBACK_DAYS = 29;

interface Waiting {
  warehouse_id: number;
  name: string;
  time_zone: string;
  orders: number;
  units: number;
  ready_since: string;
  last_shipped_at: string | null;
}

const WAITING_SQL = `
WITH {warehouses:Array(Int64)} AS scoped, {now:DateTime64(6, 'UTC')} AS t_now
SELECT w.id AS warehouse_id, w.name AS name, w.time_zone AS time_zone, r.orders AS orders, r.units AS units,
       toString(r.ready_since) AS ready_since, if(isNull(s.last_shipped_at), NULL, toString(s.last_shipped_at)) AS last_shipped_at
FROM (SELECT id, name, time_zone FROM warehouses FINAL WHERE _deleted = 0 AND (empty(scoped) OR id IN scoped)) AS w
INNER JOIN (
  SELECT o.warehouse_id AS warehouse_id, uniqExact(o.id) AS orders, sum(l.reserved_qty) AS units,
         min(greatest(o.confirmed_at, l._commit_time)) AS ready_since
  FROM (SELECT order_id, reserved_qty, _commit_time FROM sales_order_lines FINAL WHERE _deleted = 0 AND reserved_qty > 0) AS l
  INNER JOIN (SELECT id, warehouse_id, assumeNotNull(confirmed_at) AS confirmed_at FROM sales_orders FINAL
              WHERE _deleted = 0 AND state = 'confirmed' AND confirmed_at IS NOT NULL AND (empty(scoped) OR warehouse_id IN scoped)) AS o
          ON o.id = l.order_id
  GROUP BY o.warehouse_id
) AS r ON r.warehouse_id = w.id
LEFT JOIN (
  SELECT o.warehouse_id AS warehouse_id, max(s.shipped_at) AS last_shipped_at
  FROM (SELECT order_id, shipped_at FROM shipments FINAL
        WHERE _deleted = 0 AND state = 'shipped' AND shipped_at > t_now - INTERVAL ${LOOKBACK_DAYS} DAY AND shipped_at <= t_now) AS s
  INNER JOIN (SELECT id, warehouse_id FROM sales_orders FINAL WHERE _deleted = 0 AND (empty(scoped) OR warehouse_id IN scoped)) AS o ON o.id = s.order_id
  GROUP BY o.warehouse_id
) AS s ON s.warehouse_id = w.id`;

/** Which of the windows (1-based, parallel arrays: warehouse, from, to] had a shipment of that warehouse. */
const RHYTHM_SQL = `
WITH {wh:Array(Int64)} AS wh, {lo:Array(DateTime64(6, 'UTC'))} AS lo, {hi:Array(DateTime64(6, 'UTC'))} AS hi
SELECT DISTINCT i AS slot
FROM (
  SELECT o.warehouse_id AS warehouse_id, s.shipped_at AS shipped
  FROM (SELECT order_id, assumeNotNull(shipped_at) AS shipped_at FROM shipments FINAL
        WHERE _deleted = 0 AND state = 'shipped' AND shipped_at > arrayMin(lo) AND shipped_at <= arrayMax(hi)) AS s
  INNER JOIN (SELECT id, warehouse_id FROM sales_orders FINAL WHERE _deleted = 0 AND warehouse_id IN wh) AS o ON o.id = s.order_id
)
ARRAY JOIN arrayFilter(j -> wh[j] = warehouse_id AND shipped > lo[j] AND shipped <= hi[j], range(1, length(wh) + 1)) AS i`;

const WEEK_MS = 7 * 24 * 60 * MINUTE;
const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** Local time minus UTC at an instant, in ms (0 for a zone Intl does not know). */
function zoneOffsetMs(at: number, timeZone: string): number {
  let f = zoneFormats.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      return 0;
    }
    zoneFormats.set(timeZone, f);
  }
  const part = Object.fromEntries(f.formatToParts(at).map((p) => [p.type, Number(p.value)]));
  return Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!) - (at - (((at % 1000) + 1000) % 1000));
}

/** The instant with the same local wall time `weeks` weeks earlier in the zone (a daylight-saving change in between moves it by its hour). */
export function sameLocalTimeWeeksBefore(at: number, weeks: number, timeZone: string): number {
  const guess = at - weeks * WEEK_MS;
  return guess + zoneOffsetMs(at, timeZone) - zoneOffsetMs(guess, timeZone);
}

const utc = (chDateTime: string) => Date.parse(`${chDateTime.replace(' ', 'T')}Z`);

/** "75 min", "2 h 50 min", "3 days 4 h". */
export function duration(ms: number): string {
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return hours % 24 === 0 ? `${Math.floor(hours / 24)} days` : `${Math.floor(hours / 24)} days ${hours % 24} h`;
}

interface Stall extends Waiting {
  readySince: number;
  lastShippedAt: number | null;
  /** Since the later of the last shipment and the oldest order ready. */
  stalledSince: number;
}

/** The stalls whose warehouse shipped in the same span on enough of the previous weeks. */
async function withRhythm(ch: ClickHouseClient, stalls: Stall[], now: number): Promise<Stall[]> {
  const windows: { stall: Stall; lo: number; hi: number }[] = [];
  for (const stall of stalls) {
    const [from, to] = [stall.stalledSince + RHYTHM_AFTER_STALL_MS, now - RHYTHM_GRACE_MS];
    if (to <= from) continue;
    for (let k = 1; k <= RHYTHM_WEEKS; k++) {
      windows.push({ stall, lo: sameLocalTimeWeeksBefore(from, k, stall.time_zone), hi: sameLocalTimeWeeksBefore(to, k, stall.time_zone) });
    }
  }
  if (windows.length === 0) return [];
  const hits = await queryRows<{ slot: number }>(ch, RHYTHM_SQL, {
    wh: windows.map((w) => w.stall.warehouse_id),
    lo: windows.map((w) => chTime(new Date(w.lo))),
    hi: windows.map((w) => chTime(new Date(w.hi)))
  });
  const weeks = new Map<Stall, number>();
  for (const { slot } of hits) {
    const stall = windows[slot - 1]!.stall;
    weeks.set(stall, (weeks.get(stall) ?? 0) + 1);
  }
  return stalls.filter((s) => (weeks.get(s) ?? 0) >= RHYTHM_MIN_WEEKS);
}

async function touchedWarehouses(ch: ClickHouseClient, orders: number[]): Promise<number[]> {
  const rows = await queryRows<{ warehouse_id: number }>(ch, 'SELECT DISTINCT warehouse_id FROM sales_orders FINAL WHERE id IN {orders:Array(Int64)}', { orders });
  return rows.map((r) => r.warehouse_id);
}

export const shippingStalled: Detector = {
  name: 'shipping stalled',
  tables: ['sales_orders', 'sales_order_lines', 'shipments'],
  async run({ ch, scope, thresholds, now }): Promise<DetectorVerdict[]> {
    const orders = touchedOrders(scope);
    if (orders !== null && orders.length === 0) return [];
    const warehouses = orders === null ? null : await touchedWarehouses(ch, orders);
    if (warehouses !== null && warehouses.length === 0) return [];
    const threshold = thresholds.shippingIdleMinutes * MINUTE;
    const at = now.getTime();
    const rows = await queryRows<Waiting>(ch, WAITING_SQL, { warehouses: warehouses ?? [], now: chTime(now) });
    const stalls = rows
      .map((r): Stall => {
        const readySince = utc(r.ready_since);
        const lastShippedAt = r.last_shipped_at === null ? null : utc(r.last_shipped_at);
        return { ...r, readySince, lastShippedAt, stalledSince: Math.max(readySince, lastShippedAt ?? -Infinity) };
      })
      .filter((s) => at - s.stalledSince > threshold);
    const findings = (await withRhythm(ch, stalls, at)).map((s) => {
      const idle = s.lastShippedAt === null ? null : at - s.lastShippedAt;
      const silent = idle === null ? `has shipped nothing for over ${LOOKBACK_DAYS - 1} days` : `has shipped nothing for ${duration(idle)}`;
      const waitingOrders = s.orders === 1 ? `1 order (${s.units} units) waits` : `${s.orders} orders (${s.units} units) wait`;
      return {
        subject: subjects.warehouse(s.warehouse_id),
        severity: at - s.stalledSince >= 3 * threshold ? ('critical' as const) : ('warning' as const),
        message: `${s.name} ${silent} while ${waitingOrders} to ship, the oldest ready for ${duration(at - s.readySince)}; it usually ships at this time.`,
        details: {
          idleMinutes: idle === null ? null : Math.floor(idle / MINUTE),
          waitingMinutes: Math.floor((at - s.readySince) / MINUTE),
          orders: s.orders,
          units: s.units,
          lastShippedAt: s.lastShippedAt === null ? null : new Date(s.lastShippedAt).toISOString(),
          thresholdMinutes: thresholds.shippingIdleMinutes
        },
        warehouseId: s.warehouse_id
      };
    });
    const evaluated = warehouses === null ? ('all' as const) : { subjects: warehouses.map(subjects.warehouse) };
    return [{ kind: 'shipping_stalled', findings, evaluated }];
  }
};
