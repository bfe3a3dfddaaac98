import { beforeAll, describe, expect, it } from 'vitest';
import { DetectorRunner } from '../../app/lib/server/analytics/detector-runner';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import * as catalog from '../../app/lib/server/core/catalog';
import { loadConfig } from '../../schemas/config';
import { detectorThresholds } from '../../schemas/detector-thresholds';
import type { LandedEvent } from '../../schemas/ingest';
import { duration, sameLocalTimeWeeksBefore } from '../../warehouse/detectors/shipping-stalled';
import { quietLog, waitFor } from '../ingest/support';
import { DAY, HOUR, detectorNetwork, type DetectorNetwork } from './detector-fixture';
import { kpiBench, type KpiBench } from './support';

/**
 * shipping_stalled: a warehouse with orders ready to ship that has shipped nothing
 * for longer than the threshold, at a time it usually ships. Orders are ready from
 * when their reservation landed, so the runner judges at a clock the test sets:
 * `ready` (now) sees fresh orders, `late` (the threshold and 10 minutes on) sees
 * them waiting too long. Four warehouses: A and S stall (A is raised by a landed
 * batch, S by the schedule), B shipped 20 minutes before `late`, N ships at other
 * hours of the week (as a night or a weekend); A clears when it ships, S when
 * nothing waits any more.
 */
const MINUTE = 60_000;
const thresholds = detectorThresholds(loadConfig({}));
const T = thresholds.shippingIdleMinutes * MINUTE;

let bench: KpiBench;
let n: DetectorNetwork;
let runner: DetectorRunner;
let clock: Date;
const events: LandedEvent[] = [];
const ready = Date.now();
const late = ready + T + 10 * MINUTE;
let wh: Record<'A' | 'S' | 'B' | 'N', { id: number; timeZone: string }>;

interface AlertRow {
  subject: string;
  state: string;
  severity: string;
  message: string;
  details: Record<string, unknown>;
  n: string;
}

async function alerts(): Promise<AlertRow[]> {
  const { rows } = await bench.pool.query<AlertRow>(
    `SELECT subject, state, severity, message, details, count(*) OVER (PARTITION BY subject) AS n FROM alerts WHERE kind = 'shipping_stalled' ORDER BY id`
  );
  return rows;
}
const open = async () => (await alerts()).filter((a) => a.state !== 'resolved').map((a) => a.subject);
const subject = (w: keyof typeof wh) => `warehouse:${wh[w].id}`;

/** Waits until the batch carrying what was just committed has landed and the runner judged it. */
async function judged(table: string): Promise<void> {
  const before = events.length;
  await bench.landed();
  await waitFor(() => events.slice(before).some((e) => e.tables.includes(table)), 10_000, `a landed batch touching ${table}`);
  await runner.idle();
}

/** A confirmed order at the warehouse with `units` reserved and not shipped (confirmed five hours ago). */
async function waiting(w: keyof typeof wh, units: number): Promise<number> {
  const { rows } = await bench.pool.query<{ id: string }>(
    `INSERT INTO sales_orders (customer_id, warehouse_id, state, created_at, confirmed_at) VALUES ($1, $2, 'confirmed', $3, $3) RETURNING id`,
    [n.customer.id, wh[w].id, new Date(ready - 5 * HOUR)]
  );
  const orderId = Number(rows[0]!.id);
  await bench.pool.query(
    `INSERT INTO sales_order_lines (order_id, line_no, product_id, ordered_qty, unit_price_minor, reserved_qty, backordered_qty) VALUES ($1, 1, $2, $3, 1000, $3, $3)`,
    [orderId, n.products[0]!.id, units]
  );
  return orderId;
}

/** An order of one unit picked, packed and shipped at `at` from the warehouse. */
async function shipped(w: keyof typeof wh, at: number): Promise<void> {
  const t = new Date(at);
  const { rows } = await bench.pool.query<{ id: string }>(
    `INSERT INTO sales_orders (customer_id, warehouse_id, state, created_at, confirmed_at) VALUES ($1, $2, 'done', $3, $3) RETURNING id`,
    [n.customer.id, wh[w].id, new Date(at - HOUR)]
  );
  const orderId = Number(rows[0]!.id);
  const line = await bench.pool.query<{ id: string }>(
    `INSERT INTO sales_order_lines (order_id, line_no, product_id, ordered_qty, unit_price_minor, shipped_qty, backordered_qty) VALUES ($1, 1, $2, 1, 1000, 1, 0) RETURNING id`,
    [orderId, n.products[0]!.id]
  );
  const shipment = await bench.pool.query<{ id: string }>(
    `INSERT INTO shipments (order_id, state, picked_at, packed_at, shipped_at) VALUES ($1, 'shipped', $2, $2, $2) RETURNING id`,
    [orderId, t]
  );
  await bench.pool.query(`INSERT INTO shipment_lines (shipment_id, order_line_id, qty) VALUES ($1, $2, 1)`, [shipment.rows[0]!.id, line.rows[0]!.id]);
}

