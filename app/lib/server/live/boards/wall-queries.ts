/**
 * The wall screen's operational queues, read from the core PostgreSQL (not
 * ClickHouse): a picker's queue must show the order confirmed a moment ago, and
 * these are small, indexed reads of one warehouse's open work.
 */
import { and, asc, desc, eq, gt, inArray, lte, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { PickingQueueTile, ReceiptsDueTile, TransfersTile, WallTransfer } from '../../../../../schemas/boards/wall';
import { tables, type Db } from '../../core/db';

const { customers, purchaseOrderLines, purchaseOrders, salesOrderLines, salesOrders, shipments, suppliers, transferLines, transfers, warehouses } = tables;

/** Rows per queue sent to the screen; totals always count everything. */
export const QUEUE_ROWS = 40;

export interface WallWarehouse {
  id: number;
  code: string;
  name: string;
  timeZone: string;
}

export async function wallWarehouse(db: Db, id: number): Promise<WallWarehouse | null> {
  const [row] = await db
    .select({ id: warehouses.id, code: warehouses.code, name: warehouses.name, timeZone: warehouses.timeZone })
    .from(warehouses)
    .where(eq(warehouses.id, id));
  return row ?? null;
}

export async function wallWarehouses(db: Db): Promise<WallWarehouse[]> {
  return db
    .select({ id: warehouses.id, code: warehouses.code, name: warehouses.name, timeZone: warehouses.timeZone })
    .from(warehouses)
    .orderBy(asc(warehouses.code));
}

/** The warehouse's calendar day at `now` ("today" on its floor, not the server's). */
export function dayIn(timeZone: string, now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

async function warehouseDay(db: Db, warehouseId: number, now: Date): Promise<string> {
  const wh = await wallWarehouse(db, warehouseId);
  if (!wh) throw new Error(`warehouse ${warehouseId} does not exist`);
  return dayIn(wh.timeZone, now);
}

/** Confirmed orders with reserved stock not yet shipped; late ones (promised date passed) first. */
export async function pickingQueue(db: Db, warehouseId: number, now: Date): Promise<PickingQueueTile> {
  const today = await warehouseDay(db, warehouseId, now);
  const promised = sql<string | null>`coalesce(${salesOrders.promisedDate}, min(${salesOrderLines.promisedDate}))`;
  const late = sql<boolean>`coalesce(${promised} < ${today}::date, false)`;
  const open = and(eq(salesOrders.warehouseId, warehouseId), eq(salesOrders.state, 'confirmed'), gt(salesOrderLines.reservedQty, 0));
  const rows = await db
    .select({
      orderId: salesOrders.id,
      customer: customers.name,
      priority: salesOrders.priority,
      promisedDate: promised,
      late,
      lines: sql<number>`count(*)::int`,
      units: sql<number>`sum(${salesOrderLines.reservedQty})::int`,
      picking: sql<boolean>`exists (select 1 from ${shipments} where ${shipments.orderId} = ${salesOrders.id} and ${shipments.state} in ('picking', 'packed'))`,
      total: sql<number>`(count(*) over ())::int`,
      totalLines: sql<number>`(sum(count(*)) over ())::int`,
      totalUnits: sql<number>`(sum(sum(${salesOrderLines.reservedQty})) over ())::int`,
      // FILTER may not hold an aggregate (the promised date is one): count with a CASE.
      totalLate: sql<number>`(sum(case when ${late} then 1 else 0 end) over ())::int`
    })
    .from(salesOrders)
    .innerJoin(salesOrderLines, eq(salesOrderLines.orderId, salesOrders.id))
    .innerJoin(customers, eq(customers.id, salesOrders.customerId))
    .where(open)
    .groupBy(salesOrders.id, customers.name)
    .orderBy(desc(late), desc(salesOrders.priority), sql`${promised} asc nulls last`, asc(salesOrders.confirmedAt), asc(salesOrders.id))
    .limit(QUEUE_ROWS);
  const first = rows[0];
  return {
    today,
    orders: rows.map(({ total: _t, totalLines: _l, totalUnits: _u, totalLate: _la, ...order }) => order),
    totals: { orders: first?.total ?? 0, lines: first?.totalLines ?? 0, units: first?.totalUnits ?? 0, late: first?.totalLate ?? 0 }
  };
}

/** Purchase orders to this warehouse expected today or earlier and not fully received, oldest first. */
export async function receiptsDue(db: Db, warehouseId: number, now: Date): Promise<ReceiptsDueTile> {
  const today = await warehouseDay(db, warehouseId, now);
  const openUnits = sql<number>`sum(greatest(${purchaseOrderLines.orderedQty} - ${purchaseOrderLines.receivedQty} - ${purchaseOrderLines.rejectedQty}, 0))::int`;
  const overdue = sql<boolean>`${purchaseOrders.expectedDate} < ${today}::date`;
  const rows = await db
    .select({
      purchaseOrderId: purchaseOrders.id,
      supplier: suppliers.name,
      expectedDate: purchaseOrders.expectedDate,
      overdue,
      partiallyReceived: sql<boolean>`${purchaseOrders.state} = 'partially_received'`,
      lines: sql<number>`count(*)::int`,
      openUnits,
      total: sql<number>`(count(*) over ())::int`,
      totalUnits: sql<number>`(sum(${openUnits}) over ())::int`,
      totalOverdue: sql<number>`(count(*) filter (where ${overdue}) over ())::int`
    })
    .from(purchaseOrders)
    .innerJoin(purchaseOrderLines, eq(purchaseOrderLines.purchaseOrderId, purchaseOrders.id))
    .innerJoin(suppliers, eq(suppliers.id, purchaseOrders.supplierId))
    .where(
      and(
        eq(purchaseOrders.warehouseId, warehouseId),
        inArray(purchaseOrders.state, ['sent', 'partially_received']),
        lte(purchaseOrders.expectedDate, today)
      )
    )
    .groupBy(purchaseOrders.id, suppliers.name)
    .orderBy(asc(purchaseOrders.expectedDate), asc(purchaseOrders.id))
    .limit(QUEUE_ROWS);
  const first = rows[0];
  return {
    today,
    receipts: rows.map(({ total: _t, totalUnits: _u, totalOverdue: _o, ...receipt }) => receipt),
    totals: { orders: first?.total ?? 0, openUnits: first?.totalUnits ?? 0, overdue: first?.totalOverdue ?? 0 }
  };
}

/**
 * Transfers out of and into this warehouse not yet received: requested and
 * approved ones still to ship, shipped ones on the road. Late: past the expected
 * arrival. Late first, then by expected arrival.
 */
export async function transfersInFlight(db: Db, warehouseId: number, now: Date): Promise<TransfersTile> {
  const today = await warehouseDay(db, warehouseId, now);
  const other = alias(warehouses, 'other');
  const late = sql<boolean>`${transfers.expectedArrival} < ${today}::date`;
  const rows = await db
    .select({
      transferId: transfers.id,
      direction: sql<'out' | 'in'>`case when ${transfers.fromWarehouseId} = ${warehouseId} then 'out' else 'in' end`,
      otherWarehouse: sql<string>`${other.code} || ' ' || ${other.name}`,
      state: transfers.state,
      expectedArrival: transfers.expectedArrival,
      late,
      units: sql<number>`sum(case when ${transfers.state} = 'shipped'
        then ${transferLines.shippedQty} - ${transferLines.receivedQty} - ${transferLines.shortQty} - ${transferLines.damagedQty}
        else ${transferLines.qty} end)::int`
    })
    .from(transfers)
    .innerJoin(transferLines, eq(transferLines.transferId, transfers.id))
    .innerJoin(other, sql`${other.id} = case when ${transfers.fromWarehouseId} = ${warehouseId} then ${transfers.toWarehouseId} else ${transfers.fromWarehouseId} end`)
    .where(
      and(
        or(eq(transfers.fromWarehouseId, warehouseId), eq(transfers.toWarehouseId, warehouseId)),
        inArray(transfers.state, ['requested', 'approved', 'shipped'])
      )
    )
    .groupBy(transfers.id, other.code, other.name)
    .orderBy(desc(late), asc(transfers.expectedArrival), asc(transfers.id));
  // Only in-flight transfers of one warehouse: few enough to count here.
  const all = rows as WallTransfer[];
  const outbound = all.filter((t) => t.direction === 'out');
  const inbound = all.filter((t) => t.direction === 'in');
  return {
    today,
    outbound: outbound.slice(0, QUEUE_ROWS),
    inbound: inbound.slice(0, QUEUE_ROWS),
    totals: { outbound: outbound.length, inbound: inbound.length, late: all.filter((t) => t.late).length }
  };
}
