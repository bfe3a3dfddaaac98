import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from './db';
import { execPrepared } from './prepared';

/** Locks (FOR UPDATE, in product order) a warehouse's stock balances of these products that have free stock; returns their product ids. */
export async function lockFreeBalances(tx: Tx, warehouseId: number, productIds: number[]): Promise<number[]> {
  const ids = [...new Set(productIds.map(Number))].sort((a, b) => a - b);
  if (ids.length === 0) return [];
  // Fixed statement text with array parameters: prepared once per connection.
  const locked = await execPrepared<{ product_id: number }>(tx, 'opstower_allocate_lock', sql`
    SELECT product_id FROM stock_balances
    WHERE location_id = (SELECT id FROM locations WHERE warehouse_id = ${warehouseId}::int AND kind = 'stock')
      AND product_id = ANY(${sql.param(ids)}::int[]) AND on_hand > reserved
    ORDER BY product_id FOR UPDATE`);
  return locked.map((r) => Number(r.product_id));
}

/**
 * The sharing-out as CTEs (free, queue, share, lines, moves, balances) over
 * balances the caller has locked: `lines` returns (id, order_id, product_id,
 * take, reserved_qty, backordered_qty) of every line that took stock. promise:
 * lines of that order that become fully reserved are promised that date.
 */
function allocation(warehouseId: number, lockedProductIds: number[], promise?: { orderId: number; today: string }): SQL {
  const stock = sql`(SELECT id FROM locations WHERE warehouse_id = ${warehouseId}::int AND kind = 'stock')`;
  const promised = promise
    ? sql`, promised_date = CASE WHEN l.order_id = ${promise.orderId}::bigint AND l.reserved_qty + s.take = l.backordered_qty
                                THEN ${promise.today}::date ELSE l.promised_date END`
    : sql``;
  return sql`
    free AS (
      SELECT product_id, location_id, on_hand - reserved AS free FROM stock_balances
      WHERE location_id = ${stock} AND product_id = ANY(${sql.param(lockedProductIds)}::int[]) AND on_hand > reserved),
    queue AS (
      SELECT l.id, l.product_id, l.backordered_qty - l.reserved_qty AS need,
             coalesce(sum(l.backordered_qty - l.reserved_qty) OVER (
               PARTITION BY l.product_id
               ORDER BY o.priority DESC, o.promised_date ASC NULLS LAST, o.confirmed_at ASC, l.id ASC
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS ahead
      -- Found from the products' waiting lines (sales_order_lines_waiting_idx), never
      -- from the warehouse's confirmed orders, which grow with every confirmation: the
      -- order conditions are written so no index on sales_orders applies (the generic
      -- plan is made once per connection, possibly on statistics taken when no order
      -- was confirmed yet, which made that scan look like a few rows).
      FROM sales_order_lines l JOIN sales_orders o ON o.id = l.order_id
      WHERE o.warehouse_id + 0 = ${warehouseId}::int AND o.state::text = 'confirmed'
        AND l.product_id IN (SELECT product_id FROM free) AND l.backordered_qty > l.reserved_qty),
    share AS (
      SELECT q.id, q.product_id, least(q.need, f.free - q.ahead)::int AS take
      FROM queue q JOIN free f ON f.product_id = q.product_id
      WHERE f.free > q.ahead),
    lines AS (
      UPDATE sales_order_lines l SET reserved_qty = l.reserved_qty + s.take${promised}
      FROM share s
      WHERE l.id = s.id AND l.backordered_qty - l.reserved_qty >= s.take
      RETURNING l.id, l.order_id, l.product_id, s.take, l.reserved_qty, l.backordered_qty),
    moves AS (
      -- One open move per line, found through its line (a join here lets a stale
      -- estimate scan every open order move instead). document_type is compared as
      -- text so no plan can pick stock_moves_document_idx: the plan is generic and
      -- made once per connection, and when statistics were taken before orders had
      -- moves, that index looks like a one-row lookup but scans every order move.
      UPDATE stock_moves m
      SET state = CASE WHEN u.reserved_qty = u.backordered_qty THEN 'reserved'::move_state ELSE 'confirmed'::move_state END
      FROM lines u
      WHERE m.id = (SELECT o.id FROM stock_moves o
                    WHERE o.document_line_id = u.id AND o.document_type::text = 'sales_order' AND o.state IN ('confirmed', 'reserved')
                    LIMIT 1)),
    balances AS (
      UPDATE stock_balances b SET reserved = b.reserved + t.total, updated_at = now()
      FROM (SELECT product_id, sum(take)::int AS total FROM lines GROUP BY product_id) t
      WHERE b.product_id = t.product_id AND b.location_id = ${stock})`;
}

