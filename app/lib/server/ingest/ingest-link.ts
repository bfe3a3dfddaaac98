import type { Logger } from 'pino';
import type { Config } from '../../../../schemas/config';
import type { Engines } from '../../../../platform/engines';
import { IngestPipeline } from '../../../../ingest/pipeline';
import { IngestEventListener } from '../../../../ingest/landed-events';
import { reportProgressFrom } from '../../../../ingest/ingest-metrics';
import type { IngestProgress, LandedEvent } from '../../../../schemas/ingest';

/**
 * How this app process learns what the CDC ingest lands: it runs the pipeline
 * itself (INGEST_MODE=in-process, the embedded default; with several app nodes one
 * is active and the others wait as standbys), or it listens to an ingest that runs
 * as its own process (INGEST_MODE=external) through PostgreSQL NOTIFY.
 */
export interface IngestLink {
  mode: Config['INGEST_MODE'];
  /** The latest progress known to this process (null until an external ingest reported). */
  progress(): IngestProgress | null;
  onLanded(listener: (e: LandedEvent) => void): void;
  onProgress(listener: (p: IngestProgress) => void): void;
  stop(): Promise<void>;
}

export async function linkIngest(config: Config, engines: Engines, log: Logger): Promise<IngestLink> {
  const landed: ((e: LandedEvent) => void)[] = [];
  const progressed: ((p: IngestProgress) => void)[] = [];
  const emitLanded = (e: LandedEvent) => landed.forEach((l) => l(e));
  const emitProgress = (p: IngestProgress) => progressed.forEach((l) => l(p));
  const base = { mode: config.INGEST_MODE, onLanded: (l: (e: LandedEvent) => void) => void landed.push(l), onProgress: (l: (p: IngestProgress) => void) => void progressed.push(l) };

  if (config.INGEST_MODE === 'external') {
    let latest: IngestProgress | null = null;
    const listener = new IngestEventListener(engines.postgres.url, log, {
      landed: emitLanded,
      progress: (p) => {
        latest = p;
        emitProgress(p);
      }
    });
    await listener.start();
    return { ...base, progress: () => latest, stop: () => listener.stop() };
  }

  const pipeline = new IngestPipeline({
    databaseUrl: engines.postgres.url,
    clickhouse: engines.clickhouse.client,
    slot: config.INGEST_SLOT,
    log: log.child({ module: 'ingest' }),
    // Per chunk at debug; each finished table at info (the ingest's own log line).
    onBackfillProgress: (p) => log.debug({ module: 'ingest', ...p }, 'backfill progress')
  });
  pipeline.on('landed', emitLanded);
  pipeline.on('state', (state) => {
    log.info({ module: 'ingest', state }, `ingest ${state}`);
    emitProgress(pipeline.progress());
  });
  // Progress also moves between state changes (lag, rate): report it once a second.
  const ticker = setInterval(() => emitProgress(pipeline.progress()), 1_000);
  ticker.unref();
  reportProgressFrom(() => pipeline.progress());
  pipeline.start();
  return {
    ...base,
    progress: () => pipeline.progress(),
    async stop() {
      clearInterval(ticker);
      reportProgressFrom(undefined);
      await pipeline.stop();
    }
  };
}
