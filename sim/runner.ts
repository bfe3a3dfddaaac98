import { businessInstantAt, followSimulatedClock } from '../app/lib/server/core/business-clock';
import type { CoreDb } from '../app/lib/server/core/db';
import { liveClock, MINUTE_MS, type SimClock } from './clock';
import { Executor, OperationCutShort, snapshotCounters, type ExecutorCounters, type SimIds } from './executor';
import type { Network } from './network-types';
import { generateOperations, resolvePace, type Pace } from './operations';
import { NO_SCENARIO, type Operation, type Scenario, type SimInstant } from './operations-types';
import type { SimUsers } from './sim-users';

export interface RunnerOptions {
  db: CoreDb;
  network: Network;
  ids: SimIds;
  users: SimUsers;
  seed: number;
  /** Default: a live clock at the pace asked for, starting now. A manual clock runs as fast as the database allows. */
  clock?: SimClock;
  /** Orders per real second, on average (see resolvePace). */
  ordersPerSecond?: number;
  /** A simulated day lasts this many real minutes (default: real time, or what ordersPerSecond needs). */
  simDayMinutes?: number;
  /** Overrides the demand multiplier the pace implies. */
  demandScale?: number;
  /** Where the operations start, simulated ms (default: the clock's now). */
  from?: SimInstant;
  /** Simulated time generated at a time (default 15 minutes). */
  chunkMs?: number;
  scenario?: Scenario;
  onProgress?: (progress: RunnerProgress) => void;
  /** Least wall time between progress reports (default 1000 ms; 0: after every operation). */
  progressEveryMs?: number;
}

export interface RunLimits {
  /** Stop before the first operation at or after this simulated instant. */
  until?: SimInstant;
  /** Stop after this many operations (in this run). */
  maxOperations?: number;
}

export interface RunnerProgress {
  running: boolean;
  /** The clock's simulated now. */
  simNow: SimInstant;
  /** The simulated instant of the latest operation executed (null before the first). */
  lastAt: SimInstant | null;
  /** Simulated ms the latest operation started after its due instant (the database could not keep up when large). */
  behindMs: number;
  counters: ExecutorCounters;
}

/** Simulated time a live run may fall behind its clock before the business clock waits for it (6 real s at a day in 10 min). */
const LIVE_SLACK_MS = 15 * MINUTE_MS;

/** The business clock this runner last set: its anchor, as business_now() reads it. */
interface BusinessClockSet {
  business: SimInstant;
  rate: number;
  wall: number;
}

/** Where a business clock this runner set stands now (-Infinity before it set one). */
const businessInstant = (c: BusinessClockSet | null) => (c ? businessInstantAt(c, Date.now()) : -Infinity);

/**
 * Runs the simulated network live: generates operations a chunk at a time (just
 * in time, so a scenario set now shapes what comes), waits on the clock for each
 * one and executes it. stop() lets the operation in flight finish (or, asked to
 * cut it short, drops its remaining service calls); start() again continues
 * where it stopped. A fault (anything but a business refusal) stops the
 * run and rejects its promise.
 */
export class SimRunner {
  readonly executor: Executor;
  readonly clock: SimClock;
  readonly pace: Pace;
  readonly demandScale: number;
  private scenario: Scenario;
  private pending: Operation[] = [];
  private chunkFrom: SimInstant;
  private cursor: SimInstant;
  private lastAt: SimInstant | null = null;
  private behindMs = 0;
  private stopping = false;
  private wake: AbortController | null = null;
  private loop: Promise<ExecutorCounters> | null = null;
  private lastProgress = -Infinity;
  /** The business clock as this runner last set it, and the wall instant it did (null: not yet). */
  private businessClock: BusinessClockSet | null = null;

  constructor(private readonly options: RunnerOptions) {
    // A clock given sets the compression (a manual clock has none: no real time passes).
    const clockDay = options.clock && Number.isFinite(options.clock.compression) ? (24 * 60) / options.clock.compression : undefined;
    this.pace = resolvePace(options.network, { ordersPerSecond: options.ordersPerSecond, simDayMinutes: options.simDayMinutes ?? clockDay });
    this.clock = options.clock ?? liveClock({ simDayMinutes: this.pace.simDayMinutes, start: options.from });
    this.demandScale = options.demandScale ?? this.pace.demandScale;
    this.scenario = options.scenario ?? NO_SCENARIO;
    this.executor = new Executor({ ...options, clock: this.clock, scenario: this.scenario });
    this.cursor = this.chunkFrom = options.from ?? this.clock.now();
  }

  get counters(): ExecutorCounters {
    return this.executor.counters;
  }

  get running(): boolean {
    return this.loop !== null;
  }

  /**
   * A new scenario: the executor uses it from the next operation, and what is
   * generated but not yet executed is generated again under it.
   */
  setScenario(scenario: Scenario): void {
    this.scenario = scenario;
    this.executor.setScenario(scenario);
    const from = Math.max(this.chunkFrom, this.lastAt === null ? -Infinity : this.lastAt + 1);
    if (this.cursor > from) {
      // Operations at the instant of the last executed one stay (some of that instant already ran).
      const kept = this.pending.filter((o) => o.at < from);
      this.pending = [...kept, ...this.generate(from, this.cursor)];
    }
    this.wake?.abort();
  }

