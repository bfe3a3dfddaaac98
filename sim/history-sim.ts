import { SYSTEM_ACTOR, type Actor } from '../app/lib/server/core/actor';
import { buildContext } from './history-context';
import type { HistoryRows, IdTable } from './history-model';
import { cancelSweep, placeOrder } from './history-orders';
import { pickWave, waves } from './history-shipping';
import { countRound } from './history-counts';
import { reorderRun } from './history-supply';
import { at, createSim, localTime, type Sim } from './history-state';
import { DAY, weekday } from './history-time';
import { DISPATCH_HOUR, dispatch } from './history-transfers';
import type { Network } from './network-types';
import type { NetworkIds, Progress } from './network-writer';
import { weightedSampler } from './random';

/**
 * The history simulation, pure and deterministic (same network, ids, options
 * and seed: same rows): day by day, each warehouse's routine is scheduled (reorder
 * run at dawn, counts, waves, the DC's dispatch, a backorder review) and every
 * customer's orders arrive, Poisson by its rate, with weekly seasonality, a gentle
 * trend and day-to-day swing, most in the morning. Events then run in time order;
 * each may schedule more (approvals, sending, deliveries, payments, returns).
 * What falls after `end` is left undone: the open orders, backorders, POs and
 * transfers in transit of the present.
 */

/** Orders by weekday (Sunday first), relative to the average day. */
const WEEKLY = [0.3, 1.2, 1.15, 1.15, 1.15, 1.05, 0.5].map((f, _, all) => (f * all.length) / all.reduce((a, b) => a + b, 0));
/** Orders rise by this share over the history (boards show a trend). */
const TREND = 0.12;
/** Day-to-day swing of demand (lognormal sigma). */
const DAY_SWING = 0.08;
/** Order arrivals by local hour, from 06:00. */
const FIRST_HOUR = 6;
const HOURLY = [1, 3, 6, 8, 8, 7, 5, 6, 7, 6, 5, 3, 2, 1];
const byHour = weightedSampler(HOURLY);
/** Each warehouse's routine, local hours. */
const REORDER_HOUR = 5.5;
const COUNT_HOUR = 7;
const CANCEL_REVIEW_HOUR = 9.5;

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
  const { start, end } = options;
  if (!(end > start)) throw new Error('the history must end after it starts');
  const ctx = buildContext(network, ids, options.actor ?? SYSTEM_ACTOR);
  const sim = createSim(ctx, options.seed, start, end, options.firstIds ?? {}, options.balances);
  const zones = ctx.zones;
  const firstDay = Math.min(...ctx.warehouses.map((w) => zones.localDay(w.tz, start)));
  const lastDay = Math.max(...ctx.warehouses.map((w) => zones.localDay(w.tz, end)));
  const span = lastDay - firstDay + 1;
  for (let d = firstDay; d <= lastDay; d++) {
    options.progress?.(`simulating ${new Date(d * DAY).toISOString().slice(0, 10)}`, (d - firstDay) / span);
    planDay(sim, d, 1 + TREND * ((d - firstDay + 0.5) / span - 0.5));
    // Run up to the next day's earliest routine (04:00 in the easternmost zone).
    runUntil(sim, Math.min(end, Math.min(...ctx.warehouses.map((w) => zones.at(w.tz, d + 1, 4)))));
  }
  runUntil(sim, end);
  options.progress?.('simulated', 1);
  return { rows: { ...sim.rows, moves: sim.ledger.moves, balances: sim.ledger.allBalances() }, start, end, days: span };
}

function runUntil(sim: Sim, until: number): void {
  while (sim.queue.peekTime() < until) {
    const e = sim.queue.pop()!;
    if (e.t >= sim.start) e.run(); // before the start the network did not exist yet
  }
}

function planDay(sim: Sim, day: number, trend: number): void {
  const { ctx } = sim;
  const wd = weekday(day);
  const sources = new Set([...ctx.lanes.keys()].map((k) => Math.floor(k / ctx.warehouses.length)));
  for (const w of ctx.warehouses) {
    const i = w.index;
    const when = (hours: number) => localTime(sim, i, day, hours);
    const reorder = when(REORDER_HOUR);
    at(sim, reorder, () => reorderRun(sim, i, reorder));
    if (wd >= 1 && wd <= 5) {
      const count = when(COUNT_HOUR + sim.rng.counts.between(0, 1));
      at(sim, count, () => countRound(sim, i, count));
    }
    const review = when(CANCEL_REVIEW_HOUR);
    at(sim, review, () => cancelSweep(sim, i, review));
    for (const wave of waves(day)) {
      const pick = when(wave.pick);
      const ship = when(wave.ship);
      at(sim, pick, () => pickWave(sim, i, pick, ship));
    }
    if (sources.has(i) && wd !== 0) {
      const out = when(DISPATCH_HOUR);
      at(sim, out, () => dispatch(sim, i, out));
    }
  }
  const rng = sim.rng.days;
  const swing = rng.lognormal(1, DAY_SWING);
  const rate = WEEKLY[wd]! * trend * swing;
  for (const c of ctx.customers) {
    const n = sim.rng.orders.poisson(c.def.ordersPerDay * rate);
    for (let k = 0; k < n; k++) {
      const t = localTime(sim, c.warehouse, day, FIRST_HOUR + byHour(rng) + rng.float());
      at(sim, t, () => placeOrder(sim, c, t));
    }
  }
}
