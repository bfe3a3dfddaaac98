import { netValue } from '../app/lib/server/core/order-approval';
import type { Disposition, InvoiceRec, LineRec, OrderRec, ReturnRec, ShipmentRec } from './history-model';
import { markPickable } from './history-orders';
import { at, localTime, today, type Sim } from './history-state';
import { MINUTE, weekday } from './history-time';

/**
 * Warehouse work and money (shipments.ts, invoices.ts, returns.ts): waves pick
 * every confirmed order's reserved, not yet picked quantities, pack and ship
 * them; a line shipped short keeps the rest as a backorder (its open move). Each
 * shipment is invoiced; customers pay by their terms, some late, a few in two
 * parts. A few shipped lines come back.
 */

/** Share of shipped lines returned, and what becomes of returned goods. */
const RETURN_SHARE = 0.004;
const DISPOSITIONS: Disposition[] = ['restock', 'quality_hold', 'scrap'];
const DISPOSITION_WEIGHTS = [0.7, 0.2, 0.1];
const RETURN_REASONS = ['damaged in transit', 'wrong item delivered', 'ordered by mistake', 'defective', 'no longer needed'];

/**
 * A wave starts picking at t: every order confirmed before then with reserved
 * stock not yet picked gets a shipment; packed within the half hour, shipped from
 * `shipAt`. What is still being picked or packed when the history ends stays so.
 */
export function pickWave(sim: Sim, w: number, t: number, shipAt: number): void {
  const rng = sim.rng.shipping;
  const orders = [...sim.pickable[w]!].filter((o) => o.state === 'confirmed' && (o.confirmedAt ?? Infinity) < t).sort((a, b) => a.id - b.id);
  for (const o of orders) {
    const pickedAt = t + Math.round(rng.between(0, 35) * MINUTE);
    if (pickedAt >= sim.end) continue;
    sim.pickable[w]!.delete(o);
    const items = o.lines.filter((l) => l.reservedQty > l.picking);
    if (items.length === 0) continue;
    const shipment: ShipmentRec = {
      id: sim.ids.take('shipments'),
      order: o,
      state: 'picking',
      pickedAt,
      packedAt: null,
      shippedAt: null,
      actorId: sim.ctx.actorId,
      lines: items.map((line) => ({ id: sim.ids.take('shipment_lines'), line, qty: line.reservedQty - line.picking }))
    };
    for (const i of shipment.lines) i.line.picking += i.qty;
    sim.rows.shipments.push(shipment);
    const packedAt = pickedAt + Math.round(rng.between(5, 20) * MINUTE);
    const shippedAt = shipAt + Math.round(rng.between(0, 25) * MINUTE);
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
  for (const i of s.lines) if (sim.rng.returns.chance(RETURN_SHARE)) planReturn(sim, o, i.line, i.qty, t);
}

/** Most customers pay around the due date, a third late, a few in two parts. */
function planPayments(sim: Sim, invoice: InvoiceRec, o: OrderRec): void {
  const rng = sim.rng.payments;
  const issued = today(sim, o.warehouse, invoice.issuedAt);
  const when = (day: number) => localTime(sim, o.warehouse, Math.max(day, issued + 1), rng.between(9, 17));
  const due = invoice.dueDate;
  const r = rng.float();
  if (r < 0.6) return pay(sim, invoice, when(due - rng.int(0, 7)), Infinity);
  if (r < 0.88) return pay(sim, invoice, when(due + rng.int(1, 20)), Infinity);
  if (r < 0.95) return pay(sim, invoice, when(due + rng.int(21, 60)), Infinity);
  const first = Math.max(1, Math.round(invoice.amountMinor * rng.between(0.3, 0.7)));
  pay(sim, invoice, when(due - rng.int(0, 3)), first);
  pay(sim, invoice, when(due + rng.int(5, 25)), Infinity);
}

function pay(sim: Sim, invoice: InvoiceRec, t: number, amount: number): void {
  at(sim, t, () => {
    const open = invoice.amountMinor - invoice.paidMinor;
    if (invoice.state === 'paid' || open <= 0) return;
    const amountMinor = Math.min(open, amount);
    sim.rows.payments.push({ id: sim.ids.take('payments'), invoiceId: invoice.id, amountMinor, paidAt: t, actorId: sim.ctx.actorId });
    invoice.paidMinor += amountMinor;
    if (invoice.paidMinor === invoice.amountMinor) invoice.state = 'paid';
    sim.receivables[invoice.customer]! -= amountMinor;
  });
}

/** A return some days after shipping: part of what the line shipped comes back, restocked, held or scrapped. */
function planReturn(sim: Sim, o: OrderRec, line: LineRec, shipped: number, t: number): void {
  const rng = sim.rng.returns;
  const qty = rng.int(1, Math.max(1, Math.ceil(shipped / 2)));
  const disposition = rng.weightedPick(DISPOSITIONS, DISPOSITION_WEIGHTS);
  const reason = rng.pick(RETURN_REASONS);
  let day = today(sim, o.warehouse, t) + rng.int(3, 20);
  if (weekday(day) === 0) day++;
  const when = localTime(sim, o.warehouse, day, rng.between(10, 16));
  at(sim, when, () => {
    // Against an order, nothing comes back beyond what it shipped (returns.ts).
    const left = line.shippedQty - (sim.returned.get(line) ?? 0);
    const n = Math.min(qty, left);
    if (n <= 0) return;
    sim.returned.set(line, (sim.returned.get(line) ?? 0) + n);
    const wh = sim.ctx.warehouses[o.warehouse]!;
    const rl = { id: 0, productId: line.productId, qty: n, disposition };
    const ret: ReturnRec = { id: sim.ids.take('customer_returns'), customerId: o.customerId, warehouseId: o.warehouseId, orderId: o.id, reason, actorId: sim.ctx.actorId, createdAt: when, lines: [rl] };
    rl.id = sim.ids.take('customer_return_lines');
    sim.rows.returns.push(ret);
    const to = disposition === 'restock' ? wh.loc.stock : disposition === 'quality_hold' ? wh.loc.quality_hold : wh.loc.scrap;
    sim.ledger.post({ productId: line.productId, qty: n, fromLocationId: wh.loc.customer, toLocationId: to, documentType: 'return', documentId: ret.id, documentLineId: rl.id }, when);
    if (disposition === 'restock') sim.ledger.allocate(o.warehouse, line.product, when, (l) => markPickable(sim, l));
  });
}

/** Waves per warehouse by weekday (local hours): picking starts an hour before the trucks leave. */
export function waves(day: number): { pick: number; ship: number }[] {
  const wd = weekday(day);
  if (wd === 0) return [];
  if (wd === 6) return [{ pick: 9.5, ship: 11 }];
  return [
    { pick: 10, ship: 11 },
    { pick: 15.5, ship: 16.75 }
  ];
}
