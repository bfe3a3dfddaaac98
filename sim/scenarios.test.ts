import { describe, expect, it } from 'vitest';
import { DomainError } from '../app/lib/server/core/errors';
import { scenarioInput, stopScenarioInput, type ScenarioRequest } from '../schemas/sim-scenarios';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './clock';
import { generateNetwork } from './network';
import { combineScenarios, generateOperations, type Operation, type OrderOperation, type Scenario } from './operations';
import { describeScenario, resolveAgainstNetwork, scheduleScenario, toScenario } from './scenarios';

const NETWORK = generateNetwork({ seed: 5, products: 300, customers: 120, suppliers: 8, regions: 3, branches: 3, ordersPerDay: 400 });
/** A Tuesday, 00:00 UTC. */
const TUESDAY = Date.parse('2026-03-03T00:00:00Z');
const SEED = 7;

const parse = (request: unknown) => scenarioInput.parse(request);
const fieldErrors = (request: unknown) => scenarioInput.safeParse(request).error?.flatten().fieldErrors ?? {};
const ordersOf = (ops: Operation[]) => ops.filter((o): o is OrderOperation => o.kind === 'order');
const regionOf = new Map(NETWORK.customers.map((c) => [c.code, c.regionCode]));
const categoryOf = new Map(NETWORK.products.map((p) => [p.sku, p.category]));

/** The error a call throws (or fails the test when it does not throw). */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('scenario input (Zod)', () => {
  it('names the field that is wrong', () => {
    expect(fieldErrors({ kind: 'supplier-slip', supplierCode: 'SUP-01', days: 0 })).toEqual({ days: ['must be more than 0 days'] });
    expect(fieldErrors({ kind: 'supplier-slip', days: 3 })).toHaveProperty('supplierCode');
    expect(fieldErrors({ kind: 'demand-spike', regionCode: 'NE', factor: 1 })).toEqual({ factor: ['must be more than 1 (a spike)'] });
    expect(fieldErrors({ kind: 'demand-spike', factor: 3 })).toEqual({ regionCode: ['give either a region code or a category (one of them)'] });
    expect(fieldErrors({ kind: 'demand-spike', regionCode: 'NE', category: 'paint', factor: 3 })).toHaveProperty('regionCode');
    expect(fieldErrors({ kind: 'lane-stall', fromCode: 'ORD', toCode: 'ORD' })).toEqual({ toCode: ['must differ from the source warehouse'] });
    expect(fieldErrors({ kind: 'warehouse-stop', warehouseCode: 'ORD', minutes: 1.5 })).toEqual({ minutes: ['must be whole minutes'] });
    expect(fieldErrors({ kind: 'lane-stall', fromCode: 'ORD', toCode: 'EWR', hours: -1 })).toEqual({ hours: ['must be more than 0 hours'] });
    expect(fieldErrors({ kind: 'flood' })).toHaveProperty('kind');
    expect(scenarioInput.safeParse({ kind: 'warehouse-stop', warehouseCode: 'ORD', speed: 3 }).error?.issues[0]?.message).toContain('speed');
  });

  it('trims codes and stops a warehouse for an hour unless told otherwise', () => {
    expect(parse({ kind: 'warehouse-stop', warehouseCode: ' DFW ' })).toEqual({ kind: 'warehouse-stop', warehouseCode: 'DFW', minutes: 60 });
  });

  it('stops one scenario or all, not both', () => {
    expect(stopScenarioInput.safeParse({ id: 3 }).success).toBe(true);
    expect(stopScenarioInput.safeParse({ all: true }).success).toBe(true);
    expect(stopScenarioInput.safeParse({ id: 3, all: true }).error?.flatten().fieldErrors).toHaveProperty('id');
    expect(stopScenarioInput.safeParse({}).success).toBe(false);
  });
});

