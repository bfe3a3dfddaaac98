import { describe, expect, it } from 'vitest';
import type { LandedEvent } from '../schemas/ingest';
import { mergeLanded } from './facts-stage';

const event = (over: Partial<LandedEvent>): LandedEvent => ({
  slot: 'opstower',
  lsn: '0/10',
  commitTimeFrom: '2026-11-23T06:00:00.000Z',
  commitTimeTo: '2026-11-23T06:00:01.000Z',
  landedAt: '2026-11-23T06:00:01.100Z',
  transactions: 1,
  rows: 2,
  tables: ['sales_orders'],
  warehouseIds: [1],
  productIds: [7],
  orderIds: [3],
  keysTruncated: false,
  deletedTables: [],
  ...over
});

describe('landed batches merged while the facts refresh runs', () => {
  it('keep every table, key and delete of both, the later LSN and the wider commit range', () => {
    const a = event({ tables: ['sales_order_lines'], deletedTables: ['sales_order_lines'], orderIds: [3] });
    const b = event({ lsn: '0/20', commitTimeFrom: '2026-11-23T06:00:02.000Z', commitTimeTo: '2026-11-23T06:00:03.000Z', tables: ['shipments'], orderIds: [4] });
    const m = mergeLanded(a, b);
    expect(m).toMatchObject({ lsn: '0/20', commitTimeFrom: a.commitTimeFrom, commitTimeTo: b.commitTimeTo, transactions: 2, rows: 4 });
    expect(m.tables.sort()).toEqual(['sales_order_lines', 'shipments']);
    expect(m.orderIds.sort()).toEqual([3, 4]);
    expect(m.deletedTables).toEqual(['sales_order_lines']);
  });

  it('say "not known" about deletes when either batch did not say (an older ingest): the refresh then assumes some', () => {
    expect(mergeLanded(event({ deletedTables: undefined }), event({})).deletedTables).toBeUndefined();
    expect(mergeLanded(event({}), event({})).deletedTables).toEqual([]);
  });
});
