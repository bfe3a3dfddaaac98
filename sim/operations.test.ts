import { describe, expect, it } from 'vitest';
import { compressionFor, DAY_MS, HOUR_MS, liveClock, localTime, manualClock } from './clock';
import { generateNetwork } from './network';
import { combineScenarios, firstOperations, generateOperations, operationsHash, resolvePace, type Operation, type OrderOperation } from './operations';

const NETWORK = generateNetwork({ seed: 5, products: 400, customers: 150, suppliers: 12, ordersPerDay: 500 });
/** A Monday, 00:00 UTC. */
const MONDAY = Date.parse('2026-03-02T00:00:00Z');
const SEED = 42;
/**
 * The fingerprint of the first 1,000 operations of NETWORK with SEED from MONDAY.
 * A change to the generator (or to the network generator) changes it: update it
 * on purpose only.
 */
const FIRST_1000_HASH = '06cd150737182d763fdfc734c4d7fec8fc2c46497c96fe718728009313a37015';

const weeks = (n: number, extra: Partial<Parameters<typeof generateOperations>[1]> = {}) =>
  generateOperations(NETWORK, { seed: SEED, from: MONDAY, to: MONDAY + n * 7 * DAY_MS, ...extra });
const fourWeeks = weeks(4);
const orders = (ops: Operation[]) => ops.filter((o): o is OrderOperation => o.kind === 'order');
const zoneOf = new Map(NETWORK.warehouses.map((w) => [w.code, w.timeZone]));
const local = (o: Operation & { warehouse: string }) => localTime(o.at, zoneOf.get(o.warehouse)!);

