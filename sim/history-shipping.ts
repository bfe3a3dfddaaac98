import { netValue } from '../app/lib/server/core/order-approval';
import type { Disposition, InvoiceRec, OrderRec, ReturnRec, ShipmentRec } from './history-model';
import { markPickable } from './history-orders';
import { at, nextSlot, today, type Sim } from './history-state';
import { DAY, MINUTE } from './history-time';
import { SCHEDULES } from './operations-calendar';

/**
 * Warehouse work and money (shipments.ts, invoices.ts, returns.ts), as the live
 * operations do it: at each wave the lead picks the reserved orders, highest
 * priority and oldest first up to the wave's capacity, packs and ships them; now
 * and then an order is picked only in part, and a line short of stock ships what
 * is reserved: the rest stays a backorder (its open move). Each shipment is
 * invoiced; customers pay around their terms, some late, a few very late. A few
 * shipped lines come back.
 */

/** Share of orders a wave picks only in part (a line or half a line left for later). */
const PARTIAL_PICK_SHARE = 0.05;
/** Returns against this many of a warehouse's latest shipments. */
const RETURN_WINDOW = 50;
const DISPOSITIONS: Disposition[] = ['restock', 'quality_hold', 'scrap'];
const DISPOSITION_WEIGHTS = [0.7, 0.2, 0.1];
const REASONS: Record<Disposition, string[]> = {
  restock: ['ordered too many', 'no longer needed', 'wrong item ordered'],
  quality_hold: ['packaging damaged', 'suspected defect'],
  scrap: ['damaged in transit', 'defective']
};

/**
 * A wave at t: orders confirmed before then with reserved stock not yet picked,
 * up to `capacity`, get a shipment: picked within the half hour, packed, shipped
 * within the hour. What is still being picked or packed when the history ends stays so.
 */
export function pickWave(sim: Sim, w: number, t: number, capacity: number): void {
  const rng = sim.rng.shipping;
  const due = [...sim.pickable[w]!]
    .filter((o) => o.state === 'confirmed' && o.confirmedAt! < t)
    .sort((a, b) => b.priority - a.priority || a.confirmedAt! - b.confirmedAt! || a.id - b.id)
    .slice(0, capacity);
  for (const o of due) {
    const pickedAt = t + Math.round(rng.between(0, 30) * MINUTE);
    if (pickedAt >= sim.end) continue;
    let items = o.lines.filter((l) => l.reservedQty > l.picking).map((line) => ({ line, qty: line.reservedQty - line.picking }));
    if (items.length === 0) {
      sim.pickable[w]!.delete(o);
      continue;
    }
    if (rng.chance(PARTIAL_PICK_SHARE)) {
      // All reserved lines but the last, or half of a single line (as the live operations pick in part).
      if (items.length >= 2) items = items.slice(0, -1);
      else if (items[0]!.qty >= 2) items = [{ line: items[0]!.line, qty: Math.floor(items[0]!.qty / 2) }];
    }
    const shipment: ShipmentRec = {
      id: sim.ids.take('shipments'),
      order: o,
      state: 'picking',
      pickedAt,
      packedAt: null,
      shippedAt: null,
      actorId: sim.ctx.actorId,
      lines: items.map((i) => ({ id: sim.ids.take('shipment_lines'), line: i.line, qty: i.qty }))
    };
    for (const i of shipment.lines) i.line.picking += i.qty;
    if (!o.lines.some((l) => l.reservedQty > l.picking)) sim.pickable[w]!.delete(o);
    sim.rows.shipments.push(shipment);
    const packedAt = pickedAt + Math.round(rng.between(5, 15) * MINUTE);
    const shippedAt = t + Math.round(rng.between(45, 60) * MINUTE);
    at(sim, packedAt, () => {
      shipment.state = 'packed';
      shipment.packedAt = packedAt;
    });
    at(sim, shippedAt, () => ship(sim, shipment, shippedAt));
  }
}

