import { countNeedsApproval } from '../app/lib/server/core/counts';
import type { CountRec } from './history-model';
import { markPickable } from './history-orders';
import { at, localTime, today, type Sim } from './history-state';
import { weightedSampler, type Random } from './random';

/**
 * Cycle counts (counts.ts): every working day each warehouse counts a few
 * products (A items more often). Most counts match; small variances post at
 * once as adjustment moves; variances above the threshold wait for approval and
 * are approved (posting counted - on hand at that moment) or rejected the next
 * day. A count never goes below what orders have reserved.
 */

/** Products counted per warehouse and working day: one per this many products. */
const PRODUCTS_PER_COUNT = 600;
const ABC_WEIGHT = { A: 4, B: 2, C: 1 } as const;
const APPROVE_SHARE = 0.75;

const samplers = new WeakMap<object, (rng: Random) => number>();

function productSampler(sim: Sim): (rng: Random) => number {
  let s = samplers.get(sim.ctx);
  if (!s) {
    s = weightedSampler(sim.ctx.products.map((p) => ABC_WEIGHT[p.def.abcClass]));
    samplers.set(sim.ctx, s);
  }
  return s;
}

export function countRound(sim: Sim, w: number, t: number): void {
  const { ctx, ledger } = sim;
  const rng = sim.rng.counts;
  const wh = ctx.warehouses[w]!;
  const P = ctx.products.length;
  const n = Math.max(1, Math.round(P / PRODUCTS_PER_COUNT));
  const pick = productSampler(sim);
  for (let i = 0; i < n; i++) {
    const p = pick(rng);
    const key = wh.loc.stock * P + p;
    if (sim.countsWaiting.has(key)) continue; // one count per product and location may wait at a time
    const bal = ledger.position(w, p).stock;
    const system = bal.onHand;
    const r = rng.float();
    let counted = system;
    if (r >= 0.82 && r < 0.97) counted = system + (rng.chance(0.6) ? -1 : 1) * rng.int(1, 3);
    else if (r >= 0.97) counted = rng.chance(0.7) ? system - Math.max(1, Math.round(system * rng.between(0.05, 0.25))) : system + rng.int(5, 20);
    counted = Math.max(counted, bal.reserved, 0);
    const countedAt = t + i * rng.int(2, 6) * 60_000;
    const count: CountRec = {
      id: sim.ids.take('cycle_counts'),
      locationId: wh.loc.stock,
      productId: ctx.products[p]!.id,
      systemQty: system,
      countedQty: counted,
      state: 'posted',
      countedBy: ctx.actorId,
      countedAt,
      decidedBy: null,
      decidedAt: null
    };
    sim.rows.counts.push(count);
    if (!countNeedsApproval(system, counted)) {
      postAdjustment(sim, w, p, count, countedAt);
      continue;
    }
    count.state = 'awaiting_approval';
    sim.countsWaiting.add(key);
    const approve = rng.chance(APPROVE_SHARE);
    const when = localTime(sim, w, today(sim, w, t) + 1, rng.between(9, 12));
    at(sim, when, () => {
      sim.countsWaiting.delete(key);
      // A loss below what is reserved now cannot post (approveCount would refuse): the count is rejected.
      if (approve && count.countedQty >= ledger.position(w, p).stock.reserved) {
        postAdjustment(sim, w, p, count, when);
        count.state = 'posted';
      } else count.state = 'rejected';
      count.decidedBy = ctx.actorId;
      count.decidedAt = when;
    });
  }
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
