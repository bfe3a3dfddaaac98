import type { ClickHouseClient } from '@clickhouse/client';
import { queryRows } from '../kpi/clickhouse-query';
import type { AlertFinding, AlertKind } from '../../schemas/api/alerts';
import type { DetectorThresholds } from '../../schemas/detector-thresholds';

/**
 * A detector reads the warehouse and says which subjects are in an alerting
 * condition now. It never writes: the runner hands its findings to the core's
 * alerts service, which raises, refreshes and auto-resolves alerts in PostgreSQL.
 */

/** What a landed batch touched (from its landed event), or everything (the scheduled run). */
export type DetectorScope = { productIds: number[]; orderIds: number[]; tables: string[] } | 'all';

export interface DetectorContext {
  ch: ClickHouseClient;
  scope: DetectorScope;
  thresholds: DetectorThresholds;
  /** The detector's clock: the scheduled run passes the wall clock, tests a fixed instant. */
  now: Date;
}

/** One detector's verdict for one alert kind: the findings, and which subjects it looked at. */
export interface DetectorVerdict {
  kind: AlertKind;
  findings: AlertFinding[];
  /** Unresolved alerts of the kind on these subjects that are not among the findings have cleared. */
  evaluated: { subjects: string[] } | 'all';
  /** Subjects the detector could not judge this time (data still landing): their alerts stay as they are. */
  unsettled?: string[];
}

export interface Detector {
  name: string;
  /** The landed tables whose changes can change this detector's answer (a batch touching none skips it). */
  tables: readonly string[];
  run(ctx: DetectorContext): Promise<DetectorVerdict[]>;
}

export const subjects = {
  productAtWarehouse: (productId: number, warehouseId: number) => `product:${productId}/warehouse:${warehouseId}`,
  productAtLocation: (productId: number, locationId: number) => `product:${productId}/location:${locationId}`,
  orderLine: (lineId: number) => `order_line:${lineId}`,
  transfer: (transferId: number) => `transfer:${transferId}`,
  purchaseOrder: (poId: number) => `purchase_order:${poId}`,
  ingestSlot: (slot: string) => `ingest:${slot}`,
  warehouse: (warehouseId: number) => `warehouse:${warehouseId}`
};


export function touchedProducts(scope: DetectorScope): number[] | null {
  return scope === 'all' ? null : scope.productIds;
}

export function touchedOrders(scope: DetectorScope): number[] | null {
  return scope === 'all' ? null : scope.orderIds;
}

/** Every product x warehouse subject of the given products: what a run over touched products has looked at. */
export async function productWarehouseSubjects(ch: ClickHouseClient, productIds: number[]): Promise<string[]> {
  const warehouses = await queryRows<{ id: number }>(ch, 'SELECT id FROM warehouses FINAL');
  return productIds.flatMap((p) => warehouses.map((w) => subjects.productAtWarehouse(p, w.id)));
}

/** Every order-line subject of the given orders: what a run over touched orders has looked at. */
export async function orderLineSubjects(ch: ClickHouseClient, orderIds: number[]): Promise<string[]> {
  const lines = await queryRows<{ id: number }>(ch, 'SELECT id FROM sales_order_lines FINAL WHERE order_id IN {orders:Array(Int64)}', { orders: orderIds });
  return lines.map((l) => subjects.orderLine(l.id));
}
