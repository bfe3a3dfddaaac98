import { SYSTEM_ACTOR, type Actor } from '../app/lib/server/core/actor';
import { buildContext } from './history-context';
import type { HistoryRows, IdTable, MoveRec } from './history-model';
import { COUNTS_PER_DAY, countProduct } from './history-counts';
import { cancelSweep, decideApprovals, placeOrder } from './history-orders';
import { customerReturn, pickWave } from './history-shipping';
import { at, createSim, localTime, type Sim } from './history-state';
import { reorderRun } from './history-supply';
import { isoDay, weekday } from './history-time';
import { dispatch } from './history-transfers';
import type { Network } from './network-types';
import type { NetworkIds, Progress } from './network-writer';
import { COUNT_HOURS, demandWeight, perWeek, SCHEDULES } from './operations-calendar';
import { demandTables, drawOrder } from './operations-demand';
import { NO_SCENARIO } from './operations-types';

/**
 * The history simulation, pure and deterministic (same network, ids, options
 * and seed: same rows). It keeps the live operations' calendar and demand
 * (operations-calendar.ts, operations-demand.ts): day by day, each warehouse's
 * routine is scheduled at their times (reorder runs, waves, dispatches, counts,
 * approvals) and orders arrive hour by hour, Poisson at the network's rates with
 * their daily and weekly shape, plus a gentle trend and a day-to-day swing.
 * Events then run in time order; each may schedule more (sending, deliveries,
 * receipts, payments). What falls after `end` is left undone: the open orders,
 * backorders, POs and transfers in transit of the present.
 */

/** Orders rise by this share over the history, to the network's own rate at the end (boards show a trend; live operations carry on from it). */
const TREND = 0.12;
/** Day-to-day swing of demand (lognormal sigma). */
const DAY_SWING = 0.08;
/** Not in the live operations: customers review their old backorders on weekday mornings (some give up). */
const CANCEL_REVIEW_HOUR = 9;
/** Returns: this share of order lines comes back (as in the live operations). */
const RETURN_LINE_SHARE = 0.01;
/** A wave takes up to this many times the orders an average wave sees (peaks wait for the next wave). */
const WAVE_HEADROOM = 1.5;

export interface SimulateOptions {
  /** The history spans [start, end) (epoch ms). */
  start: number;
  end: number;
  seed: number;
  actor?: Actor;
  /** The first free id per table (default 1). */
  firstIds?: Partial<Record<IdTable, number>>;
  /** Balances when the history starts (the network's opening stock). */
  balances: { productId: number; locationId: number; onHand: number; reserved: number }[];
  progress?: Progress;
}

export interface HistoryResult {
  rows: HistoryRows;
  start: number;
  end: number;
  days: number;
}

export function simulateHistory(network: Network, ids: NetworkIds, options: SimulateOptions): HistoryResult {
  const days = runHistory(network, ids, options);
  for (;;) {
    const step = days.next();
    if (step.done) return step.value;
  }
}

/**
 * simulateHistory, a day at a time: yields after each simulated day the moves
 * that became final that day (done or cancelled: they never change again), so a
 * writer can send them to the database while the next day is simulated;
 * returns the whole history (`rows.moves` holds every move, final or not).
 */
export function* runHistory(network: Network, ids: NetworkIds, options: SimulateOptions): Generator<MoveRec[], HistoryResult> {
  const { start, end } = options;
  if (!(end > start)) throw new Error('the history must end after it starts');
  const ctx = buildContext(network, ids, options.actor ?? SYSTEM_ACTOR);
  const sim = createSim(ctx, options.seed, start, end, options.firstIds ?? {}, options.balances);
  sim.ledger.finals = [];
  const zones = ctx.zones;
  const firstDay = Math.min(...ctx.warehouses.map((w) => zones.localDay(w.tz, start)));
  const lastDay = Math.max(...ctx.warehouses.map((w) => zones.localDay(w.tz, end)));
  const span = lastDay - firstDay + 1;
  for (let d = firstDay; d <= lastDay; d++) {
    // Day d begins at the earliest local midnight among the warehouses: everything before it has run.
    runUntil(sim, Math.min(end, Math.min(...ctx.warehouses.map((w) => zones.at(w.tz, d, 0)))));
    yield sim.ledger.finals.splice(0);
    options.progress?.(`simulating ${isoDay(d)}`, (d - firstDay) / span);
    planDay(sim, d, 1 - TREND * (1 - (d - firstDay + 1) / span));
  }
  runUntil(sim, end);
  yield sim.ledger.finals.splice(0);
  options.progress?.('simulated', 1);
  return { rows: { ...sim.rows, moves: sim.ledger.moves, balances: sim.ledger.allBalances() }, start, end, days: span };
}

