import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../../app/lib/server/auth/sessions';
import { createCoreDb, type CoreDb } from '../../app/lib/server/core/db';
import { readBusinessClock } from '../../app/lib/server/core/business-clock';
import { ledgerViolations } from '../../app/lib/server/core/invariants';
import { createPool } from '../../platform/pool';
import { DAY_MS, HOUR_MS, liveClock, manualClock, type SimClock } from '../../sim/clock';
import type { ExecutorCounters } from '../../sim/executor';
import { generateNetwork } from '../../sim/network';
import { generateOperations } from '../../sim/operations';
import { writeNetwork } from '../../sim/network-writer';
import { SimRunner, type RunnerProgress } from '../../sim/runner';
import { createSimUsers } from '../../sim/sim-users';
import { freshDatabase } from '../support/databases';

const SPEC = { seed: 21, products: 40, customers: 16, suppliers: 4, branches: 2, ordersPerDay: 12 };
const SEED = 99;
/** A Monday, 00:00 UTC; the run covers two simulated weeks. */
const START = Date.parse('2026-03-02T00:00:00Z');
const END = START + 14 * DAY_MS;
const PASSWORD = 'demo-password-for-tests';

/** A fresh database with the small network and the simulator's users. */
async function prepared() {
  const pool = createPool(await freshDatabase('simrun'), 4);
  const db = createCoreDb(pool);
  const network = generateNetwork(SPEC);
  const ids = await writeNetwork(db, network);
  const users = await createSimUsers(db, { password: PASSWORD });
  return { pool, db, network, ids, users };
}

async function count(db: CoreDb, query: string): Promise<number> {
  return Number((await db.execute<{ n: string }>(sql.raw(query))).rows[0]!.n);
}

const ok = (c: ExecutorCounters, action: string) => c.actions[action]?.ok ?? 0;

