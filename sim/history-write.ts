import type pg from 'pg';
import { copyRows, copyText, NULL } from './history-copy';
import { ID_TABLES, type HistoryRows, type MoveRec } from './history-model';
import { DAY, isoDay } from './history-time';

/**
 * Writes a simulated history's rows with COPY, one table after another, ids as
 * the simulation gave them (the caller moves the sequences past them). Balances
 * the history touched replace the rows they had (upsert through a temporary
 * table). Instants are written as ISO timestamps (UTC), dates as YYYY-MM-DD.
 */

const id = (v: number | null) => (v === null ? NULL : String(v));
const two = (v: number) => (v < 10 ? '0' : '') + v;
const three = (v: number) => (v < 10 ? '00' : v < 100 ? '0' : '') + v;
/** An instant as 'YYYY-MM-DD HH:MM:SS.mmm+00' (three times quicker than toISOString, which millions of rows feel). */
export function copyInstant(v: number | null): string {
  if (v === null) return NULL;
  const day = Math.floor(v / DAY);
  let rest = Math.floor(v) - day * DAY;
  const ms = rest % 1000;
  rest = (rest - ms) / 1000;
  const sec = rest % 60;
  rest = (rest - sec) / 60;
  const min = rest % 60;
  return `${isoDay(day)} ${two((rest - min) / 60)}:${two(min)}:${two(sec)}.${three(ms)}+00`;
}
const ts = copyInstant;
const date = (v: number | null) => (v === null ? NULL : isoDay(v));
const bool = (v: boolean) => (v ? 't' : 'f');
const text = (v: string | null) => (v === null ? NULL : copyText(v));
const row = (fields: string[]) => `${fields.join('\t')}\n`;

export const MOVE_COLUMNS = ['id', 'product_id', 'qty', 'from_location_id', 'to_location_id', 'state', 'document_type', 'document_id', 'document_line_id', 'scheduled_date', 'actor_id', 'created_at', 'done_at'];

/** A stock move as a COPY row. */
export const moveLine = (m: MoveRec) =>
  row([id(m.id), id(m.productId), id(m.qty), id(m.fromLocationId), id(m.toLocationId), m.state, m.documentType, id(m.documentId), id(m.documentLineId), date(m.scheduledDate), id(m.actorId), ts(m.createdAt), ts(m.doneAt)]);

interface TableLoad {
  table: string;
  columns: string[];
  count: number;
  line: (i: number) => string;
}

