import { CHANGED_ORDERS, orderFillSource, orderLineSource } from './order-line-source';
import { CHANGED_PRODUCTS, stockMoveSource, stockPositionSource } from './stock-move-source';
import { shipmentSource } from './sales-facts';
import { CHANGED_PURCHASE_ORDERS, CHANGED_TRANSFERS, poLineSource, receiptSource, transferSource } from './supply-facts';
import { SUPPLY_POSITION_SOURCES, supplyPositionSource } from './supply-position-source';

/**
 * The facts the boards read most, kept as tables (the others stay views): a view
 * over 2M order lines or 10M moves re-joins and re-aggregates on every query. Each
 * table is a ReplacingMergeTree sorted for the board queries (by time, so a window
 * reads its own parts), written from its source query: wholly on a rebuild, and
 * after each landed batch for what the batch changed. The fact views read the
 * tables WITH FINAL, so a row written twice counts once.
 *
 * - mat_order_lines: order lines, version = the refresh's LSN, sorted by order time;
 * - mat_done_moves: done moves, sorted by destination kind and done time. A done move never
 *   changes, so each is written once (a refresh skips those already there) and the table is
 *   read without FINAL, a quarter of the cost over 10M moves;
 * - mat_open_moves: confirmed/reserved moves; a move that leaves that state becomes a tombstone;
 * - mat_order_fill: per order, the fill counts of its lines (fill rate without a category filter) and
 *   when it was completed (order cycle time);
 * - mat_shipments: shipped shipments with their invoice, sorted by shipment time (invoice lag);
 * - mat_transfers: transfers with their stage times and summed lines (a view re-summed 1M lines per query);
 * - mat_po_lines, mat_receipts: purchase order lines, and receipts with their summed lines (supplier performance);
 * - mat_open_lines: order lines still backordered (orders not cancelled): owed units and backorder aging;
 * - mat_stock_position: per product x warehouse, from the balances; rewritten for the products whose balances changed;
 * - mat_last_arrivals: per product x warehouse, the newest done arrival into its stock location (stock aging);
 * - mat_supply_position: per product x warehouse, what stock at risk weighs against demand (available, open
 *   inbound, owed, lead time), from the three facts before it and the master data it names.
 *
 * Facts carry master data (category, regions, zone, a lane's lead time) as it was when
 * their document last changed; a change of master data alone reaches them at the next rebuild.
 */
/**
 * A fact's SQL; a function of the warehouses' time zones when it computes local days
 * (ClickHouse takes a zone only as a constant: warehouse/kpi/local-day.ts).
 */
export type FactSql = string | ((zones: readonly string[]) => string);

export const factSql = (sql: FactSql, zones: readonly string[]): string => (typeof sql === 'string' ? sql : sql(zones));

export interface MaterializedFact {
  table: string;
  engine: string;
  /** The rows of a rebuild (columns end with _version[, _deleted]); also defines the table's columns. */
  rebuild: FactSql;
  /** The rows of an incremental refresh over the versions in ({from}, {to}], for the changed keys ({orders}, {products}, ...: CHANGED_KEYS) when keyed. */
  refresh: FactSql;
  keyedBy: 'versions' | FactKey;
  /** The landing tables it is computed from: a batch touching none of them leaves it as it is. */
  sources: readonly string[];
  /** The facts this one is computed from: a refresh writes those first. */
  dependsOn?: readonly string[];
  /** Skip indexes (name -> column) that refreshes narrow this table by. */
  indexes?: Readonly<Record<string, string>>;
  /** Keyed by orders, but no row can go when its order changes (no tombstone query): a shipped shipment is final. */
  rowsFinal?: true;
}

const ORDER_SOURCES = ['sales_orders', 'sales_order_lines', 'shipments', 'shipment_lines', 'invoices'];
const MOVE_SOURCES = ['stock_moves'];
const POSITION_SOURCES = ['stock_balances', 'products'];

const DONE = `SELECT * EXCEPT (_deleted) REPLACE (assumeNotNull(done_at) AS done_at)`;
/** A source's rows at the refresh's version; `deleted` says which of them are tombstones. */
const versioned = (source: string, deleted = '0') => `SELECT *, {to:UInt64} AS _version, toUInt8(${deleted}) AS _deleted FROM (${source})`;
const OPEN_STATES = `state IN ('confirmed', 'reserved')`;
/** A done move that sets its stock's age (stock aging): into a stock location from a receipt, a transfer or an opening balance. */
export const ARRIVAL = `to_kind = 'stock' AND document_type IN ('purchase_order', 'transfer', 'opening_balance')`;
const OPEN_LINE = `backordered_qty > 0 AND order_state != 'cancelled'`;
/**
 * The order lines just written: the facts derived from them (fill per order, open
 * lines) read mat_order_lines, which is refreshed first, instead of computing the
 * order-line source (a join of seven landing tables) three times per refresh.
 */