beforeAll(async () => {
  bench = await kpiBench();
  n = await detectorNetwork(bench);
  const extra = async (code: string, name: string, timeZone: string) =>
    catalog.createWarehouse(n.db, SYSTEM_ACTOR, { code, name, kind: 'branch', regionId: n.region.id, timeZone });
  const [s, night] = [await extra('ST', 'Stuttgart', 'Europe/Berlin'), await extra('NT', 'Night Branch', 'UTC')];
  wh = { A: { id: n.whA.id, timeZone: 'UTC' }, S: { id: s.id, timeZone: 'Europe/Berlin' }, B: { id: n.whB.id, timeZone: 'UTC' }, N: { id: night.id, timeZone: 'UTC' } };
  clock = new Date(ready);
  runner = new DetectorRunner({ ch: bench.clickhouse.client, db: bench.db, thresholds, intervalMs: 3_600_000, log: quietLog, ingest: () => bench.pipeline.progress(), now: () => clock });
  bench.pipeline.on('landed', (e) => {
    events.push(e);
    runner.landed(e);
  });

  // The usual rhythm: A, S and B shipped at this time of the week on two of the last four weeks; N twelve hours apart from it.
  for (const k of [1, 3]) {
    for (const w of ['A', 'S', 'B'] as const) await shipped(w, sameLocalTimeWeeksBefore(late - HOUR, k, wh[w].timeZone));
    await shipped('N', late - k * 7 * DAY - 12 * HOUR);
  }
  // The last shipments: four hours before `late` (A, S, N), 20 minutes before it (B).
  for (const w of ['A', 'S', 'N'] as const) await shipped(w, late - 4 * HOUR);
  await shipped('B', late - 20 * MINUTE);
  await bench.landed();
}, 120_000);

describe('shipping stalled', () => {
  let cancelled: number[];

  it('stays quiet while the waiting orders are fresher than the threshold, however long the warehouse has been silent', async () => {
    await waiting('A', 3);
    cancelled = [await waiting('S', 4), await waiting('S', 6)];
    await waiting('B', 2);
    await waiting('N', 2);
    await judged('sales_order_lines');
    await runner.runAll(clock);
    expect(await open()).toEqual([]);
    // Ten minutes short of the threshold A and S have been silent for over T + 1 h, and their usual shipping time has passed.
    await runner.runAll(new Date(ready + T - 10 * MINUTE));
    expect(await open()).toEqual([]);
  });

  it('raises on the landed batch that touched the stalled warehouse, and on the schedule for the other', async () => {
    clock = new Date(late);
    await waiting('A', 5);
    await judged('sales_order_lines');
    // The batch touched A only: S, stalled as well, waits for the schedule.
    expect(await open()).toEqual([subject('A')]);
    const [a] = await alerts();
    expect(a!.severity).toBe('warning');
    expect(a!.message).toMatch(/^Central DC has shipped nothing for 4 h while 2 orders \(8 units\) wait to ship, the oldest ready for 2 h \d\d? min; it usually ships at this time\.$/);
    expect(a!.details).toMatchObject({ idleMinutes: 240, orders: 2, units: 8, lastShippedAt: new Date(late - 4 * HOUR).toISOString(), thresholdMinutes: 150 });

    await runner.runAll(clock);
    expect((await open()).sort()).toEqual([subject('A'), subject('S')].sort());
    // B shipped 20 minutes ago; N does not usually ship at this time of the week.
    expect(await open()).not.toContain(subject('B'));
    expect(await open()).not.toContain(subject('N'));
    expect((await alerts()).find((x) => x.subject === subject('S'))!.message).toMatch(/^Stuttgart has shipped nothing for 4 h while 2 orders \(10 units\) wait/);
  });

  it('never duplicates an alert, and escalates it to critical at three times the threshold', async () => {
    await runner.runAll(clock);
    await runner.runAll(clock);
    await runner.runAll(new Date(late + 2 * T)); // 3 T and 10 min after `ready` (the orders landed seconds after it)
    const rows = await alerts();
    expect(rows.map((r) => [r.subject, r.n])).toEqual(expect.arrayContaining([[subject('A'), '1'], [subject('S'), '1']]));
    expect(rows.length).toBe(2);
    expect(rows.every((r) => r.severity === 'critical')).toBe(true);
    await runner.runAll(clock);
    expect((await alerts()).map((r) => r.severity)).toEqual(['warning', 'warning']);
  });

  it('resolves when the warehouse ships again, or when nothing waits any more', async () => {
    await shipped('A', late - 5 * MINUTE);
    await judged('shipments');
    expect(await open()).toEqual([subject('S')]);

    await bench.pool.query(`UPDATE sales_order_lines SET reserved_qty = 0, cancelled_qty = ordered_qty, backordered_qty = 0 WHERE order_id = ANY($1)`, [cancelled]);
    await bench.pool.query(`UPDATE sales_orders SET state = 'cancelled', cancelled_at = now() WHERE id = ANY($1)`, [cancelled]);
    await judged('sales_orders');
    expect(await open()).toEqual([]);
    const rows = await alerts();
    expect(rows.map((r) => r.state)).toEqual(['resolved', 'resolved']);
  });
});

describe('the rhythm and the message', () => {
  it('finds the same local time weeks before across a daylight-saving change', () => {
    // Berlin went to summer time on 30 March 2025: 09:00 local is 07:00 UTC after, 08:00 UTC before.
    const after = Date.parse('2025-04-01T07:00:00Z');
    expect(new Date(sameLocalTimeWeeksBefore(after, 1, 'Europe/Berlin')).toISOString()).toBe('2025-03-25T08:00:00.000Z');
    expect(new Date(sameLocalTimeWeeksBefore(after, 2, 'UTC')).toISOString()).toBe('2025-03-18T07:00:00.000Z');
  });

  it('says durations the way a person reads them', () => {
    expect([75, 120, 170, 24 * 60, 50 * 60, 72 * 60].map((m) => duration(m * MINUTE))).toEqual(['75 min', '2 h', '2 h 50 min', '24 h', '2 days 2 h', '3 days']);
  });
});
