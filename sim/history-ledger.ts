import { INTERNAL, type HistoryContext } from './history-context';
import type { BalanceRec, DocumentType, IdSource, LineRec, MoveRec, MoveState, OpenMoveLists, OrderRec } from './history-model';

/**
 * The stock ledger in memory, with the core's rules (app/lib/server/core/ledger.ts,
 * reservation.ts, stock.ts, atp.ts): done moves change balances, open moves
 * only schedule; a partial completion splits off a done move and leaves the rest
 * open; a full reduction cancels. Balances refuse what the table's CHECKs refuse
 * (negative stock, reserving more than on hand), so a bug in the simulation stops
 * it instead of writing a ledger the database would reject.
 */

export interface MoveSpec {
  productId: number;
  qty: number;
  fromLocationId: number;
  toLocationId: number;
  documentType: DocumentType;
  documentId: number;
  documentLineId: number | null;
  scheduledDate?: number | null;
}

/** A product at a warehouse: its stock and transit balances, open moves in and out, and the order lines waiting for it. */
export interface Position extends OpenMoveLists {
  stock: BalanceRec;
  transit: BalanceRec;
  /** Open moves into stock or transit not from this stock (ATP's inbound; forecastIn marks the forecast's incoming). */
  inbound: MoveRec[];
  /** Open moves out of stock to another warehouse or a virtual location (the forecast's outgoing). */
  outgoing: MoveRec[];
  /** Lines of confirmed orders still short of reservation, in reservation order. */
  queue: LineRec[];
}

/** Reservation order (reservation.ts): priority high first, promised date (none last), confirmation time, line id. */
export function reservationOrder(a: LineRec, b: LineRec): number {
  const x = a.order;
  const y = b.order;
  if (x.priority !== y.priority) return y.priority - x.priority;
  if (x.promisedDate !== y.promisedDate) {
    if (x.promisedDate === null) return 1;
    if (y.promisedDate === null) return -1;
    return x.promisedDate - y.promisedDate;
  }
  if (x.confirmedAt !== y.confirmedAt) return (x.confirmedAt ?? 0) - (y.confirmedAt ?? 0);
  return a.id - b.id;
}

export class Ledger {
  readonly moves: MoveRec[] = [];
  /** When set, every move that becomes final (done or cancelled: never to change again) is added here, once. */
  finals: MoveRec[] | null = null;
  /** Balances by location id * products + product index (dense: location ids are small). */
  private readonly balances: (BalanceRec | null)[];
  /** Positions by warehouse index * products + product index, all made up front. */
  private readonly positions: Position[] = [];
  /** Product index by product id. */
  private readonly productIndex: Int32Array;
  private readonly P: number;

  constructor(
    private readonly ctx: HistoryContext,
    private readonly ids: IdSource,
    initial: { productId: number; locationId: number; onHand: number; reserved: number }[]
  ) {
    this.P = ctx.products.length;
    this.productIndex = new Int32Array(Math.max(0, ...ctx.products.map((p) => p.id)) + 1).fill(-1);
    for (const p of ctx.products) this.productIndex[p.id] = p.index;
    this.balances = new Array<BalanceRec | null>(ctx.locations.length * this.P).fill(null);
    for (const w of ctx.warehouses) {
      for (const p of ctx.products) {
        const pos: Position = { stock: this.balance(p.id, w.loc.stock), transit: this.balance(p.id, w.loc.transit), inbound: [], outgoing: [], queue: [], settled: false };
        pos.stock.watcher = pos;
        pos.transit.watcher = pos;
        this.positions.push(pos);
      }
    }
    for (const b of initial) {
      const rec = this.balance(b.productId, b.locationId);
      rec.onHand = b.onHand;
      rec.reserved = b.reserved;
    }
  }

  /** Every balance row the history knows (the touched ones changed). */
  allBalances(): BalanceRec[] {
    return this.balances.filter((b): b is BalanceRec => b !== null);
  }

  balance(productId: number, locationId: number): BalanceRec {
    const p = productId < this.productIndex.length ? this.productIndex[productId]! : -1;
    const kind = this.ctx.locations[locationId]?.kind;
    if (p < 0 || kind === undefined) throw new Error(`history: product ${productId} at location ${locationId} is not in the network`);
    const key = locationId * this.P + p;
    let b = this.balances[key];
    if (!b) {
      b = { productId, locationId, onHand: 0, reserved: 0, isVirtual: !INTERNAL.has(kind), updatedAt: 0, touched: false, watcher: null };
      this.balances[key] = b;
    }
    return b;
  }

