import type { HistoryContext } from './history-context';
import { Ledger } from './history-ledger';
import { IdSource, type HistoryRows, type IdTable, type LineRec, type MoveRec, type OrderRec, type TransferRec } from './history-model';
import { Random } from './random';
import { DAY, weekday } from './history-time';
import type { ScheduleEntry } from './operations-calendar';

/**
 * The state of a running history simulation: the ledger, every row so far, the
 * bookkeeping the business rules need (credit exposure per customer, orders
 * with something to pick, proposals not yet scheduled) and the event queue.
 */

interface Event {
  t: number;
  seq: number;
  run: () => void;
}

/**
 * Events in time order, then in the order they were scheduled (deterministic
 * ties). Only days that have begun are kept in a binary min-heap; later ones
 * (payments weeks ahead, deliveries) wait in buckets per UTC day, so the heap
 * stays the size of a day.
 */
export class EventQueue {
  private readonly heap: Event[] = [];
  private readonly later = new Map<number, Event[]>();
  /** Every event on a day up to this one is in the heap. */
  private loaded = -Infinity;
  private seq = 0;

  push(t: number, run: () => void): void {
    const e: Event = { t, seq: this.seq++, run };
    const day = Math.floor(t / DAY);
    if (day <= this.loaded) return this.heapPush(e);
    const bucket = this.later.get(day);
    if (bucket) bucket.push(e);
    else this.later.set(day, [e]);
  }

  /** The next event before `until`, if any. */
  next(until: number): Event | undefined {
    const lastDay = Math.floor((until - 1) / DAY);
    if (lastDay > this.loaded) {
      for (const [day, events] of this.later) {
        if (day > lastDay) continue;
        for (const e of events) this.heapPush(e);
        this.later.delete(day);
      }
      this.loaded = lastDay;
    }
    return this.heap.length > 0 && this.heap[0]!.t < until ? this.heapPop() : undefined;
  }

  private heapPush(e: Event): void {
    const h = this.heap;
    let c = h.length;
    h.push(e);
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!before(e, h[p]!)) break;
      h[c] = h[p]!;
      c = p;
    }
    h[c] = e;
  }

  private heapPop(): Event | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const m = r < h.length && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[m]!, last)) break;
        h[p] = h[m]!;
        p = m;
      }
      h[p] = last;
    }
    return top;
  }
}

const before = (a: Event, b: Event) => a.t < b.t || (a.t === b.t && a.seq < b.seq);

/** One random stream per kind of decision, so that changing one leaves the others' draws as they were. */
const STREAMS = ['days', 'orders', 'approvals', 'shipping', 'payments', 'cancels', 'purchasing', 'transfers', 'returns', 'counts'] as const;
export type Stream = (typeof STREAMS)[number];

export interface Sim {
  ctx: HistoryContext;
  ledger: Ledger;
  ids: IdSource;
  rows: Omit<HistoryRows, 'moves' | 'balances'>;
  rng: Record<Stream, Random>;
  /** Events before `start` are dropped (the network opened then); those from `end` on are left undone (the present). */
  start: number;
  end: number;
  queue: EventQueue;
  /** Open receivables per customer (minor units). */
  receivables: number[];
  /** Per customer: Σ still to ship × unit price × (10000 - discount bp) over its confirmed orders (divide by 10000, round). */
  openOrders: number[];
  /** Per warehouse: confirmed orders. */
  confirmed: Set<OrderRec>[];
  /** Per warehouse: confirmed orders that hold reserved stock not yet picked. */
  pickable: Set<OrderRec>[];
  /** Units proposed but not yet scheduled (draft PO lines, requested transfers), by warehouse * products + product. */
  cover: Map<number, number>;
  /** Per source warehouse: approved transfers waiting for the day's dispatch. */
  dispatch: TransferRec[][];
  /** Units already returned per order line. */
  returned: Map<LineRec, number>;
  /** Products with a count awaiting approval, by stock location * products + product. */
  countsWaiting: Set<number>;
  /** Orders waiting for an approver. */
  awaiting: Set<OrderRec>;
  /** Per warehouse: the orders of its latest shipments (returns come back against them). */
  recentlyShipped: OrderRec[][];
  seed: number;
}

export function createSim(
  ctx: HistoryContext,
  seed: number,
  start: number,
  end: number,
  firstIds: Partial<Record<IdTable, number>>,
  balances: { productId: number; locationId: number; onHand: number; reserved: number }[]
): Sim {
  const ids = new IdSource(firstIds);
  const root = Random.fromSeed(seed).derive('history');
  return {
    ctx,
    ledger: new Ledger(ctx, ids, balances),
    ids,
    rows: { orders: [], shipments: [], invoices: [], payments: [], purchaseOrders: [], receipts: [], transfers: [], returns: [], counts: [] },
    rng: Object.fromEntries(STREAMS.map((s) => [s, root.derive(s)])) as Record<Stream, Random>,
    start,
    end,
    queue: new EventQueue(),
    receivables: ctx.customers.map(() => 0),
    openOrders: ctx.customers.map(() => 0),
    confirmed: ctx.warehouses.map(() => new Set()),
    pickable: ctx.warehouses.map(() => new Set()),
    cover: new Map(),
    dispatch: ctx.warehouses.map(() => []),
    returned: new Map(),
    countsWaiting: new Set(),
    awaiting: new Set(),
    recentlyShipped: ctx.warehouses.map(() => []),
    seed
  };
}

/** Schedules work at an instant (it runs only if that instant is within the history). */
export function at(sim: Sim, t: number, run: () => void): void {
  sim.queue.push(t, run);
}

/** Today in a warehouse's time zone at instant t. */
export function today(sim: Sim, warehouse: number, t: number): number {
  return sim.ctx.zones.localDay(sim.ctx.warehouses[warehouse]!.tz, t);
}

/** An instant on a day at local hours in a warehouse's zone. */
export function localTime(sim: Sim, warehouse: number, day: number, hours: number): number {
  return sim.ctx.zones.at(sim.ctx.warehouses[warehouse]!.tz, day, hours);
}

/** Proposed, not yet scheduled units of a product at a warehouse (draft PO lines, requested transfers) change by qty. */
export function addCover(sim: Sim, w: number, product: number, qty: number): void {
  const key = w * sim.ctx.products.length + product;
  sim.cover.set(key, (sim.cover.get(key) ?? 0) + qty);
  sim.ledger.position(w, product).settled = false;
}

export const isOpen = (m: MoveRec | null): m is MoveRec => m !== null && (m.state === 'confirmed' || m.state === 'reserved');

/**
 * The first instant at or after t that a schedule of the live operations
 * (operations-calendar.ts SCHEDULES: local weekdays and minutes) fires at a
 * warehouse: receiving docks, approvals and payments work at fixed times.
 */
export function nextSlot(sim: Sim, entries: readonly ScheduleEntry[], warehouse: number, t: number): number {
  const first = today(sim, warehouse, t);
  for (let day = first; day < first + 14; day++) {
    let best = Infinity;
    for (const e of entries) {
      if (!e.weekdays.includes(weekday(day))) continue;
      const at = localTime(sim, warehouse, day, e.minute / 60);
      if (at >= t && at < best) best = at;
    }
    if (best < Infinity) return best;
  }
  throw new Error('history: a schedule that never fires');
}