  /** Starts running in the background; the promise settles when the run ends (limits, stop() or a fault). */
  start(limits: RunLimits = {}): Promise<ExecutorCounters> {
    if (this.loop) throw new Error('the simulation is running already');
    this.stopping = false;
    this.executor.resume();
    const loop = this.runLoop(limits).finally(() => {
      this.loop = null;
      this.report(true);
    });
    this.loop = loop;
    return loop;
  }

  /** Runs until a limit is reached (or stop() is called). */
  run(limits: RunLimits): Promise<ExecutorCounters> {
    return this.start(limits);
  }

  /**
   * Stops after the operation in flight, or before its next service call when cutShort
   * (a shutdown: an operation such as a payment run can take many seconds). Resolves
   * with the counters (never rejects: a fault is start()'s to report).
   */
  async stop(options: { cutShort?: boolean } = {}): Promise<ExecutorCounters> {
    this.stopping = true;
    if (options.cutShort) this.executor.cutShort();
    this.wake?.abort();
    await this.loop?.catch(() => undefined);
    return snapshotCounters(this.counters);
  }

  private generate(from: SimInstant, to: SimInstant): Operation[] {
    return generateOperations(this.options.network, { seed: this.options.seed, from, to, demandScale: this.demandScale, scenario: this.scenario });
  }

  private async waitUntil(at: SimInstant): Promise<void> {
    this.wake = new AbortController();
    try {
      await this.clock.waitUntil(at, this.wake.signal);
    } finally {
      this.wake = null;
    }
  }

  private async runLoop(limits: RunLimits): Promise<ExecutorCounters> {
    const chunk = this.options.chunkMs ?? 15 * MINUTE_MS;
    let executed = 0;
    while (!this.stopping) {
      if (limits.maxOperations !== undefined && executed >= limits.maxOperations) break;
      const op = this.pending[0];
      if (!op) {
        if (limits.until !== undefined && this.cursor >= limits.until) break;
        await this.waitUntil(this.cursor); // generate just in time
        if (this.stopping) break;
        if (this.pending.length > 0) continue; // a scenario change regenerated meanwhile
        const to = limits.until !== undefined ? Math.min(this.cursor + chunk, limits.until) : this.cursor + chunk;
        this.pending = this.generate(this.cursor, to);
        this.chunkFrom = this.cursor;
        this.cursor = to;
        continue;
      }
      if (limits.until !== undefined && op.at >= limits.until) break;
      await this.waitUntil(op.at);
      if (this.stopping) break;
      if (this.pending[0] !== op) continue; // regenerated while waiting
      this.pending.shift();
      this.behindMs = Math.max(0, this.clock.now() - op.at);
      try {
        await this.followClock(op.at);
        await this.executor.execute(op);
      } catch (err) {
        if (err instanceof OperationCutShort && this.stopping) break;
        throw err;
      }
      this.lastAt = op.at;
      executed++;
      this.report(false);
    }
    return snapshotCounters(this.counters);
  }

  /**
   * The core dates documents on the simulated timeline: its business clock follows
   * this one. On time, a live clock is followed once and the business clock runs
   * at its rate. Behind (an operation such as a ship wave took longer than its
   * simulated share), or on a manual clock, the business clock stands at the
   * operation's instant (rate 0): it never runs ahead of what the simulation has
   * done, or detectors would see warehouses idle that are only waiting for their
   * turn. It never goes back: caught up from a live stretch, it stands where it was.
   */
  private async followClock(at: SimInstant): Promise<void> {
    const rate = this.clock.compression;
    const now = this.clock.now();
    const current = this.businessClock;
    let next: { business: SimInstant; rate: number };
    if (Number.isFinite(rate) && now - at <= LIVE_SLACK_MS) {
      if (current?.rate === rate) return; // running with the clock already
      next = { business: Math.max(now, businessInstant(current)), rate };
    } else {
      next = { business: Math.max(at, businessInstant(current)), rate: 0 };
      if (current?.rate === 0 && current.business === next.business) return;
    }
    // Taken before the write: the database anchors later, so this estimate of where it stands is never behind it.
    const wall = Date.now();
    await followSimulatedClock(this.options.db, this.options.users.actors.admin, next.business, next.rate);
    this.businessClock = { ...next, wall };
  }

  private report(final: boolean): void {
    const { onProgress, progressEveryMs = 1000 } = this.options;
    if (!onProgress) return;
    const now = Date.now();
    if (!final && now - this.lastProgress < progressEveryMs) return;
    this.lastProgress = now;
    onProgress({ running: !final, simNow: this.clock.now(), lastAt: this.lastAt, behindMs: this.behindMs, counters: snapshotCounters(this.counters) });
  }
}
