import { proposedQuantity } from '../app/lib/server/core/reorder';
import type { RuleCtx } from './history-context';
import type { PurchaseOrderRec, ReceiptRec } from './history-model';
import { markPickable } from './history-orders';
import { addCover, at, isOpen, nextSlot, today, type Sim } from './history-state';
import { DAY, MINUTE } from './history-time';
import { SCHEDULES } from './operations-calendar';
import { deliveryPlan } from './operations-execute-supply';
import { planTransfers } from './history-transfers';

/**
 * Replenishment (reorder.ts, purchasing.ts, receipts.ts): each warehouse's
 * morning reorder run compares the forecast at its lead-time horizon, plus what
 * is proposed but not yet scheduled, with each rule's minimum and proposes up to
 * the maximum: one draft PO per supplier (the DC) and one transfer request per
 * source warehouse (branches). The buyer sends the POs right away; suppliers
 * deliver by the live operations' delivery plan (on time or late, in full or
 * short, by their record); a short delivery's rest follows later, or the buyer
 * closes the PO.
 */

/** Share of delivered lines with a few units rejected into quality hold (as the live operations receive). */
const REJECT_SHARE = 0.02;

interface Proposal {
  rule: RuleCtx;
  qty: number;
}

export function reorderRun(sim: Sim, w: number, t: number): void {
  const { ctx, ledger } = sim;
  const P = ctx.products.length;
  const W = ctx.warehouses.length;
  const day = today(sim, w, t);
  const bySupplier = new Map<number, Proposal[]>();
  const byWarehouse = new Map<number, Proposal[]>();
  for (const rule of ctx.rules[w]!) {
    // A position the last run left alone, unchanged since and with nothing scheduled, would be left alone again.
    const pos = ledger.position(w, rule.product);
    if (pos.settled) continue;
    const forecast = ledger.forecast(w, rule.product, day + rule.horizonDays);
    const covered = sim.cover.get(w * P + rule.product) ?? 0;
    if (forecast + covered >= rule.minQty) {
      pos.settled = pos.inbound.length === 0 && pos.outgoing.length === 0 && covered === 0;
      continue;
    }
    const need = rule.maxQty - forecast - covered;
    if (rule.supplier >= 0) {
      const terms = ctx.terms.get(rule.supplier * P + rule.product);
      if (!terms) continue; // blocked: the supplier has no terms for it
      const list = bySupplier.get(rule.supplier) ?? [];
      list.push({ rule, qty: proposedQuantity(need, rule.multiple, terms) });
      bySupplier.set(rule.supplier, list);
    } else {
      if (!ctx.lanes.has(rule.sourceWarehouse * W + w)) continue; // blocked: no lane
      const list = byWarehouse.get(rule.sourceWarehouse) ?? [];
      list.push({ rule, qty: proposedQuantity(need, rule.multiple) });
      byWarehouse.set(rule.sourceWarehouse, list);
    }
  }
  for (const [s, list] of [...bySupplier].sort((a, b) => ctx.suppliers[a[0]]!.id - ctx.suppliers[b[0]]!.id)) createPurchaseOrder(sim, w, s, list, t, day);
  for (const [src, list] of [...byWarehouse].sort((a, b) => ctx.warehouses[a[0]]!.id - ctx.warehouses[b[0]]!.id)) {
    planTransfers(
      sim,
      src,
      w,
      list.map((p) => ({ product: p.rule.product, qty: p.qty })),
      t
    );
  }
}

function createPurchaseOrder(sim: Sim, w: number, s: number, list: Proposal[], t: number, day: number): void {
  const { ctx, ids } = sim;
  const P = ctx.products.length;
  const lead = Math.max(...list.map((p) => ctx.terms.get(s * P + p.rule.product)!.leadTimeDays));
  const po: PurchaseOrderRec = {
    id: ids.take('purchase_orders'),
    supplier: s,
    supplierId: ctx.suppliers[s]!.id,
    warehouse: w,
    warehouseId: ctx.warehouses[w]!.id,
    state: 'draft',
    expectedDate: day + lead,
    fromReorder: true,
    createdBy: ctx.actorId,
    createdAt: t,
    sentAt: null,
    closedAt: null,
    lines: list.map((p) => ({
      id: ids.take('purchase_order_lines'),
      product: p.rule.product,
      productId: p.rule.productId,
      orderedQty: p.qty,
      receivedQty: 0,
      rejectedQty: 0,
      unitCostMinor: ctx.terms.get(s * P + p.rule.product)!.costMinor,
      move: null
    }))
  };
  for (const l of po.lines) addCover(sim, w, l.product, l.orderedQty);
  sim.rows.purchaseOrders.push(po);
  // The buyer sends the run's POs right away (as the live operations' reorder run does).
  const sendAt = t + sim.rng.purchasing.int(2, 15) * MINUTE;
  at(sim, sendAt, () => send(sim, po, sendAt));
}

