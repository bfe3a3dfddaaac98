import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import {
  countIdInput,
  countStockInput,
  listCountsInput,
  type CountIdInput,
  type CountStockInput,
  type CycleCount,
  type ListCountsInput
} from '../../../../schemas/api/counts';
import { assertWarehouseScope, type Actor } from './actor';
import type { CoreDb, Db, Tx } from './db';
import { tables } from './db';
import { conflict, notFound } from './errors';
import { postDoneMoves } from './ledger';
import { warehouseLocations } from './locations';
import { lockBalance } from './ledger';
import { allocate } from './reservation';
import { transact } from './transaction';
import { businessNow } from '../../../../schemas/db/business-clock';

const { cycleCounts, locations, products } = tables;

/**
 * Policy: a count needs approval when its variance exceeds both
 * COUNT_APPROVAL_MIN_UNITS and COUNT_APPROVAL_VARIANCE_PCT % of the system qty,
 * i.e. |counted - system| > max(10 units, 5 % of system).
 */
export const COUNT_APPROVAL_VARIANCE_PCT = 5;
export const COUNT_APPROVAL_MIN_UNITS = 10;

export function countNeedsApproval(systemQty: number, countedQty: number): boolean {
  const variance = Math.abs(countedQty - systemQty);
  // Integer arithmetic: variance > pct/100 * system  <=>  variance * 100 > pct * system.
  return variance > COUNT_APPROVAL_MIN_UNITS && variance * 100 > COUNT_APPROVAL_VARIANCE_PCT * systemQty;
}

/**
 * Posts counted - on hand as an adjustment move (gain: adjustment -> stock, loss:
 * stock -> adjustment). A loss may not eat into reserved stock: the orders
 * holding it must be released first. Gains go to backorders at once.
 */
async function postAdjustment(tx: Tx, actor: Actor, countId: number, warehouseId: number, productId: number, countedQty: number): Promise<void> {
  const loc = await warehouseLocations(tx, warehouseId);
  const balance = await lockBalance(tx, productId, loc.stock);
  if (countedQty < balance.reserved) {
    throw conflict(
      `counted ${countedQty} but ${balance.reserved} are reserved for orders: release those reservations (cancel or reduce the orders) before posting this loss`
    );
  }
  const delta = countedQty - balance.onHand;
  if (delta === 0) return;
  await postDoneMoves(tx, actor, [
    {
      productId,
      qty: Math.abs(delta),
      fromLocationId: delta > 0 ? loc.adjustment : loc.stock,
      toLocationId: delta > 0 ? loc.stock : loc.adjustment,
      documentType: 'cycle_count',
      documentId: countId
    }
  ]);
  if (delta > 0) await allocate(tx, warehouseId, [productId]);
}

/**
 * Records a count of a product at a warehouse's stock location. Within the
 * threshold the variance posts at once ('posted'); above it the count waits for
 * approval ('awaiting_approval'). One count per product and location may wait at a time.
 */
export async function countStock(db: CoreDb, actor: Actor, input: CountStockInput): Promise<CycleCount> {
  const data = countStockInput.parse(input);
  assertWarehouseScope(actor, data.warehouseId);
  const id = await transact(db, actor, 'stock.count', async (tx) => {
    const loc = await warehouseLocations(tx, data.warehouseId);
    const [product] = await tx.select({ id: products.id }).from(products).where(eq(products.id, data.productId));
    if (!product) throw notFound('product', data.productId);
    // The balance lock also serializes counts of the same product and location.
    const balance = await lockBalance(tx, data.productId, loc.stock);
    const [waiting] = await tx
      .select({ id: cycleCounts.id })
      .from(cycleCounts)
      .where(and(eq(cycleCounts.locationId, loc.stock), eq(cycleCounts.productId, data.productId), eq(cycleCounts.state, 'awaiting_approval')));
    if (waiting) throw conflict(`count ${waiting.id} of this product at this warehouse awaits approval: approve or reject it first`);
    if (data.countedQty < balance.reserved) {
      throw conflict(`counted ${data.countedQty} but ${balance.reserved} are reserved for orders: release those reservations before counting a loss below them`);
    }
    const approval = countNeedsApproval(balance.onHand, data.countedQty);
    const [count] = await tx
      .insert(cycleCounts)
      .values({
        locationId: loc.stock,
        productId: data.productId,
        systemQty: balance.onHand,
        countedQty: data.countedQty,
        state: approval ? 'awaiting_approval' : 'posted',
        countedBy: actor.userId
      })
      .returning({ id: cycleCounts.id });
    if (!approval) await postAdjustment(tx, actor, count!.id, data.warehouseId, data.productId, data.countedQty);
    return count!.id;
  });
  return getCount(db, id);
}

