import type { TransferRec } from './history-model';
import { markPickable } from './history-orders';
import { addCover, at, nextSlot, today, type Sim } from './history-state';
import { DAY, MINUTE } from './history-time';
import { SCHEDULES } from './operations-calendar';

/**
 * Transfers (transfers.ts), as the live operations run them: a branch's reorder
 * run requests stock from the DC and the planner approves it at once (open
 * moves DC.stock -> branch.transit); at each dispatch the DC ships its approved
 * transfers, oldest first, each line as far as free stock goes (the rest is
 * dropped; a transfer with nothing free waits for the next dispatch): the stock
 * moves into the branch's transit, an open move transit -> stock awaits the
 * branch's first receiving after the lane's lead time. A few lines arrive a unit
 * or two short or damaged.
 */

const DISCREPANCY_SHARE = 0.03;

export function planTransfers(sim: Sim, from: number, to: number, lines: { product: number; qty: number }[], t: number): void {
  const { ctx, ids } = sim;
  const lead = ctx.lanes.get(from * ctx.warehouses.length + to)!;
  const tr: TransferRec = {
    id: ids.take('transfers'),
    from,
    to,
    fromWarehouseId: ctx.warehouses[from]!.id,
    toWarehouseId: ctx.warehouses[to]!.id,
    state: 'requested',
    expectedArrival: today(sim, to, t) + lead,
    requestedBy: ctx.actorId,
    requestedAt: t,
    approvedAt: null,
    shippedAt: null,
    receivedAt: null,
    cancelledAt: null,
    lines: lines.map((l) => ({
      id: ids.take('transfer_lines'),
      product: l.product,
      productId: ctx.products[l.product]!.id,
      qty: l.qty,
      shippedQty: 0,
      receivedQty: 0,
      shortQty: 0,
      damagedQty: 0,
      move: null
    }))
  };
  for (const l of tr.lines) addCover(sim, to, l.product, l.qty);
  sim.rows.transfers.push(tr);
  const approveAt = t + sim.rng.transfers.int(1, 10) * MINUTE;
  at(sim, approveAt, () => approve(sim, tr, approveAt));
}

function approve(sim: Sim, tr: TransferRec, t: number): void {
  const from = sim.ctx.warehouses[tr.from]!;
  const to = sim.ctx.warehouses[tr.to]!;
  tr.state = 'approved';
  tr.approvedAt = t;
  for (const l of tr.lines) {
    addCover(sim, tr.to, l.product, -l.qty);
    l.move = sim.ledger.open(
      {
        productId: l.productId,
        qty: l.qty,
        fromLocationId: from.loc.stock,
        toLocationId: to.loc.transit,
        documentType: 'transfer',
        documentId: tr.id,
        documentLineId: l.id,
        scheduledDate: tr.expectedArrival
      },
      'confirmed',
      t
    );
  }
  sim.dispatch[tr.from]!.push(tr);
}

/** A dispatch at a source warehouse: approved transfers leave oldest first, a couple of minutes apart; those with nothing free wait. */
export function dispatch(sim: Sim, w: number, t: number): void {
  const ready = sim.dispatch[w]!.filter((tr) => tr.state === 'approved' && tr.approvedAt! < t);
  let when = t;
  for (const tr of ready) {
    if (when >= sim.end) break;
    if (ship(sim, tr, when)) when += 2 * MINUTE;
  }
  sim.dispatch[w] = sim.dispatch[w]!.filter((tr) => tr.state === 'approved');
}

/** shipTransfer: what is free ships (A.stock -> B.transit done, B.transit -> B.stock open); the rest is dropped. */
function ship(sim: Sim, tr: TransferRec, t: number): boolean {
  const { ledger, ctx } = sim;
  const to = ctx.warehouses[tr.to]!;
  const free = (product: number) => {
    const b = ledger.position(tr.from, product).stock;
    return Math.max(0, b.onHand - b.reserved);
  };
  const qty = tr.lines.map((l) => Math.min(l.qty, free(l.product)));
  if (qty.every((q) => q === 0)) return false;
  tr.lines.forEach((l, i) => {
    const shipped = qty[i]!;
    const open = l.move!;
    const planned = open.qty;
    if (shipped > 0) ledger.complete(open, shipped, t);
    if (shipped < planned) ledger.reduce(open, planned - shipped);
    l.move = null;
    if (shipped === 0) return;
    l.shippedQty = shipped;
    l.move = ledger.open(
      {
        productId: l.productId,
        qty: shipped,
        fromLocationId: to.loc.transit,
        toLocationId: to.loc.stock,
        documentType: 'transfer',
        documentId: tr.id,
        documentLineId: l.id,
        scheduledDate: tr.expectedArrival
      },
      'confirmed',
      t
    );
  });
  tr.state = 'shipped';
  tr.shippedAt = t;
  const lane = ctx.lanes.get(tr.from * ctx.warehouses.length + tr.to)!;
  const when = nextSlot(sim, SCHEDULES['transfer-receiving']!, tr.to, t + lane * DAY);
  at(sim, when, () => receive(sim, tr, when));
  return true;
}

/** receiveTransfer: short written off, damaged to the damaged location, the rest into stock; backorders reserved. */
function receive(sim: Sim, tr: TransferRec, t: number): void {
  const { ledger, ctx } = sim;
  const to = ctx.warehouses[tr.to]!;
  const rng = sim.rng.transfers;
  const arrived: number[] = [];
  for (const l of tr.lines) {
    if (l.shippedQty === 0) continue;
    const open = l.move!;
    const off = rng.chance(DISCREPANCY_SHARE) ? Math.min(l.shippedQty, rng.int(1, 2)) : 0;
    const isDamaged = off > 0 && rng.chance(0.5);
    const short = isDamaged ? 0 : off;
    const damaged = isDamaged ? off : 0;
    const received = l.shippedQty - short - damaged;
    if (short > 0) ledger.complete(open, short, t, to.loc.adjustment);
    if (damaged > 0) ledger.complete(open, damaged, t, to.loc.damaged);
    if (received > 0) ledger.complete(open, received, t);
    l.move = null;
    l.receivedQty = received;
    l.shortQty = short;
    l.damagedQty = damaged;
    if (received > 0) arrived.push(l.product);
  }
  tr.state = 'received';
  tr.receivedAt = t;
  for (const p of arrived) ledger.allocate(tr.to, p, t, (line) => markPickable(sim, line));
}
