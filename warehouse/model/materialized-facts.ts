import { CHANGED_ORDERS, orderLineSource } from './order-line-source';
import { stockMoveSource } from './stock-move-source';

/**
 * The facts the boards read most, kept as tables (the others stay views): a view
 * over 2M order lines or 10M moves re-joins and re-aggregates on every query. Each
 * table is a ReplacingMergeTree sorted for the board queries (by time, so a window
 * reads its own parts), written from its source query: wholly on a rebuild, and
 * after each landed batch for what the batch changed. The fact views read the
 * tables WITH FINAL, so a row written twice counts once.
 *
 * - mat_order_lines: order lines, version = the refresh's LSN, sorted by order time;
 * - mat_done_moves: done moves (immutable), sorted by destination kind and done time;
 * - mat_open_moves: confirmed/reserved moves; a move that leaves that state becomes a tombstone.
 */
export interface MaterializedFact {
  table: string;
  engine: string;
  /** The rows of a rebuild (columns end with _version[, _deleted]); also defines the table's columns. */
  rebuild: string;
  /** The rows of an incremental refresh over the versions in ({from}, {to}], with {orders} for order-keyed facts. */
  refresh: string;
}

const DONE = `SELECT * EXCEPT (_deleted) REPLACE (assumeNotNull(done_at) AS done_at)`;
const OPEN_STATES = `state IN ('confirmed', 'reserved')`;

export const MATERIALIZED_FACTS: readonly MaterializedFact[] = [
  {
    table: 'mat_order_lines',
    engine: 'ReplacingMergeTree(_version, _deleted) PARTITION BY toYYYYMM(ordered_at) ORDER BY (ordered_at, line_id)',
    rebuild: `SELECT *, {to:UInt64} AS _version, toUInt8(0) AS _deleted FROM (${orderLineSource(false)})`,
    refresh: `SELECT *, {to:UInt64} AS _version, toUInt8(0) AS _deleted FROM (${orderLineSource(true)})`
  },
  {
    table: 'mat_done_moves',
    engine: 'ReplacingMergeTree(_version) PARTITION BY toYYYYMM(done_at) ORDER BY (to_kind, done_at, move_id)',
    rebuild: `${DONE} FROM (${stockMoveSource(false)}) WHERE state = 'done'`,
    refresh: `${DONE} FROM (${stockMoveSource(true)}) WHERE state = 'done' AND NOT _deleted`
  },
  {
    table: 'mat_open_moves',
    engine: 'ReplacingMergeTree(_version, _deleted) ORDER BY move_id',
    rebuild: `SELECT * FROM (${stockMoveSource(false)}) WHERE ${OPEN_STATES}`,
    refresh: `SELECT * REPLACE (toUInt8(_deleted OR NOT ${OPEN_STATES}) AS _deleted) FROM (${stockMoveSource(true)})`
  }
];

/** Order lines of changed orders that are gone from the core: their facts become tombstones. */
export const ORDER_LINE_TOMBSTONES = `
INSERT INTO mat_order_lines
SELECT * EXCEPT (_version, _deleted), {to:UInt64} AS _version, toUInt8(1) AS _deleted FROM mat_order_lines FINAL
WHERE order_id IN {orders:Array(Int64)} AND line_id NOT IN (SELECT id FROM sales_order_lines FINAL WHERE order_id IN {orders:Array(Int64)})`;

export { CHANGED_ORDERS };

/** The views the KPIs read over the tables. */
export const MATERIALIZED_VIEWS = [
  { name: 'fact_order_lines', select: 'SELECT * EXCEPT (_version, _deleted) FROM mat_order_lines FINAL' },
  {
    name: 'fact_stock_moves',
    select: `SELECT * EXCEPT (_version) FROM mat_done_moves FINAL
             UNION ALL SELECT * EXCEPT (_version, _deleted) FROM mat_open_moves FINAL`
  }
] as const;
