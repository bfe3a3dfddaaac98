import { sql } from 'drizzle-orm';
import { approveCount, countStock, rejectCount } from '../app/lib/server/core/counts';
import { closePurchaseOrder, sendPurchaseOrder } from '../app/lib/server/core/purchasing';
import { receivePurchaseOrder } from '../app/lib/server/core/receipts';
import { runReorder } from '../app/lib/server/core/reorder';
import { approveTransfer, receiveTransfer, shipTransfer } from '../app/lib/server/core/transfers';
import { DAY_MS } from './clock';
import type { ExecContext } from './executor';
import type { SupplierDef } from './network-types';
import type { CycleCountOperation, PoReceivingOperation, ReorderRunOperation, TransferDispatchOperation, TransferReceivingOperation } from './operations-types';
import { Random } from './random';

/** Share of a line's units rejected into quality hold now and then. */
const REJECT_CHANCE = 0.02;
/** Share of transfer lines that arrive with a unit or two short or damaged. */
const TRANSFER_DISCREPANCY_CHANCE = 0.03;
/** Share of count variances above the threshold that the planner approves (the rest are recounted: rejected). */
const COUNT_APPROVAL_CHANCE = 0.75;

async function rows<T>(ctx: ExecContext, query: ReturnType<typeof sql>): Promise<T[]> {
  return (await ctx.db.execute(query)).rows as T[];
}

/**
 * The buyer runs the warehouse's reorder rules and sends every draft PO of the
 * warehouse; the planner approves every requested transfer into it (those of
 * this run and any left over from before).
 */
export async function executeReorder(ctx: ExecContext, op: ReorderRunOperation): Promise<void> {
  const { buyer, planner } = ctx.users.actors;
  const warehouseId = ctx.id('warehouses', op.warehouse);
  await ctx.attempt('purchasing.reorder', () => runReorder(ctx.db, buyer, { warehouseId }));
  for (const { id } of await rows<{ id: number }>(ctx, sql`SELECT id FROM purchase_orders WHERE warehouse_id = ${warehouseId} AND state = 'draft' ORDER BY id`)) {
    const purchaseOrderId = Number(id);
    if (await ctx.attempt('purchasing.send', () => sendPurchaseOrder(ctx.db, buyer, { purchaseOrderId }))) ctx.memory.poSent.set(purchaseOrderId, op.at);
  }
  for (const { id } of await rows<{ id: number }>(ctx, sql`SELECT id FROM transfers WHERE to_warehouse_id = ${warehouseId} AND state = 'requested' ORDER BY id`)) {
    await ctx.attempt('transfers.approve', () => approveTransfer(ctx.db, planner, { transferId: Number(id) }));
  }
}

/**
 * How a supplier delivers a PO, fixed once per PO from the run's seed: on time
 * with the supplier's on-time probability (a little before the quoted lead
 * time), else days late by its spread; a short delivery's rest follows some
 * days later, or never (the buyer closes the PO).
 */
export function deliveryPlan(seed: number, purchaseOrderId: number, supplier: SupplierDef, quotedDays: number) {
  const rng = Random.fromSeed(seed).derive(`po/${purchaseOrderId}`);
  const onTime = rng.chance(supplier.onTimeProbability);
  const leadDays = onTime ? quotedDays * rng.between(0.7, 1) : quotedDays + rng.between(1, 1 + 2 * Math.max(1, supplier.leadTime.spreadDays));
  const restFollows = rng.chance(0.4);
  return { onTime, leadDays, restFollows, restAfterDays: rng.between(2, 7) };
}

/**
 * The warehouse receives the POs that are due: the first delivery once the
 * plan's lead time (plus any scenario delay) has passed since the PO was sent,
 * each line in full with the supplier's fill probability, else 50-95 % of it,
 * sometimes with a few units rejected into quality hold; the rest of a short
 * delivery later, or the buyer closes the PO.
 */
