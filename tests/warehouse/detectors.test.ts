import { beforeAll, describe, expect, it } from 'vitest';
import { DetectorRunner } from '../../app/lib/server/analytics/detector-runner';
import { loadConfig } from '../../schemas/config';
import { detectorThresholds } from '../../schemas/detector-thresholds';
import type { LandedEvent } from '../../schemas/ingest';
import { quietLog, waitFor } from '../ingest/support';
import { kpiBench, type KpiBench } from './support';
import { DAY, HOUR, detectorNetwork, placeOrder, placePurchaseOrder, placeTransfer, shipToCustomer, stockUp, type DetectorNetwork } from './detector-fixture';

/**
 * Each detector fires on an injected case within the landed batch that carried it
 * (or the scheduled run, for conditions that age), stays quiet on a control case,
 * never duplicates its alert, and resolves it when the condition clears.
 */
let bench: KpiBench;
let n: DetectorNetwork;
let runner: DetectorRunner;
const events: LandedEvent[] = [];
const thresholds = detectorThresholds(loadConfig({}));

interface AlertRow {
  kind: string;
  subject: string;
  state: string;
  severity: string;
  message: string;
  n: string;
}

async function alerts(kind: string): Promise<AlertRow[]> {
  const { rows } = await bench.pool.query<AlertRow>(
    `SELECT kind, subject, state, severity, message, count(*) OVER (PARTITION BY kind, subject) AS n FROM alerts WHERE kind = $1 ORDER BY id`,
    [kind]
  );
  return rows;
}
const open = async (kind: string) => (await alerts(kind)).filter((a) => a.state !== 'resolved').map((a) => a.subject);

/** Waits until the batch carrying what was just committed has landed and the runner judged it. */
async function judged(table: string): Promise<void> {
  const before = events.length;
  await bench.landed();
  await waitFor(() => events.slice(before).some((e) => e.tables.includes(table)), 10_000, `a landed batch touching ${table}`);
  await runner.idle();
}

beforeAll(async () => {
  bench = await kpiBench();
  n = await detectorNetwork(bench);
  runner = new DetectorRunner({
    ch: bench.clickhouse.client,
    db: bench.db,
    thresholds,
    intervalMs: 3_600_000,
    log: quietLog,
    ingest: () => bench.pipeline.progress()
  });
  bench.pipeline.on('landed', (e) => {
    events.push(e);
    runner.landed(e);
  });
  await bench.landed();
}, 120_000);

describe('demand shift', () => {
  it('raises a spike on the batch that carried it, a drop on the scheduled run, and clears the drop when orders resume', async () => {
    const [spiky, steady, dropping] = n.products;
    for (let day = 1; day <= 28; day++) {
      for (const p of [spiky!, steady!]) await placeOrder(bench.pool, n, { productId: p.id, qty: 10, agoMs: day * DAY + HOUR });
      await placeOrder(bench.pool, n, { productId: dropping!.id, qty: 20, agoMs: day * DAY + HOUR });
    }
    await placeOrder(bench.pool, n, { productId: dropping!.id, qty: 20, agoMs: 2 * HOUR });
    await judged('sales_order_lines');
    expect(await open('demand_spike')).toEqual([]);

    await placeOrder(bench.pool, n, { productId: spiky!.id, qty: 100, agoMs: 60_000 });
    await placeOrder(bench.pool, n, { productId: steady!.id, qty: 11, agoMs: 60_000 });
    await judged('sales_order_lines');
    const spikes = await alerts('demand_spike');
    expect(spikes.map((a) => a.subject)).toEqual([`product:${spiky!.id}/warehouse:${n.whA.id}`]);
    expect(spikes[0]!.message).toContain('SKU-1');
    expect(spikes[0]!.message).toContain('100 units');

    // Nearly a day later the dropping product's last order is over 24 hours old (the others' are not): the schedule sees the drop.
    const tomorrow = new Date(Date.now() + DAY - 5 * 60_000);
    await runner.runAll(tomorrow);
    expect(await open('demand_drop')).toContain(`product:${dropping!.id}/warehouse:${n.whA.id}`);
    expect(await open('demand_drop')).not.toContain(`product:${steady!.id}/warehouse:${n.whA.id}`);

    await placeOrder(bench.pool, n, { productId: dropping!.id, qty: 20, agoMs: -DAY + HOUR }); // placed "tomorrow" minus an hour
    await bench.landed();
    await runner.runAll(tomorrow);
    expect(await open('demand_drop')).not.toContain(`product:${dropping!.id}/warehouse:${n.whA.id}`);
    // Re-running never duplicates an alert.
    await runner.runAll();
    await runner.runAll();
    expect((await alerts('demand_spike')).every((a) => a.n === '1')).toBe(true);
  });
});

