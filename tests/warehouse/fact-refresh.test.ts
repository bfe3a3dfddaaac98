import { beforeAll, describe, expect, it } from 'vitest';
import { orderFillSource, orderLineSource } from '../../warehouse/model/order-line-source';
import { stockMoveSource, stockPositionSource } from '../../warehouse/model/stock-move-source';
import { supplyPositionSource } from '../../warehouse/model/supply-position-source';
import { ARRIVAL } from '../../warehouse/model/materialized-facts';
import { shipmentSource } from '../../warehouse/model/sales-facts';
import { poLineSource, receiptSource, transferSource } from '../../warehouse/model/supply-facts';
import { FactRefresher, factsHash, readWatermark } from '../../warehouse/model/fact-refresh';
import { readWarehouseZones } from '../../warehouse/kpi/local-day';
import { readAsOf, readLanded } from '../../warehouse/kpi/as-of';
import { ensureAnalyticalModel } from '../../warehouse/model/analytical-model';
import * as catalog from '../../app/lib/server/core/catalog';
import { SYSTEM_ACTOR } from '../../app/lib/server/core/actor';
import { quietLog } from '../ingest/support';
import { formatLsn, parseLsn } from '../../ingest/lsn';
import { kpiBench, type KpiBench } from './support';
import { DAY, detectorNetwork, placeOrder, placePurchaseOrder, placeTransfer, shipToCustomer, stockUp, type DetectorNetwork } from './detector-fixture';

/**
 * The materialized facts, refreshed batch by batch, always equal their source
 * computed afresh from the landing tables: through updates, shipments, a deleted
 * line, moves that leave the open state, a repeated refresh and a rebuild.
 */
let bench: KpiBench;
let n: DetectorNetwork;

const canon = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

async function expectFactsEqualSource(): Promise<void> {
  await bench.landed();
  const zones = await readWarehouseZones(bench.clickhouse.client);
  const lines = await bench.ch<Record<string, unknown>>('SELECT * FROM fact_order_lines ORDER BY line_id');
  const linesFresh = await bench.ch<Record<string, unknown>>(`SELECT * FROM (${orderLineSource(false, zones)}) ORDER BY line_id`);
  expect(canon(lines)).toEqual(canon(linesFresh));
  const moves = await bench.ch<Record<string, unknown>>('SELECT * FROM fact_stock_moves ORDER BY move_id');
  const movesFresh = await bench.ch<Record<string, unknown>>(
    `SELECT * EXCEPT (_version, _deleted) FROM (${stockMoveSource(false)}) WHERE state IN ('done', 'confirmed', 'reserved') ORDER BY move_id`
  );
  expect(canon(moves)).toEqual(canon(movesFresh));
  const open = await bench.ch<Record<string, unknown>>('SELECT * FROM fact_open_order_lines');
  expect(canon(open)).toEqual(canon(linesFresh.filter((l) => (l.backordered_qty as number) > 0 && l.order_state !== 'cancelled')));
  const fill = await bench.ch<Record<string, unknown>>('SELECT * FROM fact_order_fill');
  expect(canon(fill)).toEqual(canon(await bench.ch<Record<string, unknown>>(`SELECT * FROM (${orderFillSource(`(${orderLineSource(false, zones)})`)})`)));
  const shipments = await bench.ch<Record<string, unknown>>('SELECT * FROM fact_shipments');
  expect(canon(shipments)).toEqual(canon(await bench.ch<Record<string, unknown>>(`SELECT * FROM (${shipmentSource(false)})`)));
  const transfers = await bench.ch<Record<string, unknown>>('SELECT * FROM fact_transfers');
  expect(canon(transfers)).toEqual(canon(await bench.ch<Record<string, unknown>>(`SELECT * FROM (${transferSource(false)})`)));
  for (const [fact, source] of [['fact_po_lines', poLineSource(false)], ['fact_receipts', receiptSource(false)]] as const) {
    expect(canon(await bench.ch<Record<string, unknown>>(`SELECT * FROM ${fact}`))).toEqual(canon(await bench.ch<Record<string, unknown>>(`SELECT * FROM (${source})`)));
  }
  const arrivals = await bench.ch<Record<string, unknown>>('SELECT * FROM fact_last_arrivals');
  expect(arrivals.length).toBeGreaterThan(0);
  expect(canon(arrivals)).toEqual(
    canon(await bench.ch(`SELECT product_id, to_warehouse_id AS warehouse_id, max(done_at) AS last_in FROM fact_done_moves WHERE ${ARRIVAL} GROUP BY product_id, warehouse_id`))
  );
  const position = await bench.ch<Record<string, unknown>>('SELECT * FROM fact_stock_position');
  expect(canon(position)).toEqual(canon(await bench.ch<Record<string, unknown>>(`SELECT * FROM (${stockPositionSource(false)})`)));
  const supply = await bench.ch<Record<string, unknown>>('SELECT * FROM fact_supply_position');
  expect(supply.length).toBeGreaterThan(0);
  expect(canon(supply)).toEqual(canon(await bench.ch<Record<string, unknown>>(`SELECT * EXCEPT (_version, _deleted) FROM (${supplyPositionSource(false)})`, { to: 0 })));
}