export async function executePoReceiving(ctx: ExecContext, op: PoReceivingOperation): Promise<void> {
  const lead = ctx.lead(op.warehouse);
  const warehouseId = ctx.id('warehouses', op.warehouse);
  const suppliers = new Map(ctx.network.suppliers.map((s) => [s.code, s]));
  const open = await rows<{ id: number; state: string; supplier: string; sent_at: Date | string; quoted: number }>(
    ctx,
    sql`SELECT po.id, po.state, s.code AS supplier, po.sent_at,
               (po.expected_date - (po.created_at AT TIME ZONE w.time_zone)::date) AS quoted
        FROM purchase_orders po JOIN suppliers s ON s.id = po.supplier_id JOIN warehouses w ON w.id = po.warehouse_id
        WHERE po.warehouse_id = ${warehouseId} AND po.state IN ('sent', 'partially_received') ORDER BY po.id`
  );
  let received = 0;
  for (const po of open) {
    const id = Number(po.id);
    const supplier = suppliers.get(po.supplier);
    if (!supplier) continue; // not one of the simulated network's suppliers
    const plan = deliveryPlan(ctx.seed, id, supplier, Math.max(1, Number(po.quoted)));
    const sent = ctx.memory.poSent.get(id) ?? new Date(po.sent_at).getTime();
    const delay = ctx.scenario.supplierDelayDays?.(supplier.code, op.at) ?? 0;
    const first = po.state === 'sent';
    const dueAfter = plan.leadDays + delay + (first ? 0 : plan.restAfterDays);
    if (op.at - sent < dueAfter * DAY_MS) continue;
    if (!first && !plan.restFollows) {
      await closeShort(ctx, id);
      continue;
    }
    const lines = await rows<{ id: number; open: number }>(
      ctx,
      sql`SELECT id, greatest(ordered_qty - received_qty - rejected_qty, 0)::int AS open FROM purchase_order_lines
          WHERE purchase_order_id = ${id} ORDER BY id`
    );
    const delivery = lines
      .filter((l) => l.open > 0)
      .map((l) => {
        const rng = Random.fromSeed(ctx.seed).derive(`po/${id}/line/${l.id}/${first ? 'first' : 'rest'}`);
        let accepted = !first || rng.chance(supplier.fillProbability) ? l.open : Math.floor(l.open * rng.between(0.5, 0.95));
        const rejected = accepted > 0 && rng.chance(REJECT_CHANCE) ? Math.min(accepted, rng.int(1, 5)) : 0;
        accepted -= rejected;
        return { lineId: Number(l.id), acceptedQty: accepted, rejectedQty: rejected };
      })
      .filter((l) => l.acceptedQty + l.rejectedQty > 0);
    if (delivery.length === 0) {
      await closeShort(ctx, id);
      continue;
    }
    const result = await ctx.attempt('purchasing.receive', () => receivePurchaseOrder(ctx.db, lead, { purchaseOrderId: id, lines: delivery }));
    if (!result) continue;
    received++;
    if (first && (!plan.onTime || delay > 0)) ctx.note('receipts.late');
    if (result.purchaseOrder.state === 'partially_received') {
      ctx.note('receipts.short');
      if (!plan.restFollows) await closeShort(ctx, id);
    } else ctx.memory.poSent.delete(id);
  }
  if (received === 0) ctx.note('po-receiving.idle');
}

async function closeShort(ctx: ExecContext, purchaseOrderId: number): Promise<void> {
  if (await ctx.attempt('purchasing.close', () => closePurchaseOrder(ctx.db, ctx.users.actors.buyer, { purchaseOrderId }))) ctx.memory.poSent.delete(purchaseOrderId);
}

/**
 * The source warehouse ships its approved transfers, oldest first, each line as
 * far as free stock (on hand - reserved) goes; a transfer with nothing free
 * waits. Stalled lanes ship nothing.
 */
export async function executeTransferDispatch(ctx: ExecContext, op: TransferDispatchOperation): Promise<void> {
  const lead = ctx.lead(op.warehouse);
  const warehouseId = ctx.id('warehouses', op.warehouse);
  const approved = await rows<{ id: number; to_id: number }>(
    ctx,
    sql`SELECT id, to_warehouse_id AS to_id FROM transfers WHERE from_warehouse_id = ${warehouseId} AND state = 'approved' ORDER BY id`
  );
  const free = new Map<number, number>();
  for (const b of await rows<{ product_id: number; free: number }>(
    ctx,
    sql`SELECT product_id, (on_hand - reserved)::int AS free FROM stock_balances WHERE location_id = ${ctx.stockLocation(op.warehouse)}`
  ))
    free.set(Number(b.product_id), Number(b.free));
  let shipped = 0;
  for (const t of approved) {
    const transferId = Number(t.id);
    if (ctx.scenario.laneStalled?.(op.warehouse, ctx.code('warehouses', Number(t.to_id)), op.at)) {
      ctx.note('transfers.stalled');
      continue;
    }
    const lines = await rows<{ id: number; product_id: number; qty: number }>(ctx, sql`SELECT id, product_id, qty FROM transfer_lines WHERE transfer_id = ${transferId} ORDER BY id`);
    const plan = lines.map((l) => {
      const qty = Math.max(0, Math.min(Number(l.qty), free.get(Number(l.product_id)) ?? 0));
      free.set(Number(l.product_id), (free.get(Number(l.product_id)) ?? 0) - qty);
      return { lineId: Number(l.id), qty, full: qty === Number(l.qty) };
    });
    if (plan.every((p) => p.qty === 0)) {
      ctx.note('transfers.waiting_for_stock');
      continue;
    }
    const full = plan.every((p) => p.full);
    if (!full) ctx.note('transfers.partial');
    const done = await ctx.attempt('transfers.ship', () =>
      shipTransfer(ctx.db, lead, { transferId, ...(full ? {} : { lines: plan.map(({ lineId, qty }) => ({ lineId, qty })) }) })
    );
    if (done) {
      ctx.memory.transferShipped.set(transferId, op.at);
      shipped++;
    }
  }
  if (shipped === 0) ctx.note('transfer-dispatch.idle');
}

