import { and, asc, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import {
  listTransfersInput,
  receiveTransferInput,
  requestTransferInput,
  shipTransferInput,
  transferRef,
  type ListTransfersInput,
  type ReceiveTransferInput,
  type RequestTransferInput,
  type ShipTransferInput,
  type TransferOutput,
  type TransferRef,
  type TransferSummary
} from '../../../../schemas/api/transfers';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Db, Tx } from './db';
import { tables } from './db';
import { conflict, invalid, notFound } from './errors';
import { createOpenMoves, openMoveOf, reduceOpenMove } from './ledger';
import { warehouseLocations } from './locations';
import { warehouseDate } from './locations';
import { lockOpenMovesOf, MoveBatch } from './move-completion';
import { allocate } from './reservation';
import { transact } from './transaction';
import { businessNow } from '../../../../schemas/db/business-clock';

const { transfers, transferLines, transferLanes, products } = tables;

type TransferRow = typeof transfers.$inferSelect;
type TransferLineRow = typeof transferLines.$inferSelect;

/** A warehouse-scoped user may act on transfers that leave or reach their warehouse. */
function assertEitherScope(actor: Actor, t: { fromWarehouseId: number; toWarehouseId: number }) {
  if (actor.warehouseId !== null && actor.warehouseId !== t.fromWarehouseId) assertWarehouseScope(actor, t.toWarehouseId);
}

async function lockTransfer(tx: Tx, id: number): Promise<{ transfer: TransferRow; lines: TransferLineRow[] }> {
  const [transfer] = await tx.select().from(transfers).where(eq(transfers.id, id)).for('update');
  if (!transfer) throw notFound('transfer', id);
  const lines = await tx.select().from(transferLines).where(eq(transferLines.transferId, id)).orderBy(asc(transferLines.id)).for('update');
  return { transfer, lines };
}

/** Inserts a requested transfer (used by request and by the reorder run); arrival from the lane's lead time. */
export async function insertTransferRequest(tx: Tx, actor: Actor, input: RequestTransferInput): Promise<number> {
  const data = requestTransferInput.parse(input);
  assertEitherScope(actor, data);
  const [lane] = await tx
    .select()
    .from(transferLanes)
    .where(and(eq(transferLanes.fromWarehouseId, data.fromWarehouseId), eq(transferLanes.toWarehouseId, data.toWarehouseId)));
  if (!lane) {
    throw invalid(`there is no transfer lane from warehouse ${data.fromWarehouseId} to warehouse ${data.toWarehouseId}`, {
      toWarehouseId: ['has no transfer lane from the source warehouse']
    });
  }
  const known = await tx.select({ id: products.id, active: products.active }).from(products).where(inArray(products.id, data.lines.map((l) => l.productId)));
  const fieldErrors: Record<string, string[]> = {};
  data.lines.forEach((l, i) => {
    const p = known.find((k) => k.id === l.productId);
    if (!p) fieldErrors[`lines.${i}.productId`] = ['does not exist'];
    else if (!p.active) fieldErrors[`lines.${i}.productId`] = ['is not active'];
  });
  if (Object.keys(fieldErrors).length) throw invalid('some lines cannot be transferred', fieldErrors);
  const expectedArrival = await warehouseDate(tx, data.toWarehouseId, lane.leadTimeDays);
  const [transfer] = await tx
    .insert(transfers)
    .values({ fromWarehouseId: data.fromWarehouseId, toWarehouseId: data.toWarehouseId, expectedArrival, requestedBy: actor.userId })
    .returning({ id: transfers.id });
  await tx.insert(transferLines).values(data.lines.map((l) => ({ transferId: transfer!.id, productId: l.productId, qty: l.qty })));
  return transfer!.id;
}

export async function requestTransfer(db: CoreDb, actor: Actor, input: RequestTransferInput): Promise<TransferOutput> {
  return transact(db, actor, 'transfers.request', async (tx) => getTransfer(tx, await insertTransferRequest(tx, actor, input)));
}