describe('order quantity outlier', () => {
  it('flags a line far above the customer history, not a usual one, and clears when the line is cancelled', async () => {
    const product = n.products[3]!;
    for (let i = 1; i <= 6; i++) await placeOrder(bench.pool, n, { productId: product.id, qty: 5, agoMs: i * 3 * DAY });
    await judged('sales_order_lines');
    const usual = await placeOrder(bench.pool, n, { productId: product.id, qty: 6, agoMs: 1000 });
    // (Whether the usual order lands before the unusual one or with it, the usual quantity stays 5.)
    const unusual = await placeOrder(bench.pool, n, { productId: product.id, qty: 500, agoMs: 1000 });
    await judged('sales_order_lines');
    // (The spike of the demand test above is also unusual for this customer: only this product's lines are looked at here.)
    expect(await open('order_quantity_outlier')).toContain(`order_line:${unusual.lineId}`);
    expect(await open('order_quantity_outlier')).not.toContain(`order_line:${usual.lineId}`);
    const alert = (await alerts('order_quantity_outlier')).find((a) => a.subject === `order_line:${unusual.lineId}`);
    expect(alert!.message).toMatch(/Hardware Co ordered 500 × SKU-4.*usually order about 5 /);

    await bench.pool.query('UPDATE sales_order_lines SET cancelled_qty = ordered_qty, backordered_qty = 0 WHERE id = $1', [unusual.lineId]);
    await judged('sales_order_lines');
    expect(await open('order_quantity_outlier')).not.toContain(`order_line:${unusual.lineId}`);
  });
});

describe('backorder aging', () => {
  it('flags a backorder older than the threshold, not a young one, and clears when it ships', async () => {
    const product = n.products[4]!;
    const old = await placeOrder(bench.pool, n, { productId: product.id, qty: 10, shipped: 4, agoMs: 12 * DAY, backorderedSinceAgoMs: (thresholds.backorderDays + 2) * DAY });
    const young = await placeOrder(bench.pool, n, { productId: product.id, qty: 10, shipped: 4, agoMs: 3 * DAY, backorderedSinceAgoMs: 2 * DAY });
    await judged('sales_order_lines');
    expect(await open('backorder_aging')).toEqual([`order_line:${old.lineId}`]);
    expect(await open('backorder_aging')).not.toContain(`order_line:${young.lineId}`);
    expect((await alerts('backorder_aging'))[0]!.message).toContain(`6 × SKU-5`);
    // The young one ages past the threshold: the schedule catches it.
    await runner.runAll(new Date(Date.now() + 6 * DAY));
    expect(await open('backorder_aging')).toContain(`order_line:${young.lineId}`);

    await bench.pool.query('UPDATE sales_order_lines SET shipped_qty = ordered_qty, backordered_qty = 0 WHERE id = ANY($1)', [[old.lineId, young.lineId]]);
    await judged('sales_order_lines');
    expect(await open('backorder_aging')).toEqual([]);
  });
});

describe('late transfers and purchase orders', () => {
  it('flags a transfer past its expected arrival and a PO past its expected date, and clears them on receipt', async () => {
    const late = await placeTransfer(bench.pool, n, 'shipped', -3);
    const onTime = await placeTransfer(bench.pool, n, 'approved', 1);
    await judged('transfers');
    expect(await open('transfer_late')).toEqual([`transfer:${late}`]);
    expect((await alerts('transfer_late'))[0]!.message).toMatch(/Transfer \d+ from DC to BR is 3 days late.*30 units/);
    expect(await open('transfer_late')).not.toContain(`transfer:${onTime}`);

    const latePo = await placePurchaseOrder(bench.pool, n, -2);
    const onTimePo = await placePurchaseOrder(bench.pool, n, 5);
    await judged('purchase_orders');
    expect(await open('supplier_late')).toEqual([`purchase_order:${latePo}`]);
    expect(await open('supplier_late')).not.toContain(`purchase_order:${onTimePo}`);
    expect((await alerts('supplier_late'))[0]!.message).toMatch(/Acme Supply is 2 days late.*100 units still to come/);

    await bench.pool.query(`UPDATE transfers SET state = 'received', received_at = now() WHERE id = $1`, [late]);
    await bench.pool.query(`UPDATE transfer_lines SET received_qty = shipped_qty WHERE transfer_id = $1`, [late]);
    await bench.pool.query(`UPDATE purchase_orders SET state = 'received' WHERE id = $1`, [latePo]);
    await judged('purchase_orders');
    expect(await open('transfer_late')).toEqual([]);
    expect(await open('supplier_late')).toEqual([]);
  });
});

