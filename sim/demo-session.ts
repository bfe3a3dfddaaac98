import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { readBusinessNow } from '../app/lib/server/core/business-clock';
import type { CoreDb } from '../app/lib/server/core/db';
import { generateNetwork, type Network, type NetworkSpec } from './network';
import { holdsCoreData, writeNetwork } from './network-writer';
import { writeHistory } from './history';
import { createSimUsers, type SimLogin } from './sim-users';
import { loadSimIds } from './executor';
import { SimRunner } from './runner';
import { DAY_MS, liveClock } from './clock';
import { resolvePace } from './operations';
import { ScenarioRegistry } from './scenario-registry';

/**
 * The demo: a simulated distribution network with 90 days of history, written into
 * an empty database, then live operations through the core services. Run by the
 * control tower when SIMULATOR=demo (npm run demo), before the CDC ingest starts so
 * the history arrives in ClickHouse as a backfill rather than one huge transaction.
 */
export interface DemoOptions {
  seed: number;
  /** Orders per second of the live operations. */
  ordersPerSecond: number;
  spec?: Partial<NetworkSpec>;
  historyDays?: number;
  log: Logger;
  progress?: (label: string, fraction: number) => void;
}

export interface Demo {
  logins: SimLogin[];
  /** The scenarios an admin starts and stops (npm run scenario, the admin page): they shape the live operations. */
  scenarios: ScenarioRegistry;
  /** Starts the live operations (after the ingest is up); once, and not after stop(). */
  startLive(): void;
  stop(): Promise<void>;
}

export async function prepareDemo(db: CoreDb, options: DemoOptions): Promise<Demo> {
  const network: Network = generateNetwork({ ...options.spec, seed: options.seed });
  const progress = options.progress ?? (() => undefined);
  if (!(await holdsCoreData(db))) {
    const days = options.historyDays ?? 90;
    const started = Date.now();
    const ids = await writeNetwork(db, network, (label, f) => progress(`network: ${label}`, f), { openedAt: new Date(Date.now() - days * DAY_MS) });
    const history = await writeHistory(db, network, ids, { days, progress: (label, f) => progress(`history: ${label}`, f) });
    options.log.info({ days: history.days, rows: history.rows, ms: Date.now() - started }, 'demo network and history written');
  } else {
    options.log.info('demo data present: continuing with live operations');
  }
  // A new random password per demo run: printed for the person at the terminal, never stored in the repo.
  const password = `demo-${randomBytes(6).toString('hex')}`;
  const users = await createSimUsers(db, { password });
  const ids = await loadSimIds(db);
  // The simulated clock starts when the live operations do (after the backfill), from where the business clock
  // stands (a demo continued on its data may have run it ahead of the wall clock): no backlog at the start.
  const from = (await readBusinessNow(db)).getTime();
  const created = Date.now();
  let startedAfter: number | null = null;
  const clock = liveClock({
    start: from,
    simDayMinutes: resolvePace(network, { ordersPerSecond: options.ordersPerSecond }).simDayMinutes,
    wallNow: () => (startedAfter === null ? created : Date.now() - startedAfter)
  });
  const runner = new SimRunner({
    db,
    network,
    ids,
    users,
    seed: options.seed,
    ordersPerSecond: options.ordersPerSecond,
    clock,
    progressEveryMs: 30_000,
    onProgress: (p) => options.log.info({ operations: p.counters.operations, behindMs: Math.round(p.behindMs) }, 'demo operations')
  });
  let running: Promise<unknown> | null = null;
  let stopped = false;
  return {
    logins: users.logins,
    scenarios: new ScenarioRegistry(network, runner, (change, s) => options.log.info({ scenario: s }, `scenario ${s.id} ${change}: ${s.description}`)),
    startLive() {
      if (running || stopped) return; // once; never after a shutdown began
      startedAfter = Date.now() - created;
      running = runner.start().catch((err) => options.log.error({ err }, 'demo operations stopped on an error'));
    },
    async stop() {
      stopped = true;
      await runner.stop({ cutShort: true }); // a shutdown should not wait for a long payment run or ship wave
      await running;
    }
  };
}