describe('resolveAgainstNetwork', () => {
  it('refuses unknown codes, listing what the network has', () => {
    const err = thrown(() => resolveAgainstNetwork(parse({ kind: 'supplier-slip', supplierCode: 'ACME', days: 2 }), NETWORK)) as DomainError;
    expect(err).toBeInstanceOf(DomainError);
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.fieldErrors?.supplierCode?.[0]).toBe(`no supplier ACME in the network; it has ${NETWORK.suppliers.map((s) => s.code).join(', ')}`);
    expect(err.message).toContain('supplierCode: no supplier ACME');

    const region = thrown(() => resolveAgainstNetwork(parse({ kind: 'demand-spike', regionCode: 'XX', factor: 2 }), NETWORK)) as DomainError;
    expect(region.fieldErrors?.regionCode?.[0]).toContain(NETWORK.regions.map((r) => r.code).join(', '));
    const category = thrown(() => resolveAgainstNetwork(parse({ kind: 'demand-spike', category: 'garden gnomes', factor: 2 }), NETWORK)) as DomainError;
    expect(category.fieldErrors?.category?.[0]).toContain(NETWORK.categories.join(', '));
    const stop = thrown(() => resolveAgainstNetwork(parse({ kind: 'warehouse-stop', warehouseCode: 'LAX' }), NETWORK)) as DomainError;
    expect(stop.fieldErrors?.warehouseCode?.[0]).toContain(NETWORK.warehouses.map((w) => w.code).join(', '));
  });

  it('refuses a lane the network does not have, listing its lanes, and names each unknown end', () => {
    const [a, b] = NETWORK.warehouses.filter((w) => w.kind === 'branch' && w.regionCode !== NETWORK.warehouses[0]!.regionCode);
    expect(NETWORK.transferLanes.some((l) => l.fromCode === a!.code && l.toCode === b!.code)).toBe(false);
    const err = thrown(() => resolveAgainstNetwork(parse({ kind: 'lane-stall', fromCode: a!.code, toCode: b!.code }), NETWORK)) as DomainError;
    expect(err.fieldErrors?.toCode?.[0]).toMatch(new RegExp(`^no transfer lane from ${a!.code} to ${b!.code}; the lanes are .*${NETWORK.transferLanes[0]!.fromCode}→${NETWORK.transferLanes[0]!.toCode}`));
    const ends = thrown(() => resolveAgainstNetwork(parse({ kind: 'lane-stall', fromCode: 'AAA', toCode: 'BBB' }), NETWORK)) as DomainError;
    expect(Object.keys(ends.fieldErrors ?? {}).sort()).toEqual(['fromCode', 'toCode']);
  });

  it('takes codes in any case and answers with the network spelling', () => {
    const supplier = NETWORK.suppliers[2]!.code;
    const lane = NETWORK.transferLanes[0]!;
    expect(resolveAgainstNetwork(parse({ kind: 'supplier-slip', supplierCode: supplier.toLowerCase(), days: 2 }), NETWORK)).toMatchObject({ supplierCode: supplier });
    expect(resolveAgainstNetwork(parse({ kind: 'lane-stall', fromCode: lane.fromCode.toLowerCase(), toCode: lane.toCode.toLowerCase() }), NETWORK)).toMatchObject({
      fromCode: lane.fromCode,
      toCode: lane.toCode
    });
    expect(resolveAgainstNetwork(parse({ kind: 'demand-spike', category: NETWORK.categories[1]!.toUpperCase(), factor: 2 }), NETWORK)).toMatchObject({ category: NETWORK.categories[1] });
  });
});

