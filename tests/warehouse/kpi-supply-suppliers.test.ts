import { beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { poLineFill, supplierPerformance } from '../../warehouse/kpi/supplier-performance';
import { UnsupportedFilterError } from '../../warehouse/kpi/scope-filter';
import { kpiBench } from './support';
import { supplyNetwork, type SupplyNetwork } from './kpi-supply-support';

/** Receipts in [03-01, 04-01). */
const WINDOW = { from: '2026-03-01T00:00:00Z', to: '2026-04-01T00:00:00Z' };
const bench = await kpiBench();
let n: SupplyNetwork;
const ch = () => bench.clickhouse.client;

interface PoRow {
  supplierId: number;
  warehouseId: number;
  expected: string;
  lines: { productId: number; ordered: number; received: number; rejected?: number }[];
  /** Each receipt: when, its flags, and the accepted/rejected units per line index. */
  receipts: { at: string; onTime: boolean; inFull: boolean; lines: [number, number, number][] }[];
}

/** Inserts a sent purchase order with its lines, receipts and receipt lines; returns the line ids. */
async function insertPo(po: PoRow): Promise<number[]> {
  const q = async (sql: string, values: unknown[]) => Number((await bench.pool.query<{ id: string }>(`${sql} RETURNING id`, values)).rows[0]!.id);
  const poId = await q(
    `INSERT INTO purchase_orders (supplier_id, warehouse_id, state, expected_date, created_at, sent_at) VALUES ($1, $2, 'partially_received', $3, '2026-02-01T00:00:00Z', '2026-02-01T00:00:00Z')`,
    [po.supplierId, po.warehouseId, po.expected]
  );
  const lineIds: number[] = [];
  for (const l of po.lines) {
    lineIds.push(
      await q(`INSERT INTO purchase_order_lines (purchase_order_id, product_id, ordered_qty, received_qty, rejected_qty, unit_cost_minor) VALUES ($1, $2, $3, $4, $5, 100)`, [
        poId, l.productId, l.ordered, l.received, l.rejected ?? 0
      ])
    );
  }
  for (const r of po.receipts) {
    const receiptId = await q(`INSERT INTO receipts (purchase_order_id, received_at, on_time, in_full) VALUES ($1, $2, $3, $4)`, [poId, r.at, r.onTime, r.inFull]);
    for (const [i, accepted, rejected] of r.lines) {
      await bench.pool.query(`INSERT INTO receipt_lines (receipt_id, purchase_order_line_id, accepted_qty, rejected_qty) VALUES ($1, $2, $3, $4)`, [
        receiptId, lineIds[i], accepted, rejected
      ]);
    }
  }
  return lineIds;
}

beforeAll(async () => {
  n = await supplyNetwork(bench);
  await bench.landed();
});

describe('supplier performance', () => {
  let lines: Record<string, number> = {};

  it('is empty without receipts', async () => {
    expect((await supplierPerformance(ch(), WINDOW)).data).toEqual([]);
    expect((await poLineFill(ch(), WINDOW)).data).toEqual([]);
  });

  it('reports on time, in full and fill per supplier over the receipts in the window', async () => {
    const { A, B, D, P1, P2, P3, S1, S2 } = n;
    const [l1, l2] = await insertPo({ // PO1: L1 in full at once, L2 short then partly rejected.
      supplierId: S1.id, warehouseId: A.id, expected: '2026-03-05',
      lines: [{ productId: P1.id, ordered: 10, received: 10 }, { productId: P2.id, ordered: 20, received: 15, rejected: 2 }],
      receipts: [
        { at: '2026-03-04T09:00:00Z', onTime: true, inFull: false, lines: [[0, 10, 0], [1, 10, 0]] },
        { at: '2026-03-08T09:00:00Z', onTime: false, inFull: false, lines: [[1, 5, 2]] }
      ]
    });
    const [l3] = await insertPo({ // PO2
      supplierId: S1.id, warehouseId: B.id, expected: '2026-03-10',
      lines: [{ productId: P3.id, ordered: 6, received: 6 }],
      receipts: [{ at: '2026-03-10T09:00:00Z', onTime: true, inFull: true, lines: [[0, 6, 0]] }]
    });
    await insertPo({ // PO3: received before the window.
      supplierId: S1.id, warehouseId: A.id, expected: '2026-02-20',
      lines: [{ productId: P2.id, ordered: 4, received: 4 }],
      receipts: [{ at: '2026-02-25T09:00:00Z', onTime: false, inFull: true, lines: [[0, 4, 0]] }]
    });
    const [l5] = await insertPo({ // PO4: over-received, late, in region S.
      supplierId: S2.id, warehouseId: D.id, expected: '2026-03-15',
      lines: [{ productId: P1.id, ordered: 8, received: 9 }],
      receipts: [{ at: '2026-03-20T09:00:00Z', onTime: false, inFull: true, lines: [[0, 9, 0]] }]
    });
    await insertPo({ // PO5: received at the window's end (excluded).
      supplierId: S2.id, warehouseId: A.id, expected: '2026-03-31',
      lines: [{ productId: P1.id, ordered: 5, received: 5 }],
      receipts: [{ at: '2026-04-01T00:00:00Z', onTime: true, inFull: true, lines: [[0, 5, 0]] }]
    });
    lines = { l1: l1!, l2: l2!, l3: l3!, l5: l5! };
    await bench.landed();

    const s1 = {
      supplierId: S1.id, receipts: 3, onTimeReceipts: 2, inFullReceipts: 1, onTimeInFullReceipts: 1,
      onTimeShare: 0.6667, inFullShare: 0.3333, otifShare: 0.3333,
      // L1 10/10, L2 15/20, L3 6/6
      poLines: 3, orderedUnits: 36, receivedUnits: 31, rejectedUnits: 2, unitFill: 0.8611, meanLineFill: 0.9167
    };
    const s2 = {
      supplierId: S2.id, receipts: 1, onTimeReceipts: 0, inFullReceipts: 1, onTimeInFullReceipts: 0,
      onTimeShare: 0, inFullShare: 1, otifShare: 0,
      poLines: 1, orderedUnits: 8, receivedUnits: 9, rejectedUnits: 0, unitFill: 1.125, meanLineFill: 1
    };
    expect((await supplierPerformance(ch(), WINDOW)).data).toEqual([s1, s2]);
    expect((await supplierPerformance(ch(), { ...WINDOW, warehouseIds: [A.id] })).data).toEqual([
      {
        supplierId: S1.id, receipts: 2, onTimeReceipts: 1, inFullReceipts: 0, onTimeInFullReceipts: 0,
        onTimeShare: 0.5, inFullShare: 0, otifShare: 0,
        poLines: 2, orderedUnits: 30, receivedUnits: 25, rejectedUnits: 2, unitFill: 0.8333, meanLineFill: 0.875
      }
    ]);
    expect((await supplierPerformance(ch(), { ...WINDOW, regionIds: [n.south.id] })).data).toEqual([s2]);
    expect((await supplierPerformance(ch(), { ...WINDOW, supplierIds: [S2.id] })).data).toEqual([s2]);
  });

  it('lists PO line fill, worst first', async () => {
    const { A, B, D, P1, P2, P3, S1, S2 } = n;
    const r = await poLineFill(ch(), WINDOW);
    expect(r.data).toEqual([
      { poLineId: lines.l2, purchaseOrderId: expect.any(Number), supplierId: S1.id, warehouseId: A.id, productId: P2.id, orderedQty: 20, receivedQty: 15, rejectedQty: 2, fill: 0.75 },
      { poLineId: lines.l1, purchaseOrderId: expect.any(Number), supplierId: S1.id, warehouseId: A.id, productId: P1.id, orderedQty: 10, receivedQty: 10, rejectedQty: 0, fill: 1 },
      { poLineId: lines.l3, purchaseOrderId: expect.any(Number), supplierId: S1.id, warehouseId: B.id, productId: P3.id, orderedQty: 6, receivedQty: 6, rejectedQty: 0, fill: 1 },
      { poLineId: lines.l5, purchaseOrderId: expect.any(Number), supplierId: S2.id, warehouseId: D.id, productId: P1.id, orderedQty: 8, receivedQty: 9, rejectedQty: 0, fill: 1.125 }
    ]);
    expect(r.data[0]!.purchaseOrderId).toBe(r.data[1]!.purchaseOrderId);
    expect((await poLineFill(ch(), { ...WINDOW, categories: ['food'] })).data.map((l) => l.poLineId)).toEqual([lines.l3]);
    expect((await poLineFill(ch(), { ...WINDOW, limit: 1 })).data.map((l) => l.poLineId)).toEqual([lines.l2]);
    expect((await poLineFill(ch(), { ...WINDOW, supplierIds: [S2.id] })).data.map((l) => l.poLineId)).toEqual([lines.l5]);
  });

  it('refuses bad input and filters it cannot apply', async () => {
    await expect(supplierPerformance(ch(), { ...WINDOW, supplierIds: [0] })).rejects.toThrow(ZodError);
    await expect(supplierPerformance(ch(), { from: '2026-03-01', to: '2026-04-01' })).rejects.toThrow(ZodError);
    await expect(supplierPerformance(ch(), { from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' })).rejects.toThrow(ZodError);
    await expect(supplierPerformance(ch(), { ...WINDOW, categories: ['tools'] })).rejects.toThrow(UnsupportedFilterError);
    await expect(poLineFill(ch(), { ...WINDOW, customerIds: [1] })).rejects.toThrow(UnsupportedFilterError);
  });
});