/** Locks a count waiting for a decision, checking the actor's warehouse. */
async function lockWaitingCount(tx: Tx, actor: Actor, id: number) {
  const [count] = await tx
    .select({ count: cycleCounts, warehouseId: locations.warehouseId })
    .from(cycleCounts)
    .innerJoin(locations, eq(locations.id, cycleCounts.locationId))
    .where(eq(cycleCounts.id, id))
    .for('update', { of: cycleCounts });
  if (!count) throw notFound('cycle count', id);
  assertWarehouseScope(actor, count.warehouseId);
  if (count.count.state !== 'awaiting_approval') throw conflict(`cycle count ${id} is ${count.count.state}; only a count awaiting approval can be decided`);
  return count;
}

/**
 * Approves a count above the threshold and posts it. Stock may have moved since
 * the count: what posts is counted - on hand now, so that on hand ends at the counted qty.
 */
export async function approveCount(db: CoreDb, actor: Actor, input: CountIdInput): Promise<CycleCount> {
  const { id } = countIdInput.parse(input);
  await transact(db, actor, 'stock.count.approve', async (tx) => {
    const { count, warehouseId } = await lockWaitingCount(tx, actor, id);
    await postAdjustment(tx, actor, id, warehouseId, count.productId, count.countedQty);
    await tx.update(cycleCounts).set({ state: 'posted', decidedBy: actor.userId, decidedAt: businessNow }).where(eq(cycleCounts.id, id));
  });
  return getCount(db, id);
}

/** Rejects a count awaiting approval: nothing posts. */
export async function rejectCount(db: CoreDb, actor: Actor, input: CountIdInput): Promise<CycleCount> {
  const { id } = countIdInput.parse(input);
  await transact(db, actor, 'stock.count.reject', async (tx) => {
    await lockWaitingCount(tx, actor, id);
    await tx.update(cycleCounts).set({ state: 'rejected', decidedBy: actor.userId, decidedAt: businessNow }).where(eq(cycleCounts.id, id));
  });
  return getCount(db, id);
}

/** Signed quantity a count posted: into stock is a gain, out of it a loss. */
const adjustment = sql<number>`coalesce((
  SELECT sum(CASE WHEN m.to_location_id = ${cycleCounts.locationId} THEN m.qty ELSE -m.qty END)
  FROM stock_moves m WHERE m.document_type = 'cycle_count' AND m.document_id = ${cycleCounts.id} AND m.state = 'done'), 0)::int`;

const countColumns = {
  id: cycleCounts.id,
  warehouseId: locations.warehouseId,
  locationId: cycleCounts.locationId,
  productId: cycleCounts.productId,
  systemQty: cycleCounts.systemQty,
  countedQty: cycleCounts.countedQty,
  variance: sql<number>`(${cycleCounts.countedQty} - ${cycleCounts.systemQty})::int`,
  state: cycleCounts.state,
  adjustment,
  countedBy: cycleCounts.countedBy,
  countedAt: cycleCounts.countedAt,
  decidedBy: cycleCounts.decidedBy,
  decidedAt: cycleCounts.decidedAt
};

export async function getCount(db: Db, id: number): Promise<CycleCount> {
  const [row] = await db.select(countColumns).from(cycleCounts).innerJoin(locations, eq(locations.id, cycleCounts.locationId)).where(eq(cycleCounts.id, id));
  if (!row) throw notFound('cycle count', id);
  return row;
}

/** Counts, newest first (filter state 'awaiting_approval' for the approval queue); one page and the total. */
export async function listCounts(db: Db, input: ListCountsInput = {}): Promise<{ items: CycleCount[]; total: number }> {
  const q = listCountsInput.parse(input);
  const where: SQL[] = [];
  if (q.warehouseId) where.push(eq(locations.warehouseId, q.warehouseId));
  if (q.productId) where.push(eq(cycleCounts.productId, q.productId));
  if (q.state) where.push(eq(cycleCounts.state, q.state));
  const filter = and(...where);
  const base = () => db.select(countColumns).from(cycleCounts).innerJoin(locations, eq(locations.id, cycleCounts.locationId)).where(filter);
  const [items, [total]] = await Promise.all([
    base().orderBy(desc(cycleCounts.id)).limit(q.limit).offset(q.offset),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(cycleCounts)
      .innerJoin(locations, eq(locations.id, cycleCounts.locationId))
      .where(filter)
  ]);
  return { items, total: total?.n ?? 0 };
}
