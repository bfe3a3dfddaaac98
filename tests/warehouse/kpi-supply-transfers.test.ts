import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { transferBottlenecks } from '../../warehouse/kpi/transfer-bottlenecks';
import { UnsupportedFilterError } from '../../warehouse/kpi/scope-filter';
import { kpiBench } from './support';
import { supplyNetwork, type SupplyNetwork } from './kpi-supply-support';

/** Window [03-01, 03-08) UTC, looking from 2026-03-10T12:00Z (13:00 in A, Berlin). */
const WINDOW = { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z', asOfTime: '2026-03-10T12:00:00Z' };
const bench = await kpiBench();
let n: SupplyNetwork;
const ch = () => bench.clickhouse.client;

interface TransferRow {
  from: number;
  to: number;
  state: 'requested' | 'approved' | 'shipped' | 'received' | 'cancelled';
  expected: string;
  requested: string;
  approved?: string;
  shipped?: string;
  received?: string;
  cancelled?: string;
  lines: { productId: number; qty: number; shipped?: number; received?: number; short?: number; damaged?: number }[];
}

async function insertTransfer(t: TransferRow): Promise<void> {
  const { rows } = await bench.pool.query<{ id: string }>(
    `INSERT INTO transfers (from_warehouse_id, to_warehouse_id, state, expected_arrival, requested_at, approved_at, shipped_at, received_at, cancelled_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [t.from, t.to, t.state, t.expected, t.requested, t.approved ?? null, t.shipped ?? null, t.received ?? null, t.cancelled ?? null]
  );
  for (const l of t.lines) {
    await bench.pool.query(
      `INSERT INTO transfer_lines (transfer_id, product_id, qty, shipped_qty, received_qty, short_qty, damaged_qty) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [rows[0]!.id, l.productId, l.qty, l.shipped ?? 0, l.received ?? 0, l.short ?? 0, l.damaged ?? 0]
    );
  }
}

beforeAll(async () => {
  n = await supplyNetwork(bench);
  await bench.landed();
});

