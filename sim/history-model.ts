/**
 * The rows a history simulation produces, one record per database row in its
 * final state (columns in camelCase; instants as epoch ms, dates as day numbers,
 * see history-time.ts). Records hold references to their parents and open moves
 * so the simulation can follow them; the writer reads only the columns.
 */

export type MoveState = 'confirmed' | 'reserved' | 'done' | 'cancelled';
export type DocumentType = 'sales_order' | 'purchase_order' | 'transfer' | 'return' | 'cycle_count';

export interface MoveRec {
  id: number;
  productId: number;
  qty: number;
  fromLocationId: number;
  toLocationId: number;
  state: MoveState;
  documentType: DocumentType;
  documentId: number;
  documentLineId: number | null;
  scheduledDate: number | null;
  actorId: number | null;
  createdAt: number;
  doneAt: number | null;
  /** Counts as incoming in the destination's forecast (its source is outside that warehouse). */
  forecastIn: boolean;
  /** While open: the positions that list it (inbound at the destination, outgoing at the source) and where. */
  inAt: OpenMoveLists | null;
  outAt: OpenMoveLists | null;
  inIndex: number;
  outIndex: number;
}

/** What the ledger keeps per product and warehouse about open moves (see history-ledger.ts Position). */
export interface OpenMoveLists {
  inbound: MoveRec[];
  outgoing: MoveRec[];
  /** The reorder run found nothing to propose and nothing changed since (it may skip the rule). */
  settled: boolean;
}

export interface BalanceRec {
  productId: number;
  locationId: number;
  onHand: number;
  reserved: number;
  isVirtual: boolean;
  updatedAt: number;
  /** Changed by the history (only these are written). */
  touched: boolean;
  /** The position whose stock or transit this is (its reorder rule must look again when it changes). */
  watcher: { settled: boolean } | null;
}

export type OrderState = 'draft' | 'awaiting_approval' | 'confirmed' | 'done' | 'cancelled';

export interface OrderRec {
  id: number;
  customer: number; // customer index (context)
  customerId: number;
  warehouse: number; // warehouse index (context)
  warehouseId: number;
  state: OrderState;
  priority: number;
  discountBp: number;
  requestedDate: number | null;
  promisedDate: number | null;
  approvalReason: string | null;
  approvedBy: number | null;
  approvedAt: number | null;
  createdBy: number | null;
  createdAt: number;
  confirmedAt: number | null;
  cancelledAt: number | null;
  lines: LineRec[];
}

export interface LineRec {
  id: number;
  order: OrderRec;
  lineNo: number;
  product: number; // product index
  productId: number;
  orderedQty: number;
  unitPriceMinor: number;
  reservedQty: number;
  shippedQty: number;
  backorderedQty: number;
  cancelledQty: number;
  promisedDate: number | null;
  backorderedSince: number | null;
  /** The line's open move W.stock -> W.customer (null before confirmation and once closed). */
  move: MoveRec | null;
  /** Units on shipments being picked or packed. */
  picking: number;
}

export interface ShipmentRec {
  id: number;
  order: OrderRec;
  state: 'picking' | 'packed' | 'shipped' | 'cancelled';
  pickedAt: number;
  packedAt: number | null;
  shippedAt: number | null;
  actorId: number | null;
  lines: { id: number; line: LineRec; qty: number }[];
}

export interface InvoiceRec {
  id: number;
  orderId: number;
  shipmentId: number;
  amountMinor: number;
  paidMinor: number;
  state: 'open' | 'paid';
  issuedAt: number;
  dueDate: number;
  customer: number;
}

export interface PaymentRec {
  id: number;
  invoiceId: number;
  amountMinor: number;
  paidAt: number;
  actorId: number | null;
}

export interface PurchaseOrderRec {
  id: number;
  supplier: number;
  supplierId: number;
  warehouse: number;
  warehouseId: number;
  state: 'draft' | 'sent' | 'partially_received' | 'received' | 'closed' | 'cancelled';
  expectedDate: number;
  fromReorder: boolean;
  createdBy: number | null;
  createdAt: number;
  sentAt: number | null;
  closedAt: number | null;
  lines: PurchaseLineRec[];
}

export interface PurchaseLineRec {
  id: number;
  product: number;
  productId: number;
  orderedQty: number;
  receivedQty: number;
  rejectedQty: number;
  unitCostMinor: number;
  move: MoveRec | null;
}

export interface ReceiptRec {
  id: number;
  purchaseOrderId: number;
  receivedAt: number;
  onTime: boolean;
  inFull: boolean;
  actorId: number | null;
  lines: { id: number; purchaseOrderLineId: number; acceptedQty: number; rejectedQty: number }[];
}

export interface TransferRec {
  id: number;
  from: number; // warehouse indexes
  to: number;
  fromWarehouseId: number;
  toWarehouseId: number;
  state: 'requested' | 'approved' | 'shipped' | 'received' | 'cancelled';
  expectedArrival: number;
  requestedBy: number | null;
  requestedAt: number;
  approvedAt: number | null;
  shippedAt: number | null;
  receivedAt: number | null;
  cancelledAt: number | null;
  lines: TransferLineRec[];
}

export interface TransferLineRec {
  id: number;
  product: number;
  productId: number;
  qty: number;
  shippedQty: number;
  receivedQty: number;
  shortQty: number;
  damagedQty: number;
  move: MoveRec | null;
}

export type Disposition = 'restock' | 'quality_hold' | 'scrap';

export interface ReturnRec {
  id: number;
  customerId: number;
  warehouseId: number;
  orderId: number | null;
  reason: string;
  actorId: number | null;
  createdAt: number;
  lines: { id: number; productId: number; qty: number; disposition: Disposition }[];
}

export interface CountRec {
  id: number;
  locationId: number;
  productId: number;
  systemQty: number;
  countedQty: number;
  state: 'awaiting_approval' | 'posted' | 'rejected';
  countedBy: number | null;
  countedAt: number;
  decidedBy: number | null;
  decidedAt: number | null;
}

/** Every table the history writes ids into (the sequence of each is moved past them). */
export const ID_TABLES = [
  'sales_orders',
  'sales_order_lines',
  'shipments',
  'shipment_lines',
  'invoices',
  'payments',
  'purchase_orders',
  'purchase_order_lines',
  'receipts',
  'receipt_lines',
  'transfers',
  'transfer_lines',
  'customer_returns',
  'customer_return_lines',
  'cycle_counts',
  'stock_moves'
] as const;
export type IdTable = (typeof ID_TABLES)[number];

/** Hands out ids per table, from the first free one, in the order things happen. */
export class IdSource {
  private readonly next = new Map<IdTable, number>();
  constructor(first: Partial<Record<IdTable, number>> = {}) {
    for (const t of ID_TABLES) this.next.set(t, first[t] ?? 1);
  }
  take(table: IdTable): number {
    const id = this.next.get(table)!;
    this.next.set(table, id + 1);
    return id;
  }
}

export interface HistoryRows {
  orders: OrderRec[];
  shipments: ShipmentRec[];
  invoices: InvoiceRec[];
  payments: PaymentRec[];
  purchaseOrders: PurchaseOrderRec[];
  receipts: ReceiptRec[];
  transfers: TransferRec[];
  returns: ReturnRec[];
  counts: CountRec[];
  moves: MoveRec[];
  /** Every balance, touched or not (the writer writes the touched ones). */
  balances: BalanceRec[];
}