function loads(rows: HistoryRows): TableLoad[] {
  const lines = rows.orders.flatMap((o) => o.lines);
  const shipmentLines = rows.shipments.flatMap((s) => s.lines.map((l) => ({ shipmentId: s.id, ...l })));
  const poLines = rows.purchaseOrders.flatMap((p) => p.lines.map((l) => ({ poId: p.id, l })));
  const receiptLines = rows.receipts.flatMap((r) => r.lines.map((l) => ({ receiptId: r.id, l })));
  const transferLines = rows.transfers.flatMap((t) => t.lines.map((l) => ({ transferId: t.id, l })));
  const returnLines = rows.returns.flatMap((r) => r.lines.map((l) => ({ returnId: r.id, l })));
  const load = <T>(table: string, columns: string[], items: T[], fields: (x: T) => string[]): TableLoad => ({
    table,
    columns,
    count: items.length,
    line: (i) => row(fields(items[i]!))
  });
  return [
    load(
      'sales_orders',
      ['id', 'customer_id', 'warehouse_id', 'state', 'priority', 'discount_bp', 'requested_date', 'promised_date', 'approval_reason', 'approved_by', 'approved_at', 'created_by', 'created_at', 'confirmed_at', 'cancelled_at'],
      rows.orders,
      (o) => [id(o.id), id(o.customerId), id(o.warehouseId), o.state, id(o.priority), id(o.discountBp), date(o.requestedDate), date(o.promisedDate), text(o.approvalReason), id(o.approvedBy), ts(o.approvedAt), id(o.createdBy), ts(o.createdAt), ts(o.confirmedAt), ts(o.cancelledAt)]
    ),
    load(
      'sales_order_lines',
      ['id', 'order_id', 'line_no', 'product_id', 'ordered_qty', 'unit_price_minor', 'reserved_qty', 'shipped_qty', 'backordered_qty', 'cancelled_qty', 'promised_date', 'backordered_since'],
      lines,
      (l) => [id(l.id), id(l.order.id), id(l.lineNo), id(l.productId), id(l.orderedQty), id(l.unitPriceMinor), id(l.reservedQty), id(l.shippedQty), id(l.backorderedQty), id(l.cancelledQty), date(l.promisedDate), ts(l.backorderedSince)]
    ),
    load('shipments', ['id', 'order_id', 'state', 'picked_at', 'packed_at', 'shipped_at', 'actor_id'], rows.shipments, (s) => [id(s.id), id(s.order.id), s.state, ts(s.pickedAt), ts(s.packedAt), ts(s.shippedAt), id(s.actorId)]),
    load('shipment_lines', ['id', 'shipment_id', 'order_line_id', 'qty'], shipmentLines, (l) => [id(l.id), id(l.shipmentId), id(l.line.id), id(l.qty)]),
    load('invoices', ['id', 'order_id', 'shipment_id', 'amount_minor', 'paid_minor', 'state', 'issued_at', 'due_date'], rows.invoices, (v) => [id(v.id), id(v.orderId), id(v.shipmentId), id(v.amountMinor), id(v.paidMinor), v.state, ts(v.issuedAt), date(v.dueDate)]),
    load('payments', ['id', 'invoice_id', 'amount_minor', 'paid_at', 'actor_id'], rows.payments, (p) => [id(p.id), id(p.invoiceId), id(p.amountMinor), ts(p.paidAt), id(p.actorId)]),
    load(
      'purchase_orders',
      ['id', 'supplier_id', 'warehouse_id', 'state', 'expected_date', 'from_reorder', 'created_by', 'created_at', 'sent_at', 'closed_at'],
      rows.purchaseOrders,
      (p) => [id(p.id), id(p.supplierId), id(p.warehouseId), p.state, date(p.expectedDate), bool(p.fromReorder), id(p.createdBy), ts(p.createdAt), ts(p.sentAt), ts(p.closedAt)]
    ),
    load('purchase_order_lines', ['id', 'purchase_order_id', 'product_id', 'ordered_qty', 'received_qty', 'rejected_qty', 'unit_cost_minor'], poLines, ({ poId, l }) => [
      id(l.id),
      id(poId),
      id(l.productId),
      id(l.orderedQty),
      id(l.receivedQty),
      id(l.rejectedQty),
      id(l.unitCostMinor)
    ]),
    load('receipts', ['id', 'purchase_order_id', 'received_at', 'on_time', 'in_full', 'actor_id'], rows.receipts, (r) => [id(r.id), id(r.purchaseOrderId), ts(r.receivedAt), bool(r.onTime), bool(r.inFull), id(r.actorId)]),
    load('receipt_lines', ['id', 'receipt_id', 'purchase_order_line_id', 'accepted_qty', 'rejected_qty'], receiptLines, ({ receiptId, l }) => [id(l.id), id(receiptId), id(l.purchaseOrderLineId), id(l.acceptedQty), id(l.rejectedQty)]),
    load(
      'transfers',
      ['id', 'from_warehouse_id', 'to_warehouse_id', 'state', 'expected_arrival', 'requested_by', 'requested_at', 'approved_at', 'shipped_at', 'received_at', 'cancelled_at'],
      rows.transfers,
      (t) => [id(t.id), id(t.fromWarehouseId), id(t.toWarehouseId), t.state, date(t.expectedArrival), id(t.requestedBy), ts(t.requestedAt), ts(t.approvedAt), ts(t.shippedAt), ts(t.receivedAt), ts(t.cancelledAt)]
    ),
    load('transfer_lines', ['id', 'transfer_id', 'product_id', 'qty', 'shipped_qty', 'received_qty', 'short_qty', 'damaged_qty'], transferLines, ({ transferId, l }) => [
      id(l.id),
      id(transferId),
      id(l.productId),
      id(l.qty),
      id(l.shippedQty),
      id(l.receivedQty),
      id(l.shortQty),
      id(l.damagedQty)
    ]),
    load('customer_returns', ['id', 'customer_id', 'warehouse_id', 'order_id', 'reason', 'actor_id', 'created_at'], rows.returns, (r) => [id(r.id), id(r.customerId), id(r.warehouseId), id(r.orderId), text(r.reason), id(r.actorId), ts(r.createdAt)]),
    load('customer_return_lines', ['id', 'return_id', 'product_id', 'qty', 'disposition'], returnLines, ({ returnId, l }) => [id(l.id), id(returnId), id(l.productId), id(l.qty), l.disposition]),
    load(
      'cycle_counts',
      ['id', 'location_id', 'product_id', 'system_qty', 'counted_qty', 'state', 'counted_by', 'counted_at', 'decided_by', 'decided_at'],
      rows.counts,
      (c) => [id(c.id), id(c.locationId), id(c.productId), id(c.systemQty), id(c.countedQty), c.state, id(c.countedBy), ts(c.countedAt), id(c.decidedBy), ts(c.decidedAt)]
    ),
    { table: 'stock_moves', columns: MOVE_COLUMNS, count: rows.moves.length, line: (i) => moveLine(rows.moves[i]!) }
  ];
}

