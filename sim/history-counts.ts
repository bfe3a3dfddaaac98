import { countNeedsApproval } from '../app/lib/server/core/counts';
import type { CountRec } from './history-model';
import { markPickable } from './history-orders';
import { at, type Sim } from './history-state';
import { MINUTE } from './history-time';
import { demandTables } from './operations-demand';

/**
 * Cycle counts (counts.ts), as the live operations do them: a few counts per
 * warehouse and working day, A items most often. Most match; a few are off by
 * a unit or three, now and then by a tenth or more (never below what is
 * reserved). Small variances post at once as adjustment moves; one above the
 * threshold waits for the planner, who mostly approves it (posting counted - on
 * hand) or has it recounted (rejected).
 */

/** Counts per warehouse and working day, between 08:00 and 17:00. */
export const COUNTS_PER_DAY = 4;
const APPROVE_SHARE = 0.75;

export function countProduct(sim: Sim, w: number, t: number): void {
  const { ctx, ledger } = sim;
  const rng = sim.rng.counts;
  const p = demandTables(ctx.network).countSample(rng);
  const wh = ctx.warehouses[w]!;
  const key = wh.loc.stock * ctx.products.length + p;
  if (sim.countsWaiting.has(key)) return; // one count of a product and location may wait at a time (countStock)
  const bal = ledger.position(w, p).stock;
  const roll = rng.float();
  const sign = rng.chance(0.5) ? -1 : 1;
  const units = roll >= 0.85 && roll < 0.97 ? sign * rng.int(1, 3) : 0;
  const share = roll >= 0.97 ? (sign * Math.round(rng.between(0.1, 0.3) * 100)) / 100 : 0;
  const counted = Math.max(bal.reserved, 0, bal.onHand + Math.round(bal.onHand * share) + units);
  const count: CountRec = {
    id: sim.ids.take('cycle_counts'),
    locationId: wh.loc.stock,
    productId: ctx.products[p]!.id,
    systemQty: bal.onHand,
    countedQty: counted,
    state: 'posted',
    countedBy: ctx.actorId,
    countedAt: t,
    decidedBy: null,
    decidedAt: null
  };
  sim.rows.counts.push(count);
  if (!countNeedsApproval(count.systemQty, counted)) return postAdjustment(sim, w, p, count, t);
  count.state = 'awaiting_approval';
  sim.countsWaiting.add(key);
  const approve = rng.chance(APPROVE_SHARE);
  const decided = t + rng.int(2, 20) * MINUTE;
  at(sim, decided, () => {
    sim.countsWaiting.delete(key);
    // approveCount refuses a loss below what is reserved by then: such a count is recounted (rejected) instead.
    const ok = approve && counted >= ledger.position(w, p).stock.reserved;
    if (ok) postAdjustment(sim, w, p, count, decided);
    count.state = ok ? 'posted' : 'rejected';
    count.decidedBy = ctx.actorId;
    count.decidedAt = decided;
  });
}

/** counted - on hand now, as an adjustment move (gain: adjustment -> stock, loss: stock -> adjustment); gains go to backorders. */
function postAdjustment(sim: Sim, w: number, p: number, count: CountRec, t: number): void {
  const wh = sim.ctx.warehouses[w]!;
  const delta = count.countedQty - sim.ledger.position(w, p).stock.onHand;
  if (delta === 0) return;
  sim.ledger.post(
    {
      productId: count.productId,
      qty: Math.abs(delta),
      fromLocationId: delta > 0 ? wh.loc.adjustment : wh.loc.stock,
      toLocationId: delta > 0 ? wh.loc.stock : wh.loc.adjustment,
      documentType: 'cycle_count',
      documentId: count.id,
      documentLineId: null
    },
    t
  );
  if (delta > 0) sim.ledger.allocate(w, p, t, (line) => markPickable(sim, line));
}
