import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { appRouter } from '../app/lib/server/api/root';
import type { ApiContext } from '../app/lib/server/api/trpc';
import { DomainError } from '../app/lib/server/core/errors';
import type { Role } from '../schemas/api/roles';
import { parseScenarioArgs, UsageError } from '../scripts/scenario-args';
import { DAY_MS, HOUR_MS, manualClock, MINUTE_MS } from './clock';
import { generateNetwork } from './network';
import type { Scenario } from './operations-types';
import { ScenarioRegistry } from './scenario-registry';

const NETWORK = generateNetwork({ seed: 5, products: 300, customers: 120, suppliers: 8, regions: 3, branches: 3, ordersPerDay: 400 });
/** A Tuesday, 00:00 UTC. */
const TUESDAY = Date.parse('2026-03-03T00:00:00Z');
const supplier = NETWORK.suppliers[0]!.code;
const [dc, branch] = NETWORK.warehouses;
const lane = NETWORK.transferLanes[0]!;

function setup() {
  const clock = manualClock(TUESDAY);
  const applied: Scenario[] = [];
  const changes: string[] = [];
  const target = { clock, setScenario: (s: Scenario) => applied.push(s) };
  const registry = new ScenarioRegistry(NETWORK, target, (change, s) => changes.push(`${change} ${s.id}`));
  return { clock, applied, changes, registry };
}

