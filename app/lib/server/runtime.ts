import { BusinessClockReader } from './core/business-clock';
import type { Logger } from 'pino';
import { loadConfig, type Config } from '../../../schemas/config';
import { createLogger } from '../../../platform/log';
import { openEngines, type Engines } from '../../../platform/engines';
import { checkHealth, type HealthReport } from './health';
import { LiveHub } from './live/hub';
import { LiveRooms } from './live/rooms';
import { BOARD_DEFINITIONS } from './live/boards';
import { useClusterAdapter } from './live/adapter';
import { processState } from './live/attach.js';
import { ensureBootstrapAdmin } from './auth/bootstrap';
import { createCoreDb, type CoreDb } from './core/db';
import { linkIngest, type IngestLink } from './ingest/ingest-link';
import { startDemo, startLiveWhenStreaming, type RunningDemo } from './demo';
import { DetectorRunner } from './analytics/detector-runner';
import { detectorThresholds } from '../../../schemas/detector-thresholds';
import type { ScenarioControl } from '../../../sim/scenario-registry';

/**
 * Everything one control-tower process runs: config, engines, live hub. Started
 * once (SvelteKit's init hook, or a test) and kept on globalThis so that server.js,
 * the Vite plugin and the SvelteKit bundle all see the same instance.
 */
export interface Runtime {
  config: Config;
  log: Logger;
  engines: Engines;
  /** Drizzle over the engines' pool: the transactional core. */
  db: CoreDb;
  hub: LiveHub;
  /** The board rooms of this node and their tiles. */
  rooms: LiveRooms;
  /** The CDC ingest as this process sees it (run here, or followed from another process). */
  ingest: IngestLink;
  /** The alert detectors, run after landed batches and on a schedule. */
  detectors: DetectorRunner;
  /** The simulator's scenarios, when this process runs the demo (SIMULATOR=demo). */
  sim?: ScenarioControl;
  startedAt: Date;
  health(): Promise<HealthReport>;
  shutdown(): Promise<void>;
}

interface RuntimeSlot {
  runtime?: Runtime;
  starting?: Promise<Runtime>;
}

function slot(): RuntimeSlot {
  return processState() as RuntimeSlot;
}

export async function startRuntime(env: Record<string, string | undefined> = process.env): Promise<Runtime> {
  const config = loadConfig(env);
  const log = createLogger(config);
  const startedAt = new Date();
  const engines = await openEngines(config, log);
  const db = createCoreDb(engines.pool);
  let ingest: IngestLink;
  let demo: RunningDemo | undefined;
  try {
    await ensureBootstrapAdmin(db, config, log);
    // The demo's history goes in before the ingest starts: it then reaches ClickHouse as a backfill.
    if (config.SIMULATOR === 'demo') demo = await startDemo(db, config, log);
    ingest = await linkIngest(config, engines, log);
    if (demo) startLiveWhenStreaming(demo, ingest, log);
  } catch (err) {
    await engines.close();
    throw err;
  }
  const businessClock = new BusinessClockReader(db);
  const rooms = new LiveRooms({
    boards: BOARD_DEFINITIONS,
    context: () => ({ ch: engines.clickhouse.client, db }),
    now: () => businessClock.now(),
    log: log.child({ module: 'rooms' }),
    minIntervalMs: config.LIVE_TILE_INTERVAL_MS,
    refreshMs: config.LIVE_REFRESH_SECONDS * 1000
  });
  const hub = new LiveHub(log.child({ module: 'live' }), startedAt, db, rooms);
  ingest.onLanded((e) => hub.landed(e));
  ingest.onProgress((p) => hub.ingestProgress(p));
  const detectors = new DetectorRunner({
    ch: engines.clickhouse.client,
    db,
    thresholds: detectorThresholds(config),
    intervalMs: config.DETECTOR_INTERVAL_SECONDS * 1000,
    log: log.child({ module: 'detectors' }),
    ingest: () => ingest.progress()
  });
  ingest.onLanded((e) => detectors.landed(e));
  ingest.onProgress((p) => void detectors.ingestProgress(p));
  detectors.start();
  const state = processState();
  const bindIo = async (io: import('socket.io').Server) => {
    if (config.LIVE_ADAPTER === 'postgres') await useClusterAdapter(io, engines.pool, log.child({ module: 'live' }));
    hub.bind(io);
  };
  const bindFailed = (err: unknown) => log.error({ err }, 'the live hub could not bind to Socket.IO');
  if (state.io) await bindIo(state.io);
  state.onIo = (io) => void bindIo(io).catch(bindFailed);
  let stopping: Promise<void> | undefined;
  const runtime: Runtime = {
    config,
    log,
    engines,
    db,
    hub,
    rooms,
    ingest,
    detectors,
    sim: demo?.scenarios,
    startedAt,
    health: () => checkHealth(engines, startedAt, ingest),
    shutdown() {
      stopping ??= (async () => {
        log.info('shutting down');
        state.onIo = undefined;
        // Each step's duration goes in the last line: a slow stop says which part was slow.
        const ms: Record<string, number> = {};
        const step = async (name: string, run: () => Promise<unknown> | unknown) => {
          const t = performance.now();
          await run();
          ms[name] = Math.round(performance.now() - t);
        };
        await step('demo', () => demo?.stop().catch((err) => log.warn({ err }, 'stopping the demo operations failed')));
        await step('detectors', () => detectors.stop());
        rooms.stop();
        // The ingest first: it acknowledges only what landed, so stopping it mid-batch loses nothing.
        await step('ingest', () => ingest.stop().catch((err) => log.warn({ err }, 'stopping the ingest failed')));
        await step('engines', () => engines.close());
        if (slot().runtime === runtime) slot().runtime = undefined;
        slot().starting = undefined;
        log.info({ ms }, 'stopped');
      })();
      return stopping;
    }
  };
  return runtime;
}

/** The process's runtime, started on first call (the init hook calls it at server start). */
export function ensureRuntime(): Promise<Runtime> {
  const s = slot();
  if (s.runtime) return Promise.resolve(s.runtime);
  s.starting ??= startRuntime().then(
    (rt) => (s.runtime = rt),
    (err) => {
      s.starting = undefined;
      throw err;
    }
  );
  return s.starting;
}

export function getRuntime(): Runtime {
  const rt = slot().runtime;
  if (!rt) throw new Error('opstower runtime is not started');
  return rt;
}