const ORDER_LINES = `(SELECT * EXCEPT (_version, _deleted) FROM mat_order_lines FINAL WHERE NOT _deleted)`;
const CHANGED_ORDER_LINES = `(SELECT * EXCEPT (_version, _deleted) FROM mat_order_lines FINAL WHERE order_id IN {orders:Array(Int64)} AND NOT _deleted)`;

/**
 * A fact of documents the core never deletes, one row per `key`: rewritten whole for the
 * documents a batch changed (their `keyedBy` key), the newest version winning.
 */
function documentFact(table: string, key: string, source: (narrow: boolean) => string, keyedBy: FactKey, sources: string[]): MaterializedFact {
  return { table, engine: `ReplacingMergeTree(_version, _deleted) ORDER BY ${key}`, rebuild: versioned(source(false)), refresh: versioned(source(true)), keyedBy, sources };
}

/** In dependency order: a rebuild or refresh writes mat_order_lines before the facts read from it. */
export const MATERIALIZED_FACTS: readonly MaterializedFact[] = [
  {
    table: 'mat_order_lines',
    engine: 'ReplacingMergeTree(_version, _deleted) PARTITION BY toYYYYMM(ordered_at) ORDER BY (ordered_at, line_id)',
    rebuild: (zones) => versioned(orderLineSource(false, zones)),
    refresh: (zones) => versioned(orderLineSource(true, zones)),
    keyedBy: 'orders',
    sources: ORDER_SOURCES,
    indexes: { order_minmax: 'order_id' }
  },
  {
    table: 'mat_order_fill',
    engine: 'ReplacingMergeTree(_version, _deleted) PARTITION BY toYYYYMM(ordered_at) ORDER BY (ordered_at, order_id)',
    rebuild: versioned(orderFillSource(ORDER_LINES)),
    refresh: versioned(orderFillSource(CHANGED_ORDER_LINES)),
    keyedBy: 'orders',
    dependsOn: ['mat_order_lines'],
    sources: ORDER_SOURCES
  },
  {
    table: 'mat_open_lines',
    engine: 'ReplacingMergeTree(_version, _deleted) ORDER BY line_id',
    rebuild: `${versioned(ORDER_LINES)} WHERE ${OPEN_LINE}`,
    refresh: versioned(CHANGED_ORDER_LINES, `NOT (${OPEN_LINE})`),
    keyedBy: 'orders',
    dependsOn: ['mat_order_lines'],
    sources: ORDER_SOURCES
  },
  {
    table: 'mat_shipments',
    engine: 'ReplacingMergeTree(_version, _deleted) PARTITION BY toYYYYMM(shipped_at) ORDER BY (shipped_at, shipment_id)',
    rebuild: versioned(shipmentSource(false)),
    refresh: versioned(shipmentSource(true)),
    keyedBy: 'orders',
    sources: ['sales_orders', 'shipments', 'invoices'],
    indexes: { order_minmax: 'order_id' },
    rowsFinal: true
  },
  documentFact('mat_transfers', 'transfer_id', transferSource, 'transfers', ['transfers', 'transfer_lines']),
  documentFact('mat_po_lines', 'po_line_id', poLineSource, 'purchase_orders', ['purchase_orders', 'purchase_order_lines']),
  documentFact('mat_receipts', 'receipt_id', receiptSource, 'purchase_orders', ['purchase_orders', 'receipts', 'receipt_lines']),
  {
    table: 'mat_done_moves',
    engine: 'MergeTree PARTITION BY toYYYYMM(done_at) ORDER BY (to_kind, done_at, move_id)',
    rebuild: `${DONE} FROM (${stockMoveSource(false)}) WHERE state = 'done'`,
    // Exactly once: a refresh repeated after a crash (before its watermark) skips the moves already
    // written. Those carry a version above the watermark (a done move never changes again), so the
    // check reads only the newest granules (version_minmax), not every move done since the range began.
    refresh: `${DONE} FROM (${stockMoveSource(
      true,
      `state = 'done' AND NOT _deleted AND id NOT IN (SELECT move_id FROM mat_done_moves WHERE _version > {from:UInt64} AND _version <= {to:UInt64})`
    )})`,
    keyedBy: 'versions',
    sources: MOVE_SOURCES,
    indexes: { version_minmax: '_version' }
  },
  {
    table: 'mat_last_arrivals',
    // The newest wins (the engine's version is the arrival time): a refresh adds the arrivals of its range,
    // and a repeated one (a crash before the watermark) changes nothing.
    engine: 'ReplacingMergeTree(last_in) ORDER BY (product_id, warehouse_id)',
    rebuild: `SELECT product_id, to_warehouse_id AS warehouse_id, max(done_at) AS last_in, {to:UInt64} AS _version
              FROM mat_done_moves WHERE ${ARRIVAL} GROUP BY product_id, warehouse_id`,
    refresh: `SELECT product_id, to_warehouse_id AS warehouse_id, max(done_at) AS last_in, {to:UInt64} AS _version
              FROM mat_done_moves WHERE ${ARRIVAL} AND _version > {from:UInt64} AND _version <= {to:UInt64} GROUP BY product_id, warehouse_id`,
    keyedBy: 'versions',
    dependsOn: ['mat_done_moves'],
    sources: MOVE_SOURCES
  },
  {
    table: 'mat_open_moves',
    engine: 'ReplacingMergeTree(_version, _deleted) ORDER BY move_id',
    rebuild: `SELECT * FROM (${stockMoveSource(false)}) WHERE ${OPEN_STATES}`,
    // Moves that leave the open state become tombstones, but only those the table holds: most moves
    // are done in the transaction that creates them (a backlog of 1M such moves wrote 1M tombstones).
    refresh: `SELECT * REPLACE (toUInt8(_deleted OR NOT ${OPEN_STATES}) AS _deleted) FROM (${stockMoveSource(
      true,
      `(${OPEN_STATES} AND NOT _deleted)
       OR id IN (SELECT move_id FROM mat_open_moves
                 WHERE move_id IN (SELECT id FROM stock_moves WHERE _version > {from:UInt64} AND _version <= {to:UInt64}))`
    )})`,
    keyedBy: 'versions',
    sources: MOVE_SOURCES
  },
  {
    table: 'mat_stock_position',
    engine: 'ReplacingMergeTree(_version) ORDER BY (product_id, warehouse_id)',
    rebuild: `SELECT *, {to:UInt64} AS _version FROM (${stockPositionSource(false)})`,
    refresh: `SELECT *, {to:UInt64} AS _version FROM (${stockPositionSource(true)})`,
    keyedBy: 'products',
    sources: POSITION_SOURCES
  },
  {
    table: 'mat_supply_position',
    engine: 'ReplacingMergeTree(_version, _deleted) ORDER BY (product_id, warehouse_id)',
    rebuild: supplyPositionSource(false),
    refresh: supplyPositionSource(true),
    keyedBy: 'products',
    dependsOn: ['mat_stock_position', 'mat_open_moves', 'mat_open_lines'],
    sources: SUPPLY_POSITION_SOURCES
  }
];