/** draft -> sent: each line an open move supplier -> stock at the expected date; delivery planned by the supplier's record. */
function send(sim: Sim, po: PurchaseOrderRec, t: number): void {
  const { ctx, ledger } = sim;
  const wh = ctx.warehouses[po.warehouse]!;
  po.state = 'sent';
  po.sentAt = t;
  for (const l of po.lines) {
    addCover(sim, po.warehouse, l.product, -l.orderedQty);
    l.move = ledger.open(
      {
        productId: l.productId,
        qty: l.orderedQty,
        fromLocationId: wh.loc.supplier,
        toLocationId: wh.loc.stock,
        documentType: 'purchase_order',
        documentId: po.id,
        documentLineId: l.id,
        scheduledDate: po.expectedDate
      },
      'confirmed',
      t
    );
  }
  const plan = deliveryPlan(sim.seed, po.id, ctx.suppliers[po.supplier]!.def, Math.max(1, po.expectedDate - today(sim, po.warehouse, po.createdAt)));
  const first = nextSlot(sim, SCHEDULES['po-receiving']!, po.warehouse, t + plan.leadDays * DAY);
  at(sim, first, () => {
    if (!receive(sim, po, first, false)) return;
    if (!plan.restFollows) return closePo(sim, po, first + MINUTE);
    const rest = nextSlot(sim, SCHEDULES['po-receiving']!, po.warehouse, Math.max(first + MINUTE, t + (plan.leadDays + plan.restAfterDays) * DAY));
    at(sim, rest, () => receive(sim, po, rest, true));
  });
}

/**
 * A delivery against a sent PO (receivePurchaseOrder), as the live operations
 * receive it: the first delivery brings each line in full with the supplier's
 * fill probability, else 50-95 % of it; `rest` brings everything still open. Now
 * and then a few units are rejected into quality hold. Accepted units complete
 * the open move into stock, rejected ones go to quality hold; on time and in
 * full are recorded; backorders are then reserved. Returns whether it was short
 * (undelivered lines: the buyer closes the PO).
 */
function receive(sim: Sim, po: PurchaseOrderRec, t: number, rest: boolean): boolean {
  if (po.state !== 'sent' && po.state !== 'partially_received') return false;
  const { ctx, ledger } = sim;
  const rng = sim.rng.purchasing;
  const wh = ctx.warehouses[po.warehouse]!;
  const supplier = ctx.suppliers[po.supplier]!.def;
  const receipt: ReceiptRec = { id: 0, purchaseOrderId: po.id, receivedAt: t, onTime: false, inFull: false, actorId: ctx.actorId, lines: [] };
  const arrived: number[] = [];
  for (const l of po.lines) {
    const remaining = l.orderedQty - l.receivedQty - l.rejectedQty;
    if (remaining <= 0) continue;
    let accepted = rest || rng.chance(supplier.fillProbability) ? remaining : Math.floor(remaining * rng.between(0.5, 0.95));
    const rejected = accepted > 0 && rng.chance(REJECT_SHARE) ? Math.min(accepted, rng.int(1, 5)) : 0;
    accepted -= rejected;
    if (accepted + rejected === 0) continue;
    // postReceiptMoves: accepted from the open move first, then rejected (into quality hold).
    let openQty = isOpen(l.move) ? l.move.qty : 0;
    const acceptedFromOpen = Math.min(accepted, openQty);
    if (acceptedFromOpen > 0) ledger.complete(l.move!, acceptedFromOpen, t);
    openQty -= acceptedFromOpen;
    const rejectedFromOpen = Math.min(rejected, openQty);
    if (rejectedFromOpen > 0) ledger.complete(l.move!, rejectedFromOpen, t, wh.loc.quality_hold);
    if (!isOpen(l.move)) l.move = null;
    l.receivedQty += accepted;
    l.rejectedQty += rejected;
    receipt.lines.push({ id: 0, purchaseOrderLineId: l.id, acceptedQty: accepted, rejectedQty: rejected });
    if (accepted > 0) arrived.push(l.product);
  }
  if (receipt.lines.length === 0) {
    closePo(sim, po, t);
    return false;
  }
  receipt.id = sim.ids.take('receipts');
  for (const rl of receipt.lines) rl.id = sim.ids.take('receipt_lines');
  const delivered = po.lines.every((l) => l.receivedQty + l.rejectedQty >= l.orderedQty);
  receipt.inFull = po.lines.every((l) => l.receivedQty >= l.orderedQty);
  receipt.onTime = today(sim, po.warehouse, t) <= po.expectedDate;
  sim.rows.receipts.push(receipt);
  po.state = delivered ? 'received' : 'partially_received';
  for (const p of arrived) ledger.allocate(po.warehouse, p, t, (line) => markPickable(sim, line));
  return !delivered;
}

/** closePurchaseOrder: what is still expected is cancelled (no longer incoming). */
function closePo(sim: Sim, po: PurchaseOrderRec, t: number): void {
  if (t >= sim.end) return;
  if (po.state !== 'sent' && po.state !== 'partially_received') return;
  for (const l of po.lines) {
    if (isOpen(l.move)) sim.ledger.reduce(l.move, l.move.qty);
    l.move = null;
  }
  po.state = 'closed';
  po.closedAt = t;
}