/**
 * Reserves free stock at a warehouse for open order lines of the given products,
 * in reservation order: priority (high first), promised date, confirmation time.
 * Called when an order is confirmed or approved and whenever stock arrives
 * (receipt, transfer, return, count), so backorders fill oldest-first.
 *
 * Two statements whatever the number of products (confirmation is the hot path):
 * the balance rows are locked first, in product order, so concurrent
 * allocations of a product queue there and can never reserve more than is on
 * hand; then one statement shares the free stock out along the queue (a running
 * sum per product), updates the lines, their open moves and the balances. A line
 * changed meanwhile by a transaction that did not hold the balance lock is
 * skipped (re-checked on the locked row), and the balance takes only what the
 * lines took. Returns the quantity reserved per order line.
 */
export async function allocate(tx: Tx, warehouseId: number, productIds: number[]): Promise<Map<number, number>> {
  const locked = await lockFreeBalances(tx, warehouseId, productIds);
  if (locked.length === 0) return new Map();
  const taken = await execPrepared<{ id: number; take: number }>(tx, 'opstower_allocate', sql`
    WITH ${allocation(warehouseId, locked)}
    SELECT id, take FROM lines`);
  return new Map(taken.map((r) => [Number(r.id), Number(r.take)]));
}

/** An order line being activated: what allocateAndOpen needs of it. */
export interface ActivatedLine {
  id: number;
  productId: number;
  /** Still to ship (the open move's quantity). */
  backorderedQty: number;
  /** Reserved before this allocation. */
  reservedQty: number;
}

/**
 * allocate() for an order being activated, and in the same statement its open
 * moves W.stock -> W.customer (what createOpenMoves writes: no balance
 * changes): 'reserved' and scheduled today for lines now fully reserved, else
 * 'confirmed' with no date yet. Lines fully reserved here are promised today,
 * and so is the order when all its lines are (else its promised date is left
 * null: the caller promises short lines with ATP and writes the dates).
 * lockedProductIds: the balances the caller locked (lockFreeBalances, or
 * lockOrder with confirmIfClear). Returns the quantity reserved per order line.
 */
export async function allocateAndOpen(
  tx: Tx,
  o: { orderId: number; warehouseId: number; today: string; stockLocationId: number; customerLocationId: number; actorId: number | null },
  lines: ActivatedLine[],
  lockedProductIds: number[]
): Promise<Map<number, number>> {
  const taken = await execPrepared<{ id: number; take: number }>(tx, 'opstower_allocate_open', sql`
    WITH ${allocation(o.warehouseId, lockedProductIds, { orderId: o.orderId, today: o.today })},
    v AS (
      SELECT x.line_id, x.product_id, x.qty, coalesce(u.reserved_qty, x.reserved) = x.qty AS is_full
      FROM unnest(${sql.param(lines.map((l) => l.id))}::bigint[], ${sql.param(lines.map((l) => l.productId))}::int[],
                  ${sql.param(lines.map((l) => l.backorderedQty))}::int[], ${sql.param(lines.map((l) => l.reservedQty))}::int[])
        AS x(line_id, product_id, qty, reserved)
      LEFT JOIN lines u ON u.id = x.line_id),
    opened AS (
      INSERT INTO stock_moves (product_id, qty, from_location_id, to_location_id, state, document_type, document_id, document_line_id, scheduled_date, actor_id)
      SELECT v.product_id, v.qty, ${o.stockLocationId}::int, ${o.customerLocationId}::int,
             CASE WHEN v.is_full THEN 'reserved'::move_state ELSE 'confirmed'::move_state END, 'sales_order', ${o.orderId}::bigint, v.line_id,
             CASE WHEN v.is_full THEN ${o.today}::date END, ${o.actorId}::int
      FROM v),
    promised AS (
      UPDATE sales_orders SET promised_date = CASE WHEN (SELECT bool_and(is_full) FROM v) THEN ${o.today}::date END
      WHERE id = ${o.orderId}::bigint)
    SELECT id, take FROM lines`);
  return new Map(taken.map((r) => [Number(r.id), Number(r.take)]));
}

/** An order line's open move is 'reserved' when its remainder is fully reserved, else 'confirmed'. */
export async function syncMoveStates(tx: Tx, lineIds: number[]): Promise<void> {
  if (lineIds.length === 0) return;
  await tx.execute(sql`
    UPDATE stock_moves m
    SET state = CASE WHEN l.reserved_qty = l.backordered_qty THEN 'reserved'::move_state ELSE 'confirmed'::move_state END
    FROM sales_order_lines l
    WHERE m.document_type = 'sales_order' AND m.document_line_id = l.id
      AND m.state IN ('confirmed', 'reserved')
      AND l.id IN ${sql.raw(`(${lineIds.map(Number).join(',')})`)}`);
}
