import { TRPCError } from '@trpc/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCaller } from '../../app/lib/server/api/root';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import { createUser } from '../../app/lib/server/auth/sessions';
import type { SessionUser } from '../../schemas/api/auth';
import { kpiBench, type KpiBench } from './support';
import { DAY, detectorNetwork, placeOrder, type DetectorNetwork } from './detector-fixture';

/** The kpi router: roles, a warehouse lead's forced scope, errors a board can show, and the freshness it reports. */
let bench: KpiBench;
let n: DetectorNetwork;
let planner: SessionUser;
let lead: SessionUser;
const window = { from: new Date(Date.now() - 30 * DAY).toISOString(), to: new Date(Date.now() + DAY).toISOString() };

const caller = (user: SessionUser | null, withWarehouse = true) =>
  createCaller({ db: bench.db, user, token: null, isDev: false, ch: withWarehouse ? bench.clickhouse.client : undefined });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return err instanceof TRPCError ? err.code : String(err);
  }
}

beforeAll(async () => {
  bench = await kpiBench();
  n = await detectorNetwork(bench);
  planner = await createUser(bench.db, SYSTEM_ACTOR, { email: 'planner@kpi.test', name: 'Planner', password: 'correct horse battery', role: 'planner', warehouseId: null });
  lead = await createUser(bench.db, SYSTEM_ACTOR, { email: 'lead@kpi.test', name: 'Lead', password: 'correct horse battery', role: 'warehouse', warehouseId: n.whB.id });
  // One backorder at each warehouse: 6 units at A, 3 at B.
  await placeOrder(bench.pool, n, { productId: n.products[0]!.id, qty: 10, shipped: 4, agoMs: 5 * DAY, backorderedSinceAgoMs: 2 * DAY });
  await placeOrder(bench.pool, n, { productId: n.products[0]!.id, qty: 5, shipped: 2, agoMs: 5 * DAY, backorderedSinceAgoMs: 2 * DAY, warehouseId: n.whB.id });
  await bench.landed();
}, 120_000);

describe('kpi router', () => {
  it('answers a planner with the data and the LSN and commit time it reflects', async () => {
    const r = await caller(planner).kpi.backorderAging({});
    expect(r.data.total.units).toBe(9);
    expect(r.asOf.lsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(Date.parse(r.asOf.commitTime!)).toBeGreaterThan(Date.now() - 60_000);
    const fill = await caller(planner).kpi.fillRate(window);
    expect(fill.data.total.orders).toBe(2);
  });

  it("forces a warehouse lead's scope to its warehouse and refuses another", async () => {
    expect((await caller(lead).kpi.backorderAging({})).data.total.units).toBe(3);
    expect(await codeOf(caller(lead).kpi.backorderAging({ warehouseIds: [n.whA.id] }))).toBe('FORBIDDEN');
    expect((await caller(lead).kpi.backorderAging({ warehouseIds: [n.whB.id] })).data.total.units).toBe(3);
  });

  it('refuses the unsigned, bad windows, unknown filters and filters a KPI cannot apply', async () => {
    expect(await codeOf(caller(null).kpi.fillRate(window))).toBe('UNAUTHORIZED');
    expect(await codeOf(caller(planner).kpi.fillRate({ from: window.to, to: window.from }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller(planner).kpi.stockAtRisk({ productIds: [1] } as never))).toBe('BAD_REQUEST');
    expect(await codeOf(caller(planner).kpi.transferBottlenecks({ ...window, categories: ['tools'] }))).toBe('BAD_REQUEST');
  });

  it('says plainly when the warehouse is not connected', async () => {
    const err = await caller(planner, false)
      .kpi.fillRate(window)
      .catch((e: TRPCError) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe('PRECONDITION_FAILED');
    expect((err as TRPCError).message).toContain('ClickHouse');
  });
});
