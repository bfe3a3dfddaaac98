import { maxReceivable } from '../app/lib/server/core/purchasing';
import { proposedQuantity } from '../app/lib/server/core/reorder';
import type { RuleCtx } from './history-context';
import type { PurchaseOrderRec, ReceiptRec } from './history-model';
import { markPickable } from './history-orders';
import { addCover, at, isOpen, localTime, today, type Sim } from './history-state';
import { HOUR, weekday } from './history-time';
import { planTransfers } from './history-transfers';

/**
 * Replenishment (reorder.ts, purchasing.ts, receipts.ts): each warehouse's
 * nightly reorder run compares the forecast at its lead-time horizon, plus what
 * is proposed but not yet scheduled, with each rule's minimum and proposes up to
 * the maximum: one draft PO per supplier (the DC) and one transfer request per
 * source warehouse (branches). Buyers send the POs in the morning; suppliers
 * deliver on time or late and in full or short by their reliability; a short
 * delivery is followed by the rest or the PO is closed.
 */

/** Share of delivered lines with some units rejected into quality hold, and of small over-deliveries. */
const REJECT_SHARE = 0.01;
const OVER_SHARE = 0.01;
/** After a short delivery the supplier sends the rest this often; otherwise the buyer closes the PO. */
const BACKORDER_SHARE = 0.5;

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
    const forecast = ledger.forecast(w, rule.product, day + rule.horizonDays);
    const covered = sim.cover.get(w * P + rule.product) ?? 0;
    if (forecast + covered >= rule.minQty) continue;
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
  const sendAt = t + sim.rng.purchasing.between(1.5, 3.5) * HOUR;
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
  const rng = sim.rng.purchasing;
  const supplier = ctx.suppliers[po.supplier]!.def;
  const sentDay = today(sim, po.warehouse, t);
  const lead = Math.max(1, po.expectedDate - sentDay);
  let day = rng.chance(supplier.onTimeProbability)
    ? po.expectedDate - rng.int(0, Math.min(2, lead - 1))
    : po.expectedDate + 1 + Math.floor(rng.exponential(1 / Math.max(1, supplier.leadTime.spreadDays)));
  day = weekdayOnOrAfter(day);
  const when = localTime(sim, po.warehouse, day, rng.between(7, 15));
  at(sim, when, () => receive(sim, po, when, false));
}

/** Suppliers and receiving docks work Monday to Friday. */
function weekdayOnOrAfter(day: number): number {
  while (weekday(day) === 0 || weekday(day) === 6) day++;
  return day;
}

/**
 * A delivery against a sent PO (receivePurchaseOrder): per line, accepted units
 * complete the open move into stock, rejected ones go to quality hold, beyond the
 * open move a new done move from the supplier; on time and in full recorded;
 * backorders then reserved. `rest` delivers everything still open, in full.
 */
function receive(sim: Sim, po: PurchaseOrderRec, t: number, rest: boolean): void {
  if (po.state !== 'sent' && po.state !== 'partially_received') return;
  const { ctx, ledger } = sim;
  const rng = sim.rng.purchasing;
  const wh = ctx.warehouses[po.warehouse]!;
  const supplier = ctx.suppliers[po.supplier]!.def;
  const receipt: ReceiptRec = { id: 0, purchaseOrderId: po.id, receivedAt: t, onTime: false, inFull: false, actorId: ctx.actorId, lines: [] };
  const arrived: number[] = [];
  for (const l of po.lines) {
    const remaining = l.orderedQty - l.receivedQty - l.rejectedQty;
    if (remaining <= 0) continue;
    let delivered = remaining;
    if (!rest && !rng.chance(supplier.fillProbability)) delivered = Math.floor(remaining * rng.between(0.4, 0.95));
    else if (!rest && rng.chance(OVER_SHARE)) delivered = Math.min(maxReceivable(l.orderedQty) - l.receivedQty - l.rejectedQty, remaining + Math.max(1, Math.floor(remaining * 0.03)));
    if (delivered <= 0) continue;
    const rejected = delivered > 1 && rng.chance(REJECT_SHARE) ? Math.max(1, Math.floor(delivered * rng.between(0.02, 0.15))) : 0;
    const accepted = delivered - rejected;
    // postReceiptMoves: accepted from the open move first, then rejected; beyond it, new moves from the supplier.
    let openQty = isOpen(l.move) ? l.move.qty : 0;
    const acceptedFromOpen = Math.min(accepted, openQty);
    if (acceptedFromOpen > 0) ledger.complete(l.move!, acceptedFromOpen, t);
    openQty -= acceptedFromOpen;
    const rejectedFromOpen = Math.min(rejected, openQty);
    if (rejectedFromOpen > 0) ledger.complete(l.move!, rejectedFromOpen, t, wh.loc.quality_hold);
    const base = { productId: l.productId, fromLocationId: wh.loc.supplier, documentType: 'purchase_order' as const, documentId: po.id, documentLineId: l.id };
    if (accepted > acceptedFromOpen) ledger.post({ ...base, qty: accepted - acceptedFromOpen, toLocationId: wh.loc.stock }, t);
    if (rejected > rejectedFromOpen) ledger.post({ ...base, qty: rejected - rejectedFromOpen, toLocationId: wh.loc.quality_hold }, t);
    if (!isOpen(l.move)) l.move = null;
    l.receivedQty += accepted;
    l.rejectedQty += rejected;
    receipt.lines.push({ id: 0, purchaseOrderLineId: l.id, acceptedQty: accepted, rejectedQty: rejected });
    if (accepted > 0) arrived.push(l.product);
  }
  if (receipt.lines.length === 0) return closeLater(sim, po, t);
  receipt.id = sim.ids.take('receipts');
  for (const rl of receipt.lines) rl.id = sim.ids.take('receipt_lines');
  const delivered = po.lines.every((l) => l.receivedQty + l.rejectedQty >= l.orderedQty);
  receipt.inFull = po.lines.every((l) => l.receivedQty >= l.orderedQty);
  receipt.onTime = today(sim, po.warehouse, t) <= po.expectedDate;
  sim.rows.receipts.push(receipt);
  po.state = delivered ? 'received' : 'partially_received';
  for (const p of arrived) ledger.allocate(po.warehouse, p, t, (line) => markPickable(sim, line));
  if (delivered) return;
  if (rng.chance(BACKORDER_SHARE)) {
    const day = weekdayOnOrAfter(today(sim, po.warehouse, t) + rng.int(3, 10));
    const when = localTime(sim, po.warehouse, day, rng.between(7, 15));
    at(sim, when, () => receive(sim, po, when, true));
  } else closeLater(sim, po, t);
}

/** The buyer closes a PO the supplier will not complete: what is still expected is cancelled. */
function closeLater(sim: Sim, po: PurchaseOrderRec, t: number): void {
  const day = today(sim, po.warehouse, t) + sim.rng.purchasing.int(1, 3);
  const when = localTime(sim, po.warehouse, day, sim.rng.purchasing.between(9, 17));
  at(sim, when, () => {
    if (po.state !== 'sent' && po.state !== 'partially_received') return;
    for (const l of po.lines) {
      if (isOpen(l.move)) sim.ledger.reduce(l.move, l.move.qty);
      l.move = null;
    }
    po.state = 'closed';
    po.closedAt = when;
  });
}
