import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WarehouseLocations } from '../app/lib/server/core/locations';
import { reservationOrder } from './history-ledger';
import type { HistoryRows, LineRec, OrderRec } from './history-model';
import { simulateHistory, type HistoryResult } from './history-sim';
import { DAY, dayOf, HOUR, isoDay, weekday, Zones } from './history-time';
import { terminalProgress } from './history-progress';
import { copyInstant } from './history-write';
import { generateNetwork, type Network } from './network';
import { ruleKey, type NetworkIds } from './network-writer';

const SPEC = { seed: 21, products: 60, customers: 30, suppliers: 6, branches: 2, ordersPerDay: 80 };
const END = Date.parse('2026-03-11T16:20:00Z');
const DAYS = 45;
const SPEC_NETWORK = generateNetwork(SPEC);
const KINDS = ['stock', 'quality_hold', 'damaged', 'transit', 'supplier', 'customer', 'adjustment', 'scrap'] as const;

/** Ids as a fresh database would give them (1, 2, ... in the network's order): the simulation needs no database. */
function plainIds(network: Network): NetworkIds {
  const ids = (codes: string[]) => new Map(codes.map((c, i) => [c, i + 1]));
  const locations = new Map<string, WarehouseLocations>();
  network.warehouses.forEach((w, i) => locations.set(w.code, Object.fromEntries(KINDS.map((k, j) => [k, i * KINDS.length + j + 1])) as WarehouseLocations));
  return {
    regions: ids(network.regions.map((r) => r.code)),
    warehouses: ids(network.warehouses.map((w) => w.code)),
    locations,
    products: ids(network.products.map((p) => p.sku)),
    suppliers: ids(network.suppliers.map((s) => s.code)),
    customers: ids(network.customers.map((c) => c.code)),
    reorderRules: ids(network.reorderRules.map((r) => ruleKey(r.sku, r.warehouseCode))),
    openingDocumentId: 1
  };
}

function simulate(seed: number, network = SPEC_NETWORK, days = DAYS): HistoryResult & { ids: NetworkIds; opening: Map<string, number> } {
  const ids = plainIds(network);
  // The opening stock as writeNetwork books it: adjustment -> stock.
  const balances = network.openingStock.flatMap((o) => {
    const loc = ids.locations.get(o.warehouseCode)!;
    const productId = ids.products.get(o.sku)!;
    return [
      { productId, locationId: loc.stock, onHand: o.qty, reserved: 0 },
      { productId, locationId: loc.adjustment, onHand: -o.qty, reserved: 0 }
    ];
  });
  const opening = new Map(balances.map((b) => [`${b.productId}:${b.locationId}`, b.onHand]));
  const result = simulateHistory(network, ids, { start: END - days * DAY, end: END, seed, balances, firstIds: { stock_moves: 1000 } });
  return { ...result, ids, opening };
}

/** A fingerprint of every row's columns. */
function digest(rows: HistoryRows): string {
  const h = createHash('sha256');
  const strip = (x: object) => JSON.stringify(x, (k, v) => (['order', 'move', 'line', 'inAt', 'outAt', 'watcher', 'lines'].includes(k) && typeof v === 'object' ? (v?.id ?? null) : v));
  for (const o of rows.orders) h.update(strip(o) + o.lines.map(strip).join());
  for (const table of [rows.shipments, rows.invoices, rows.payments, rows.purchaseOrders, rows.receipts, rows.transfers, rows.returns, rows.counts, rows.moves, rows.balances]) {
    for (const r of table as object[]) h.update(strip(r));
  }
  return h.digest('hex');
}

const a = simulate(7);
/** The same network opening with a quarter of its stock: long backorders, some given up by customers. */
const starved = simulate(7, { ...SPEC_NETWORK, openingStock: SPEC_NETWORK.openingStock.map((o) => ({ ...o, qty: Math.floor(o.qty / 4) })) });