/** requested → approved: open moves A.stock → B.transit at the expected arrival (outgoing at A, incoming at B). */
export async function approveTransfer(db: CoreDb, actor: Actor, input: TransferRef): Promise<TransferOutput> {
  const { transferId } = transferRef.parse(input);
  return transact(db, actor, 'transfers.approve', async (tx) => {
    const { transfer, lines } = await lockTransfer(tx, transferId);
    assertEitherScope(actor, transfer);
    if (transfer.state !== 'requested') throw conflict(`transfer ${transfer.id} is ${transfer.state}; only a requested transfer can be approved`);
    const from = await warehouseLocations(tx, transfer.fromWarehouseId);
    const to = await warehouseLocations(tx, transfer.toWarehouseId);
    await createOpenMoves(
      tx,
      actor,
      lines.map((l) => ({
        productId: l.productId,
        qty: l.qty,
        fromLocationId: from.stock,
        toLocationId: to.transit,
        documentType: 'transfer' as const,
        documentId: transfer.id,
        documentLineId: l.id,
        scheduledDate: transfer.expectedArrival,
        state: 'confirmed' as const
      }))
    );
    await tx.update(transfers).set({ state: 'approved', approvedAt: businessNow }).where(eq(transfers.id, transfer.id));
    return getTransfer(tx, transfer.id);
  });
}

/**
 * approved → shipped, at the source warehouse: the shipped quantity moves A.stock →
 * B.transit now (done) and an open move B.transit → B.stock awaits the receipt; what
 * is not shipped is dropped from the schedule.
 */
export async function shipTransfer(db: CoreDb, actor: Actor, input: ShipTransferInput): Promise<TransferOutput> {
  const data = shipTransferInput.parse(input);
  return transact(db, actor, 'transfers.ship', async (tx) => {
    const { transfer, lines } = await lockTransfer(tx, data.transferId);
    assertWarehouseScope(actor, transfer.fromWarehouseId);
    if (transfer.state !== 'approved') throw conflict(`transfer ${transfer.id} is ${transfer.state}; only an approved transfer can be shipped`);
    const qty = new Map(lines.map((l) => [l.id, data.lines ? 0 : l.qty]));
    const fieldErrors: Record<string, string[]> = {};
    data.lines?.forEach((l, i) => {
      const line = lines.find((x) => x.id === l.lineId);
      if (!line) fieldErrors[`lines.${i}.lineId`] = [`is not a line of transfer ${transfer.id}`];
      else if (l.qty > line.qty) fieldErrors[`lines.${i}.qty`] = [`cannot exceed the ${line.qty} requested`];
      else qty.set(l.lineId, l.qty);
    });
    if (Object.keys(fieldErrors).length) throw invalid('cannot ship these quantities', fieldErrors);
    if ([...qty.values()].every((q) => q === 0)) throw invalid('nothing to ship: cancel the transfer instead', { lines: ['ship at least one unit'] });

    const to = await warehouseLocations(tx, transfer.toWarehouseId);
    const open = await lockOpenMovesOf(tx, 'transfer', lines.map((l) => l.id));
    const batch = new MoveBatch(actor, open.values());
    const shippedLines: { id: number; shippedQty: number }[] = [];
    for (const line of lines) {
      const shipped = qty.get(line.id)!;
      const move = open.get(line.id);
      if (!move) throw conflict(`transfer line ${line.id} has no open move to ship`);
      if (shipped > 0) batch.complete(move.id, shipped);
      if (shipped < move.qty) batch.reduce(move.id, move.qty - shipped);
      if (shipped === 0) continue;
      batch.open([
        {
          productId: line.productId,
          qty: shipped,
          fromLocationId: to.transit,
          toLocationId: to.stock,
          documentType: 'transfer',
          documentId: transfer.id,
          documentLineId: line.id,
          scheduledDate: transfer.expectedArrival,
          state: 'confirmed'
        }
      ]);
      shippedLines.push({ id: line.id, shippedQty: shipped });
    }
    await batch.write(tx);
    await tx.execute(sql`
      UPDATE transfer_lines l SET shipped_qty = v.shipped_qty
      FROM unnest(${sql.param(shippedLines.map((l) => l.id))}::bigint[], ${sql.param(shippedLines.map((l) => l.shippedQty))}::int[]) AS v(id, shipped_qty)
      WHERE l.id = v.id`);
    await tx.update(transfers).set({ state: 'shipped', shippedAt: businessNow }).where(eq(transfers.id, transfer.id));
    return getTransfer(tx, transfer.id);
  });
}