/** shipTx: reservations released, moves completed (a remainder stays open), lines counted, invoice issued. */
function ship(sim: Sim, s: ShipmentRec, t: number): void {
  const { ledger, ctx } = sim;
  const o = s.order;
  if (s.state === 'cancelled' || o.state !== 'confirmed') return;
  const wh = ctx.warehouses[o.warehouse]!;
  for (const { line, qty } of s.lines) ledger.change(line.productId, wh.loc.stock, 0, -qty, t);
  for (const { line, qty } of s.lines) {
    line.reservedQty -= qty;
    line.shippedQty += qty;
    line.backorderedQty -= qty;
    line.picking -= qty;
    if (line.backorderedQty > 0) line.backorderedSince ??= t;
    sim.openOrders[o.customer]! -= qty * line.unitPriceMinor * (10_000 - o.discountBp);
    const move = line.move!;
    ledger.complete(move, qty, t);
    if (move.state === 'done') line.move = null;
  }
  for (const { line } of s.lines) if (line.move) line.move.state = line.reservedQty === line.backorderedQty ? 'reserved' : 'confirmed';
  s.state = 'shipped';
  s.shippedAt = t;
  s.packedAt ??= t;
  const amountMinor = netValue(
    s.lines.map((i) => ({ qty: i.qty, unitPriceMinor: i.line.unitPriceMinor })),
    o.discountBp
  );
  const invoice: InvoiceRec = {
    id: sim.ids.take('invoices'),
    orderId: o.id,
    shipmentId: s.id,
    amountMinor,
    paidMinor: 0,
    state: amountMinor === 0 ? 'paid' : 'open',
    issuedAt: t,
    dueDate: today(sim, o.warehouse, t) + ctx.customers[o.customer]!.def.paymentTermsDays,
    customer: o.customer
  };
  sim.rows.invoices.push(invoice);
  if (invoice.state === 'open') {
    sim.receivables[o.customer]! += amountMinor;
    planPayments(sim, invoice, o);
  }
  if (o.lines.every((l) => l.backorderedQty === 0)) {
    o.state = 'done';
    sim.confirmed[o.warehouse]!.delete(o);
    sim.pickable[o.warehouse]!.delete(o);
  }
  const recent = sim.recentlyShipped[o.warehouse]!;
  if (recent.at(-1) !== o) recent.push(o);
  if (recent.length > RETURN_WINDOW) recent.shift();
}

/**
 * When the customer pays (as the live operations decide it): a tenth within
 * days, most within their terms, some late, a few very late; in full, at
 * finance's next payments run.
 */
function planPayments(sim: Sim, invoice: InvoiceRec, o: OrderRec): void {
  const rng = sim.rng.payments;
  const terms = sim.ctx.customers[o.customer]!.def.paymentTermsDays;
  const roll = rng.float();
  const days = roll < 0.1 ? rng.between(0, 3) : terms * (roll < 0.8 ? rng.between(0.5, 1) : roll < 0.95 ? rng.between(1, 1.5) : rng.between(1.5, 2.5));
  const when = nextSlot(sim, SCHEDULES.payments!, sim.ctx.dc, invoice.issuedAt + days * DAY);
  at(sim, when, () => {
    const open = invoice.amountMinor - invoice.paidMinor;
    if (invoice.state === 'paid' || open <= 0) return;
    sim.rows.payments.push({ id: sim.ids.take('payments'), invoiceId: invoice.id, amountMinor: open, paidAt: when, actorId: sim.ctx.actorId });
    invoice.paidMinor += open;
    invoice.state = 'paid';
    sim.receivables[invoice.customer]! -= open;
  });
}

/**
 * A customer sends back part of a line from one of the warehouse's latest
 * shipments (never more than the order shipped of it, counting earlier returns):
 * restocked (offered to backorders at once), held for quality, or scrapped.
 */
export function customerReturn(sim: Sim, w: number, t: number): void {
  const rng = sim.rng.returns;
  const candidates = sim.recentlyShipped[w]!.flatMap((o) => o.lines.filter((l) => l.shippedQty > (sim.returned.get(l) ?? 0)));
  if (candidates.length === 0) return;
  const line = rng.pick(candidates);
  const o = line.order;
  const returnable = line.shippedQty - (sim.returned.get(line) ?? 0);
  const qty = rng.int(1, Math.max(1, Math.ceil(returnable / 4)));
  const disposition = rng.weightedPick(DISPOSITIONS, DISPOSITION_WEIGHTS);
  sim.returned.set(line, (sim.returned.get(line) ?? 0) + qty);
  const wh = sim.ctx.warehouses[w]!;
  const rl = { id: 0, productId: line.productId, qty, disposition };
  const ret: ReturnRec = { id: sim.ids.take('customer_returns'), customerId: o.customerId, warehouseId: o.warehouseId, orderId: o.id, reason: rng.pick(REASONS[disposition]), actorId: sim.ctx.actorId, createdAt: t, lines: [rl] };
  rl.id = sim.ids.take('customer_return_lines');
  sim.rows.returns.push(ret);
  const to = disposition === 'restock' ? wh.loc.stock : disposition === 'quality_hold' ? wh.loc.quality_hold : wh.loc.scrap;
  sim.ledger.post({ productId: line.productId, qty, fromLocationId: wh.loc.customer, toLocationId: to, documentType: 'return', documentId: ret.id, documentLineId: rl.id }, t);
  if (disposition === 'restock') sim.ledger.allocate(w, line.product, t, (l) => markPickable(sim, l));
}