describe('transfer bottlenecks', () => {
  it('is empty without transfers', async () => {
    const r = await transferBottlenecks(ch(), WINDOW);
    expect(r.data).toEqual([]);
  });

  it('reports in transit, transit times, lateness and dwell per lane', async () => {
    const { A, B, C, D, P1, P2, P3 } = n;
    const d = (day: string, time = '00:00') => `2026-${day}T${time}:00Z`;
    // Lane A->B (2 days).
    await insertTransfer({ // T1: received on its expected day, one line received short and damaged.
      from: A.id, to: B.id, state: 'received', expected: '2026-03-04',
      requested: d('03-01', '08:00'), approved: d('03-01', '10:00'), shipped: d('03-02', '10:00'), received: d('03-04', '10:00'),
      lines: [{ productId: P1.id, qty: 10, shipped: 10, received: 10 }, { productId: P2.id, qty: 5, shipped: 5, received: 3, short: 1, damaged: 1 }]
    });
    await insertTransfer({ // T2: shipped partially, received a day late.
      from: A.id, to: B.id, state: 'received', expected: '2026-03-05',
      requested: d('03-02'), approved: d('03-02', '06:00'), shipped: d('03-03'), received: d('03-06', '12:00'),
      lines: [{ productId: P1.id, qty: 8, shipped: 6, received: 6 }]
    });
    await insertTransfer({ // T3: in transit past its expected arrival.
      from: A.id, to: B.id, state: 'shipped', expected: '2026-03-08',
      requested: d('03-05'), approved: d('03-05', '12:00'), shipped: d('03-06'),
      lines: [{ productId: P1.id, qty: 4, shipped: 4 }]
    });
    await insertTransfer({ // T4: approved, then cancelled.
      from: A.id, to: B.id, state: 'cancelled', expected: '2026-03-05',
      requested: d('03-03'), approved: d('03-03', '03:00'), cancelled: d('03-04'),
      lines: [{ productId: P1.id, qty: 7 }]
    });
    await insertTransfer({ // T5: only requested: no stage ended.
      from: A.id, to: B.id, state: 'requested', expected: '2026-03-09', requested: d('03-07'), lines: [{ productId: P1.id, qty: 1 }]
    });
    await insertTransfer({ // T6: all before the window.
      from: A.id, to: B.id, state: 'received', expected: '2026-02-22',
      requested: d('02-20'), approved: d('02-20', '01:00'), shipped: d('02-21'), received: d('02-23'),
      lines: [{ productId: P1.id, qty: 2, shipped: 2, received: 2 }]
    });
    // Lane C->A (2 days), A in Berlin.
    await insertTransfer({ // T7: received 23:30 UTC on its expected day, already the next day in Berlin: late.
      from: C.id, to: A.id, state: 'received', expected: '2026-03-05',
      requested: d('03-03'), approved: d('03-03', '01:00'), shipped: d('03-03', '10:00'), received: d('03-05', '23:30'),
      lines: [{ productId: P2.id, qty: 3, shipped: 3, received: 3 }]
    });
    await insertTransfer({ // T8: in transit, due today in Berlin: not late yet.
      from: C.id, to: A.id, state: 'shipped', expected: '2026-03-10',
      requested: d('03-06'), approved: d('03-06', '12:00'), shipped: d('03-07'),
      lines: [{ productId: P2.id, qty: 9, shipped: 9 }]
    });
    // D->A: no lane.
    await insertTransfer({ // T9
      from: D.id, to: A.id, state: 'shipped', expected: '2026-03-03',
      requested: d('03-01'), approved: d('03-01', '12:00'), shipped: d('03-02'),
      lines: [{ productId: P1.id, qty: 2, shipped: 2 }]
    });
    // B->A (3 days): shipped in the window, received after it (but before asOfTime).
    await insertTransfer({ // T10
      from: B.id, to: A.id, state: 'received', expected: '2026-03-09',
      requested: d('03-05'), approved: d('03-05', '06:00'), shipped: d('03-06'), received: d('03-09'),
      lines: [{ productId: P3.id, qty: 6, shipped: 6, received: 5, short: 1 }]
    });
    await bench.landed();

    const zero = { inTransitCount: 0, inTransitUnits: 0, lateInTransitCount: 0, receivedCount: 0, meanTransitHours: null, p90TransitHours: null, lateReceivedCount: 0, cancelledCount: 0 };
    const r = await transferBottlenecks(ch(), WINDOW);
    expect(r.data).toEqual([
      {
        fromWarehouseId: A.id, toWarehouseId: B.id, plannedLeadTimeDays: 2,
        inTransitCount: 1, inTransitUnits: 4, lateInTransitCount: 1,
        // transit 48 h and 84 h: mean 66, p90 = 48 + 0.9 * (84 - 48)
        receivedCount: 2, meanTransitHours: 66, p90TransitHours: 80.4, lateReceivedCount: 1, cancelledCount: 1,
        // approved: 2, 6, 12, 3 h; shipped: 24, 18, 12 h
        dwellHours: { requestedToApproved: 5.75, approvedToShipped: 18, shippedToReceived: 66 },
        stageCounts: { approved: 4, shipped: 3, received: 2 }
      },
      {
        fromWarehouseId: B.id, toWarehouseId: A.id, plannedLeadTimeDays: 3, ...zero,
        dwellHours: { requestedToApproved: 6, approvedToShipped: 18, shippedToReceived: null },
        stageCounts: { approved: 1, shipped: 1, received: 0 }
      },
      {
        fromWarehouseId: C.id, toWarehouseId: A.id, plannedLeadTimeDays: 2,
        inTransitCount: 1, inTransitUnits: 9, lateInTransitCount: 0,
        receivedCount: 1, meanTransitHours: 61.5, p90TransitHours: 61.5, lateReceivedCount: 1, cancelledCount: 0,
        dwellHours: { requestedToApproved: 6.5, approvedToShipped: 10.5, shippedToReceived: 61.5 },
        stageCounts: { approved: 2, shipped: 2, received: 1 }
      },
      {
        fromWarehouseId: D.id, toWarehouseId: A.id, plannedLeadTimeDays: null, ...zero,
        inTransitCount: 1, inTransitUnits: 2, lateInTransitCount: 1,
        dwellHours: { requestedToApproved: 12, approvedToShipped: 12, shippedToReceived: null },
        stageCounts: { approved: 1, shipped: 1, received: 0 }
      }
    ]);
  });

  it('looks from asOfTime: in transit then, and late by the destination local date', async () => {
    const { A, B, C } = n;
    // 03-08T12:00Z: T10 (B->A) was still in transit with all 6 shipped; T3 (due 03-08) not late yet in B; T8 not late.
    const earlier = await transferBottlenecks(ch(), { ...WINDOW, asOfTime: '2026-03-08T12:00:00Z' });
    const lane = (from: number, to: number) => earlier.data.find((l) => l.fromWarehouseId === from && l.toWarehouseId === to)!;
    expect(lane(B.id, A.id)).toMatchObject({ inTransitCount: 1, inTransitUnits: 6, lateInTransitCount: 0 });
    expect(lane(A.id, B.id)).toMatchObject({ inTransitCount: 1, inTransitUnits: 4, lateInTransitCount: 0 });
    // 03-10T23:30Z is 03-11 in Berlin: T8 (due 03-10 at A) is late.
    const night = await transferBottlenecks(ch(), { ...WINDOW, asOfTime: '2026-03-10T23:30:00Z' });
    expect(night.data.find((l) => l.fromWarehouseId === C.id)).toMatchObject({ inTransitCount: 1, lateInTransitCount: 1 });
  });

  it('filters lanes by either end', async () => {
    const lanes = async (extra: object) => (await transferBottlenecks(ch(), { ...WINDOW, ...extra })).data.map((l) => [l.fromWarehouseId, l.toWarehouseId]);
    const { A, B, C, D } = n;
    expect(await lanes({ warehouseIds: [D.id] })).toEqual([[D.id, A.id]]);
    expect(await lanes({ regionIds: [n.south.id] })).toEqual([[D.id, A.id]]);
    expect(await lanes({ warehouseIds: [B.id] })).toEqual([[A.id, B.id], [B.id, A.id]]);
    expect(await lanes({ warehouseIds: [C.id], regionIds: [n.north.id] })).toEqual([[C.id, A.id]]);
    // A window with nothing in it still shows what is in transit now.
    expect(await lanes({ from: '2025-01-01T00:00:00Z', to: '2025-02-01T00:00:00Z' })).toEqual([[A.id, B.id], [C.id, A.id], [D.id, A.id]]);
  });

  it('refuses bad input and filters it cannot apply', async () => {
    await expect(transferBottlenecks(ch(), { ...WINDOW, to: WINDOW.from })).rejects.toThrow(ZodError);
    await expect(transferBottlenecks(ch(), { ...WINDOW, asOfTime: 'now' })).rejects.toThrow(ZodError);
    await expect(transferBottlenecks(ch(), { from: WINDOW.from })).rejects.toThrow(ZodError);
    await expect(transferBottlenecks(ch(), { ...WINDOW, categories: ['tools'] })).rejects.toThrow(UnsupportedFilterError);
    await expect(transferBottlenecks(ch(), { ...WINDOW, customerIds: [1] })).rejects.toThrow(UnsupportedFilterError);
  });
});
