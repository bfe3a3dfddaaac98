import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoreDb } from '../../app/lib/server/core/db';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { generateNetwork } from '../../sim/network';
import { writeNetwork } from '../../sim/network-writer';
import { SimRunner } from '../../sim/runner';
import { createSimUsers } from '../../sim/sim-users';
import type { ExecutorCounters } from '../../sim/executor';
import { ingestBench, type IngestBench } from '../ingest/support';
import { freshDatabase } from '../support/databases';

/**
 * The simulated network live for 60 s of wall time (as the demo runs it: a live
 * clock, operations through the core services by the right roles) with the CDC
 * ingest streaming beside it: every ledger invariant of DESIGN.md holds after the
 * run, and once the ingest has caught up ClickHouse equals PostgreSQL table by table.
 */
const RUN_MS = 60_000;
const SPEC = { seed: 7, products: 60, customers: 20, suppliers: 5, branches: 2, ordersPerDay: 40 };

let ingest: IngestBench;
let counters: ExecutorCounters;
let failure: unknown = null;

beforeAll(async () => {
  const url = await freshDatabase('simlive');
  ingest = await ingestBench({ url });
  const db = createCoreDb(ingest.pool);
  const network = generateNetwork(SPEC);
  const ids = await writeNetwork(db, network);
  const users = await createSimUsers(db, { password: 'live-run-test-password' });
  ingest.startPipeline();
  await ingest.settle(60_000);
  // Three orders a second on average, with everything else the network does around them.
  const runner = new SimRunner({ db, network, ids, users, seed: 5, ordersPerSecond: 3 });
  const running = runner.start().catch((err) => (failure = err));
  await new Promise((r) => setTimeout(r, RUN_MS));
  counters = await runner.stop();
  await running;
}, RUN_MS + 120_000);
afterAll(() => ingest?.close());

describe('a 60 s live run of the simulated network', () => {
  it('runs without a fault, through many operations of several kinds', () => {
    expect(failure).toBeNull();
    expect(counters.operations).toBeGreaterThan(100);
    expect(Object.values(counters.byKind).filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
  });

  it('keeps every ledger invariant', async () => {
    expect(await ledgerViolations(createCoreDb(ingest.pool))).toEqual([]);
  });

  it('leaves ClickHouse equal to PostgreSQL once the ingest has caught up', async () => {
    await ingest.settle(60_000);
    await ingest.expectEqual();
  });
});
