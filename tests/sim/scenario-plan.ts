import pg from 'pg';
import { DAY_MS, HOUR_MS, localTime, MINUTE_MS } from '../../sim/clock';
import type { Network, WarehouseDef } from '../../sim/network-types';
import { scheduledInHour, SCHEDULES } from '../../sim/operations-calendar';
import type { Warehouse, World } from './scenario-world';

/**
 * What the scenario test looks at, and when. The late-document detectors judge
 * by date: a document expected on day d is late from 00:00 UTC of day d + 1 + grace.
 * That instant (in the documents' time) is a checkpoint; the simulated instant is
 * it plus the world's offset.
 */

/**
 * Where the run starts: whole days after the history's end (the simulated hour of
 * the day is then the documents' hour, so that a delivery on time in simulated
 * time is on time by its dates too), on the next Monday in the time zone given, so
 * that the run's working days do not depend on the day the test runs.
 */
export function nextMondayAfter(historyEnd: number, timeZone: string): number {
  let at = historyEnd + DAY_MS;
  while (localTime(at, timeZone).weekday !== 1) at += DAY_MS;
  return at;
}

/** The first instant when a document expected on `isoDate` is late (documents' time), plus a few minutes. */
export const lateFrom = (isoDate: string, graceDays: number) => Date.parse(`${isoDate}T00:00:00Z`) + (graceDays + 1) * DAY_MS + 5 * MINUTE_MS;

/** The first `count` ship waves of a warehouse at or after `from` (simulated). */
export function nextWaves(w: WarehouseDef, from: number, count: number): number[] {
  const out: number[] = [];
  for (let h = Math.floor(from / HOUR_MS); out.length < count; h++) {
    out.push(...scheduledInHour(h * HOUR_MS, w.timeZone, SCHEDULES['ship-wave']!).filter((at) => at >= from));
  }
  return out.slice(0, count);
}

/** A PO or transfer open when the run starts, with the instant (documents' time) it turns late. */
export interface OpenDocument {
  subject: string;
  /** Supplier code (POs) or lane, `FROM→TO` (transfers). */
  owner: string;
  state: string;
  lateAt: number;
}

/** The POs and transfers open in a world's database (before its run: the same in every world). */
export async function openDocuments(pool: pg.Pool, grace: { supplier: number; transfer: number }): Promise<{ pos: OpenDocument[]; transfers: OpenDocument[] }> {
  const pos = await pool.query<{ id: string; supplier: string; state: string; expected: string }>(
    `SELECT po.id, s.code AS supplier, po.state, po.expected_date::text AS expected FROM purchase_orders po JOIN suppliers s ON s.id = po.supplier_id
     WHERE po.state IN ('sent', 'partially_received') ORDER BY po.id`
  );
  const transfers = await pool.query<{ id: string; lane: string; state: string; expected: string }>(
    `SELECT t.id, f.code || '→' || d.code AS lane, t.state, t.expected_arrival::text AS expected FROM transfers t
     JOIN warehouses f ON f.id = t.from_warehouse_id JOIN warehouses d ON d.id = t.to_warehouse_id
     WHERE t.state IN ('requested', 'approved', 'shipped') ORDER BY t.id`
  );
  return {
    pos: pos.rows.map((r) => ({ subject: `purchase_order:${r.id}`, owner: r.supplier, state: r.state, lateAt: lateFrom(r.expected, grace.supplier) })),
    transfers: transfers.rows.map((r) => ({ subject: `transfer:${r.id}`, owner: r.lane, state: r.state, lateAt: lateFrom(r.expected, grace.transfer) }))
  };
}

/**
 * What the scenario test reads of a warehouse's shipping, as landed in ClickHouse: shipments shipped,
 * confirmed orders holding reserved stock (ready to pick), and when the oldest of those became ready
 * (documents' time, ms; as shipping_stalled counts it: the later of its confirmation and its reserved
 * line's last landed change).
 */