  position(warehouse: number, product: number): Position {
    return this.positions[warehouse * this.P + product]!;
  }

  /** Changes a balance; refuses what stock_balances' CHECK constraints refuse. */
  change(productId: number, locationId: number, onHand: number, reserved: number, t: number): void {
    const b = this.balance(productId, locationId);
    b.onHand += onHand;
    b.reserved += reserved;
    if (!b.isVirtual && (b.onHand < 0 || b.reserved < 0 || b.reserved > b.onHand)) {
      throw new Error(`history: product ${productId} at location ${locationId} would hold ${b.onHand} with ${b.reserved} reserved`);
    }
    if (t > b.updatedAt) b.updatedAt = t;
    b.touched = true;
    if (b.watcher) b.watcher.settled = false;
  }

  private newMove(spec: MoveSpec, state: MoveState, t: number): MoveRec {
    if (!(spec.qty > 0)) throw new Error(`history: a move of ${spec.qty} units`);
    const m: MoveRec = {
      id: this.ids.take('stock_moves'),
      productId: spec.productId,
      qty: spec.qty,
      fromLocationId: spec.fromLocationId,
      toLocationId: spec.toLocationId,
      state,
      documentType: spec.documentType,
      documentId: spec.documentId,
      documentLineId: spec.documentLineId,
      scheduledDate: spec.scheduledDate ?? null,
      actorId: this.ctx.actorId,
      createdAt: t,
      doneAt: state === 'done' ? t : null,
      forecastIn: false,
      inAt: null,
      outAt: null,
      inIndex: -1,
      outIndex: -1
    };
    this.moves.push(m);
    return m;
  }

  /** A move that happens now (postDoneMoves). */
  post(spec: MoveSpec, t: number): MoveRec {
    this.change(spec.productId, spec.fromLocationId, -spec.qty, 0, t);
    this.change(spec.productId, spec.toLocationId, spec.qty, 0, t);
    const m = this.newMove(spec, 'done', t);
    this.finals?.push(m);
    return m;
  }

  /** A scheduled move that changes no balance yet (createOpenMoves). */
  open(spec: MoveSpec, state: 'confirmed' | 'reserved', t: number): MoveRec {
    const m = this.newMove(spec, state, t);
    const from = this.ctx.locations[m.fromLocationId]!;
    const to = this.ctx.locations[m.toLocationId]!;
    const p = this.productIndex[m.productId]!;
    if ((to.kind === 'stock' || to.kind === 'transit') && m.fromLocationId !== this.ctx.warehouses[to.warehouse]!.loc.stock) {
      m.forecastIn = !(from.warehouse === to.warehouse && INTERNAL.has(from.kind));
      const at = this.position(to.warehouse, p);
      m.inAt = at;
      m.inIndex = at.inbound.push(m) - 1;
      at.settled = false;
    }
    if (from.kind === 'stock' && (to.warehouse !== from.warehouse || !INTERNAL.has(to.kind))) {
      const at = this.position(from.warehouse, p);
      m.outAt = at;
      m.outIndex = at.outgoing.push(m) - 1;
      at.settled = false;
    }
    return m;
  }

  private close(m: MoveRec, state: 'done' | 'cancelled'): void {
    m.state = state;
    // Lists of open moves drop a move by moving their last one into its place.
    if (m.inAt) {
      const list = m.inAt.inbound;
      const last = list.pop()!;
      if (last !== m) {
        list[m.inIndex] = last;
        last.inIndex = m.inIndex;
      }
      m.inAt.settled = false;
      m.inAt = null;
    }
    if (m.outAt) {
      const list = m.outAt.outgoing;
      const last = list.pop()!;
      if (last !== m) {
        list[m.outIndex] = last;
        last.outIndex = m.outIndex;
      }
      m.outAt.settled = false;
      m.outAt = null;
    }
  }