/** The destination receives transfers that have been on the road for the lane's lead time; a few lines arrive short or damaged. */
export async function executeTransferReceiving(ctx: ExecContext, op: TransferReceivingOperation): Promise<void> {
  const lead = ctx.lead(op.warehouse);
  const warehouseId = ctx.id('warehouses', op.warehouse);
  const laneDays = new Map(ctx.network.transferLanes.filter((l) => l.toCode === op.warehouse).map((l) => [l.fromCode, l.leadTimeDays]));
  const inTransit = await rows<{ id: number; from_id: number; shipped_at: Date | string }>(
    ctx,
    sql`SELECT id, from_warehouse_id AS from_id, shipped_at FROM transfers WHERE to_warehouse_id = ${warehouseId} AND state = 'shipped' ORDER BY id`
  );
  let received = 0;
  for (const t of inTransit) {
    const transferId = Number(t.id);
    const from = ctx.code('warehouses', Number(t.from_id));
    if (ctx.scenario.laneStalled?.(from, op.warehouse, op.at)) continue;
    const shippedAt = ctx.memory.transferShipped.get(transferId) ?? new Date(t.shipped_at).getTime();
    if (op.at - shippedAt < (laneDays.get(from) ?? 1) * DAY_MS) continue;
    const lines = await rows<{ id: number; shipped: number }>(
      ctx,
      sql`SELECT id, shipped_qty AS shipped FROM transfer_lines WHERE transfer_id = ${transferId} AND shipped_qty > 0 ORDER BY id`
    );
    const rng = Random.fromSeed(ctx.seed).derive(`transfer/${transferId}`);
    const counted = lines.map((l) => {
      const shipped = Number(l.shipped);
      const off = rng.chance(TRANSFER_DISCREPANCY_CHANCE) ? Math.min(shipped, rng.int(1, 2)) : 0;
      const damaged = off > 0 && rng.chance(0.5);
      return { lineId: Number(l.id), receivedQty: shipped - off, shortQty: damaged ? 0 : off, damagedQty: damaged ? off : 0 };
    });
    const exact = counted.every((c) => c.shortQty + c.damagedQty === 0);
    if (!exact) ctx.note('transfers.discrepancy');
    const done = await ctx.attempt('transfers.receive', () => receiveTransfer(ctx.db, lead, { transferId, ...(exact ? {} : { lines: counted }) }));
    if (done) {
      ctx.memory.transferShipped.delete(transferId);
      received++;
    }
  }
  if (received === 0) ctx.note('transfer-receiving.idle');
}

/**
 * The lead counts a product: on hand as the system has it, off by the
 * descriptor's variance (never below what is reserved). A variance above the
 * threshold waits for the planner, who mostly approves it.
 */
export async function executeCycleCount(ctx: ExecContext, op: CycleCountOperation): Promise<void> {
  const lead = ctx.lead(op.warehouse);
  const warehouseId = ctx.id('warehouses', op.warehouse);
  const productId = ctx.id('products', op.sku);
  const [balance] = await rows<{ on_hand: number; reserved: number }>(
    ctx,
    sql`SELECT on_hand, reserved FROM stock_balances WHERE product_id = ${productId} AND location_id = ${ctx.stockLocation(op.warehouse)}`
  );
  const onHand = Number(balance?.on_hand ?? 0);
  const reserved = Number(balance?.reserved ?? 0);
  const countedQty = Math.max(reserved, 0, onHand + Math.round(onHand * op.varianceShare) + op.varianceUnits);
  if (countedQty !== onHand) ctx.note('counts.variance');
  const count = await ctx.attempt('stock.count', () => countStock(ctx.db, lead, { warehouseId, productId, countedQty }));
  if (count?.state !== 'awaiting_approval') return;
  const planner = ctx.users.actors.planner;
  if (Random.fromSeed(op.salt).chance(COUNT_APPROVAL_CHANCE)) await ctx.attempt('stock.count.approve', () => approveCount(ctx.db, planner, { id: count.id }));
  else await ctx.attempt('stock.count.reject', () => rejectCount(ctx.db, planner, { id: count.id }));
}
