import { beforeAll, describe, expect, it } from 'vitest';
import { readBusinessClock } from '../../app/lib/server/core/business-clock';
import { manualClock, DAY_MS } from '../../sim/clock';
import { loadSimIds, type ExecutorCounters } from '../../sim/executor';
import { writeHistory } from '../../sim/history';
import { generateNetwork } from '../../sim/network';
import { writeNetwork } from '../../sim/network-writer';
import { SimRunner } from '../../sim/runner';
import { createSimUsers } from '../../sim/sim-users';
import { backorderAging } from '../../warehouse/kpi/backorder-aging';
import { fillRate } from '../../warehouse/kpi/fill-rate';
import { stockAtRisk } from '../../warehouse/kpi/stock-at-risk';
import { backorderAgingFromLedger, fillRateFromLedger, stockAtRiskFromLedger } from '../support/ledger-kpis';
import { kpiBench } from './support';

/**
 * The warehouse's KPIs against the ledger: a small network with two weeks of
 * history (bulk-written with the core's rules) and then live operations through
 * the core services, all streamed into ClickHouse by the real ingest. Fill rate,
 * backorder aging and stock at risk read from ClickHouse must equal the same
 * definitions computed independently in SQL over the PostgreSQL tables.
 */
const SPEC = { seed: 5, regions: 1, branches: 2, products: 80, customers: 40, suppliers: 4, ordersPerDay: 60 };
const HISTORY_DAYS = 14;
const LIVE_OPERATIONS = 250;
/** Live demand at three times the network's plan: stock runs short, so backorders and at-risk pairs appear. */
const DEMAND_SCALE = 3;
const bench = await kpiBench();
const ch = () => bench.clickhouse.client;
let counters: ExecutorCounters;
let window: { from: string; to: string };
let asOfTime: string;

beforeAll(async () => {
  const network = generateNetwork(SPEC);
  const start = Date.now();
  const ids = await writeNetwork(bench.db, network, undefined, { openedAt: new Date(start - (HISTORY_DAYS + 1) * DAY_MS) });
  await writeHistory(bench.db, network, ids, { days: HISTORY_DAYS, endAt: new Date(start) });
  const users = await createSimUsers(bench.db, { password: 'ledger-equality-password' });
  const runner = new SimRunner({ db: bench.db, network, ids: await loadSimIds(bench.db), users, seed: 17, demandScale: DEMAND_SCALE, clock: manualClock(Date.now()) });
  counters = await runner.run({ maxOperations: LIVE_OPERATIONS });
  // Whether any of the history's backorders is still open depends on the hour the test runs (the
  // live run's receipts may fill them all): three backorders are dated back, so that several
  // aging buckets are compared whatever the hour.
  await bench.pool.query(`UPDATE sales_order_lines SET backordered_since = backordered_since - (interval '5 days' * (1 + id % 3))
    WHERE id IN (SELECT id FROM sales_order_lines WHERE backordered_qty > 0 AND backordered_since IS NOT NULL ORDER BY id LIMIT 3)`);
  await bench.landed();
  // The live run dates its documents on the simulated timeline (the business clock follows its clock): "now" is that clock's.
  const businessNow = Date.parse((await readBusinessClock(bench.db)).now);
  asOfTime = new Date(businessNow).toISOString();
  window = { from: new Date(start - 30 * DAY_MS).toISOString(), to: new Date(businessNow + DAY_MS).toISOString() };
}, 120_000);

async function count(query: string): Promise<number> {
  return Number((await bench.pool.query<{ n: string }>(query)).rows[0]!.n);
}

