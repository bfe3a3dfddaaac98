import { createHash } from 'node:crypto';
import { DAY_MS, HOUR_MS, localTime, type LocalTime } from './clock';
import type { Network, WarehouseDef } from './network-types';
import { countWeight, demandWeight, hourBuckets, perWeek, scheduledInHour, SCHEDULES } from './operations-calendar';
import { demandTables, drawOrder } from './operations-demand';
import { NO_SCENARIO, type Operation, type OperationKind, type Scenario, type SimInstant } from './operations-types';
import { Random } from './random';

export type * from './operations-types';
export { combineScenarios, NO_SCENARIO, OPERATION_KINDS } from './operations-types';

export interface GenerateOptions {
  seed: number;
  /** The window, simulated epoch ms: from inclusive, to exclusive. */
  from: SimInstant;
  to: SimInstant;
  /** Multiplies the network's order rate (and what scales with it: returns, wave capacity). Default 1. */
  demandScale?: number;
  scenario?: Scenario;
}

/** Share of order lines that come back (one return per line). */
const RETURN_LINE_SHARE = 0.01;
/** Cycle counts per warehouse per working day. */
const COUNTS_PER_DAY = 4;
/** A wave takes up to this many times the orders an average wave sees (peaks wait for the next wave). */
const WAVE_HEADROOM = 1.5;
const SALT_MAX = 0x7fffffff;

/**
 * The operations of a simulated network in a window of simulated time: a pure
 * function of (network, seed, window, scale, scenario), sorted by time.
 *
 * Every random draw comes from a stream named by what it is for and the UTC hour
 * it falls in (`orders/<warehouse>/<region>/<hour>`), so a window's operations do
 * not depend on where it starts: generating [a, c) gives what [a, b) and [b, c)
 * give together, and a runner may generate in chunks of any size.
 *
 * Orders: each customer orders as a Poisson process at its rate, shaped by the
 * hour and weekday in its warehouse's time zone (demandWeight); the customers of
 * one warehouse and region are drawn as one Poisson stream (the superposition of
 * Poisson processes is one, at the summed rate) and the customer by its rate.
 * Periodic work runs at fixed local times (SCHEDULES); returns arrive in proportion
 * to lines ordered; cycle counts a few per working day, A items most.
 */
export function generateOperations(network: Network, options: GenerateOptions): Operation[] {
  const { from, to } = options;
  if (!(to >= from)) throw new Error(`the window ends (${to}) before it starts (${from})`);
  const scale = options.demandScale ?? 1;
  if (!(scale >= 0) || !Number.isFinite(scale)) throw new Error(`demandScale must be a finite number, not ${scale}`);
  const scenario = options.scenario ?? NO_SCENARIO;
  const tables = demandTables(network);
  const root = Random.fromSeed(options.seed).derive('operations');
  const dc = network.warehouses.find((w) => w.kind === 'central_dc') ?? network.warehouses[0]!;
  const suppliedFrom = new Set(network.reorderRules.filter((r) => r.sourceSupplierCode !== null).map((r) => r.warehouseCode));
  const laneSources = new Set(network.transferLanes.map((l) => l.fromCode));
  const laneTargets = new Set(network.transferLanes.map((l) => l.toCode));
  const where: Partial<Record<OperationKind, (w: WarehouseDef) => boolean>> = {
    'po-receiving': (w) => suppliedFrom.has(w.code),
    'transfer-dispatch': (w) => laneSources.has(w.code),
    'transfer-receiving': (w) => laneTargets.has(w.code)
  };
  const waves = perWeek(SCHEDULES['ship-wave']!);
  const capacity = (w: WarehouseDef) => Math.max(3, Math.ceil(((tables.warehouseOrdersPerDay.get(w.code)! * 7) / waves) * WAVE_HEADROOM * scale));
  const salt = (label: string) => root.derive(label).int(0, SALT_MAX);

  const ops: Operation[] = [];
  for (const h of hourBuckets(from, to)) {
    const hourStart = h * HOUR_MS;
    const local = new Map<string, LocalTime>(network.warehouses.map((w) => [w.code, localTime(hourStart, w.timeZone)]));

    for (const g of tables.groups) {
      const rate = (g.ordersPerDay / 24) * demandWeight(local.get(g.warehouse.code)!) * scale * (scenario.orderRate?.(g.regionCode, hourStart) ?? 1);
      const rng = root.derive(`orders/${g.warehouse.code}/${g.regionCode}/${h}`);
      for (const offset of arrivals(rng, rate)) ops.push(drawOrder(rng, network, tables, g, hourStart + offset, scenario));
    }

    for (const w of network.warehouses) {
      const lt = local.get(w.code)!;
      const returnRate = ((RETURN_LINE_SHARE * network.demandModel.linesPerOrder * tables.warehouseOrdersPerDay.get(w.code)!) / 24) * demandWeight(lt) * scale;
      const rr = root.derive(`returns/${w.code}/${h}`);
      for (const offset of arrivals(rr, returnRate)) ops.push({ kind: 'return', at: hourStart + offset, warehouse: w.code, salt: rr.int(0, SALT_MAX) });

      const rc = root.derive(`counts/${w.code}/${h}`);
      for (const offset of arrivals(rc, COUNTS_PER_DAY * countWeight(lt))) {
        const product = network.products[tables.countSample(rc)]!;
        const roll = rc.float();
        const sign = rc.chance(0.5) ? 1 : -1;
        // Most counts agree; some are off by a unit or three; a few by a share (these need approval).
        const varianceUnits = roll >= 0.85 && roll < 0.97 ? sign * rc.int(1, 3) : 0;
        const varianceShare = roll >= 0.97 ? sign * Math.round(rc.between(0.1, 0.3) * 100) / 100 : 0;
        ops.push({ kind: 'cycle-count', at: hourStart + offset, warehouse: w.code, sku: product.sku, varianceShare, varianceUnits, salt: rc.int(0, SALT_MAX) });
      }

      for (const kind of ['reorder-run', 'po-receiving', 'transfer-receiving', 'transfer-dispatch', 'ship-wave'] as const) {
        if (where[kind] && !where[kind](w)) continue;
        for (const at of scheduledInHour(hourStart, w.timeZone, SCHEDULES[kind]!, lt)) {
          const s = salt(`${kind}/${w.code}/${at}`);
          if (kind === 'reorder-run') ops.push({ kind, at, warehouse: w.code });
          else if (kind === 'ship-wave') {
            if (!scenario.shippingStopped?.(w.code, at)) ops.push({ kind, at, warehouse: w.code, capacity: capacity(w), salt: s });
          } else ops.push({ kind, at, warehouse: w.code, salt: s });
        }
      }
    }

    // Finance works at head office: the central DC's time zone.
    for (const kind of ['order-approvals', 'payments'] as const) {
      for (const at of scheduledInHour(hourStart, dc.timeZone, SCHEDULES[kind]!, local.get(dc.code))) ops.push({ kind, at, salt: salt(`${kind}/${at}`) });
    }
  }
  // Stable: operations at the same instant keep the order they were generated in.
  return ops.filter((o) => o.at >= from && o.at < to).sort((a, b) => a.at - b.at);
}

