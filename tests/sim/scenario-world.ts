import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { DetectorRunner } from '../../app/lib/server/analytics/detector-runner';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import { followSimulatedClock } from '../../app/lib/server/core/business-clock';
import { createCoreDb, type CoreDb } from '../../app/lib/server/core/db';
import { parseLsn } from '../../ingest/lsn';
import { IngestPipeline } from '../../ingest/pipeline';
import { openEmbeddedClickHouse, type ClickHouseEngine } from '../../platform/clickhouse';
import type { DetectorThresholds } from '../../schemas/detector-thresholds';
import { DAY_MS, manualClock, type ManualClock } from '../../sim/clock';
import { loadSimIds } from '../../sim/executor';
import { writeHistory } from '../../sim/history';
import type { Network } from '../../sim/network-types';
import { writeNetwork } from '../../sim/network-writer';
import { SimRunner } from '../../sim/runner';
import { ScenarioRegistry } from '../../sim/scenario-registry';
import { createSimUsers } from '../../sim/sim-users';
import { readLanded } from '../../warehouse/kpi/as-of';
import { queryRows } from '../../warehouse/kpi/clickhouse-query';
import { migrateClickHouse } from '../../warehouse/migrate';
import { readWatermark } from '../../warehouse/model/fact-refresh';
import { dropSlot, quietLog, waitFor } from '../ingest/support';
import { tempDir } from '../support/databases';

/**
 * Two identical worlds for the scenario tests: a small network with its history,
 * written once and copied (CREATE DATABASE … TEMPLATE), so that a control world
 * and a scenario world start from the very same state. chDB binds one data
 * directory per process, so the worlds take turns in one warehouse: each streams
 * into it through the real ingest, and the warehouse is emptied in between.
 *
 * Time: the history ends at `simStart` (a pinned weekday, in the future, so that
 * the calendar of the run does not depend on the day the test runs and every
 * document of the run is dated after the wall-clock commit of anything it
 * reads), and the simulation runs on a manual clock from there. The runner makes
 * the core's business clock follow it, so the documents the run writes are dated
 * at their simulated instants, and the detectors judge at the simulated now.
 */

export async function createDatabase(prefix: string, template?: string): Promise<string> {
  const base = new URL(inject('postgresUrl'));
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base.toString() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  base.pathname = `/${name}`;
  return base.toString();
}

export const databaseName = (url: string) => new URL(url).pathname.slice(1);

/** Writes the network, its history up to `endAt` and the simulator's users into an empty database (its pool closed afterwards). */
export async function writeBase(url: string, network: Network, historyDays: number, password: string, endAt: Date): Promise<Date> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  try {
    const db = createCoreDb(pool);
    const ids = await writeNetwork(db, network, () => {}, { openedAt: new Date(endAt.getTime() - historyDays * DAY_MS) });
    await writeHistory(db, network, ids, { days: historyDays, endAt });
    await createSimUsers(db, { password });
    return endAt;
  } finally {
    await pool.end();
  }
}

/** The one chDB of this process, with the ingest of whichever world is attached. */
export class Warehouse {
  pipeline: IngestPipeline | null = null;
  private slot = '';
  private pool: pg.Pool | null = null;

  private constructor(readonly engine: ClickHouseEngine) {}

  static async open(): Promise<Warehouse> {
    const engine = await openEmbeddedClickHouse(await tempDir('ch'));
    await migrateClickHouse(engine.client);
    return new Warehouse(engine);
  }

  get ch() {
    return this.engine.client;
  }

  rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    return queryRows<T>(this.ch, query, params);
  }

  /** Streams a world's database into the warehouse (a backfill, then changes). */
  async attach(url: string, pool: pg.Pool): Promise<IngestPipeline> {
    this.pool = pool;
    this.slot = `t_${randomBytes(5).toString('hex')}`;
    this.pipeline = new IngestPipeline({ databaseUrl: url, clickhouse: this.ch, log: quietLog, slot: this.slot, publication: this.slot, lockPollMs: 100 });
    this.pipeline.start();
    await this.landed(120_000);
    return this.pipeline;
  }

  /** Everything committed so far has landed and the facts are refreshed up to it. */
  async landed(timeoutMs = 30_000): Promise<void> {
    const pipeline = this.pipeline!;
    const { rows } = await this.pool!.query<{ lsn: string }>("SELECT pg_logical_emit_message(true, 'opstower.settle', '')::text AS lsn");
    const target = parseLsn(rows[0]!.lsn);
    await waitFor(
      () => {
        if (pipeline.state === 'failed') throw new Error(`ingest failed: ${pipeline.progress().lastError}`);
        const landed = pipeline.progress().landedLsn;
        return landed !== null && parseLsn(landed) > target;
      },
      timeoutMs,
      'the ingest to land'
    );
    const landed = await readLanded(this.ch);
    const mark = landed.lsn === null ? 0n : parseLsn(landed.lsn);
    await waitFor(async () => ((await readWatermark(this.ch))?.lsn ?? -1n) >= mark, timeoutMs, 'the warehouse facts to catch up');
  }

  /** Stops the ingest, drops its slot and empties the warehouse for the next world. */
  async detach(): Promise<void> {
    await this.pipeline?.stop();
    this.pipeline = null;
    if (this.pool) await dropSlot(this.pool, this.slot).catch(() => undefined);
    const objects = await this.rows<{ name: string; engine: string }>('SELECT name, engine FROM system.tables WHERE database = currentDatabase()');
    for (const o of objects.filter((t) => t.engine === 'View')) await this.ch.command({ query: `DROP VIEW IF EXISTS \`${o.name}\`` });
    for (const o of objects.filter((t) => t.engine !== 'View')) await this.ch.command({ query: `DROP TABLE IF EXISTS \`${o.name}\`` });
    await migrateClickHouse(this.ch);
  }
}

export interface WorldOptions {
  url: string;
  network: Network;
  seed: number;
  /** Where the history ends and the run starts. */
  simStart: number;
  thresholds: DetectorThresholds;
  warehouse: Warehouse;
}

/** One world: the core database, the live operations on a manual clock, its scenarios, the detectors. */
export class World {
  readonly pool: pg.Pool;
  readonly db: CoreDb;
  readonly clock: ManualClock;
  runner!: SimRunner;
  scenarios!: ScenarioRegistry;
  detectors!: DetectorRunner;

  private constructor(readonly options: WorldOptions) {
    this.pool = new pg.Pool({ connectionString: options.url, max: 6 });
    this.db = createCoreDb(this.pool);
    this.clock = manualClock(options.simStart);
  }

  static async start(options: WorldOptions): Promise<World> {
    const world = new World(options);
    const { db, clock } = world;
    const users = await createSimUsers(db, { password: 'scenario-test-password' });
    world.runner = new SimRunner({ db, network: options.network, ids: await loadSimIds(db), users, seed: options.seed, clock });
    world.scenarios = new ScenarioRegistry(options.network, world.runner);
    const pipeline = await options.warehouse.attach(options.url, world.pool);
    world.detectors = new DetectorRunner({
      ch: options.warehouse.ch,
      db,
      thresholds: options.thresholds,
      intervalMs: 3_600_000,
      log: quietLog,
      ingest: () => pipeline.progress()
      // No `now`: the detectors judge at the business clock, which the run moves (runUntil).
    });
    return world;
  }

  /** Runs the live operations up to a simulated instant (the clock ends there). */
  async runUntil(at: number): Promise<void> {
    if (at > this.clock.now()) await this.runner.run({ until: at });
    this.clock.set(at);
    // The runner moved the business clock to its last operation; the checkpoint is later.
    await followSimulatedClock(this.db, SYSTEM_ACTOR, at, 0);
  }

  /** Waits until what the run wrote has landed in the warehouse. */
  landed(): Promise<void> {
    return this.options.warehouse.landed();
  }

  /**
   * What the planner sees at the simulated now: landed, then the detectors' run
   * over everything. Returns the open alerts by kind and the wall time it took.
   */
  async judge(): Promise<{ alerts: Map<string, Set<string>>; ms: number }> {
    const began = Date.now();
    await this.landed();
    await this.detectors.idle();
    const summary = await this.detectors.runAll();
    if (summary.failed.length) throw new Error(`detectors failed: ${summary.failed.join(', ')}`);
    const { rows } = await this.pool.query<{ kind: string; subject: string }>("SELECT kind, subject FROM alerts WHERE state <> 'resolved'");
    const ms = Date.now() - began;
    const alerts = new Map<string, Set<string>>();
    for (const r of rows) alerts.set(r.kind, (alerts.get(r.kind) ?? new Set()).add(r.subject));
    return { alerts, ms };
  }

  async close(): Promise<void> {
    await this.runner?.stop();
    await this.detectors?.stop();
    await this.options.warehouse.detach();
    await this.pool.end();
  }
}