export interface ShippingState {
  shipped: number;
  ready: number;
  readySince: number | null;
}

const ms = (v: string | null) => (v === null ? null : Date.parse(`${v.replace(' ', 'T')}Z`));

export async function shippingState(wh: Warehouse, warehouseId: number): Promise<ShippingState> {
  const [shipped] = await wh.rows<{ n: string }>(
    `SELECT count() AS n FROM shipments AS s FINAL INNER JOIN (SELECT id, warehouse_id FROM sales_orders FINAL WHERE _deleted = 0) AS o ON o.id = s.order_id
     WHERE s._deleted = 0 AND s.state = 'shipped' AND o.warehouse_id = {w:Int64}`,
    { w: warehouseId }
  );
  const [ready] = await wh.rows<{ n: string; since: string | null }>(
    `SELECT uniqExact(o.id) AS n, if(count() = 0, NULL, toString(min(greatest(assumeNotNull(o.confirmed_at), l._commit_time)))) AS since
     FROM sales_orders AS o FINAL INNER JOIN (SELECT order_id, reserved_qty, _commit_time FROM sales_order_lines FINAL WHERE _deleted = 0) AS l ON l.order_id = o.id
     WHERE o._deleted = 0 AND o.state = 'confirmed' AND l.reserved_qty > 0 AND o.warehouse_id = {w:Int64}`,
    { w: warehouseId }
  );
  return { shipped: Number(shipped!.n), ready: Number(ready!.n), readySince: ms(ready!.since) };
}

/**
 * The core dates documents with the wall clock, so a run on a manual clock writes
 * days of simulated work within minutes, and no time passes between a wave and the
 * next for a detector that measures it. For shipping_stalled, the world dates what
 * it measures at the simulated instant (in the documents' time): the moment a
 * shipment ships and an order is confirmed. Triggers in the world's database take
 * the instant from a one-row table that `followSimulatedTime` sets before each
 * operation (empty before the run: the history keeps its own dates), in a schema
 * of its own, which the ingest does not read.
 */
export async function dateShippingAtSimulatedTime(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`
      CREATE SCHEMA sim_test;
      CREATE TABLE sim_test.clock (at timestamptz);
      INSERT INTO sim_test.clock VALUES (NULL);
      CREATE FUNCTION sim_test.dated() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE sim timestamptz := (SELECT at FROM sim_test.clock LIMIT 1);
      BEGIN
        IF sim IS NULL THEN RETURN NEW; END IF;
        IF TG_TABLE_NAME = 'shipments' THEN
          IF NEW.shipped_at IS NOT NULL AND NEW.shipped_at IS DISTINCT FROM OLD.shipped_at THEN NEW.shipped_at := sim; END IF;
        ELSIF NEW.confirmed_at IS NOT NULL AND NEW.confirmed_at IS DISTINCT FROM OLD.confirmed_at THEN
          NEW.confirmed_at := sim;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER sim_test_dated BEFORE UPDATE ON shipments FOR EACH ROW EXECUTE FUNCTION sim_test.dated();
      CREATE TRIGGER sim_test_dated BEFORE UPDATE ON sales_orders FOR EACH ROW EXECUTE FUNCTION sim_test.dated();`);
  } finally {
    await client.end();
  }
}

/** Before each operation of the world's run, the simulated now (in the documents' time) goes to sim_test.clock. */
export function followSimulatedTime(world: World): void {
  const waitUntil = world.clock.waitUntil;
  world.clock.waitUntil = async (at, signal) => {
    await waitUntil(at, signal);
    await world.pool.query('UPDATE sim_test.clock SET at = $1', [world.detectorNow()]);
  };
}

/** The category with the smallest share of order lines: a spike there stands out most. */
export function quietestCategory(network: Network): string {
  const share = new Map<string, number>();
  for (const p of network.products) share.set(p.category, (share.get(p.category) ?? 0) + p.lineShare);
  return [...share].sort((a, b) => a[1] - b[1])[0]![0];
}