function runUntil(sim: Sim, until: number): void {
  for (let e = sim.queue.next(until); e; e = sim.queue.next(until)) {
    if (e.t >= sim.start) e.run(); // before the start the network did not exist yet
  }
}

/** Everything that starts on local day `day`: each warehouse's routine at the live operations' times, and the day's orders. */
function planDay(sim: Sim, day: number, trend: number): void {
  const { ctx } = sim;
  const network = ctx.network;
  const tables = demandTables(network);
  const wd = weekday(day);
  const when = (w: number, minute: number) => localTime(sim, w, day, minute / 60);
  const fires = (kind: keyof typeof SCHEDULES) => (SCHEDULES[kind] ?? []).filter((e) => e.weekdays.includes(wd)).map((e) => e.minute);
  const sources = new Set(network.transferLanes.map((l) => l.fromCode));
  const wavesPerWeek = perWeek(SCHEDULES['ship-wave']!);
  for (const w of ctx.warehouses) {
    const i = w.index;
    for (const m of fires('reorder-run')) at(sim, when(i, m), () => reorderRun(sim, i, when(i, m)));
    const capacity = Math.max(3, Math.ceil(((tables.warehouseOrdersPerDay.get(w.code)! * 7) / wavesPerWeek) * WAVE_HEADROOM));
    for (const m of fires('ship-wave')) at(sim, when(i, m), () => pickWave(sim, i, when(i, m), capacity));
    if (sources.has(w.code)) for (const m of fires('transfer-dispatch')) at(sim, when(i, m), () => dispatch(sim, i, when(i, m)));
    if (COUNT_HOURS.weekdays.includes(wd)) {
      for (let k = 0; k < COUNTS_PER_DAY; k++) {
        const t = when(i, 60 * sim.rng.counts.between(COUNT_HOURS.from, COUNT_HOURS.to));
        at(sim, t, () => countProduct(sim, i, t));
      }
      const review = when(i, CANCEL_REVIEW_HOUR * 60);
      at(sim, review, () => cancelSweep(sim, i, review));
    }
  }
  for (const m of fires('order-approvals')) at(sim, when(ctx.dc, m), () => decideApprovals(sim, when(ctx.dc, m)));

  // Orders and returns, hour by hour in each warehouse's zone (the live operations' daily and weekly shape).
  const rng = sim.rng.days;
  const swing = rng.lognormal(1, DAY_SWING) * trend;
  const customerIndex = new Map(ctx.customers.map((c) => [c.def.code, c]));
  const productIndex = productIndexOf(sim);
  for (let h = 0; h < 24; h++) {
    const shape = demandWeight({ weekday: wd, minuteOfDay: h * 60 }) * swing;
    for (const g of tables.groups) {
      const w = ctx.warehouses.findIndex((x) => x.code === g.warehouse.code);
      const n = sim.rng.orders.poisson((g.ordersPerDay / 24) * shape);
      for (let k = 0; k < n; k++) {
        const t = when(w, (h + rng.float()) * 60);
        at(sim, t, () => {
          const op = drawOrder(sim.rng.orders, network, tables, g, t, NO_SCENARIO);
          const lines = op.lines.map((l) => {
            const product = productIndex.get(l.sku)!;
            const pack = l.pack ? ctx.products[product]!.def.packSizes.find((s) => s.name === l.pack)!.qty : 1;
            return { product, qty: l.qty * pack };
          });
          placeOrder(sim, { customer: customerIndex.get(op.customer)!, lines, priority: op.priority, discountBp: op.discountBp }, t);
        });
      }
    }
    for (const w of ctx.warehouses) {
      const rate = (RETURN_LINE_SHARE * network.demandModel.linesPerOrder * tables.warehouseOrdersPerDay.get(w.code)!) / 24;
      const n = sim.rng.returns.poisson(rate * shape);
      for (let k = 0; k < n; k++) {
        const t = when(w.index, (h + rng.float()) * 60);
        at(sim, t, () => customerReturn(sim, w.index, t));
      }
    }
  }
}

const productIndexes = new WeakMap<object, Map<string, number>>();
function productIndexOf(sim: Sim): Map<string, number> {
  let m = productIndexes.get(sim.ctx);
  if (!m) {
    m = new Map(sim.ctx.products.map((p) => [p.def.sku, p.index]));
    productIndexes.set(sim.ctx, m);
  }
  return m;
}