describe('simulateHistory', () => {
  it('gives the same history for the same seed, and another for another seed', () => {
    const again = simulate(7);
    expect(digest(again.rows)).toBe(digest(a.rows));
    expect(again.rows.moves.length).toBe(a.rows.moves.length);
    expect(digest(simulate(8).rows)).not.toBe(digest(a.rows));
  });

  for (const [name, run] of [
    ['a stocked network', a],
    ['a network short of stock', starved]
  ] as const) {
    const lines = run.rows.orders.flatMap((o) => o.lines);

    it(`balances every order line of ${name}: shipped + still to ship + cancelled = ordered, reserved within what is left`, () => {
      const shippedBy = new Map<LineRec, number>();
      for (const s of run.rows.shipments) if (s.state === 'shipped') for (const i of s.lines) shippedBy.set(i.line, (shippedBy.get(i.line) ?? 0) + i.qty);
      const doneBy = new Map<number, number>();
      const openBy = new Map<number, { qty: number; state: string; n: number }>();
      for (const m of run.rows.moves) {
        if (m.documentType !== 'sales_order') continue;
        if (m.state === 'done') doneBy.set(m.documentLineId!, (doneBy.get(m.documentLineId!) ?? 0) + m.qty);
        if (m.state === 'confirmed' || m.state === 'reserved') {
          const o = openBy.get(m.documentLineId!) ?? { qty: 0, state: m.state, n: 0 };
          openBy.set(m.documentLineId!, { qty: o.qty + m.qty, state: m.state, n: o.n + 1 });
        }
      }
      expect(lines.length).toBeGreaterThan(1000);
      for (const l of lines) {
        expect(l.shippedQty + l.backorderedQty + l.cancelledQty).toBe(l.orderedQty);
        expect(l.reservedQty).toBeGreaterThanOrEqual(0);
        expect(l.reservedQty).toBeLessThanOrEqual(l.orderedQty - l.shippedQty - l.cancelledQty);
        expect(shippedBy.get(l) ?? 0).toBe(l.shippedQty);
        expect(doneBy.get(l.id) ?? 0).toBe(l.shippedQty);
        // One open move per line still to ship, for what is still to ship, reserved when all of it is.
        const open = openBy.get(l.id);
        if (l.order.state === 'confirmed' && l.backorderedQty > 0) {
          expect(open).toEqual({ qty: l.backorderedQty, state: l.reservedQty === l.backorderedQty ? 'reserved' : 'confirmed', n: 1 });
        } else expect(open).toBeUndefined();
      }
    });

    it(`keeps the balances of ${name} equal to the opening stock plus the done moves, none negative where stock is real`, () => {
      const ledger = new Map(run.opening);
      for (const m of run.rows.moves) {
        if (m.state !== 'done') continue;
        ledger.set(`${m.productId}:${m.fromLocationId}`, (ledger.get(`${m.productId}:${m.fromLocationId}`) ?? 0) - m.qty);
        ledger.set(`${m.productId}:${m.toLocationId}`, (ledger.get(`${m.productId}:${m.toLocationId}`) ?? 0) + m.qty);
      }
      const reservedByLines = new Map<string, number>();
      for (const l of lines) {
        const stock = run.ids.locations.get(SPEC_NETWORK.warehouses[l.order.warehouse]!.code)!.stock;
        reservedByLines.set(`${l.productId}:${stock}`, (reservedByLines.get(`${l.productId}:${stock}`) ?? 0) + l.reservedQty);
      }
      for (const b of run.rows.balances) {
        expect(b.onHand).toBe(ledger.get(`${b.productId}:${b.locationId}`) ?? 0);
        expect(b.reserved).toBe(reservedByLines.get(`${b.productId}:${b.locationId}`) ?? 0);
        if (!b.isVirtual) expect(b.onHand).toBeGreaterThanOrEqual(b.reserved);
      }
      const known = new Set(run.rows.balances.map((b) => `${b.productId}:${b.locationId}`));
      for (const [key, qty] of ledger) if (qty !== 0) expect(known.has(key)).toBe(true);
    });

    it(`keeps what the transfers of ${name} have in transit equal to the transit stock`, () => {
      const inTransit = new Map<string, number>();
      const openBy = new Map<number, number>();
      for (const m of run.rows.moves) if (m.documentType === 'transfer' && (m.state === 'confirmed' || m.state === 'reserved')) openBy.set(m.documentLineId!, (openBy.get(m.documentLineId!) ?? 0) + m.qty);
      for (const t of run.rows.transfers) {
        const transit = run.ids.locations.get(SPEC_NETWORK.warehouses[t.to]!.code)!.transit;
        for (const l of t.lines) {
          if (t.state === 'received') expect(l.receivedQty + l.shortQty + l.damagedQty).toBe(l.shippedQty);
          // Invariant 4: open in transit = shipped - received - short - damaged; approved: the whole qty is scheduled.
          if (t.state === 'shipped' || t.state === 'received') expect(openBy.get(l.id) ?? 0).toBe(l.shippedQty - l.receivedQty - l.shortQty - l.damagedQty);
          if (t.state === 'approved') expect(openBy.get(l.id)).toBe(l.qty);
          if (t.state !== 'shipped') continue;
          inTransit.set(`${l.productId}:${transit}`, (inTransit.get(`${l.productId}:${transit}`) ?? 0) + l.shippedQty);
        }
      }
      const transitIds = new Set(SPEC_NETWORK.warehouses.map((w) => run.ids.locations.get(w.code)!.transit));
      for (const b of run.rows.balances) if (transitIds.has(b.locationId)) expect(b.onHand).toBe(inTransit.get(`${b.productId}:${b.locationId}`) ?? 0);
      expect([...inTransit.values()].some((q) => q > 0)).toBe(true);
    });
  }

  it('has customers give up some long backorders when stock is short', () => {
    const cancelledMoves = (r: HistoryResult) => r.rows.moves.filter((m) => m.documentType === 'sales_order' && m.state === 'cancelled').length;
    expect(cancelledMoves(starved)).toBeGreaterThan(cancelledMoves(a));
    expect(cancelledMoves(starved)).toBeGreaterThanOrEqual(3);
    const shortShipped = (r: HistoryResult) => r.rows.orders.flatMap((o) => o.lines).filter((l) => l.backorderedSince !== null).length / r.rows.orders.length;
    expect(shortShipped(starved)).toBeGreaterThan(shortShipped(a));
  });

  it('happens only between the start and the end, and leaves a present with work in progress', () => {
    const instants = [
      ...a.rows.orders.flatMap((o) => [o.createdAt, o.confirmedAt, o.cancelledAt, o.approvedAt]),
      ...a.rows.shipments.flatMap((s) => [s.pickedAt, s.packedAt, s.shippedAt]),
      ...a.rows.moves.flatMap((m) => [m.createdAt, m.doneAt]),
      ...a.rows.payments.map((p) => p.paidAt),
      ...a.rows.receipts.map((r) => r.receivedAt),
      ...a.rows.transfers.flatMap((t) => [t.requestedAt, t.shippedAt, t.receivedAt])
    ].filter((t): t is number => t !== null);
    expect(Math.min(...instants)).toBeGreaterThanOrEqual(a.start);
    expect(Math.max(...instants)).toBeLessThan(a.end);
    const states = (xs: { state: string }[]) => new Set(xs.map((x) => x.state));
    expect(states(a.rows.orders)).toContain('confirmed');
    expect(states(a.rows.purchaseOrders)).toContain('sent');
    expect(states(a.rows.transfers)).toContain('shipped');
    expect(states(a.rows.shipments)).toContain('packed'); // the 11:00 wave is on its way out at END
  });

  it('has weekly seasonality: fewer orders on Sundays than on weekdays', () => {
    const byWeekday = [0, 0, 0, 0, 0, 0, 0];
    for (const o of a.rows.orders) byWeekday[weekday(Math.floor(o.confirmedAt! / DAY))]! += 1;
    expect(byWeekday[0]! * 2).toBeLessThan(Math.min(...byWeekday.slice(1, 6)));
  });

  it('reserves in the core order: priority, promised date (none last), confirmation, line', () => {
    const order = (priority: number, promisedDate: number | null, confirmedAt: number) => ({ priority, promisedDate, confirmedAt }) as OrderRec;
    const line = (id: number, o: OrderRec) => ({ id, order: o }) as LineRec;
    const sorted = [
      line(5, order(0, null, 1)),
      line(4, order(0, 20, 9)),
      line(3, order(0, 10, 9)),
      line(2, order(1, null, 9)),
      line(6, order(0, 10, 5)),
      line(1, order(0, 10, 5))
    ].sort(reservationOrder);
    expect(sorted.map((l) => l.id)).toEqual([2, 1, 6, 3, 4, 5]);
  });
});