describe('generateOperations', () => {
  it('gives the same first 1,000 operations for the same seed', () => {
    const first = firstOperations(NETWORK, { seed: SEED, from: MONDAY }, 1000);
    const again = firstOperations(generateNetwork({ seed: 5, products: 400, customers: 150, suppliers: 12, ordersPerDay: 500 }), { seed: SEED, from: MONDAY }, 1000);
    expect(first).toHaveLength(1000);
    expect(again).toEqual(first);
    expect(JSON.parse(JSON.stringify(first))).toEqual(first); // plain data
    expect(operationsHash(first)).toBe(FIRST_1000_HASH);
    expect(operationsHash(firstOperations(NETWORK, { seed: SEED + 1, from: MONDAY }, 1000))).not.toBe(FIRST_1000_HASH);
    expect(new Set(first.map((o) => o.kind)).size).toBeGreaterThanOrEqual(6); // not just orders
    expect(first.map((o) => o.at)).toEqual([...first.map((o) => o.at)].sort((a, b) => a - b));
  });

  it('does not depend on how the time is cut into windows', () => {
    const whole = generateOperations(NETWORK, { seed: SEED, from: MONDAY, to: MONDAY + 2 * DAY_MS });
    const cuts = [MONDAY, MONDAY + 7_777_777, MONDAY + DAY_MS, MONDAY + DAY_MS + 1, MONDAY + 2 * DAY_MS];
    const pieces = cuts.slice(1).flatMap((to, i) => generateOperations(NETWORK, { seed: SEED, from: cuts[i]!, to }));
    expect(pieces).toEqual(whole);
  });

  it('honours the network rate on average, and a demand scale', () => {
    const perDay = orders(fourWeeks).length / 28;
    expect(perDay / NETWORK.demandModel.ordersPerDay).toBeGreaterThan(0.95);
    expect(perDay / NETWORK.demandModel.ordersPerDay).toBeLessThan(1.05);
    const doubled = orders(weeks(4, { demandScale: 2 })).length / 28;
    expect(doubled / perDay).toBeGreaterThan(1.9);
    expect(doubled / perDay).toBeLessThan(2.1);
    // Lines per order as the demand model says (lines of one product merge, so a little under).
    const lines = orders(fourWeeks).reduce((n, o) => n + o.lines.length, 0) / orders(fourWeeks).length;
    expect(lines).toBeGreaterThan(NETWORK.demandModel.linesPerOrder * 0.9);
    expect(lines).toBeLessThanOrEqual(NETWORK.demandModel.linesPerOrder * 1.02);
  });

  it('turns a rate in orders per second into a pace that gives it', () => {
    const pace = resolvePace(NETWORK, { ordersPerSecond: 2 });
    expect(pace.demandScale).toBe(1);
    expect(pace.compression).toBeCloseTo(compressionFor(pace.simDayMinutes), 9);
    const simDays = 28;
    const realSeconds = (simDays * DAY_MS) / pace.compression / 1000;
    expect(orders(fourWeeks).length / realSeconds / 2).toBeGreaterThan(0.95);
    expect(orders(fourWeeks).length / realSeconds / 2).toBeLessThan(1.05);
    // Both given: demand scales to the rate at that compression.
    const both = resolvePace(NETWORK, { ordersPerSecond: 10, simDayMinutes: 5 });
    expect(both.compression).toBe(288);
    expect(both.demandScale).toBeCloseTo((10 * 5 * 60) / NETWORK.demandModel.ordersPerDay, 9);
    const scaled = orders(weeks(4, { demandScale: both.demandScale })).length / ((simDays * DAY_MS) / both.compression / 1000);
    expect(scaled / 10).toBeGreaterThan(0.95);
    expect(scaled / 10).toBeLessThan(1.05);
    expect(resolvePace(NETWORK, {})).toMatchObject({ compression: 1, demandScale: 1 });
  });

  it('puts orders in weekday business hours (local time), few at night and at weekends', () => {
    const perHour = { business: 0, night: 0, weekend: 0 };
    for (const o of orders(fourWeeks)) {
      const t = local(o);
      const hour = Math.floor(t.minuteOfDay / 60);
      if (t.weekday === 0 || t.weekday === 6) perHour.weekend++;
      else if (hour >= 9 && hour < 17) perHour.business++;
      else if (hour < 6) perHour.night++;
    }
    // Per hour: 4 weeks x 5 days x 8 business hours; x 6 night hours; x 2 days x 24 weekend hours.
    const business = perHour.business / (4 * 5 * 8);
    const night = perHour.night / (4 * 5 * 6);
    const weekend = perHour.weekend / (4 * 2 * 24);
    expect(business).toBeGreaterThan(10 * night);
    expect(business).toBeGreaterThan(4 * weekend);
    expect(weekend).toBeGreaterThan(night); // quieter, not closed
  });

  it('draws lines by the customer mix: more of its favourite categories, as the demand model says', () => {
    const customers = new Map(NETWORK.customers.map((c) => [c.code, c]));
    const categoryOf = new Map(NETWORK.products.map((p) => [p.sku, p.category]));
    const share = new Map<string, number>();
    for (const p of NETWORK.products) share.set(p.category, (share.get(p.category) ?? 0) + p.lineShare);
    const boost = NETWORK.demandModel.affinityBoost;
    let favourite = 0;
    let lines = 0;
    let expected = 0;
    let unboosted = 0;
    for (const o of orders(fourWeeks)) {
      const c = customers.get(o.customer)!;
      const fav = c.categoryAffinity.reduce((s, cat) => s + share.get(cat)!, 0);
      for (const l of o.lines) {
        lines++;
        if (c.categoryAffinity.includes(categoryOf.get(l.sku)!)) favourite++;
        expected += (boost * fav) / (boost * fav + 1 - fav);
        unboosted += fav;
      }
    }
    expect(favourite / lines).toBeGreaterThan((1.5 * unboosted) / lines);
    expect(Math.abs(favourite - expected) / lines).toBeLessThan(0.03);
  });

  it('runs periodic work at fixed local times, returns and counts at their rates', () => {
    const ops = weeks(1);
    for (const w of NETWORK.warehouses) {
      const mine = (kind: string) => ops.filter((o) => o.kind === kind && 'warehouse' in o && o.warehouse === w.code) as (Operation & { warehouse: string })[];
      const waves = mine('ship-wave').map(local);
      expect(waves).toHaveLength(5 * 5 + 1);
      for (const t of waves) expect(t.weekday === 6 ? [660] : [540, 660, 780, 900, 1020]).toContain(t.minuteOfDay);
      expect(mine('reorder-run').map(local)).toEqual([1, 2, 3, 4, 5].map((weekday) => ({ weekday, minuteOfDay: 360 })));
      for (const t of mine('cycle-count').map(local)) expect(t.minuteOfDay >= 480 && t.minuteOfDay < 1020 && t.weekday >= 1 && t.weekday <= 5).toBe(true);
    }
    const counts = fourWeeks.filter((o) => o.kind === 'cycle-count');
    expect(counts.length / (20 * NETWORK.warehouses.length)).toBeGreaterThan(3);
    expect(counts.length / (20 * NETWORK.warehouses.length)).toBeLessThan(5);
    const off = counts.filter((o) => o.varianceShare !== 0 || o.varianceUnits !== 0).length / counts.length;
    expect(off).toBeGreaterThan(0.08);
    expect(off).toBeLessThan(0.25);
    const returns = fourWeeks.filter((o) => o.kind === 'return').length;
    const lines = orders(fourWeeks).reduce((n, o) => n + o.lines.length, 0);
    expect(returns / lines).toBeGreaterThan(0.007);
    expect(returns / lines).toBeLessThan(0.013);
    const dc = NETWORK.warehouses.find((w) => w.kind === 'central_dc')!;
    expect(ops.filter((o) => o.kind === 'po-receiving').every((o) => 'warehouse' in o && o.warehouse === dc.code)).toBe(true);
    expect(ops.filter((o) => o.kind === 'payments')).toHaveLength(5);
  });

  it('lets a scenario raise a region, favour a category and stop a warehouse shipping', () => {
    const region = NETWORK.regions[0]!.code;
    const inRegion = (ops: Operation[]) => orders(ops).filter((o) => NETWORK.customers.find((c) => c.code === o.customer)!.regionCode === region).length;
    const spiked = weeks(2, { scenario: { orderRate: (r) => (r === region ? 3 : 1) } });
    const base = weeks(2);
    expect(inRegion(spiked) / inRegion(base)).toBeGreaterThan(2.6);
    expect(inRegion(spiked) / inRegion(base)).toBeLessThan(3.4);
    expect(orders(spiked).length - inRegion(spiked)).toBe(orders(base).length - inRegion(base)); // other regions as they were

    const category = NETWORK.categories[0]!;
    const categoryOf = new Map(NETWORK.products.map((p) => [p.sku, p.category]));
    const catShare = (ops: Operation[]) => {
      const all = orders(ops).flatMap((o) => o.lines);
      return all.filter((l) => categoryOf.get(l.sku) === category).length / all.length;
    };
    expect(catShare(weeks(2, { scenario: { categoryWeight: (c) => (c === category ? 4 : 1) } }))).toBeGreaterThan(2 * catShare(base));

    const w = NETWORK.warehouses[1]!.code;
    const stopFrom = MONDAY + 2 * DAY_MS;
    const stopped = weeks(1, { scenario: { shippingStopped: (code, at) => code === w && at >= stopFrom && at < stopFrom + DAY_MS } });
    const waves = (ops: Operation[]) => ops.filter((o) => o.kind === 'ship-wave' && o.warehouse === w && o.at >= stopFrom && o.at < stopFrom + DAY_MS).length;
    expect(waves(weeks(1))).toBeGreaterThan(0);
    expect(waves(stopped)).toBe(0);
    expect(stopped.filter((o) => o.kind !== 'ship-wave')).toEqual(weeks(1).filter((o) => o.kind !== 'ship-wave'));
  });

  it('combines scenarios: rates multiply, delays add, stops and stalls add up', () => {
    const both = combineScenarios({ orderRate: () => 2, supplierDelayDays: () => 3, laneStalled: (f) => f === 'A' }, { orderRate: () => 1.5, supplierDelayDays: () => 1 }, {});
    expect(both.orderRate!('R', 0)).toBe(3);
    expect(both.categoryWeight!('C', 0)).toBe(1);
    expect(both.supplierDelayDays!('S', 0)).toBe(4);
    expect(both.laneStalled!('A', 'B', 0)).toBe(true);
    expect(both.laneStalled!('B', 'A', 0)).toBe(false);
    expect(both.shippingStopped!('W', 0)).toBe(false);
  });

  it('refuses a window that ends before it starts', () => {
    expect(() => generateOperations(NETWORK, { seed: 1, from: MONDAY + HOUR_MS, to: MONDAY })).toThrow(/before it starts/);
  });
});