/**
 * shipped → received, at the destination: per line, received goes into stock, short
 * is written off (B.adjustment), damaged goes to B.damaged. Nothing stays in transit;
 * backorders at the destination are then reserved.
 */
export async function receiveTransfer(db: CoreDb, actor: Actor, input: ReceiveTransferInput): Promise<TransferOutput> {
  const data = receiveTransferInput.parse(input);
  return transact(db, actor, 'transfers.receive', async (tx) => {
    const { transfer, lines } = await lockTransfer(tx, data.transferId);
    assertWarehouseScope(actor, transfer.toWarehouseId);
    if (transfer.state !== 'shipped') throw conflict(`transfer ${transfer.id} is ${transfer.state}; only a shipped transfer can be received`);
    const counts = new Map(lines.map((l) => [l.id, { receivedQty: data.lines ? 0 : l.shippedQty, shortQty: 0, damagedQty: 0 }]));
    const fieldErrors: Record<string, string[]> = {};
    data.lines?.forEach((l, i) => {
      const line = lines.find((x) => x.id === l.lineId);
      if (!line) fieldErrors[`lines.${i}.lineId`] = [`is not a line of transfer ${transfer.id}`];
      else if (l.receivedQty + l.shortQty + l.damagedQty !== line.shippedQty) {
        fieldErrors[`lines.${i}.receivedQty`] = [`received + short + damaged must equal the ${line.shippedQty} shipped`];
      } else counts.set(l.lineId, { receivedQty: l.receivedQty, shortQty: l.shortQty, damagedQty: l.damagedQty });
    });
    if (data.lines) {
      const missing = lines.filter((l) => l.shippedQty > 0 && !data.lines!.some((x) => x.lineId === l.id));
      if (missing.length) fieldErrors.lines = [`account for every shipped line (missing: ${missing.map((l) => l.id).join(', ')})`];
    }
    if (Object.keys(fieldErrors).length) throw invalid('the receipt does not account for what was shipped', fieldErrors);

    const to = await warehouseLocations(tx, transfer.toWarehouseId);
    const shipped = lines.filter((l) => l.shippedQty > 0);
    const open = await lockOpenMovesOf(tx, 'transfer', shipped.map((l) => l.id));
    const batch = new MoveBatch(actor, open.values());
    for (const line of shipped) {
      const c = counts.get(line.id)!;
      const move = open.get(line.id);
      if (!move || move.qty !== line.shippedQty) throw conflict(`transfer line ${line.id} is not fully in transit`);
      if (c.shortQty > 0) batch.complete(move.id, c.shortQty, to.adjustment);
      if (c.damagedQty > 0) batch.complete(move.id, c.damagedQty, to.damaged);
      if (c.receivedQty > 0) batch.complete(move.id, c.receivedQty);
    }
    await batch.write(tx);
    const received = shipped.map((l) => ({ id: l.id, ...counts.get(l.id)! }));
    await tx.execute(sql`
      UPDATE transfer_lines l SET received_qty = v.received_qty, short_qty = v.short_qty, damaged_qty = v.damaged_qty
      FROM unnest(${sql.param(received.map((l) => l.id))}::bigint[], ${sql.param(received.map((l) => l.receivedQty))}::int[],
                  ${sql.param(received.map((l) => l.shortQty))}::int[], ${sql.param(received.map((l) => l.damagedQty))}::int[])
        AS v(id, received_qty, short_qty, damaged_qty)
      WHERE l.id = v.id`);
    await tx.update(transfers).set({ state: 'received', receivedAt: businessNow }).where(eq(transfers.id, transfer.id));
    const arrived = lines.filter((l) => counts.get(l.id)!.receivedQty > 0).map((l) => l.productId);
    if (arrived.length) await allocate(tx, transfer.toWarehouseId, arrived);
    return getTransfer(tx, transfer.id);
  });
}