describe('ledger drift', () => {
  it('flags a balance that disagrees with its moves, not a sound one, and clears when they agree again', async () => {
    const [drifting, sound] = [n.products[5]!, n.products[2]!];
    await stockUp(n, drifting.id, 40);
    await stockUp(n, sound.id, 40);
    await judged('stock_balances');
    expect(await open('ledger_drift')).toEqual([]);

    // Only a write that bypasses the core can do this: the detector is the watch on invariant 1.
    await bench.pool.query('UPDATE stock_balances SET on_hand = on_hand + 2 WHERE product_id = $1 AND location_id = $2', [drifting.id, n.locA.stock]);
    await judged('stock_balances');
    expect(await open('ledger_drift')).toEqual([`product:${drifting.id}/location:${n.locA.stock}`]);
    expect((await alerts('ledger_drift'))[0]!.message).toContain('says 42 on hand, but its done moves sum to 40');

    await bench.pool.query('UPDATE stock_balances SET on_hand = on_hand - 2 WHERE product_id = $1 AND location_id = $2', [drifting.id, n.locA.stock]);
    await judged('stock_balances');
    expect(await open('ledger_drift')).toEqual([]);
  });
});

describe('stockout risk', () => {
  it('flags a product whose cover is shorter than its lead time, not a well-stocked one, and clears on a receipt', async () => {
    // Products without a reorder rule or supplier: the default 7-day lead time applies. Neither is owed to an open
    // order (the demand tests above leave SKU-1..3 backordered; SKU-5's backorders have shipped).
    const [short, plenty] = [n.products[4]!, n.products[5]!];
    await stockUp(n, short.id, 30);
    await shipToCustomer(n, short.id, 28); // 1 a day over 28 days; 2 left: 2 days of cover < 7
    await stockUp(n, plenty.id, 500);
    await shipToCustomer(n, plenty.id, 28);
    await judged('stock_moves');
    const subject = `product:${short.id}/warehouse:${n.whA.id}`;
    expect(await open('stockout_risk')).toContain(subject);
    expect(await open('stockout_risk')).not.toContain(`product:${plenty.id}/warehouse:${n.whA.id}`);
    // (Its earlier backorders, owed until they shipped, raised and resolved one already: the open one is this.)
    const alert = (await alerts('stockout_risk')).find((a) => a.subject === subject && a.state !== 'resolved')!;
    expect(alert.message).toMatch(/^SKU-5 at DC runs out around \d{4}-\d\d-\d\d: 2 days of cover \(2 available \+ 0 inbound − 0 owed at 1 a day\), less than the 7-day lead time/);
    expect(alert.severity).toBe('warning');

    await stockUp(n, short.id, 100);
    await judged('stock_moves');
    expect(await open('stockout_risk')).not.toContain(subject);

    // A confirmed order still waiting for 100 takes them back; cancelling the order (its state alone) releases them.
    const waiting = await placeOrder(bench.pool, n, { productId: short.id, qty: 100, agoMs: 60_000 });
    await judged('sales_order_lines');
    expect(await open('stockout_risk')).toContain(subject);
    const again = (await alerts('stockout_risk')).find((a) => a.subject === subject && a.state !== 'resolved')!;
    expect(again.message).toContain('2 days of cover (102 available + 0 inbound − 100 owed at 1 a day)');
    await bench.pool.query(`UPDATE sales_orders SET state = 'cancelled', cancelled_at = now() WHERE id = $1`, [waiting.orderId]);
    await judged('sales_orders');
    expect(await open('stockout_risk')).not.toContain(subject);
  });

  it('flags a product that was never shipped but is owed to waiting orders', async () => {
    // SKU-1 has no stock and no shipments, only the demand test's confirmed orders waiting for it.
    const neverShipped = `product:${n.products[0]!.id}/warehouse:${n.whA.id}`;
    const alert = (await alerts('stockout_risk')).find((a) => a.subject === neverShipped && a.state !== 'resolved')!;
    expect(alert.message).toMatch(/^SKU-1 at DC is short now: \d+ units owed to waiting orders, only 0 available \+ 0 inbound within the 7-day lead time\./);
  });
});

describe('ingest lag', () => {
  it('raises when the lag passes the threshold or the ingest fails, and clears when it catches up', async () => {
    const base = bench.pipeline.progress();
    await runner.ingestProgress({ ...base, lagMs: thresholds.ingestLagMs * 2 });
    expect(await open('ingest_lag')).toEqual([`ingest:${bench.slot}`]);
    expect((await alerts('ingest_lag'))[0]!.severity).toBe('warning');
    await runner.ingestProgress({ ...base, state: 'failed', lastError: 'ClickHouse refused the insert' });
    const [failed] = (await alerts('ingest_lag')).filter((a) => a.state !== 'resolved');
    expect(failed!.severity).toBe('critical');
    expect(failed!.message).toContain('ClickHouse refused the insert');
    await runner.ingestProgress({ ...base, lagMs: 5 });
    expect(await open('ingest_lag')).toEqual([]);
    expect((await alerts('ingest_lag')).length).toBe(1);
  });
});
