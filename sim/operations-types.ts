/**
 * Operation descriptors: what happens in the simulated network and when, as
 * plain data that refers to codes and SKUs (never database ids). What depends on
 * the database's state (which orders are due to ship, which POs are due) the
 * executor decides from that state; `salt` seeds its choices, so that a run is
 * the same every time it starts from the same state.
 */

/** Simulated epoch milliseconds. */
export type SimInstant = number;

export interface OrderLineSpec {
  sku: string;
  /** Base units, or packs when `pack` is set. */
  qty: number;
  pack?: string;
}

/** A customer places an order at its warehouse; sales enters and confirms it. */
export interface OrderOperation {
  kind: 'order';
  at: SimInstant;
  warehouse: string;
  customer: string;
  priority: number;
  discountBp: number;
  lines: OrderLineSpec[];
}

/** The warehouse lead picks, packs and ships what is reserved, up to `capacity` orders (oldest first). */
export interface ShipWaveOperation {
  kind: 'ship-wave';
  at: SimInstant;
  warehouse: string;
  capacity: number;
  salt: number;
}

/** The buyer runs the reorder rules of a warehouse and sends the POs; the planner approves the transfers. */
export interface ReorderRunOperation {
  kind: 'reorder-run';
  at: SimInstant;
  warehouse: string;
}

/** The warehouse receives the deliveries of POs that are due (late or short by supplier reliability). */
export interface PoReceivingOperation {
  kind: 'po-receiving';
  at: SimInstant;
  warehouse: string;
  salt: number;
}

/** The source warehouse ships approved transfers (what it has free). */
export interface TransferDispatchOperation {
  kind: 'transfer-dispatch';
  at: SimInstant;
  warehouse: string;
  salt: number;
}

/** The destination warehouse receives transfers that have arrived (lane lead time). */
export interface TransferReceivingOperation {
  kind: 'transfer-receiving';
  at: SimInstant;
  warehouse: string;
  salt: number;
}

/** A customer sends back part of a recently shipped line. */
export interface ReturnOperation {
  kind: 'return';
  at: SimInstant;
  warehouse: string;
  salt: number;
}

/**
 * A cycle count of one product. The count finds on hand × (1 + varianceShare)
 * + varianceUnits (never below what is reserved): both 0 for most counts.
 */
export interface CycleCountOperation {
  kind: 'cycle-count';
  at: SimInstant;
  warehouse: string;
  sku: string;
  varianceShare: number;
  varianceUnits: number;
  salt: number;
}

/** Finance works through the orders waiting for approval. */
export interface OrderApprovalsOperation {
  kind: 'order-approvals';
  at: SimInstant;
  salt: number;
}

/** Customers' payments of invoices that are due (some late) are recorded by finance. */
export interface PaymentsOperation {
  kind: 'payments';
  at: SimInstant;
  salt: number;
}

export type Operation =
  | OrderOperation
  | ShipWaveOperation
  | ReorderRunOperation
  | PoReceivingOperation
  | TransferDispatchOperation
  | TransferReceivingOperation
  | ReturnOperation
  | CycleCountOperation
  | OrderApprovalsOperation
  | PaymentsOperation;

export type OperationKind = Operation['kind'];

export const OPERATION_KINDS: readonly OperationKind[] = [
  'order',
  'ship-wave',
  'reorder-run',
  'po-receiving',
  'transfer-dispatch',
  'transfer-receiving',
  'return',
  'cycle-count',
  'order-approvals',
  'payments'
];

/**
 * What a scenario changes, consulted by the generator (demand, shipping) and by
 * the executor (deliveries, lanes). Every method is optional and must be a pure
 * function of its arguments, so that generation stays deterministic. The
 * scenarios themselves (issue 6, part 4) implement this.
 */
export interface Scenario {
  /** Multiplies the order arrivals of a region's customers (1: as usual). */
  orderRate?(regionCode: string, at: SimInstant): number;
  /** Multiplies how often lines of a category are ordered (1: as usual). */
  categoryWeight?(category: string, at: SimInstant): number;
  /** True while a warehouse ships nothing (its ship waves do not happen). */
  shippingStopped?(warehouseCode: string, at: SimInstant): boolean;
  /** Extra days a supplier's deliveries arrive late. */
  supplierDelayDays?(supplierCode: string, at: SimInstant): number;
  /** True while nothing moves on a lane: transfers on it are neither shipped nor received. */
  laneStalled?(fromCode: string, toCode: string, at: SimInstant): boolean;
}

export const NO_SCENARIO: Scenario = {};

/** Several scenarios at once: rates and weights multiply, delays add, stops and stalls combine with or. */
export function combineScenarios(...scenarios: Scenario[]): Scenario {
  return {
    orderRate: (r, at) => scenarios.reduce((m, s) => m * (s.orderRate?.(r, at) ?? 1), 1),
    categoryWeight: (c, at) => scenarios.reduce((m, s) => m * (s.categoryWeight?.(c, at) ?? 1), 1),
    shippingStopped: (w, at) => scenarios.some((s) => s.shippingStopped?.(w, at) ?? false),
    supplierDelayDays: (c, at) => scenarios.reduce((d, s) => d + (s.supplierDelayDays?.(c, at) ?? 0), 0),
    laneStalled: (f, t, at) => scenarios.some((s) => s.laneStalled?.(f, t, at) ?? false)
  };
}