/** The error a call throws (or fails the test when it does not throw). */
async function thrown(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

describe('ScenarioRegistry', () => {
  it('starts scenarios at the simulated now and hands the target all of them combined', () => {
    const { clock, applied, registry } = setup();
    clock.advance(HOUR_MS);
    const slip = registry.start({ kind: 'supplier-slip', supplierCode: supplier.toLowerCase(), days: 3 });
    expect(slip).toEqual({
      id: 1,
      kind: 'supplier-slip',
      description: `${supplier}'s deliveries slip by 3 days`,
      input: { kind: 'supplier-slip', supplierCode: supplier, days: 3 },
      startAt: new Date(TUESDAY + HOUR_MS).toISOString(),
      endAt: new Date(TUESDAY + HOUR_MS + 14 * DAY_MS).toISOString()
    });
    registry.start({ kind: 'warehouse-stop', warehouseCode: branch!.code });
    expect(applied).toHaveLength(2);
    const combined = applied[1]!;
    expect(combined.supplierDelayDays!(supplier, TUESDAY + 2 * HOUR_MS)).toBe(3);
    expect(combined.shippingStopped!(branch!.code, TUESDAY + 90 * MINUTE_MS)).toBe(true);
    expect(combined.shippingStopped!(branch!.code, TUESDAY + 2 * HOUR_MS)).toBe(false);
    expect(registry.list()).toEqual({ simNow: new Date(TUESDAY + HOUR_MS).toISOString(), scenarios: [slip, expect.objectContaining({ id: 2, kind: 'warehouse-stop' })] });
  });

  it('stops one, then all; a stopped or unknown id is refused naming the active ones', async () => {
    const { applied, changes, registry } = setup();
    registry.start({ kind: 'supplier-slip', supplierCode: supplier, days: 3 });
    registry.start({ kind: 'lane-stall', fromCode: lane.fromCode, toCode: lane.toCode });
    registry.start({ kind: 'demand-spike', regionCode: NETWORK.regions[0]!.code, factor: 2 });
    expect(registry.stop(2)).toMatchObject({ id: 2, kind: 'lane-stall' });
    expect(applied.at(-1)!.laneStalled!(lane.fromCode, lane.toCode, TUESDAY)).toBe(false);
    expect(applied.at(-1)!.supplierDelayDays!(supplier, TUESDAY)).toBe(3);
    const err = (await thrown(() => registry.stop(2))) as DomainError;
    expect([err.code, err.message]).toEqual(['NOT_FOUND', 'scenario 2 is not active; active: 1, 3']);
    expect(registry.stopAll().map((s) => s.id)).toEqual([1, 3]);
    expect(applied.at(-1)!.supplierDelayDays?.(supplier, TUESDAY) ?? 0).toBe(0);
    expect(registry.list().scenarios).toEqual([]);
    expect(((await thrown(() => registry.stop(1))) as DomainError).message).toBe('scenario 1 is not active; none is active');
    expect(changes).toEqual(['started 1', 'started 2', 'started 3', 'stopped 2', 'stopped 1', 'stopped 3']);
  });

  it('drops scenarios that have ended from the list', () => {
    const { clock, registry } = setup();
    registry.start({ kind: 'warehouse-stop', warehouseCode: dc!.code, minutes: 30 });
    registry.start({ kind: 'lane-stall', fromCode: lane.fromCode, toCode: lane.toCode, hours: 1 });
    clock.advance(30 * MINUTE_MS);
    expect(registry.list().scenarios.map((s) => s.kind)).toEqual(['lane-stall']);
    clock.advance(30 * MINUTE_MS);
    expect(registry.list().scenarios).toEqual([]);
  });

  it('refuses bad input and unknown codes without touching the simulation', async () => {
    const { applied, registry } = setup();
    expect(await thrown(() => registry.start({ kind: 'supplier-slip', supplierCode: supplier, days: -2 }))).toBeInstanceOf(ZodError);
    const err = (await thrown(() => registry.start({ kind: 'warehouse-stop', warehouseCode: 'NOPE' }))) as DomainError;
    expect(err.fieldErrors?.warehouseCode?.[0]).toMatch(/^no warehouse NOPE in the network; it has /);
    expect(applied).toEqual([]);
    expect(registry.list().scenarios).toEqual([]);
  });

  it('offers the network’s suppliers, regions, categories, warehouses and lanes', () => {
    const choices = setup().registry.choices();
    expect(choices.suppliers.map((s) => s.code)).toEqual(NETWORK.suppliers.map((s) => s.code));
    expect(choices.categories).toEqual(NETWORK.categories);
    expect(choices.lanes).toHaveLength(NETWORK.transferLanes.length);
    expect(choices.regions[0]).toEqual({ code: NETWORK.regions[0]!.code, name: NETWORK.regions[0]!.name });
  });
});

describe('the sim router', () => {
  // The sim procedures never touch the core database: no database is needed here.
  const caller = (role: Role, sim?: ScenarioRegistry) =>
    appRouter.createCaller({ db: undefined as unknown as ApiContext['db'], user: { id: 1, email: `${role}@x`, name: role, role, warehouseId: null }, token: null, isDev: false, sim });

  it('lets admins start and stop, planners and executives list, and refuses the others', async () => {
    const { registry } = setup();
    const started = await caller('admin', registry).sim.scenarios.start({ kind: 'warehouse-stop', warehouseCode: dc!.code });
    expect(started).toMatchObject({ id: 1, input: { minutes: 60 } });
    for (const role of ['planner', 'executive'] as const) expect((await caller(role, registry).sim.scenarios.list()).scenarios).toEqual([started]);
    expect(await thrown(() => caller('planner', registry).sim.scenarios.start({ kind: 'warehouse-stop', warehouseCode: dc!.code }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await thrown(() => caller('buyer', registry).sim.scenarios.list())).toMatchObject({ code: 'FORBIDDEN' });
    expect(await caller('admin', registry).sim.scenarios.stop({ all: true })).toEqual({ stopped: [started] });
  });

  it('answers bad input with the fields named, unknown codes and ids with their lists', async () => {
    const admin = caller('admin', setup().registry);
    const bad = (await thrown(() => admin.sim.scenarios.start({ kind: 'supplier-slip', supplierCode: supplier, days: 0 }))) as { code: string; cause: ZodError };
    expect(bad.code).toBe('BAD_REQUEST');
    expect(bad.cause.flatten().fieldErrors).toEqual({ days: ['must be more than 0 days'] });
    expect(await thrown(() => admin.sim.scenarios.start({ kind: 'lane-stall', fromCode: branch!.code, toCode: 'ZZZ' }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^toCode: no warehouse ZZZ in the network; it has /)
    });
    expect(await thrown(() => admin.sim.scenarios.stop({ id: 9 }))).toMatchObject({ code: 'NOT_FOUND', message: 'scenario 9 is not active; none is active' });
  });

  it('says so when no simulator runs in this process', async () => {
    expect(await thrown(() => caller('admin').sim.scenarios.list())).toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('no simulator runs in this process') });
  });
});

describe('npm run scenario (arguments)', () => {
  const usage = (argv: string[]) => {
    try {
      parseScenarioArgs(argv);
    } catch (err) {
      if (err instanceof UsageError) return err.message;
      throw err;
    }
    throw new Error('expected a usage error');
  };

  it('turns flags into the scenario input, numbers as numbers, kebab-case or camelCase', () => {
    expect(parseScenarioArgs(['supplier-slip', '--supplier-code', 'SUP-003', '--days=5'])).toEqual({ command: 'start', input: { kind: 'supplier-slip', supplierCode: 'SUP-003', days: 5 } });
    expect(parseScenarioArgs(['demand-spike', '--category', 'power tools', '--factor', '2.5', '--hours', '6'])).toEqual({
      command: 'start',
      input: { kind: 'demand-spike', category: 'power tools', factor: 2.5, hours: 6 }
    });
    expect(parseScenarioArgs(['warehouse-stop', '--warehouseCode', 'DFW'])).toEqual({ command: 'start', input: { kind: 'warehouse-stop', warehouseCode: 'DFW', minutes: 60 } });
    expect(parseScenarioArgs(['list'])).toEqual({ command: 'list' });
    expect(parseScenarioArgs(['stop', '3'])).toEqual({ command: 'stop', id: 3 });
    expect(parseScenarioArgs(['stop', 'all'])).toEqual({ command: 'stop', id: 'all' });
    expect(parseScenarioArgs([])).toEqual({ command: 'help' });
  });

  it('names what is wrong', () => {
    expect(usage(['flood'])).toBe('unknown command flood: use list, stop, or a scenario kind (supplier-slip, demand-spike, lane-stall, warehouse-stop)');
    expect(usage(['supplier-slip', '--supplier-code', 'S', '--days', 'five'])).toBe('--days must be a number, not "five"');
    expect(usage(['supplier-slip', '--supplier-code', 'S'])).toMatch(/^supplier-slip: --days: /);
    expect(usage(['lane-stall', '--from', 'ORD'])).toBe('lane-stall has no --from; it takes --from-code, --to-code, --hours');
    expect(usage(['warehouse-stop', '--warehouse-code'])).toBe('--warehouse-code needs a value');
    expect(usage(['demand-spike', '--factor', '3'])).toBe('demand-spike: --region-code: give either a region code or a category (one of them)');
    expect(usage(['stop'])).toBe('stop takes one scenario id (see `list`) or `all`');
  });
});