/** requested / approved → cancelled: the scheduled moves are dropped. A shipped transfer must be received. */
export async function cancelTransfer(db: CoreDb, actor: Actor, input: TransferRef): Promise<TransferOutput> {
  const { transferId } = transferRef.parse(input);
  return transact(db, actor, 'transfers.cancel', async (tx) => {
    const { transfer, lines } = await lockTransfer(tx, transferId);
    assertEitherScope(actor, transfer);
    if (transfer.state !== 'requested' && transfer.state !== 'approved') {
      throw conflict(`transfer ${transfer.id} is ${transfer.state}; only a requested or approved transfer can be cancelled`);
    }
    for (const line of lines) {
      const open = await openMoveOf(tx, 'transfer', line.id);
      if (open) await reduceOpenMove(tx, open.id, open.qty, open);
    }
    await tx.update(transfers).set({ state: 'cancelled', cancelledAt: businessNow }).where(eq(transfers.id, transfer.id));
    return getTransfer(tx, transfer.id);
  });
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function head(t: TransferRow): Omit<TransferOutput, 'lines'> {
  return {
    id: t.id,
    fromWarehouseId: t.fromWarehouseId,
    toWarehouseId: t.toWarehouseId,
    state: t.state,
    expectedArrival: t.expectedArrival,
    requestedAt: t.requestedAt.toISOString(),
    approvedAt: iso(t.approvedAt),
    shippedAt: iso(t.shippedAt),
    receivedAt: iso(t.receivedAt),
    cancelledAt: iso(t.cancelledAt)
  };
}

export async function getTransfer(db: Db, id: number): Promise<TransferOutput> {
  const [t] = await db.select().from(transfers).where(eq(transfers.id, id));
  if (!t) throw notFound('transfer', id);
  const lines = await db
    .select({ line: transferLines, sku: products.sku })
    .from(transferLines)
    .innerJoin(products, eq(products.id, transferLines.productId))
    .where(eq(transferLines.transferId, id))
    .orderBy(asc(transferLines.id));
  return {
    ...head(t),
    lines: lines.map(({ line, sku }) => ({
      id: line.id,
      productId: line.productId,
      sku,
      qty: line.qty,
      shippedQty: line.shippedQty,
      receivedQty: line.receivedQty,
      shortQty: line.shortQty,
      damagedQty: line.damagedQty
    }))
  };
}

/** Transfers from or to a warehouse, newest first. */
export async function listTransfers(db: Db, input: ListTransfersInput = {}): Promise<TransferSummary[]> {
  const filter = listTransfersInput.parse(input);
  const where: (SQL | undefined)[] = [];
  if (filter.warehouseId !== undefined) where.push(or(eq(transfers.fromWarehouseId, filter.warehouseId), eq(transfers.toWarehouseId, filter.warehouseId)));
  if (filter.state !== undefined) where.push(eq(transfers.state, filter.state));
  const rows = await db
    .select({ t: transfers, lineCount: sql<number>`(SELECT count(*)::int FROM transfer_lines l WHERE l.transfer_id = ${transfers.id})` })
    .from(transfers)
    .where(and(...where))
    .orderBy(desc(transfers.id))
    .limit(filter.limit);
  return rows.map((r): TransferSummary => ({ ...head(r.t), lineCount: Number(r.lineCount) }));
}