/** The tables the history writes rows into (their foreign keys are checked once, after the load). */
export const HISTORY_TABLES: string[] = [...ID_TABLES, 'stock_balances'];

/**
 * Runs a bulk load with the secondary indexes of `tables` built once afterwards
 * (sorted, in one pass) instead of updated row by row: dropped and created
 * again with the same definitions in the caller's transaction. Primary keys and
 * indexes behind constraints stay (ids arrive in order: appending is cheap).
 */
export async function withIndexesBuiltOnce<T>(client: pg.ClientBase, tables: string[], work: () => Promise<T>): Promise<T> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
     WHERE c.oid = ANY($1::regclass[]) AND NOT i.indisprimary AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
     ORDER BY 1`,
    [tables]
  );
  for (const r of rows) await client.query(`DROP INDEX ${r.name}`);
  const result = await work();
  await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
  for (const r of rows) await client.query(r.def);
  return result;
}

/**
 * COPYs every table, then the touched balances; progress per table, weighted by
 * rows. `skip`: tables already written (stock moves streamed during the
 * simulation). Returns rows written per table.
 */
export async function copyHistory(
  client: pg.ClientBase,
  rows: HistoryRows,
  progress: (label: string, fraction: number) => void,
  skip: string[] = []
): Promise<Record<string, number>> {
  const all = loads(rows).filter((l) => !skip.includes(l.table));
  const balances = rows.balances.filter((b) => b.touched);
  const total = all.reduce((a, l) => a + l.count, 0) + balances.length;
  const written: Record<string, number> = {};
  let done = 0;
  for (const l of all) {
    progress(`writing ${l.table}`, done / total);
    written[l.table] = l.count ? await copyRows(client, l.table, l.columns, l.count, l.line) : 0;
    done += l.count;
  }
  progress('writing stock_balances', done / total);
  await client.query('CREATE TEMP TABLE history_balances (LIKE stock_balances) ON COMMIT DROP');
  await copyRows(client, 'history_balances', ['product_id', 'location_id', 'on_hand', 'reserved', 'is_virtual', 'updated_at'], balances.length, (i) => {
    const b = balances[i]!;
    return row([id(b.productId), id(b.locationId), id(b.onHand), id(b.reserved), bool(b.isVirtual), ts(b.updatedAt)]);
  });
  const upsert = await client.query(`
    INSERT INTO stock_balances (product_id, location_id, on_hand, reserved, is_virtual, updated_at)
    SELECT product_id, location_id, on_hand, reserved, is_virtual, updated_at FROM history_balances
    ON CONFLICT (product_id, location_id) DO UPDATE
    SET on_hand = excluded.on_hand, reserved = excluded.reserved, updated_at = excluded.updated_at`);
  written.stock_balances = upsert.rowCount ?? 0;
  return written;
}
