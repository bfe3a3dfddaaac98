import { invalid } from '../app/lib/server/core/errors';
import { DEFAULT_HOURS, type ScenarioChoices, type ScenarioInput } from '../schemas/sim-scenarios';
import { HOUR_MS, MINUTE_MS } from './clock';
import type { Network } from './network-types';
import type { Scenario, SimInstant } from './operations-types';

/**
 * The scenario catalogue: what each kind an admin can start does to the simulated
 * network, as a `Scenario` (operations-types.ts) that the generator and executor
 * consult. Every function here is pure: a scenario is its input and its window.
 *
 * - supplier-slip: while it lasts, the supplier's deliveries come `days` later
 *   (judged when the warehouse receives; once it ends, what is overdue arrives
 *   at the next receiving). A planner expects `supplier_late` on its POs.
 * - demand-spike: a region's customers order `factor` times as often, or lines of
 *   a category are `factor` times as likely. A planner expects `demand_spike`.
 * - lane-stall: nothing is shipped or received on the lane. `transfer_late`.
 * - warehouse-stop: the warehouse's ship waves do not happen. A planner expects
 *   `shipping_stalled` once an order has waited past the threshold, nothing shipped.
 */

/** A scenario with its window in simulated time: [startAt, endAt). */
export interface ScheduledScenario {
  input: ScenarioInput;
  startAt: SimInstant;
  endAt: SimInstant;
}

/** Simulated milliseconds the scenario lasts (its hours or minutes, or the kind's default). */
export function durationMs(input: ScenarioInput): number {
  if (input.kind === 'warehouse-stop') return input.minutes * MINUTE_MS;
  return (input.hours ?? DEFAULT_HOURS[input.kind]) * HOUR_MS;
}

export function scheduleScenario(input: ScenarioInput, startAt: SimInstant): ScheduledScenario {
  return { input, startAt, endAt: startAt + durationMs(input) };
}

export function toScenario({ input, startAt, endAt }: ScheduledScenario): Scenario {
  const active = (at: SimInstant) => at >= startAt && at < endAt;
  switch (input.kind) {
    case 'supplier-slip':
      return { supplierDelayDays: (supplier, at) => (supplier === input.supplierCode && active(at) ? input.days : 0) };
    case 'demand-spike': {
      const { regionCode, category, factor } = input;
      // Orders are drawn an hour at a time (asked at the UTC hour's start): every hour the window touches counts.
      if (regionCode !== undefined) return { orderRate: (region, hourStart) => (region === regionCode && hourStart < endAt && hourStart + HOUR_MS > startAt ? factor : 1) };
      return { categoryWeight: (c, at) => (c === category && active(at) ? factor : 1) };
    }
    case 'lane-stall':
      return { laneStalled: (from, to, at) => from === input.fromCode && to === input.toCode && active(at) };
    case 'warehouse-stop':
      return { shippingStopped: (warehouse, at) => warehouse === input.warehouseCode && active(at) };
  }
}

/** One line for lists and logs. */
export function describeScenario(input: ScenarioInput): string {
  switch (input.kind) {
    case 'supplier-slip':
      return `${input.supplierCode}'s deliveries slip by ${input.days} day${input.days === 1 ? '' : 's'}`;
    case 'demand-spike':
      return `demand ×${input.factor} ${input.regionCode !== undefined ? `in region ${input.regionCode}` : `for ${input.category}`}`;
    case 'lane-stall':
      return `lane ${input.fromCode} → ${input.toCode} stalls`;
    case 'warehouse-stop':
      return `${input.warehouseCode} stops shipping for ${input.minutes} min`;
  }
}

/** What a scenario may name in a network. */
export function scenarioChoices(network: Network): ScenarioChoices {
  return {
    suppliers: network.suppliers.map((s) => ({ code: s.code, name: s.name })),
    regions: network.regions.map((r) => ({ code: r.code, name: r.name })),
    categories: [...network.categories],
    warehouses: network.warehouses.map((w) => ({ code: w.code, name: w.name })),
    lanes: network.transferLanes.map((l) => ({ fromCode: l.fromCode, toCode: l.toCode, leadTimeDays: l.leadTimeDays }))
  };
}

const MAX_LISTED = 60;
const listing = (items: string[]) => (items.length <= MAX_LISTED ? items.join(', ') : `${items.slice(0, MAX_LISTED).join(', ')} … and ${items.length - MAX_LISTED} more`);

/**
 * The input with its codes as the network spells them (matched without regard to
 * case), or a BAD_REQUEST naming each unknown field and listing what exists.
 */
export function resolveAgainstNetwork(input: ScenarioInput, network: Network): ScenarioInput {
  const errors: Record<string, string[]> = {};
  const find = (field: string, what: string, value: string, known: string[]): string => {
    const hit = known.find((k) => k.toLowerCase() === value.toLowerCase());
    if (hit === undefined) errors[field] = [`no ${what} ${value} in the network; it has ${listing(known)}`];
    return hit ?? value;
  };
  const warehouses = network.warehouses.map((w) => w.code);
  let resolved: ScenarioInput;
  switch (input.kind) {
    case 'supplier-slip':
      resolved = { ...input, supplierCode: find('supplierCode', 'supplier', input.supplierCode, network.suppliers.map((s) => s.code)) };
      break;
    case 'demand-spike':
      resolved = {
        ...input,
        ...(input.regionCode !== undefined ? { regionCode: find('regionCode', 'region', input.regionCode, network.regions.map((r) => r.code)) } : {}),
        ...(input.category !== undefined ? { category: find('category', 'category', input.category, network.categories) } : {})
      };
      break;
    case 'lane-stall': {
      const fromCode = find('fromCode', 'warehouse', input.fromCode, warehouses);
      const toCode = find('toCode', 'warehouse', input.toCode, warehouses);
      resolved = { ...input, fromCode, toCode };
      if (!errors.fromCode && !errors.toCode && !network.transferLanes.some((l) => l.fromCode === fromCode && l.toCode === toCode)) {
        errors.toCode = [`no transfer lane from ${fromCode} to ${toCode}; the lanes are ${listing(network.transferLanes.map((l) => `${l.fromCode}→${l.toCode}`))}`];
      }
      break;
    }
    case 'warehouse-stop':
      resolved = { ...input, warehouseCode: find('warehouseCode', 'warehouse', input.warehouseCode, warehouses) };
      break;
  }
  const problems = Object.entries(errors);
  if (problems.length > 0) throw invalid(problems.map(([field, [message]]) => `${field}: ${message}`).join('; '), errors);
  return resolved;
}