describe('KPIs equal the ledger after a simulated workload', () => {
  it('ran a workload with partial shipments, backorders, receipts and transfers', async () => {
    expect(counters.operations).toBe(LIVE_OPERATIONS);
    expect(counters.actions['orders.create']?.ok ?? 0).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM shipments WHERE state = 'shipped' AND shipped_at > now() - interval '1 hour'`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM sales_order_lines WHERE backordered_qty > 0 AND backordered_since IS NOT NULL`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM receipts`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) AS n FROM transfers WHERE state = 'received'`)).toBeGreaterThan(0);
  });

  it('fill rate: totals, by day, by warehouse and by region', async () => {
    const pg = await fillRateFromLedger(bench.pool, window);
    const fromCh = await fillRate(ch(), window);
    expect(fromCh.data).toEqual(pg);
    // Not vacuous: many orders, some lines short at first shipment, some still short now.
    expect(pg.total.orders).toBeGreaterThan(100);
    expect(pg.byWarehouse.length).toBe(3);
    expect(pg.byDay.length).toBeGreaterThanOrEqual(HISTORY_DAYS);
    expect(pg.total.firstShipment.linesFilled).toBeLessThan(pg.total.lines);
    expect(pg.total.final.unitsShipped).toBeLessThan(pg.total.unitsDemanded);
    expect(pg.total.firstShipment.unitsShipped).toBeLessThan(pg.total.final.unitsShipped);
  });

  it('fill rate over a window that cuts through the history', async () => {
    const mid = { from: new Date(Date.parse(window.to) - 8.5 * DAY_MS).toISOString(), to: new Date(Date.parse(window.to) - 3.25 * DAY_MS).toISOString() };
    const pg = await fillRateFromLedger(bench.pool, mid);
    expect((await fillRate(ch(), mid)).data).toEqual(pg);
    expect(pg.total.orders).toBeGreaterThan(0);
  });

  it('backorder aging: total and grouped by warehouse, customer and product', async () => {
    const pg = await backorderAgingFromLedger(bench.pool, { asOfTime });
    expect((await backorderAging(ch(), { asOfTime })).data).toEqual(pg);
    expect(pg.total.lines).toBeGreaterThan(5);
    expect(pg.total.valueMinor).toBeGreaterThan(0);
    // Backorders of several ages: the history's and the live run's.
    expect(Object.values(pg.total.buckets).filter((b) => b.lines > 0).length).toBeGreaterThan(1);
    for (const groupBy of ['warehouse', 'customer', 'product'] as const) {
      const grouped = await backorderAgingFromLedger(bench.pool, { asOfTime, groupBy });
      expect((await backorderAging(ch(), { asOfTime, groupBy })).data, groupBy).toEqual(grouped);
      expect(grouped.groups!.length, groupBy).toBeGreaterThan(0);
    }
  });

  it('backorder aging with the clock set back into the history', async () => {
    const earlier = new Date(Date.parse(asOfTime) - 5 * DAY_MS).toISOString();
    const pg = await backorderAgingFromLedger(bench.pool, { asOfTime: earlier, groupBy: 'warehouse' });
    expect((await backorderAging(ch(), { asOfTime: earlier, groupBy: 'warehouse' })).data).toEqual(pg);
  });

  it('stock at risk: every product x warehouse, and the at-risk ones by shortfall', async () => {
    const all = { asOfTime, onlyAtRisk: false, limit: 5000 };
    const pg = await stockAtRiskFromLedger(bench.pool, all);
    expect((await stockAtRisk(ch(), all)).data).toEqual(pg);
    expect(pg.length).toBeGreaterThan(SPEC.products);
    expect(pg.length).toBeLessThan(5000);
    expect(pg.filter((r) => r.atRisk).length).toBeGreaterThan(2);
    expect(pg.filter((r) => r.shipped28d > 0).length).toBeGreaterThan(0);
    expect(pg.filter((r) => r.inbound > 0).length).toBeGreaterThan(0);
    expect(pg.filter((r) => r.owed > 0).length).toBeGreaterThan(0);
    expect(pg.filter((r) => r.elsewhereAvailable > 0).length).toBeGreaterThan(0);
    const atRisk = { asOfTime, sort: 'shortfall' as const, limit: 5000 };
    expect((await stockAtRisk(ch(), atRisk)).data).toEqual(await stockAtRiskFromLedger(bench.pool, atRisk));
  });

  it('stock at risk looking from inside the history', async () => {
    const earlier = { asOfTime: new Date(Date.parse(asOfTime) - 6.5 * DAY_MS).toISOString(), onlyAtRisk: false, limit: 5000 };
    const pg = await stockAtRiskFromLedger(bench.pool, earlier);
    expect((await stockAtRisk(ch(), earlier)).data).toEqual(pg);
  });
});
