import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ClickHouseClient } from '@clickhouse/client';
import { loadConfig } from '../../../../schemas/config';
import { detectorThresholds } from '../../../../schemas/detector-thresholds';
import type { Detector } from '../../../../warehouse/detectors/detector';
import type { CoreDb } from '../core/db';
import { DetectorRunner } from './detector-runner';

/** Stopping at shutdown: the engines close right after, so nothing may start once stop() is called. */
describe('DetectorRunner.stop', () => {
  function runner(detectors: Detector[]) {
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line).msg as string) });
    // No engine is reached: the detectors below return no verdicts, and nothing else may run.
    const r = new DetectorRunner({
      ch: {} as ClickHouseClient,
      db: {} as CoreDb,
      thresholds: detectorThresholds(loadConfig({})),
      intervalMs: 3_600_000,
      log,
      ingest: () => null,
      now: () => new Date(), // not the business clock: it would read the (absent) database
      detectors
    });
    return { r, warnings };
  }

  it('waits for the detector in flight and starts none after it', async () => {
    const ran: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: Detector = { name: 'slow', tables: ['stock_moves'], run: async () => (ran.push('slow'), await gate, []) };
    const next: Detector = { name: 'next', tables: ['stock_moves'], run: async () => (ran.push('next'), []) };
    const { r } = runner([slow, next]);
    const run = r.runAll();
    await new Promise((res) => setImmediate(res));
    let stopped = false;
    const stop = r.stop().then(() => (stopped = true));
    await new Promise((res) => setImmediate(res));
    expect(stopped).toBe(false); // the slow detector is still running
    release();
    await stop;
    await run;
    expect(ran).toEqual(['slow']);
  });

  it('ignores ingest progress reported after it stopped', async () => {
    const { r, warnings } = runner([]);
    await r.stop();
    // A failed ingest would raise the lag alert through the (here unusable) database.
    await r.ingestProgress({ state: 'failed' } as Parameters<DetectorRunner['ingestProgress']>[0]);
    expect(warnings).toEqual([]);
  });
});