describe('toScenario', () => {
  const start = TUESDAY + 10 * HOUR_MS + 30 * MINUTE_MS;
  const at = (r: ScenarioRequest) => toScenario(scheduleScenario(parse(r), start));

  it('delays one supplier by its days while it lasts (14 days unless told)', () => {
    const s = at({ kind: 'supplier-slip', supplierCode: 'SUP-002', days: 4 });
    expect(s.supplierDelayDays!('SUP-002', start)).toBe(4);
    expect(s.supplierDelayDays!('SUP-002', start + 14 * DAY_MS - 1)).toBe(4);
    expect(s.supplierDelayDays!('SUP-002', start + 14 * DAY_MS)).toBe(0);
    expect(s.supplierDelayDays!('SUP-002', start - 1)).toBe(0);
    expect(s.supplierDelayDays!('SUP-001', start + HOUR_MS)).toBe(0);
    expect(s.orderRate).toBeUndefined();
  });

  it('multiplies a region over every hour its window touches (a day unless told)', () => {
    const s = at({ kind: 'demand-spike', regionCode: 'NE', factor: 5, hours: 2 });
    const hour = (h: number) => TUESDAY + h * HOUR_MS;
    expect([9, 10, 11, 12, 13].map((h) => s.orderRate!('NE', hour(h)))).toEqual([1, 5, 5, 5, 1]);
    expect(s.orderRate!('CE', hour(11))).toBe(1);
    expect(scheduleScenario(parse({ kind: 'demand-spike', regionCode: 'NE', factor: 5 }), start).endAt - start).toBe(DAY_MS);
  });

  it('weights a category within the window', () => {
    const s = at({ kind: 'demand-spike', category: 'paint', factor: 3, hours: 1 });
    expect(s.categoryWeight!('paint', start)).toBe(3);
    expect(s.categoryWeight!('paint', start + HOUR_MS)).toBe(1);
    expect(s.categoryWeight!('tools', start)).toBe(1);
  });

  it('stalls one lane in one direction, and stops one warehouse for its minutes', () => {
    const lane = at({ kind: 'lane-stall', fromCode: 'ORD', toCode: 'EWR' });
    expect(lane.laneStalled!('ORD', 'EWR', start + 71 * HOUR_MS)).toBe(true);
    expect(lane.laneStalled!('ORD', 'EWR', start + 72 * HOUR_MS)).toBe(false);
    expect(lane.laneStalled!('EWR', 'ORD', start)).toBe(false);
    const stop = at({ kind: 'warehouse-stop', warehouseCode: 'DFW', minutes: 90 });
    expect(stop.shippingStopped!('DFW', start + 89 * MINUTE_MS)).toBe(true);
    expect(stop.shippingStopped!('DFW', start + 90 * MINUTE_MS)).toBe(false);
    expect(stop.shippingStopped!('ORD', start)).toBe(false);
  });

  it('combines with others: rates multiply, delays add', () => {
    const both = combineScenarios(at({ kind: 'supplier-slip', supplierCode: 'S', days: 2 }), at({ kind: 'supplier-slip', supplierCode: 'S', days: 3 }), at({ kind: 'demand-spike', regionCode: 'NE', factor: 2 }));
    expect(both.supplierDelayDays!('S', start)).toBe(5);
    expect(both.orderRate!('NE', start)).toBe(2);
  });

  it('describes itself in a line', () => {
    expect(describeScenario(parse({ kind: 'supplier-slip', supplierCode: 'SUP-002', days: 1 }))).toBe("SUP-002's deliveries slip by 1 day");
    expect(describeScenario(parse({ kind: 'demand-spike', category: 'paint', factor: 2.5 }))).toBe('demand ×2.5 for paint');
    expect(describeScenario(parse({ kind: 'lane-stall', fromCode: 'ORD', toCode: 'EWR' }))).toBe('lane ORD → EWR stalls');
    expect(describeScenario(parse({ kind: 'warehouse-stop', warehouseCode: 'DFW' }))).toBe('DFW stops shipping for 60 min');
  });
});

describe('scenarios in the generated operations', () => {
  const day = (scenario?: Scenario) => generateOperations(NETWORK, { seed: SEED, from: TUESDAY, to: TUESDAY + DAY_MS, scenario });
  const plain = day();
  const region = NETWORK.regions[1]!.code;

  it('a region spike multiplies that region’s orders and leaves the others as they were', () => {
    const spiked = day(at0({ kind: 'demand-spike', regionCode: region, factor: 4 }));
    const count = (ops: Operation[], inRegion: boolean) => ordersOf(ops).filter((o) => (regionOf.get(o.customer) === region) === inRegion).length;
    expect(count(spiked, true) / count(plain, true)).toBeGreaterThan(3.2);
    expect(count(spiked, true) / count(plain, true)).toBeLessThan(4.8);
    expect(ordersOf(spiked).filter((o) => regionOf.get(o.customer) !== region)).toEqual(ordersOf(plain).filter((o) => regionOf.get(o.customer) !== region));
  });

  it('a category spike raises that category’s share of the lines', () => {
    const category = NETWORK.categories[0]!;
    const share = (ops: Operation[]) => {
      const lines = ordersOf(ops).flatMap((o) => o.lines);
      return lines.filter((l) => categoryOf.get(l.sku) === category).length / lines.length;
    };
    expect(share(day(at0({ kind: 'demand-spike', category, factor: 5 })))).toBeGreaterThan(2 * share(plain));
  });

  it('a warehouse stop drops the waves inside its window only', () => {
    const dc = NETWORK.warehouses[0]!.code;
    const waves = (ops: Operation[]) => ops.filter((o) => o.kind === 'ship-wave' && o.warehouse === dc).map((o) => o.at);
    const first = waves(plain)[0]!;
    const stopped = day(toScenario(scheduleScenario(parse({ kind: 'warehouse-stop', warehouseCode: dc, minutes: 30 }), first - 10 * MINUTE_MS)));
    expect(waves(stopped)).toEqual(waves(plain).slice(1));
    expect(stopped.filter((o) => o.kind !== 'ship-wave')).toEqual(plain.filter((o) => o.kind !== 'ship-wave'));
  });
});

/** A scenario that starts at TUESDAY. */
const at0 = (r: ScenarioRequest) => toScenario(scheduleScenario(scenarioInput.parse(r), TUESDAY));