describe('simulated clocks', () => {
  it('runs a live clock N times faster than the wall clock', () => {
    let wall = 1_000_000;
    const clock = liveClock({ start: MONDAY, simDayMinutes: 10, wallNow: () => wall });
    expect(clock.compression).toBe(144);
    wall += 10 * 60_000; // ten real minutes: a simulated day
    expect(clock.now()).toBe(MONDAY + DAY_MS);
    wall -= 5 * 60_000;
    expect(clock.now()).toBe(MONDAY + DAY_MS / 2);
    expect(() => liveClock({ simDayMinutes: 0 })).toThrow(/positive/);
  });

  it('moves a manual clock only when told, never backwards', async () => {
    const clock = manualClock(MONDAY);
    expect(clock.now()).toBe(MONDAY);
    await clock.waitUntil(MONDAY + HOUR_MS);
    expect(clock.now()).toBe(MONDAY + HOUR_MS);
    clock.set(MONDAY);
    expect(clock.now()).toBe(MONDAY + HOUR_MS);
    clock.advance(HOUR_MS);
    expect(clock.now()).toBe(MONDAY + 2 * HOUR_MS);
    const aborted = new AbortController();
    aborted.abort();
    await clock.waitUntil(MONDAY + DAY_MS, aborted.signal);
    expect(clock.now()).toBe(MONDAY + 2 * HOUR_MS);
  });

  it('tells local weekday and time in a time zone, across daylight saving time', () => {
    expect(localTime(MONDAY, 'America/Chicago')).toEqual({ weekday: 0, minuteOfDay: 18 * 60 }); // Sunday 18:00 CST
    expect(localTime(MONDAY + 14 * DAY_MS, 'America/Chicago')).toEqual({ weekday: 0, minuteOfDay: 19 * 60 }); // CDT from 8 March
    expect(localTime(MONDAY, 'Asia/Kolkata')).toEqual({ weekday: 1, minuteOfDay: 5 * 60 + 30 });
  });
});
