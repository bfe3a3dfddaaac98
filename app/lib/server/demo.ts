import type { Logger } from 'pino';
import type { Config } from '../../../schemas/config';
import type { CoreDb } from './core/db';
import type { IngestLink } from './ingest/ingest-link';
import { prepareDemo } from '../../../sim/demo-session';
import { terminalProgress } from '../../../sim/history-progress';
import type { ScenarioControl } from '../../../sim/scenario-registry';

/** The simulated network inside the control tower (SIMULATOR=demo, as `npm run demo` sets it). */
export interface RunningDemo {
  /** The scenarios of the live operations (the `sim` API and the admin page). */
  scenarios: ScenarioControl;
  startLive(): void;
  stop(): Promise<void>;
}

const DEMO_SEED = 20261122;
/**
 * The demo's distributor takes 800 orders a day (the network's default is 1,200): 90 days of
 * history are then written, backfilled and built into facts well within the minute a newcomer
 * waits (at 1,200 the start took 46-58 s on a 2-core machine, at the edge of that minute).
 */
const DEMO_NETWORK = { ordersPerDay: 800 };

export async function startDemo(db: CoreDb, config: Config, log: Logger): Promise<RunningDemo> {
  const demo = await prepareDemo(db, { seed: DEMO_SEED, spec: DEMO_NETWORK, ordersPerSecond: config.SIM_ORDERS_PER_SECOND, log: log.child({ module: 'sim' }), progress: terminalProgress(process.stdout) });
  const lines = demo.logins.map((l) => `    ${l.role.padEnd(10)} ${l.email.padEnd(36)} ${l.created ? l.password : '(password from an earlier run)'}${l.warehouse ? `  warehouse ${l.warehouse}` : ''}`);
  process.stdout.write(['', '  Demo logins (one per role; warehouse leads are scoped to their warehouse):', ...lines, ''].join('\n') + '\n');
  return demo;
}

/**
 * Starts the demo's live operations once the ingest streams: until then the
 * backfill of the history has the machine to itself (on 2 cores the two slowed
 * each other down, and boards show nothing live before streaming anyway). An
 * ingest that does not say it streams within `waitMs` (an external one that does
 * not report, or a stuck one) does not hold them back.
 */
export function startLiveWhenStreaming(demo: RunningDemo, ingest: IngestLink, log: Logger, waitMs = 60_000): void {
  let started = false;
  const start = (why: string) => {
    if (started) return;
    started = true;
    clearTimeout(timer);
    log.info({ module: 'sim' }, `demo operations starting (${why})`);
    demo.startLive();
  };
  const timer = setTimeout(() => start(`the ingest did not report streaming within ${waitMs / 1000} s`), waitMs);
  timer.unref();
  if (ingest.progress()?.state === 'streaming') return start('the ingest streams');
  ingest.onProgress((p) => p.state === 'streaming' && start('the ingest streams'));
}