/** Facts of changed orders whose lines (or every line) are gone from the core become tombstones. */
export const orderTombstones = (table: string) => {
  const [key, source] = table === 'mat_order_fill' ? ['order_id', 'order_id'] : ['line_id', 'id'];
  return `
INSERT INTO ${table}
SELECT * EXCEPT (_version, _deleted), {to:UInt64} AS _version, toUInt8(1) AS _deleted FROM ${table} FINAL
WHERE order_id IN {orders:Array(Int64)} AND ${key} NOT IN (SELECT ${source} FROM sales_order_lines FINAL WHERE order_id IN {orders:Array(Int64)})`;
};

/** The keys a refresh narrows facts by, each with the query of those a version range changed. */
export const CHANGED_KEYS = {
  orders: CHANGED_ORDERS,
  products: CHANGED_PRODUCTS,
  transfers: CHANGED_TRANSFERS,
  purchase_orders: CHANGED_PURCHASE_ORDERS
} as const;
export type FactKey = keyof typeof CHANGED_KEYS;

/** The views the KPIs read over the tables. */
export const MATERIALIZED_VIEWS = [
  { name: 'fact_order_lines', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_order_lines FINAL' },
  { name: 'fact_order_fill', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_order_fill FINAL' },
  { name: 'fact_shipments', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_shipments FINAL' },
  { name: 'fact_transfers', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_transfers FINAL' },
  { name: 'fact_po_lines', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_po_lines FINAL' },
  { name: 'fact_receipts', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_receipts FINAL' },
  { name: 'fact_open_order_lines', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_open_lines FINAL' },
  { name: 'fact_stock_position', select: 'SELECT * EXCEPT (_version) FROM mat_stock_position FINAL' },
  { name: 'fact_supply_position', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_supply_position FINAL' },
  { name: 'fact_last_arrivals', select: 'SELECT * EXCEPT (_version) FROM mat_last_arrivals FINAL' },
  { name: 'fact_done_moves', select: 'SELECT * EXCEPT (_version) FROM mat_done_moves' },
  { name: 'fact_open_moves', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_open_moves FINAL' },
  // All live moves; the KPIs read the two above, which a filter on state alone cannot choose between.
  {
    name: 'fact_stock_moves',
    select: `SELECT * EXCEPT (_version) FROM mat_done_moves
             UNION ALL SELECT * EXCEPT (_version, _deleted) FROM mat_open_moves FINAL`
  }
] as const;