describe('SimRunner on a small network (manual clock)', () => {
  let first: Awaited<ReturnType<typeof prepared>>;
  let counters: ExecutorCounters;
  const progress: RunnerProgress[] = [];

  beforeAll(async () => {
    first = await prepared();
    const runner = new SimRunner({ ...first, seed: SEED, clock: manualClock(START), onProgress: (p) => progress.push(p), progressEveryMs: 0 });
    counters = await runner.run({ until: END });
  });
  afterAll(() => first?.pool.end());

  it('runs a few hundred operations of every kind', () => {
    expect(counters.operations).toBeGreaterThan(300);
    for (const [kind, n] of Object.entries(counters.byKind)) expect(n, kind).toBeGreaterThan(0);
    expect(progress.at(-1)).toMatchObject({ running: false, counters });
    expect(progress.length).toBe(counters.operations + 1);
  });

  it('dates what it writes on the simulated timeline: the business clock follows the manual clock', async () => {
    const { db } = first;
    const range = async (query: string) => (await db.execute<{ lo: string | null; hi: string | null; n: string }>(sql.raw(query))).rows[0]!;
    for (const [what, column, table] of [
      ['orders', 'created_at', 'sales_orders'],
      ['shipments', 'shipped_at', 'shipments'],
      ['POs', 'sent_at', 'purchase_orders'],
      ['transfers', 'requested_at', 'transfers']
    ] as const) {
      const r = await range(`SELECT min(${column}) AS lo, max(${column}) AS hi, count(${column}) AS n FROM ${table}`);
      expect(Number(r.n), what).toBeGreaterThan(0);
      expect(Date.parse(r.lo!), what).toBeGreaterThanOrEqual(START);
      expect(Date.parse(r.hi!), what).toBeLessThan(END);
    }
    expect(await readBusinessClock(db)).toMatchObject({ rate: 0, set: true });
    expect(Date.parse((await readBusinessClock(db)).now)).toBe(progress.at(-1)!.lastAt);
  });

  it('creates a demo login per role and a lead per warehouse, and reuses them when asked again', async () => {
    const { users, network, ids } = first;
    expect(users.logins.filter((l) => l.role !== 'warehouse').map((l) => l.role)).toEqual(['admin', 'executive', 'planner', 'buyer', 'sales', 'finance', 'viewer']);
    expect([...users.leads.keys()].sort()).toEqual(network.warehouses.map((w) => w.code).sort());
    for (const [code, lead] of users.leads) expect(lead).toMatchObject({ role: 'warehouse', warehouseId: ids.warehouses.get(code) });
    const lead = users.logins.find((l) => l.role === 'warehouse')!;
    expect((await login(first.db, { email: lead.email, password: PASSWORD })).user.warehouseId).toBe(ids.warehouses.get(lead.warehouse!));
    const again = await createSimUsers(first.db, { password: 'another-password' });
    expect(again.logins.some((l) => l.created)).toBe(false);
    expect(again.actors).toEqual(users.actors);
  });

  it('keeps every ledger invariant', async () => {
    expect(await ledgerViolations(first.db)).toEqual([]);
  });

  it('leaves orders in several states, shipped ones and backordered ones among them', async () => {
    const states = (await first.db.execute<{ state: string }>(sql`SELECT DISTINCT state FROM sales_orders`)).rows.map((r) => r.state);
    expect(states.length).toBeGreaterThanOrEqual(3);
    expect(states).toContain('done');
    expect(await count(first.db, `SELECT count(*) AS n FROM shipments WHERE state = 'shipped'`)).toBeGreaterThan(50);
    // Backordered: a line still to ship after a shipment left it behind, or waiting for stock.
    expect(await count(first.db, `SELECT count(*) AS n FROM sales_order_lines WHERE backordered_since IS NOT NULL`)).toBeGreaterThan(0);
    expect(await count(first.db, `SELECT count(*) AS n FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id WHERE o.state = 'confirmed' AND l.backordered_qty > l.reserved_qty`)).toBeGreaterThan(0);
    expect(await count(first.db, `SELECT count(*) AS n FROM invoices`)).toBeGreaterThan(0);
  });

  it('buys, receives and moves stock between warehouses', async () => {
    expect(await count(first.db, `SELECT count(*) AS n FROM purchase_orders WHERE state <> 'draft'`)).toBeGreaterThan(0);
    expect(await count(first.db, `SELECT count(*) AS n FROM receipts`)).toBeGreaterThan(0);
    expect(await count(first.db, `SELECT count(*) AS n FROM transfers WHERE state = 'received'`)).toBeGreaterThan(0);
    expect(await count(first.db, `SELECT count(*) AS n FROM customer_returns`)).toBeGreaterThan(0);
    expect(await count(first.db, `SELECT count(*) AS n FROM cycle_counts`)).toBeGreaterThan(0);
  });

  it('acts in the role each task belongs to', async () => {
    const actorRole = async (table: string, column: string) =>
      (await first.db.execute<{ role: string }>(sql.raw(`SELECT DISTINCT u.role FROM ${table} t JOIN users u ON u.id = t.${column}`))).rows.map((r) => r.role);
    expect(await actorRole('sales_orders', 'created_by')).toEqual(['sales']);
    expect(await actorRole('shipments', 'actor_id')).toEqual(['warehouse']);
    expect(await actorRole('purchase_orders', 'created_by')).toEqual(['buyer']);
    expect(await actorRole('receipts', 'actor_id')).toEqual(['warehouse']);
    // Leads act on their own warehouse only.
    expect(await count(first.db, `SELECT count(*) AS n FROM shipments s JOIN sales_orders o ON o.id = s.order_id JOIN users u ON u.id = s.actor_id WHERE u.warehouse_id <> o.warehouse_id`)).toBe(0);
  });

  it('keeps counters that add up to what the database holds', async () => {
    expect(Object.values(counters.byKind).reduce((a, b) => a + b, 0)).toBe(counters.operations);
    expect(ok(counters, 'orders.create') + (counters.actions['orders.create']?.refused ?? 0)).toBe(counters.byKind.order);
    expect(ok(counters, 'orders.create')).toBe(await count(first.db, 'SELECT count(*) AS n FROM sales_orders'));
    expect(ok(counters, 'orders.ship')).toBe(await count(first.db, `SELECT count(*) AS n FROM shipments WHERE state = 'shipped'`));
    expect(ok(counters, 'orders.pick')).toBe(await count(first.db, 'SELECT count(*) AS n FROM shipments'));
    expect(ok(counters, 'orders.pay')).toBeGreaterThan(0);
    expect(ok(counters, 'orders.pay')).toBe(await count(first.db, 'SELECT count(*) AS n FROM payments'));
    expect(ok(counters, 'purchasing.send')).toBe(await count(first.db, `SELECT count(*) AS n FROM purchase_orders WHERE state <> 'draft'`));
    expect(ok(counters, 'purchasing.receive')).toBe(await count(first.db, 'SELECT count(*) AS n FROM receipts'));
    expect(ok(counters, 'transfers.ship')).toBe(await count(first.db, `SELECT count(*) AS n FROM transfers WHERE state IN ('shipped', 'received')`));
    expect(ok(counters, 'transfers.receive')).toBe(await count(first.db, `SELECT count(*) AS n FROM transfers WHERE state = 'received'`));
    expect(ok(counters, 'returns.create')).toBe(await count(first.db, 'SELECT count(*) AS n FROM customer_returns'));
    expect(ok(counters, 'stock.count')).toBe(await count(first.db, 'SELECT count(*) AS n FROM cycle_counts'));
    expect(ok(counters, 'orders.approve') + ok(counters, 'orders.reject')).toBe(await count(first.db, `SELECT count(*) AS n FROM sales_orders WHERE approval_reason IS NOT NULL AND state <> 'awaiting_approval'`));
  });

  it('gives the same counters when run again with the same seed from the same state, even when stopped and resumed', async () => {
    const second = await prepared();
    try {
      const runner = new SimRunner({ ...second, seed: SEED, clock: manualClock(START) });
      // stop() is called while the 150th operation is in flight: it finishes, and no other begins.
      const execute = runner.executor.execute.bind(runner.executor);
      let stopping: Promise<ExecutorCounters> | undefined;
      let inFlightFinished = false;
      let stopSawItFinished = false;
      runner.executor.execute = async (op) => {
        if (runner.counters.operations !== 149) return execute(op);
        stopping = runner.stop().then((c) => {
          stopSawItFinished = inFlightFinished;
          return c;
        });
        await execute(op);
        inFlightFinished = true;
      };
      const stoppedAt = await runner.start({ until: END });
      expect(await stopping).toEqual(stoppedAt);
      expect(stopSawItFinished).toBe(true);
      expect(stoppedAt.operations).toBe(150);
      expect(runner.running).toBe(false);
      expect(await ledgerViolations(second.db)).toEqual([]);
      runner.executor.execute = execute;
      expect(await runner.run({ until: END })).toEqual(counters);
    } finally {
      await second.pool.end();
    }
  });

  it('cut short by stop({ cutShort }), drops the rest of the operation in flight, and runs on when started again', async () => {
    const third = await prepared();
    try {
      const runner = new SimRunner({ ...third, seed: SEED, clock: manualClock(START) });
      const execute = runner.executor.execute.bind(runner.executor);
      const calls = () => Object.values(runner.counters.actions).reduce((n, a) => n + a.ok + a.refused, 0);
      let before: { calls: number; orders: number } | undefined;
      let stopping: Promise<ExecutorCounters> | undefined;
      runner.executor.execute = async (op) => {
        if (before || runner.counters.operations < 100 || op.kind !== 'order') return execute(op);
        before = { calls: calls(), orders: await count(third.db, 'SELECT count(*) AS n FROM sales_orders') };
        stopping = runner.stop({ cutShort: true });
        await execute(op);
      };
      await runner.start({ until: END });
      await stopping;
      expect(runner.running).toBe(false);
      // The order operation made no service call: no order created, none confirmed.
      expect(calls()).toBe(before!.calls);
      expect(await count(third.db, 'SELECT count(*) AS n FROM sales_orders')).toBe(before!.orders);
      expect(await ledgerViolations(third.db)).toEqual([]);
      runner.executor.execute = execute;
      const resumed = await runner.run({ until: END });
      expect(resumed.operations).toBeGreaterThan(300);
      expect(await ledgerViolations(third.db)).toEqual([]);
    } finally {
      await third.pool.end();
    }
  });

  it('applies a scenario set while running from the next operation on', async () => {
    const from = END + DAY_MS; // Tuesday 00:00 UTC
    const until = from + DAY_MS;
    const quiet = { orderRate: () => 0, shippingStopped: () => true };
    let atSwitch: ExecutorCounters | undefined;
    const runner = new SimRunner({
      ...first,
      seed: SEED,
      clock: manualClock(from),
      chunkMs: DAY_MS, // the whole day is generated (pending) when the scenario changes
      progressEveryMs: 0,
      onProgress: (p) => {
        if (p.running && p.counters.operations === 5) {
          atSwitch = p.counters;
          switchedAt = p.lastAt!;
          runner.setScenario(quiet);
        }
      }
    });
    let switchedAt = 0;
    const after = await runner.run({ until });
    // Without the scenario, orders and ship waves were due after the switch; with it, none ran.
    const due = generateOperations(first.network, { seed: SEED, from: switchedAt + 1, to: until });
    expect(due.filter((o) => o.kind === 'ship-wave').length).toBeGreaterThan(0);
    expect(due.filter((o) => o.kind === 'order').length).toBeGreaterThan(0);
    expect(after.byKind['ship-wave']).toBe(atSwitch!.byKind['ship-wave']);
    expect(after.byKind.order).toBe(atSwitch!.byKind.order);
    expect(after.operations).toBeGreaterThan(atSwitch!.operations); // the rest went on
  });

  it('runs live against a compressed clock', async () => {
    // A simulated day in three real seconds: six simulated hours go by in under a second,
    // from 14:00 UTC (morning in the network's US time zones: ship waves are due).
    const from = END + 14 * HOUR_MS;
    const lastOrderBefore = await count(first.db, 'SELECT coalesce(max(id), 0) AS n FROM sales_orders');
    const clock = liveClock({ start: from, simDayMinutes: 0.05 });
    const runner = new SimRunner({ ...first, seed: SEED, clock });
    expect(runner.pace.compression).toBe(28_800);
    const live = await runner.run({ until: from + 6 * HOUR_MS });
    expect(live.byKind['ship-wave']).toBeGreaterThan(0);
    expect(clock.now()).toBeGreaterThanOrEqual(from + 5 * HOUR_MS);
    expect(await ledgerViolations(first.db)).toEqual([]);
    // Orders are dated in simulated time, not wall time, and the business clock never ran ahead of the clock.
    const business = await readBusinessClock(first.db);
    expect(Date.parse(business.now)).toBeLessThanOrEqual(clock.now() + HOUR_MS); // anchors a few wall ms apart
    const { rows } = await first.db.execute<{ n: string; lo: string; hi: string }>(
      sql`SELECT count(*) AS n, min(created_at) AS lo, max(created_at) AS hi FROM sales_orders WHERE id > ${lastOrderBefore}`
    );
    expect(live.byKind.order).toBeGreaterThan(0);
    expect(Number(rows[0]!.n)).toBe(live.byKind.order);
    // Executed a little after they were due (the database takes wall milliseconds, each 28.8 simulated seconds here).
    expect(Date.parse(rows[0]!.lo)).toBeGreaterThanOrEqual(from);
    expect(Date.parse(rows[0]!.hi)).toBeLessThanOrEqual(Date.parse(business.now));
  });

  it('holds the business clock at the operations while a live run is behind, and lets it run once on time', async () => {
    // A live clock (a day in 10 minutes) that the test moves: a day ahead of the operations, then with them.
    const from = END + 3 * DAY_MS + 14 * HOUR_MS;
    let at = from;
    let ahead = DAY_MS;
    const clock: SimClock = { compression: 144, now: () => at + ahead, waitUntil: async (t) => void (at = Math.max(at, t)) };
    let lastAt = 0;
    const runner = new SimRunner({ ...first, seed: SEED, clock, from, progressEveryMs: 0, onProgress: (p) => (lastAt = p.lastAt ?? lastAt) });
    const before = await count(first.db, 'SELECT coalesce(max(id), 0) AS n FROM sales_orders');
    await runner.run({ maxOperations: 20 });
    const behind = await readBusinessClock(first.db);
    expect(behind).toMatchObject({ rate: 0 }); // a day behind: it waits for the simulation
    expect(Date.parse(behind.now)).toBe(lastAt);
    const { rows } = await first.db.execute<{ created_at: string; id: string }>(sql`SELECT id, created_at FROM sales_orders WHERE id > ${before} ORDER BY id`);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(Date.parse(r.created_at)).toBeLessThanOrEqual(lastAt);

    ahead = 0; // caught up: the business clock runs with the clock again, from where it stood (never back)
    const stood = lastAt;
    await runner.run({ maxOperations: 5 });
    const onTime = await readBusinessClock(first.db);
    expect(onTime.rate).toBe(144);
    expect(Date.parse(onTime.now)).toBeGreaterThanOrEqual(stood);
  });
});