  /**
   * completeOpenMove: qty of an open move happens now. All of it to its own
   * destination: the move itself becomes done. Otherwise the open move is reduced
   * and a done move split off (to `toLocationId` when given). Returns the done move.
   */
  complete(m: MoveRec, qty: number, t: number, toLocationId?: number): MoveRec {
    if (m.state !== 'confirmed' && m.state !== 'reserved') throw new Error(`history: move ${m.id} is ${m.state}`);
    if (qty <= 0 || qty > m.qty) throw new Error(`history: cannot complete ${qty} of move ${m.id} (${m.qty} open)`);
    const to = toLocationId ?? m.toLocationId;
    if (qty === m.qty && to === m.toLocationId) {
      this.change(m.productId, m.fromLocationId, -qty, 0, t);
      this.change(m.productId, m.toLocationId, qty, 0, t);
      this.close(m, 'done');
      m.doneAt = t;
      m.actorId = this.ctx.actorId;
      this.finals?.push(m);
      return m;
    }
    this.reduce(m, qty);
    return this.post(
      { productId: m.productId, qty, fromLocationId: m.fromLocationId, toLocationId: to, documentType: m.documentType, documentId: m.documentId, documentLineId: m.documentLineId, scheduledDate: m.scheduledDate },
      t
    );
  }

  /** reduceOpenMove: qty off an open move; all of it cancels the move (its qty is kept). */
  reduce(m: MoveRec, qty: number): void {
    if (qty <= 0 || qty > m.qty) throw new Error(`history: cannot take ${qty} off move ${m.id} (${m.qty} open)`);
    if (qty === m.qty) {
      this.close(m, 'cancelled');
      this.finals?.push(m);
    } else m.qty -= qty;
  }

  /** Forecast at a horizon (stock.ts): on hand + in transit + incoming - outgoing, open moves due by then (or undated). */
  forecast(warehouse: number, product: number, horizon: number): number {
    const pos = this.position(warehouse, product);
    let f = pos.stock.onHand + pos.transit.onHand;
    for (const m of pos.inbound) if (m.forecastIn && (m.scheduledDate === null || m.scheduledDate <= horizon)) f += m.qty;
    for (const m of pos.outgoing) if (m.scheduledDate === null || m.scheduledDate <= horizon) f -= m.qty;
    return f;
  }

  /** ATP's earliest date (atp.ts): free now less others' unreserved demand, then inbound by date; null when never. */
  earliestDate(warehouse: number, product: number, qty: number, exclude: OrderRec, today: number): number | null {
    const pos = this.position(warehouse, product);
    let position = pos.stock.onHand - pos.stock.reserved;
    for (const l of pos.queue) if (l.order !== exclude) position -= l.backorderedQty - l.reservedQty;
    if (position >= qty) return today;
    const inbound = [...pos.inbound].sort((a, b) => (a.scheduledDate ?? -Infinity) - (b.scheduledDate ?? -Infinity) || a.id - b.id);
    for (const m of inbound) {
      position += m.qty;
      if (position >= qty) return Math.max(m.scheduledDate ?? today, today);
    }
    return null;
  }

  enqueue(warehouse: number, line: LineRec): void {
    const q = this.position(warehouse, line.product).queue;
    let lo = 0;
    let hi = q.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (reservationOrder(q[mid]!, line) < 0) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, line);
  }

  dequeue(warehouse: number, line: LineRec): void {
    const q = this.position(warehouse, line.product).queue;
    const i = q.indexOf(line);
    if (i >= 0) q.splice(i, 1);
  }

  /**
   * allocate(): free stock goes to the waiting lines in reservation order; each
   * line's open move becomes 'reserved' when its remainder is, and a line fully
   * reserved leaves the queue. `took` hears of every line that took stock.
   */
  allocate(warehouse: number, product: number, t: number, took: (line: LineRec) => void): void {
    const pos = this.position(warehouse, product);
    let free = pos.stock.onHand - pos.stock.reserved;
    if (free <= 0 || pos.queue.length === 0) return;
    let total = 0;
    const filled: LineRec[] = [];
    for (const line of pos.queue) {
      if (free <= 0) break;
      const take = Math.min(line.backorderedQty - line.reservedQty, free);
      line.reservedQty += take;
      free -= take;
      total += take;
      if (line.reservedQty === line.backorderedQty) filled.push(line);
      if (line.move) line.move.state = line.reservedQty === line.backorderedQty ? 'reserved' : 'confirmed';
      took(line);
    }
    if (filled.length) pos.queue = pos.queue.filter((l) => l.reservedQty < l.backorderedQty);
    this.change(pos.stock.productId, pos.stock.locationId, 0, total, t);
  }
}