beforeAll(async () => {
  bench = await kpiBench();
  n = await detectorNetwork(bench);
}, 120_000);

describe('materialized facts', () => {
  it('follow inserts, updates, shipments, a deleted line and moves leaving the open state', async () => {
    const [p1, p2] = n.products;
    const a = await placeOrder(bench.pool, n, { productId: p1!.id, qty: 10, agoMs: 2 * DAY });
    const b = await placeOrder(bench.pool, n, { productId: p2!.id, qty: 4, agoMs: DAY });
    await stockUp(n, p1!.id, 50);
    await expectFactsEqualSource();
    expect((await bench.ch<{ n: number }>('SELECT count() AS n FROM fact_order_lines'))[0]!.n).toBe(2);

    // A shipment of 6 (first shipment), a cancelled remainder, and a line deleted outright.
    const { rows } = await bench.pool.query<{ id: string }>(`INSERT INTO shipments (order_id, state, shipped_at) VALUES ($1, 'shipped', now()) RETURNING id`, [a.orderId]);
    await bench.pool.query(`INSERT INTO shipment_lines (shipment_id, order_line_id, qty) VALUES ($1, $2, 6)`, [rows[0]!.id, a.lineId]);
    await bench.pool.query(`UPDATE sales_order_lines SET shipped_qty = 6, backordered_qty = 0, cancelled_qty = 4 WHERE id = $1`, [a.lineId]);
    await bench.pool.query(`DELETE FROM sales_order_lines WHERE id = $1`, [b.lineId]);
    await shipToCustomer(n, p1!.id, 6);
    // An open inbound move that is then cancelled: it leaves the open facts.
    const move = await bench.pool.query<{ id: string }>(
      `INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, scheduled_date)
       VALUES ($1, 20, $2, $3, 'confirmed', 'purchase_order', 1, current_date + 3) RETURNING id`,
      [p2!.id, n.locA.supplier, n.locA.stock]
    );
    await expectFactsEqualSource();
    const [line] = await bench.ch<{ first_shipment_qty: number; shipment_count: number; demand_qty: number }>(
      'SELECT first_shipment_qty, shipment_count, demand_qty FROM fact_order_lines WHERE line_id = {id:Int64}',
      { id: a.lineId }
    );
    expect(line).toEqual({ first_shipment_qty: 6, shipment_count: 1, demand_qty: 6 });
    expect(await bench.ch('SELECT line_id FROM fact_order_lines WHERE line_id = {id:Int64}', { id: b.lineId })).toEqual([]);
    expect((await bench.ch<{ n: number }>("SELECT count() AS n FROM fact_stock_moves WHERE state = 'confirmed'"))[0]!.n).toBe(1);

    // The shipment's invoice, issued in a later transaction, reaches the shipment's fact.
    await bench.pool.query(`INSERT INTO invoices (order_id, shipment_id, amount_minor, due_date) VALUES ($1, $2, 600, current_date + 30)`, [a.orderId, rows[0]!.id]);
    await bench.pool.query(`UPDATE stock_moves SET state = 'cancelled' WHERE id = $1`, [move.rows[0]!.id]);
    await expectFactsEqualSource();
    const [shipped] = await bench.ch<{ n: number; invoiced: number }>('SELECT count() AS n, countIf(invoice_id IS NOT NULL) AS invoiced FROM fact_shipments');
    expect(shipped).toEqual({ n: 1, invoiced: 1 });

    // A transfer shipped, then received in part with a shortage in a later transaction (its line alone changes).
    const transferId = await placeTransfer(bench.pool, n, 'shipped', 2);
    await expectFactsEqualSource();
    await bench.pool.query(`UPDATE transfer_lines SET received_qty = 25, short_qty = 5 WHERE transfer_id = $1`, [transferId]);
    await expectFactsEqualSource();
    const [transfer] = await bench.ch<{ received_qty: number; in_transit_qty: number }>(
      'SELECT received_qty, in_transit_qty FROM fact_transfers WHERE transfer_id = {id:Int64}',
      { id: transferId }
    );
    expect(transfer).toEqual({ received_qty: 25, in_transit_qty: 0 });

    // A purchase order, then a receipt of part of it with a rejected quantity (the line's received quantity moves too).
    const poId = await placePurchaseOrder(bench.pool, n, 3);
    await expectFactsEqualSource();
    const receipt = await bench.pool.query<{ id: string }>(`INSERT INTO receipts (purchase_order_id, on_time, in_full) VALUES ($1, true, false) RETURNING id`, [poId]);
    const poLine = await bench.pool.query<{ id: string }>(`UPDATE purchase_order_lines SET received_qty = 60, rejected_qty = 4 WHERE purchase_order_id = $1 RETURNING id`, [poId]);
    await bench.pool.query(`INSERT INTO receipt_lines (receipt_id, purchase_order_line_id, accepted_qty, rejected_qty) VALUES ($1, $2, 60, 4)`, [receipt.rows[0]!.id, poLine.rows[0]!.id]);
    await expectFactsEqualSource();
    const [received] = await bench.ch<{ accepted_qty: number; received_qty: number }>(
      `SELECT r.accepted_qty AS accepted_qty, l.received_qty AS received_qty FROM fact_receipts AS r INNER JOIN fact_po_lines AS l ON l.purchase_order_id = r.purchase_order_id
       WHERE r.purchase_order_id = {id:Int64}`,
      { id: poId }
    );
    expect(received).toEqual({ accepted_qty: 60, received_qty: 60 });
    expect((await bench.ch<{ n: number }>("SELECT count() AS n FROM fact_stock_moves WHERE state = 'confirmed'"))[0]!.n).toBe(0);
    // Moves done when created were never open: the open-move table holds no tombstone for them,
    // only the cancelled inbound move (its open row and its tombstone, until a merge).
    const held = await bench.ch<{ move_id: number }>('SELECT DISTINCT move_id FROM mat_open_moves');
    expect(held.map((r) => Number(r.move_id))).toEqual([Number(move.rows[0]!.id)]);
  });

  it('reports the LSN it reflects; a repeated refresh changes nothing; a rebuild gives the same facts', async () => {
    const mark = await readWatermark(bench.clickhouse.client);
    const landed = await readLanded(bench.clickhouse.client);
    expect(mark!.modelHash).toBe(factsHash(await readWarehouseZones(bench.clickhouse.client)));
    // The watermark is the end LSN of the last batch refreshed: at or past its last commit.
    expect(mark!.lsn >= parseLsn(landed.lsn!)).toBe(true);
    const refresher = new FactRefresher(bench.clickhouse.client, quietLog);
    await refresher.refresh();
    await refresher.refresh();
    await expectFactsEqualSource();
    await refresher.rebuild();
    await expectFactsEqualSource();
    expect((await readWatermark(bench.clickhouse.client))!.lsn >= mark!.lsn).toBe(true); // never backwards
  });

  it('a refresh repeated from an older watermark (a crash before the watermark was written) writes nothing twice', async () => {
    await stockUp(n, n.products[3]!.id, 7);
    await shipToCustomer(n, n.products[3]!.id, 3);
    await expectFactsEqualSource();
    // The state a crash leaves: facts written, the watermark still at the LSN before them.
    const mark = (await readWatermark(bench.clickhouse.client))!;
    await bench.clickhouse.client.insert({
      table: 'fact_refresh',
      values: [{ model: 'facts', lsn: '1', commit_time: '2026-01-01 00:00:00', model_hash: mark.modelHash, refreshed_at: new Date().toISOString().replace('Z', '') }],
      format: 'JSONEachRow'
    });
    expect((await new FactRefresher(bench.clickhouse.client, quietLog).refresh()) > 1n).toBe(true);
    const [dup] = await bench.ch<{ rows: number; moves: number }>('SELECT count() AS rows, uniqExact(move_id) AS moves FROM mat_done_moves');
    expect(dup!.rows).toBe(dup!.moves);
    await expectFactsEqualSource();
  });

  it('a fact that gained a column is rebuilt at start, and its view shows the column', async () => {
    const ch = bench.clickhouse.client;
    // What an older release leaves: mat_order_lines without last_shipped_day and mat_order_fill (computed from it)
    // without completed_at, their views made over them, another model hash.
    await ch.command({ query: 'ALTER TABLE mat_order_lines DROP COLUMN last_shipped_day' });
    await ch.command({ query: 'ALTER TABLE mat_order_fill DROP COLUMN completed_at' });
    await ch.command({ query: 'CREATE OR REPLACE VIEW fact_order_lines AS SELECT * EXCEPT (_version, _deleted) FROM mat_order_lines FINAL' });
    await ch.command({ query: 'CREATE OR REPLACE VIEW fact_order_fill AS SELECT * EXCEPT (_version, _deleted) FROM mat_order_fill FINAL' });
    const mark = (await readWatermark(ch))!;
    await ch.insert({
      table: 'fact_refresh',
      values: [{ model: 'facts', lsn: mark.lsn.toString(), commit_time: mark.commitTime.replace('Z', ''), model_hash: 'older', refreshed_at: new Date().toISOString().replace('Z', '') }],
      format: 'JSONEachRow'
    });
    // As the ingest starts: the model ensured, then the facts prepared.
    await ensureAnalyticalModel(ch);
    await new FactRefresher(ch, quietLog).prepare(false);
    expect((await readWatermark(ch))!.modelHash).toBe(factsHash(await readWarehouseZones(ch)));
    const [done] = await bench.ch<{ n: number }>('SELECT count() AS n FROM fact_order_fill WHERE completed_at IS NOT NULL');
    expect(done!.n).toBeGreaterThan(0); // the first order's line was shipped in part and its rest cancelled
    const [days] = await bench.ch<{ n: number }>('SELECT count() AS n FROM fact_order_lines WHERE last_shipped_day IS NOT NULL');
    expect(days!.n).toBeGreaterThan(0);
    await expectFactsEqualSource();
  });

  it('a warehouse in a zone new to the network: its lines get their local days in that zone, without a rebuild', async () => {
    const ch = bench.clickhouse.client;
    const before = (await readWatermark(ch))!;
    // A rebuild writes every order's lines again at its LSN: the others' version tells whether one ran.
    const newest = async (except = 0) =>
      (await bench.ch<{ v: string }>('SELECT toString(max(_version)) AS v FROM mat_order_lines WHERE order_id != {id:Int64}', { id: except }))[0]!.v;
    const versionBefore = await newest();
    const tokyo = await catalog.createWarehouse(bench.db, SYSTEM_ACTOR, { code: 'TYO', name: 'Tokyo', kind: 'branch', regionId: n.region.id, timeZone: 'Asia/Tokyo' });
    const order = await placeOrder(bench.pool, n, { productId: n.products[4]!.id, qty: 3, agoMs: 2 * DAY, warehouseId: tokyo.id, shipped: 3 });
    // Shipped at 20:00 UTC: the next day in Tokyo.
    const { rows } = await bench.pool.query<{ id: string }>(
      `INSERT INTO shipments (order_id, state, shipped_at) VALUES ($1, 'shipped', '2026-03-10T20:00:00Z') RETURNING id`,
      [order.orderId]
    );
    await bench.pool.query(`INSERT INTO shipment_lines (shipment_id, order_line_id, qty) VALUES ($1, $2, 3)`, [rows[0]!.id, order.lineId]);
    await bench.pool.query(`UPDATE sales_order_lines SET backordered_qty = 0 WHERE id = $1`, [order.lineId]);
    await expectFactsEqualSource();
    const zones = await readWarehouseZones(ch);
    expect(zones).toContain('Asia/Tokyo');
    const mark = (await readWatermark(ch))!;
    expect(mark.modelHash).toBe(factsHash(zones));
    expect(mark.modelHash).not.toBe(before.modelHash);
    const [line] = await bench.ch<{ day: string }>('SELECT toString(last_shipped_day) AS day FROM fact_order_lines WHERE line_id = {id:Int64}', { id: order.lineId });
    expect(line!.day).toBe('2026-03-11');
    // No fact held a row of the new zone when it appeared: the refresh went on with it, no rebuild.
    expect(await newest(order.orderId)).toBe(versionBefore);
  });

  it("a KPI's as-of comes from this process's refresher without a read; once it lets go, from the table", async () => {
    const ch = bench.clickhouse.client;
    await stockUp(n, n.products[5]!.id, 4);
    await bench.landed();
    const stored = (await readWatermark(ch))!;
    // The note is what the table holds, to the microsecond and in the same form.
    expect(await readAsOf(ch)).toEqual({ lsn: formatLsn(stored.lsn), commitTime: stored.commitTime });
    // A mark written behind the refresher's back (another consumer, once this one is no longer active)...
    const other = '2026-01-02T03:04:05.678901Z';
    await ch.insert({
      table: 'fact_refresh',
      values: [{ model: 'facts', lsn: stored.lsn.toString(), commit_time: other.replace('Z', ''), model_hash: stored.modelHash, refreshed_at: new Date().toISOString().replace('Z', '') }],
      format: 'JSONEachRow'
    });
    expect((await readAsOf(ch)).commitTime).toBe(stored.commitTime); // the note holds while this process writes the marks
    new FactRefresher(ch, quietLog).release();
    expect(await readAsOf(ch)).toEqual({ lsn: formatLsn(stored.lsn), commitTime: other });
  });

  it('the supply position follows lead times, a reorder rule and an order that leaves the confirmed state', async () => {
    const p = n.products[3]!;
    const supply = async () =>
      (await bench.ch<{ owed: number; lead_time_days: number; lead_time_source: string }>(
        'SELECT owed, lead_time_days, lead_time_source FROM fact_supply_position WHERE product_id = {p:Int32} AND warehouse_id = {w:Int32}',
        { p: p.id, w: n.whA.id }
      ))[0];
    const order = await placeOrder(bench.pool, n, { productId: p.id, qty: 40, agoMs: DAY });
    await expectFactsEqualSource();
    const before = (await supply())!;
    expect(before.owed).toBeGreaterThanOrEqual(40);
    // Master data alone, no move or balance: the supplier's lead time, then a reorder rule over it.
    await catalog.upsertSupplierProduct(bench.db, SYSTEM_ACTOR, { supplierId: n.supplier.id, productId: p.id, costMinor: 500, leadTimeDays: 11, moq: 1, packMultiple: 1 });
    await expectFactsEqualSource();
    expect(await supply()).toMatchObject({ lead_time_days: 11, lead_time_source: 'supplier' });
    await catalog.upsertReorderRule(bench.db, SYSTEM_ACTOR, { productId: p.id, warehouseId: n.whA.id, minQty: 5, maxQty: 50, leadTimeDays: 4, sourceSupplierId: n.supplier.id });
    await expectFactsEqualSource();
    expect(await supply()).toMatchObject({ lead_time_days: 4, lead_time_source: 'reorder_rule' });
    // The order goes on hold (its lines unchanged): its units are no longer owed.
    await bench.pool.query(`UPDATE sales_orders SET state = 'awaiting_approval' WHERE id = $1`, [order.orderId]);
    await expectFactsEqualSource();
    expect((await supply())!.owed).toBe(before.owed - 40);
  });
});