/** Poisson arrivals in an hour at `rate` per hour: offsets in ms, sorted. */
function arrivals(rng: Random, rate: number): number[] {
  if (!(rate > 0)) return [];
  const n = rng.poisson(rate);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(rng.int(0, HOUR_MS - 1));
  return out.sort((a, b) => a - b);
}

/** The first `count` operations from `from` on (generated a day at a time). */
export function firstOperations(network: Network, options: Omit<GenerateOptions, 'to'>, count: number, maxDays = 365): Operation[] {
  const out: Operation[] = [];
  for (let day = 0; out.length < count && day < maxDays; day++) {
    const start = options.from + day * DAY_MS;
    out.push(...generateOperations(network, { ...options, from: start, to: start + DAY_MS }));
  }
  return out.slice(0, count);
}

/** A fingerprint of a list of operations (SHA-256 of its JSON). */
export function operationsHash(ops: Operation[]): string {
  return createHash('sha256').update(JSON.stringify(ops)).digest('hex');
}

export interface Pace {
  /** Simulated ms per wall ms. */
  compression: number;
  /** A simulated day lasts this many real minutes. */
  simDayMinutes: number;
  /** Multiplier on the network's order rate. */
  demandScale: number;
  /** Orders per real second this gives on average. */
  ordersPerSecond: number;
}

/**
 * Rate and compression, from what was asked. A day in N minutes alone keeps the
 * network's demand; a rate alone sets the compression that gives it; both scale
 * demand to the rate (the reorder rules were sized for the network's own rate).
 * Neither: real time.
 */
export function resolvePace(network: Network, asked: { ordersPerSecond?: number; simDayMinutes?: number }): Pace {
  const perDay = network.demandModel.ordersPerDay;
  const rate = asked.ordersPerSecond;
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) throw new Error(`ordersPerSecond must be a positive number, not ${rate}`);
  const simDayMinutes = asked.simDayMinutes ?? (rate !== undefined ? perDay / rate / 60 : 24 * 60);
  if (!(simDayMinutes > 0 && Number.isFinite(simDayMinutes))) throw new Error(`simDayMinutes must be a positive number, not ${simDayMinutes}`);
  const demandScale = rate !== undefined && asked.simDayMinutes !== undefined ? (rate * simDayMinutes * 60) / perDay : 1;
  return { compression: (24 * 60) / simDayMinutes, simDayMinutes, demandScale, ordersPerSecond: (perDay * demandScale) / (simDayMinutes * 60) };
}