describe('terminalProgress', () => {
  it('draws a bar, one line per step when the stream is no terminal', () => {
    const out: string[] = [];
    const bar = terminalProgress({ isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream, 10);
    bar('checking the database', 0);
    for (let d = 1; d <= 9; d++) bar(`simulating 2026-01-0${d}`, d / 20);
    bar('writing sales_orders', 0.7);
    bar('history written', 1);
    expect(out).toEqual([
      '[··········]   0% checking the database\n',
      '[#·········]   5% simulating 2026-01-01\n',
      '[#######···]  70% writing sales_orders\n',
      '[##########] 100% history written\n'
    ]);
  });
});

describe('Zones and COPY instants', () => {
  it('places local hours on the right instant across a DST switch', () => {
    const z = new Zones();
    const tz = 'America/Chicago';
    const before = dayOf('2026-03-07');
    expect(new Date(z.at(tz, before, 5.5)).toISOString()).toBe('2026-03-07T11:30:00.000Z'); // CST
    expect(new Date(z.at(tz, before + 1, 5.5)).toISOString()).toBe('2026-03-08T10:30:00.000Z'); // CDT from 02:00
    expect(z.localDay(tz, Date.parse('2026-03-08T04:59:00Z'))).toBe(before); // 22:59 the evening before
    expect(isoDay(z.localDay('Pacific/Honolulu', Date.parse('2026-03-08T09:00:00Z')))).toBe('2026-03-07');
    expect(z.at(tz, before, 12) - z.at(tz, before, 11)).toBe(HOUR);
  });

  it('writes instants as PostgreSQL reads them back', () => {
    for (const t of [0, 1, 999, Date.parse('2026-03-08T08:00:00.007Z'), Date.parse('2026-12-31T23:59:59.999Z') + 0.6]) {
      expect(Date.parse(copyInstant(t).replace(' ', 'T').replace('+00', 'Z'))).toBe(Math.floor(t));
    }
    expect(copyInstant(null)).toBe('\\N');
  });
});
